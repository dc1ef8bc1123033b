/**
 * deploy/publish-layer.sh, run for real from a copy of the repository layout in a temporary
 * folder (its own package.json and a small layer zip), against a stand-in `aws` executable.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import yazl from 'yazl';
import { DEPLOY, LAYER_ARCHITECTURES, LAYER_RUNTIMES } from './layer-spec.ts';

const SCRIPT = join(DEPLOY, 'publish-layer.sh');
const VERSION = '9.8.7';
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:layer:lambda-telemetry-otel:7';
// Run by absolute path, so that tests can hand the script a PATH without bash on it.
const BASH = execFileSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim();
// shellcheck is not among the README's prerequisites (CI installs it): without it, this one
// check is skipped and the run says why. SHELLCHECK names another binary.
const SHELLCHECK = process.env.SHELLCHECK ?? 'shellcheck';
const SHELLCHECK_MISSING = spawnSync(SHELLCHECK, ['--version']).error === undefined ? false : `${SHELLCHECK} is not installed (apt-get install shellcheck to run this check)`;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Splits one printed command line the way bash would, which also proves it can be pasted. */
function shellWords(line: string): string[] {
  const out = execFileSync('bash', ['-c', 'eval "set -- $LINE"; printf "%s\\0" "$@"'], { env: { LINE: line }, encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

/** The value words after `option`, up to the next --option. */
function optionValues(words: string[], option: string): string[] {
  const start = words.indexOf(option);
  assert.notEqual(start, -1, `${option} is passed`);
  const rest = words.slice(start + 1);
  const end = rest.findIndex((word) => word.startsWith('--'));
  return end === -1 ? rest : rest.slice(0, end);
}

async function writeZip(path: string, entries: string[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) zip.addBuffer(Buffer.from('#!/bin/sh\n'), entry, { mode: 0o100755 });
  zip.end();
  await finished(zip.outputStream.pipe(createWriteStream(path)));
}

describe('deploy/publish-layer.sh', () => {
  let repo: string;
  let fakeBin: string;
  let argsFile: string;
  const script = () => join(repo, 'deploy', 'publish-layer.sh');
  const zip = () => join(repo, 'dist', 'layer.zip');

  function run(args: string[], env: Record<string, string> = {}): Run {
    const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: repo };
    const result = spawnSync(BASH, [script(), ...args], { env: { ...base, ...env }, encoding: 'utf8', timeout: 30_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** A PATH folder holding only the named tools (symlinks to the machine's own). */
  function toolsOnly(...tools: string[]): string {
    const bin = mkdtempSync(join(repo, 'bin-'));
    for (const tool of tools) {
      const path = execFileSync('bash', ['-c', 'command -v "$1"', 'bash', tool], { encoding: 'utf8' }).trim();
      symlinkSync(path, join(bin, tool));
    }
    return bin;
  }

  before(async () => {
    repo = mkdtempSync(join(tmpdir(), 'publish-layer-'));
    mkdirSync(join(repo, 'deploy'));
    mkdirSync(join(repo, 'dist'));
    copyFileSync(SCRIPT, script());
    chmodSync(script(), 0o755);
    writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'lambda-telemetry-otel', version: VERSION }));
    await writeZip(zip(), ['extensions/lambda-telemetry-otel', 'lambda-telemetry-otel/index.mjs']);
    // A stand-in for the AWS CLI: records its arguments, answers as --query LayerVersionArn does.
    fakeBin = join(repo, 'fake-bin');
    argsFile = join(repo, 'aws-args');
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'aws'), `#!/bin/sh\nprintf '%s\\0' "$@" > '${argsFile}'\necho '${ARN}'\n`, { mode: 0o755 });
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it('is valid bash', () => {
    execFileSync('bash', ['-n', SCRIPT]);
  });

  it('passes shellcheck', { skip: SHELLCHECK_MISSING }, () => {
    const result = spawnSync(SHELLCHECK, ['--severity=style', SCRIPT], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout);
  });

  it('--dry-run prints one aws command for every runtime and architecture, with the package version', () => {
    const result = run(['--dry-run']);
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1, result.stdout);
    const words = shellWords(lines[0]!);
    assert.deepEqual(words.slice(0, 3), ['aws', 'lambda', 'publish-layer-version']);
    assert.deepEqual(optionValues(words, '--layer-name'), ['lambda-telemetry-otel']);
    assert.deepEqual(optionValues(words, '--zip-file'), [`fileb://${zip()}`]);
    assert.deepEqual(optionValues(words, '--compatible-runtimes'), LAYER_RUNTIMES);
    assert.deepEqual(optionValues(words, '--compatible-architectures'), LAYER_ARCHITECTURES);
    assert.match(optionValues(words, '--description')[0]!, new RegExp(`^lambda-telemetry-otel ${VERSION.replaceAll('.', '\\.')}: `));
    assert.deepEqual(optionValues(words, '--query'), ['LayerVersionArn']);
    assert.ok(!words.includes('--region'), 'no region: the AWS CLI configuration decides');
  });

  it('takes the region from AWS_REGION, --region winning, and the layer name from --layer-name', () => {
    const fromEnv = shellWords(run(['--dry-run'], { AWS_REGION: 'eu-west-1' }).stdout.trim());
    assert.deepEqual(optionValues(fromEnv, '--region'), ['eu-west-1']);
    const fromOption = shellWords(run(['--dry-run', '--region', 'ap-southeast-2', '--layer-name', 'otel_ext'], { AWS_REGION: 'eu-west-1' }).stdout.trim());
    assert.deepEqual(optionValues(fromOption, '--region'), ['ap-southeast-2']);
    assert.deepEqual(optionValues(fromOption, '--layer-name'), ['otel_ext']);
  });

  it('--dry-run needs no AWS CLI, and prints the build when the zip is missing', async () => {
    rmSync(zip());
    try {
      const result = run(['--dry-run'], { PATH: toolsOnly('dirname', 'node') });
      assert.equal(result.status, 0, result.stderr);
      const lines = result.stdout.trimEnd().split('\n');
      assert.deepEqual(lines.slice(0, 2).map(shellWords), [['cd', repo], ['npm', 'run', 'build']]);
      assert.deepEqual(shellWords(lines[2]!).slice(0, 3), ['aws', 'lambda', 'publish-layer-version']);
    } finally {
      await writeZip(zip(), ['extensions/lambda-telemetry-otel', 'lambda-telemetry-otel/index.mjs']);
    }
  });

  it('publishes through the AWS CLI and prints only the LayerVersionArn on stdout', () => {
    const dryRun = shellWords(run(['--dry-run', '--region', 'eu-west-1']).stdout.trim());
    const result = run(['--region', 'eu-west-1'], { PATH: `${fakeBin}${delimiter}${process.env.PATH ?? ''}` });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `${ARN}\n`);
    const args = readFileSync(argsFile, 'utf8').split('\0').slice(0, -1);
    assert.deepEqual(['aws', ...args], dryRun, 'runs exactly what --dry-run prints');
  });

  it('fails clearly when the AWS CLI is missing', () => {
    // The check comes before anything else is needed.
    const result = run([], { PATH: toolsOnly('dirname') });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /the AWS CLI \(aws\) is not on PATH.*--dry-run/);
    assert.equal(result.stdout, '');
  });

  it('fails clearly when the zip is absent or is not the layer', async () => {
    const missing = run(['--dry-run', '--zip', join(repo, 'nope.zip')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no layer zip at .*nope\.zip/);
    const other = join(repo, 'other.zip');
    await writeZip(other, ['index.mjs']);
    const wrong = run(['--dry-run', '--zip', other]);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /has no extensions\/lambda-telemetry-otel at its root/);
  });

  it('rejects bad arguments with status 2', () => {
    for (const args of [['--bogus'], ['--region'], ['--region', 'Europe'], ['--layer-name', 'has space'], ['--zip', 'x.zip', '--build']]) {
      const result = run(['--dry-run', ...args]);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^publish-layer: error: /);
      assert.equal(result.stdout, '');
    }
  });
});
