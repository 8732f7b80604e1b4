/**
 * The command as users get it: the package's `bin` is the esbuild bundle in dist/cli/
 * (scripts/bundle-cli.mjs), which must find the worker scripts, the addon and the manifest
 * from wherever the package is installed, and keep the JIT's modules in a chunk that only a
 * run that can compile something loads.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BIN, CLI, MANIFEST, ROOT, scratch } from './helpers/cli.js';
import { threeHotLoops } from './helpers/programs.js';
import { nativeAddonPath } from '../src/jit/native/addon.js';

const { dir, file } = scratch('atlas-bundle-');
const EMPTY = file('empty.atlas', '');
const HOT = file('hot.atlas', threeHotLoops(1_000_000));
// Σ (i + 1) + 2i + (i − 3) over i < n, which is 2n(n − 1) − 2n.
const HOT_OUTPUT = '1999996000000\n';

interface FunctionRow { readonly name: string; readonly nativeCalls: number }

/** `run FILE args…` of the command at `command`, its JIT statistics parsed from stderr. */
function runWithStats(command: string, program: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [command, 'run', program, '--stats=json', ...args], { encoding: 'utf8', timeout: 60_000 });
  checkExit(r.status, r.stderr);
  return { stdout: r.stdout, stats: JSON.parse(r.stderr) as { compiledFunctions: number; functions: FunctionRow[] } };
}

function checkExit(status: number | null, stderr: string): void {
  if (status !== 0) throw new Error(`the command exited ${status}: ${stderr}`);
}

test('the bin is the bundle', (t) => {
  t.regex(BIN, /^(\.\/)?dist\/cli\/[^/]+\.js$/);
});

test('the bundled command runs a program with the JIT: the compile worker and the addon are found', (t) => {
  const { stdout, stats } = runWithStats(CLI, HOT, '--workers', '1');
  t.is(stdout, HOT_OUTPUT);
  t.true(stats.compiledFunctions >= 1, JSON.stringify(stats));
  t.true(stats.functions.some((f) => f.nativeCalls > 0), JSON.stringify(stats.functions));
});

/** The package as npm installs it (the manifest's `files`), with a local addon build, at another path. */
function installedCopy(): string {
  const pkg = join(dir, 'installed', 'node_modules', 'atlas-jit');
  mkdirSync(join(pkg, 'native'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  const files = (MANIFEST as unknown as { files: string[] }).files;
  for (const entry of files.filter((f) => f.startsWith('dist/'))) cpSync(join(ROOT, entry), join(pkg, entry), { recursive: true });
  copyFileSync(nativeAddonPath(), join(pkg, 'native', 'atlas-jit-native.node'));
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  return pkg;
}

test('an installed copy of the package runs its bin with the JIT and prints its version', (t) => {
  const pkg = installedCopy();
  try {
    const { stdout, stats } = runWithStats(join(pkg, BIN), HOT, '--workers', '1');
    t.is(stdout, HOT_OUTPUT);
    t.true(stats.compiledFunctions >= 1, JSON.stringify(stats));
    const version = spawnSync(process.execPath, [join(pkg, BIN), '--version'], { encoding: 'utf8' });
    t.is(version.stdout, `${MANIFEST.version}\n`);
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});

/** Which output files of the bundle hold the JIT engine (from esbuild's metafile). */
/** The output files of the bundle that hold `input`, as URLs. */
function chunksWith(input: string): string[] {
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'cli-meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  return Object.entries(meta.outputs)
    .filter(([, output]) => input in output.inputs)
    .map(([path]) => pathToFileURL(join(ROOT, path)).href);
}

function jitChunks(): string[] {
  return chunksWith('dist/src/jit/jit-engine.js');
}

test('piscina is bundled with the compile workers, not loaded file by file (its thread bootstrap stays the installed one)', (t) => {
  const workers = chunksWith('dist/src/jit/compile-workers.js');
  t.is(workers.length, 1);
  t.deepEqual(chunksWith('node_modules/piscina/dist/index.js'), workers);
  // The engine is a chunk of its own, loaded only once the workers have booted.
  t.notDeepEqual(jitChunks(), workers);
  // Its `__dirname` (where its threads' bootstrap script is) points back at the package.
  t.regex(readFileSync(fileURLToPath(workers[0]!), 'utf8'), /dirname\(\w*require\.resolve\(['"]piscina['"]\)\), "worker\.js"\)/);
});

const MODULE_LOG_HOOK = pathToFileURL(fileURLToPath(new URL('./helpers/module-log.js', import.meta.url))).href;

/** The URLs of the ES modules a run of the bundled command loaded. */
function loadedModules(name: string, ...args: string[]): string[] {
  const log = join(dir, `${name}.log`);
  const r = spawnSync(process.execPath, ['--import', MODULE_LOG_HOOK, CLI, ...args], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, ATLAS_TEST_MODULE_LOG: log },
  });
  checkExit(r.status, r.stderr);
  return readFileSync(log, 'utf8').split('\n').filter((line) => line !== '');
}

test('an empty program does not load the JIT chunk; a program with hot code that runs a while does', (t) => {
  const chunks = jitChunks();
  t.is(chunks.length, 1, 'the JIT engine is in one chunk');
  const entry = pathToFileURL(CLI).href;
  for (const flags of [['--no-jit'], []]) {
    const loaded = loadedModules(`empty${flags.length}`, 'run', EMPTY, ...flags);
    t.true(loaded.includes(entry), loaded.join('\n'));
    t.false(loaded.includes(chunks[0]!), `${flags.join(' ')}: ${loaded.join('\n')}`);
  }
  t.true(loadedModules('hot', 'run', HOT).includes(chunks[0]!));
});

test('a program that could compile but ends within its first milliseconds runs without loading the JIT', (t) => {
  // `f` and the loop would both get hot; the run is over long before INTERPRETED_START_MS.
  const short = file('short.atlas', 'fn f(x: number) -> number { return x + 1; }\nvar s = 0;\nvar i = 0;\nwhile (i < 300) { s = f(s); i = i + 1; }\nprint(s);\n');
  const loaded = loadedModules('short', 'run', short);
  t.false(loaded.includes(jitChunks()[0]!), loaded.join('\n'));
  // Nor the static triage: whether anything may compile is asked only after the first slice.
  t.false(loaded.includes(chunksWith('dist/src/jit/static-triage.js')[0]!), loaded.join('\n'));
  t.is(spawnSync(process.execPath, [CLI, 'run', short], { encoding: 'utf8' }).stdout, '300\n');
});

test('a program whose every function and loop would be refused runs without loading the JIT, and prints the same', (t) => {
  // `label` starts with a string constant; the loop calls it on every path and prints after it.
  // Long enough to outlast the first slice, after which the command asks the triage.
  const stringsOnly = file('strings-only.atlas', 'fn label(n: number) -> string { return "n" + str(n); }\nvar total = 0;\nvar i = 0;\nwhile (i < 300000) { total = total + len(label(i)); i = i + 1; }\nprint(total);\n');
  const loaded = loadedModules('strings-only', 'run', stringsOnly);
  t.true(loaded.includes(chunksWith('dist/src/jit/static-triage.js')[0]!), loaded.join('\n'));
  t.false(loaded.includes(jitChunks()[0]!), loaded.join('\n'));
  t.false(loaded.includes(chunksWith('dist/src/jit/compile-workers.js')[0]!), 'no compile worker starts');
  const jit = spawnSync(process.execPath, [CLI, 'run', stringsOnly], { encoding: 'utf8' });
  const interpreted = spawnSync(process.execPath, [CLI, 'run', stringsOnly, '--no-jit'], { encoding: 'utf8' });
  t.is(jit.stdout, interpreted.stdout);
  t.is(jit.stdout, '1988890\n');
});

test('the bundled command loads none of the unbundled modules', (t) => {
  // --stats makes the engine load without a hot function, so no compile worker starts (whose
  // modules are the unbundled ones, by design) while the JIT's chunk does load.
  const loaded = loadedModules('stats', 'run', EMPTY, '--stats=json');
  t.true(loaded.includes(jitChunks()[0]!), loaded.join('\n'));
  const src = pathToFileURL(join(ROOT, 'dist', 'src')).href;
  t.deepEqual(loaded.filter((url) => url.startsWith(src)), []);
});
