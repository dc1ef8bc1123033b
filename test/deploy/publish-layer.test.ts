/**
 * deploy/publish-layer.sh, run for real from a copy of the repository layout in a temporary
 * folder (its own package.json and small layer zips, the standalone ones with the ELF header of
 * their node), against a stand-in `aws` executable.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import yazl from 'yazl';
import { DEPLOY, LAYER_ARCHITECTURES, LAYER_RUNTIMES, MAX_COMPATIBLE_RUNTIMES, STANDALONE_ARCHITECTURES, STANDALONE_RUNTIMES } from './layer-spec.ts';

const SCRIPT = join(DEPLOY, 'publish-layer.sh');
const VERSION = '9.8.7';
const arnOf = (layerName: string): string => `arn:aws:lambda:eu-west-1:123456789012:layer:${layerName}:7`;
const ARN = arnOf('lambda-telemetry-otel');
const NODE_LAYER = ['extensions/lambda-telemetry-otel', 'lambda-telemetry-otel/index.mjs'];
const NODE_ENTRY = 'lambda-telemetry-otel/bin/node';
/** ELF e_machine of each architecture. */
const ELF_MACHINE: Record<string, number> = { x86_64: 62, arm64: 183 };
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

/** The first 20 bytes of an ELF executable for `architecture`: enough for the script's check. */
function elfHeader(architecture: string): Buffer {
  const header = Buffer.alloc(20);
  header.write('\x7fELF', 0, 'latin1');
  header.writeUInt16LE(ELF_MACHINE[architecture]!, 18);
  return header;
}

async function writeZip(path: string, entries: string[], contents: Record<string, Buffer> = {}): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) zip.addBuffer(contents[entry] ?? Buffer.from('#!/bin/sh\n'), entry, { mode: 0o100755 });
  zip.end();
  await finished(zip.outputStream.pipe(createWriteStream(path)));
}

/** A standalone layer zip whose node is an `nodeArchitecture` binary (its header). */
const writeStandaloneZip = (path: string, nodeArchitecture: string): Promise<void> =>
  writeZip(path, [...NODE_LAYER, NODE_ENTRY], { [NODE_ENTRY]: elfHeader(nodeArchitecture) });

describe('deploy/publish-layer.sh', () => {
  let repo: string;
  let fakeBin: string;
  let argsFile: string;
  const script = () => join(repo, 'deploy', 'publish-layer.sh');
  const zip = () => join(repo, 'dist', 'layer.zip');
  const standaloneZip = (architecture: string) => join(repo, 'dist', `layer-standalone-${architecture}.zip`);
  /** The arguments of every aws call of the last run, one list a call. */
  const awsCalls = () => readFileSync(argsFile, 'utf8').split('\n').filter(Boolean).map((call) => call.split('\0').slice(0, -1));

  function run(args: string[], env: Record<string, string> = {}): Run {
    rmSync(argsFile, { force: true });
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
    await writeZip(zip(), NODE_LAYER);
    for (const architecture of STANDALONE_ARCHITECTURES) await writeStandaloneZip(standaloneZip(architecture), architecture);
    // A stand-in for the AWS CLI: records each call's arguments (a line each), answers as
    // --query LayerVersionArn does.
    fakeBin = join(repo, 'fake-bin');
    argsFile = join(repo, 'aws-args');
    mkdirSync(fakeBin);
    writeFileSync(
      join(fakeBin, 'aws'),
      `#!/bin/sh\nprintf '%s\\0' "$@" >> '${argsFile}'\nprintf '\\n' >> '${argsFile}'\n` +
        `while [ $# -gt 0 ]; do if [ "$1" = --layer-name ]; then name=$2; fi; shift; done\necho "arn:aws:lambda:eu-west-1:123456789012:layer:$name:7"\n`,
      { mode: 0o755 },
    );
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
      await writeZip(zip(), NODE_LAYER);
    }
  });

  it('publishes through the AWS CLI and prints only the LayerVersionArn on stdout', () => {
    const dryRun = shellWords(run(['--dry-run', '--region', 'eu-west-1']).stdout.trim());
    const result = run(['--region', 'eu-west-1'], { PATH: `${fakeBin}${delimiter}${process.env.PATH ?? ''}` });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `${ARN}\n`);
    assert.deepEqual(awsCalls().map((args) => ['aws', ...args]), [dryRun], 'runs exactly what --dry-run prints');
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

  it('--standalone ARCH prints one aws command: that zip, its one architecture, the AL2023 runtimes', () => {
    assert.ok(STANDALONE_RUNTIMES.length <= MAX_COMPATIBLE_RUNTIMES, `Lambda takes at most ${MAX_COMPATIBLE_RUNTIMES} compatible runtimes`);
    for (const architecture of STANDALONE_ARCHITECTURES) {
      const result = run(['--dry-run', '--standalone', architecture]);
      assert.equal(result.status, 0, result.stderr);
      const lines = result.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 1, result.stdout);
      const words = shellWords(lines[0]!);
      assert.deepEqual(optionValues(words, '--layer-name'), [`lambda-telemetry-otel-standalone-${architecture}`]);
      assert.deepEqual(optionValues(words, '--zip-file'), [`fileb://${standaloneZip(architecture)}`]);
      assert.deepEqual(optionValues(words, '--compatible-runtimes'), STANDALONE_RUNTIMES);
      assert.deepEqual(optionValues(words, '--compatible-architectures'), [architecture]);
      assert.match(optionValues(words, '--description')[0]!, new RegExp(`^lambda-telemetry-otel ${VERSION.replaceAll('.', '\\.')}, standalone \\(${architecture}, `));
    }
  });

  it('--all publishes the Node layer, then the x86_64 and arm64 standalone layers, and prints their three ARNs', () => {
    const dryRun = run(['--dry-run', '--all', '--layer-name', 'otel_ext', '--region', 'eu-west-1']);
    assert.equal(dryRun.status, 0, dryRun.stderr);
    const commands = dryRun.stdout.trimEnd().split('\n').map(shellWords);
    const names = ['otel_ext', 'otel_ext-standalone-x86_64', 'otel_ext-standalone-arm64'];
    assert.deepEqual(commands.map((words) => optionValues(words, '--layer-name')[0]), names);
    assert.deepEqual(commands.map((words) => optionValues(words, '--zip-file')[0]), [zip(), ...STANDALONE_ARCHITECTURES.map(standaloneZip)].map((path) => `fileb://${path}`));
    assert.deepEqual(commands.map((words) => optionValues(words, '--compatible-architectures')), [LAYER_ARCHITECTURES, ['x86_64'], ['arm64']]);
    assert.deepEqual(commands.map((words) => optionValues(words, '--compatible-runtimes')), [LAYER_RUNTIMES, STANDALONE_RUNTIMES, STANDALONE_RUNTIMES]);

    const result = run(['--all', '--layer-name', 'otel_ext', '--region', 'eu-west-1'], { PATH: `${fakeBin}${delimiter}${process.env.PATH ?? ''}` });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, names.map((name) => `${arnOf(name)}\n`).join(''));
    assert.deepEqual(awsCalls().map((args) => ['aws', ...args]), commands, 'runs exactly what --dry-run prints');
  });

  it('builds all three layers (npm run build:standalone) when a standalone zip is missing', async () => {
    rmSync(standaloneZip('arm64'));
    try {
      for (const args of [['--standalone', 'arm64'], ['--all']]) {
        const lines = run(['--dry-run', ...args]).stdout.trimEnd().split('\n');
        assert.deepEqual(lines.slice(0, 2).map(shellWords), [['cd', repo], ['npm', 'run', 'build:standalone']], args.join(' '));
        assert.equal(lines.length, 2 + (args[0] === '--all' ? 3 : 1));
      }
      const nodeOnly = run(['--dry-run']).stdout.trimEnd().split('\n');
      assert.equal(nodeOnly.length, 1, 'the Node layer needs no standalone zip');
      const build = run(['--dry-run', '--build']).stdout.trimEnd().split('\n');
      assert.deepEqual(shellWords(build[1]!), ['npm', 'run', 'build']);
    } finally {
      await writeStandaloneZip(standaloneZip('arm64'), 'arm64');
    }
  });

  it('refuses a zip that is not the layer asked for: Node layer, standalone, or the other architecture', async () => {
    const wrongArch = run(['--dry-run', '--standalone', 'arm64', '--zip', standaloneZip('x86_64')]);
    assert.equal(wrongArch.status, 1);
    assert.match(wrongArch.stderr, /carries an x86_64 node, not arm64/);
    const nodeAsStandalone = run(['--dry-run', '--standalone', 'x86_64', '--zip', zip()]);
    assert.equal(nodeAsStandalone.status, 1);
    assert.match(nodeAsStandalone.stderr, /has no lambda-telemetry-otel\/bin\/node: is it the standalone layer zip/);
    const standaloneAsNode = run(['--dry-run', '--zip', standaloneZip('arm64')]);
    assert.equal(standaloneAsNode.status, 1);
    assert.match(standaloneAsNode.stderr, /holds lambda-telemetry-otel\/bin\/node: it is a standalone layer.*--standalone ARCH/);
    const notElf = join(repo, 'not-elf.zip');
    await writeZip(notElf, [...NODE_LAYER, NODE_ENTRY]);
    const unknown = run(['--dry-run', '--standalone', 'x86_64', '--zip', notElf]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^publish-layer: error: .* carries an unknown \(ELF machine none\) node, not x86_64/);
  });

  it('rejects bad arguments with status 2', () => {
    const badArgs = [
      ['--bogus'], ['--region'], ['--region', 'Europe'], ['--layer-name', 'has space'], ['--zip', 'x.zip', '--build'],
      ['--standalone'], ['--standalone', 'sparc'], ['--standalone', 'arm64', '--standalone', 'x86_64'], ['--all', '--standalone', 'arm64'],
      ['--all', '--zip', 'x.zip'], ['--standalone', 'x86_64', '--layer-name', 'x'.repeat(130)],
    ];
    for (const args of badArgs) {
      const result = run(['--dry-run', ...args]);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^publish-layer: error: /);
      assert.equal(result.stdout, '');
    }
  });
});
