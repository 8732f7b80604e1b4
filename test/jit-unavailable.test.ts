/**
 * Without a native addon (none for the platform, no toolchain) everything still runs,
 * interpreted. The addon is hidden two ways: a copy of the package without `native/`
 * (as a user on an unsupported platform has it), and `ATLAS_JIT_NATIVE_ADDON` naming a
 * missing file for this process.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN } from './helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'atlas-no-addon-'));
process.env.ATLAS_JIT_NATIVE_ADDON = join(dir, 'missing.node');

const { JitEngine, JitUnavailableError, spawnRuntime, compile, Vm } = await import('../src/index.js');

const PROGRAM = 'fn sq(x: number) -> number { return x * x; }\nvar s = 0;\nfor (var i = 0; i < 300; i = i + 1) { s = s + sq(i); }\nprint(s);\n';
const OUTPUT = '8955050\n';

/** The package as npm would install it, minus the addon: manifest, dist/src, dist/cli, dist/workers, its dependencies. */
function packageWithoutAddon(): string {
  const pkg = join(dir, 'pkg');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  for (const part of ['src', 'cli', 'workers']) cpSync(join(ROOT, 'dist', part), join(pkg, 'dist', part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  return pkg;
}

/** Runs long enough (2M iterations) that the command, past its first 20 ms, loads the JIT. */
const LONG_PROGRAM = 'fn sq(x: number) -> number { return x * x; }\nvar s = 0;\nfor (var i = 0; i < 2000000; i = i + 1) { s = (s + sq(i)) % 1000003; }\nprint(s);\n';
const LONG_OUTPUT = '999912\n';

const PKG = packageWithoutAddon();
const SOURCE = join(dir, 'squares.atlas');
writeFileSync(SOURCE, PROGRAM);
const LONG_SOURCE = join(dir, 'long.atlas');
writeFileSync(LONG_SOURCE, LONG_PROGRAM);

function cli(...args: string[]) {
  const env = { ...process.env };
  delete env.ATLAS_JIT_NATIVE_ADDON;
  const r = spawnSync(process.execPath, [join(PKG, BIN), ...args], { encoding: 'utf8', timeout: 60_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const PLATFORM = `${process.platform}-${process.arch}`;

test('the CLI prints one warning line naming the platform and runs interpreted', (t) => {
  const r = cli('run', LONG_SOURCE, '--threshold', '1');
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, LONG_OUTPUT);
  const lines = r.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0]!, new RegExp(`^atlas-jit: warning: no native JIT for ${PLATFORM}: .*runs interpreted.*npm run build:native`));
});

test('a program that ends within its first 20 ms never looks for the addon: no warning', (t) => {
  const r = cli('run', SOURCE, '--threshold', '1');
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, OUTPUT);
  t.is(r.stderr, '');
});

test('a program with no function and no loop never loads the JIT: no warning, nothing to compile', (t) => {
  const straight = join(dir, 'straight.atlas');
  writeFileSync(straight, 'let a = 6;\nprint(a * 7);\n');
  const r = cli('run', straight);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '42\n');
  t.is(r.stderr, '', 'the missing addon is never looked for');
});

test('--stats=json says the JIT is unavailable', (t) => {
  const r = cli('run', SOURCE, '--stats=json');
  t.is(r.code, 0, r.stderr);
  const json = JSON.parse(r.stderr.split('\n')[1]!) as { jitUnavailable?: string };
  t.regex(json.jitUnavailable ?? '', /no native JIT/);
});

test('JitEngine.create rejects with a typed error naming the platform', async (t) => {
  const error = await t.throwsAsync(JitEngine.create({ warmUp: false }), { instanceOf: JitUnavailableError });
  t.is(error?.platform, PLATFORM);
  t.regex(error?.message ?? '', new RegExp(`${PLATFORM}.*ATLAS_JIT_NATIVE_ADDON=.*missing\\.node did not load`));
});

test('the interpreter needs no addon', (t) => {
  const lines: string[] = [];
  new Vm(compile(PROGRAM, 'squares.atlas'), { stdout: (line) => lines.push(line) }).run();
  t.deepEqual(lines, [OUTPUT.trim()]);
});

test('a spawned runtime asked for the JIT runs interpreted and its stats say why', async (t) => {
  const lines: string[] = [];
  const runtime = await spawnRuntime({ jit: { compilationThreshold: 1 }, stdout: (line) => lines.push(line) });
  try {
    await runtime.load(PROGRAM);
    await runtime.run();
    const stats = await runtime.stats();
    t.is(stats.jit, null);
    t.regex(stats.jitUnavailable ?? '', new RegExp(`no native JIT for ${PLATFORM}`));
    t.deepEqual(lines, [OUTPUT.trim()]);
  } finally {
    await runtime.close();
  }
});

test('a runtime spawned with jit: false does not mention the JIT', async (t) => {
  const runtime = await spawnRuntime({ jit: false, stdout: () => {} });
  try {
    t.false('jitUnavailable' in await runtime.stats());
  } finally {
    await runtime.close();
  }
});
