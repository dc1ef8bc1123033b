/**
 * severityOf(): every level name of the table, in any case, to its OTel severity number; 0 for
 * anything else. SEVERITY against the OTel data model.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEVERITY, severityOf } from '../../src/telemetry/log-severity.ts';

describe('severityOf', () => {
  const table: ReadonlyArray<readonly [string, number]> = [
    ['TRACE', SEVERITY.TRACE], ['FINEST', SEVERITY.TRACE], ['VERBOSE', SEVERITY.TRACE],
    ['DEBUG', SEVERITY.DEBUG], ['FINER', SEVERITY.DEBUG], ['FINE', 6], ['CONFIG', 7],
    ['INFO', SEVERITY.INFO], ['INFORMATION', SEVERITY.INFO], ['INFORMATIONAL', SEVERITY.INFO], ['NOTICE', 10],
    ['WARN', SEVERITY.WARN], ['WARNING', SEVERITY.WARN],
    ['ERROR', SEVERITY.ERROR], ['ERR', SEVERITY.ERROR], ['SEVERE', SEVERITY.ERROR],
    ['FATAL', SEVERITY.FATAL], ['CRITICAL', SEVERITY.FATAL], ['CRIT', SEVERITY.FATAL], ['PANIC', SEVERITY.FATAL],
    ['ALERT', 22], ['EMERG', 23], ['EMERGENCY', 23],
    ['OFF', 0], ['ALL', 0], ['NONE', 0], ['NOTSET', 0],
  ];
  for (const [name, severity] of table) {
    it(`${name} -> ${severity}, in any case`, () => {
      assert.equal(severityOf(name), severity);
      assert.equal(severityOf(name.toLowerCase()), severity);
      assert.equal(severityOf(name[0] + name.slice(1).toLowerCase()), severity);
    });
  }

  it('0 for unknown, empty, padded, over-long and non-string names', () => {
    for (const name of ['', 'NOTE', 'INFO ', ' WARN', 'WARNINGS', 'X'.repeat(10_000), 'INFORMATIONAL!']) assert.equal(severityOf(name), 0);
    assert.equal(severityOf(30 as unknown as string), 0);
  });

  it('SEVERITY has the OTel data model values', () => {
    assert.deepEqual(SEVERITY, { UNSPECIFIED: 0, TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 });
  });
});
