/**
 * The standalone zips as Lambda takes them: the Node layer's tree plus the binary, the exec bits
 * kept, reproducible, and within Lambda's size limits with room left for the function.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { STANDALONE_MAJOR, ensureNode } from '../../scripts/node-binaries.mjs';
import { STANDALONE_ARCHITECTURES } from '../../scripts/standalone.mjs';
import { LAYER_ZIP, assertLayerBuilt } from '../e2e/support.ts';
import { ARCHITECTURES, MAX_UNZIPPED_BYTES, MAX_ZIP_BYTES, STANDALONE_NODE_ENTRY, assertStandaloneBuilt, listZip, standaloneZip } from './support.ts';

const LAUNCHER = 'extensions/lambda-telemetry-otel';
const MB = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

describe('standalone layer zips', () => {
  before(() => {
    assertLayerBuilt();
    for (const architecture of ARCHITECTURES) assertStandaloneBuilt(architecture);
  });

  for (const architecture of ARCHITECTURES) {
    it(`${architecture}: the Node layer's entries, the same bytes, plus an executable, stripped ${STANDALONE_NODE_ENTRY}`, () => {
      const nodeLayer = listZip(LAYER_ZIP);
      const entries = listZip(standaloneZip(architecture));
      assert.deepEqual(
        entries.filter((entry) => entry.name !== STANDALONE_NODE_ENTRY).map(({ name, mode, crc }) => ({ name, mode, crc })),
        nodeLayer.map(({ name, mode, crc }) => ({ name, mode, crc })),
        'launcher, bundle and chunks as in dist/layer.zip',
      );
      const node = entries.find((entry) => entry.name === STANDALONE_NODE_ENTRY);
      assert.ok(node, `${STANDALONE_NODE_ENTRY} is in the zip`);
      assert.match(node.mode, /^-rwxr-xr-x/);
      // The official binary is in the cache once the zip is built.
      const official = statSync(ensureNode(STANDALONE_MAJOR, STANDALONE_ARCHITECTURES[architecture])).size;
      assert.ok(node.bytes < official * 0.9, `stripped: ${node.bytes} bytes, the official binary ${official}`);
      assert.match(entries.find((entry) => entry.name === LAUNCHER)!.mode, /^-rwxr-xr-x/);
      assert.ok(entries.filter((entry) => entry.name !== LAUNCHER && entry.name !== STANDALONE_NODE_ENTRY).every((entry) => entry.mode.startsWith('-rw-r--r--')));
      assert.ok(entries.every((entry) => entry.date === '2020-01-01'), 'one fixed timestamp, so a rebuild gives the same zip');
    });

    it(`${architecture}: within Lambda's limits, ${MB(MAX_ZIP_BYTES)} zipped and ${MB(MAX_UNZIPPED_BYTES)} unzipped for function and layers`, (t) => {
      const zipBytes = statSync(standaloneZip(architecture)).size;
      const unzippedBytes = listZip(standaloneZip(architecture)).reduce((sum, entry) => sum + entry.bytes, 0);
      assert.ok(zipBytes <= MAX_ZIP_BYTES, `${zipBytes} bytes zipped, over ${MAX_ZIP_BYTES}`);
      assert.ok(unzippedBytes <= MAX_UNZIPPED_BYTES, `${unzippedBytes} bytes unzipped, over ${MAX_UNZIPPED_BYTES}`);
      t.diagnostic(
        `${architecture}: ${MB(zipBytes)} zipped (${MB(MAX_ZIP_BYTES - zipBytes)} under the direct-upload limit), ${MB(unzippedBytes)} unzipped: ` +
          `${MB(MAX_UNZIPPED_BYTES - unzippedBytes)} of ${MB(MAX_UNZIPPED_BYTES)} left for the function and its other layers`,
      );
    });
  }
});
