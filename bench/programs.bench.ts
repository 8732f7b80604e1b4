/**
 * End to end: whole programs as a user runs them. For every program in bench/programs/ it
 * times, as child processes by wall clock (start-up, warm-up and compilation included):
 *   - `atlas-jit run NAME.atlas` (JIT on, default settings),
 *   - `atlas-jit run NAME.atlas --no-jit`,
 *   - `node NAME.js`, the same algorithm in plain JavaScript,
 * interleaved round by round so a slow spell on the shared machine hits all three alike.
 * Every run's stdout must equal the others'. One more JIT run with `--stats=json` says what
 * the JIT did: native executions, interpreter fallbacks (and how many of those an argument
 * that was not a number forced), compilations, refusals, jobs still queued at exit; its
 * main-thread CPU profile gives the share of the main thread's time native code ran and the
 * time the JIT's bookkeeping took (self time in the engine's modules, native runs excluded).
 *
 * Run: `npm run bench:programs` or `node dist/bench/programs.bench.js [--quick] [--markdown|--json] [NAME...]`
 * (`--quick`: 3 rounds instead of 5; `--markdown`: the table as Markdown; `--json`: every
 * timing, the stats and the machine as JSON on stdout, what `scripts/benchmark-report.mjs`
 * turns into BENCHMARKS.md's headline table and chart; NAMEs: a subset).
 */
import { spawnSync } from 'node:child_process';
import { BUNDLED_CLI, fmt, machine, median, PACKAGE_ROOT, printMarkdownTable, printTable, QUICK, spread } from './harness.js';
import { profiledRun } from './main-thread-profile.js';

/** The programs, each `bench/programs/NAME.atlas` with its twin `NAME.js`. */
const PROGRAMS = [
  'loop-in-main', 'script-globals', 'bool-rules', 'rare-branch', 'pricing',
  'monte-carlo', 'integration', 'lattice', 'f-then-g', 'strings-arrays', 'mixed-leaf', 'empty',
] as const;

const ROUNDS = QUICK ? 3 : 5;
const MARKDOWN = process.argv.includes('--markdown');
const JSON_OUTPUT = process.argv.includes('--json');

// This file runs as dist/bench/programs.bench.js; the sources stay in bench/programs/.
const ROOT = PACKAGE_ROOT;
const CLI = BUNDLED_CLI;
/**
 * The same command as tsc emits it, unbundled: for the profiled run only, whose JIT
 * bookkeeping is the self time in the engine's own files (dist/src/jit/), which a bundle's
 * chunks do not name.
 */
const UNBUNDLED_CLI = `${ROOT}dist/src/cli.js`;
const programPath = (name: string, ext: 'atlas' | 'js') => `${ROOT}bench/programs/${name}.${ext}`;

type Variant = 'noJit' | 'jit' | 'js';
const VARIANTS: readonly Variant[] = ['noJit', 'jit', 'js'];

function commandLine(variant: Variant, name: string): string[] {
  switch (variant) {
    case 'noJit': return [CLI, 'run', programPath(name, 'atlas'), '--no-jit'];
    case 'jit': return [CLI, 'run', programPath(name, 'atlas')];
    case 'js': return [programPath(name, 'js')];
  }
}

class BenchAbort extends Error {}

interface ChildRun {
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs node with `args` to its end; a failing child aborts the whole benchmark. */
function runNode(args: readonly string[]): ChildRun {
  const t0 = performance.now();
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (child.error !== undefined) throw new BenchAbort(`could not run node ${args.join(' ')}: ${child.error.message}`);
  if (child.status !== 0) {
    throw new BenchAbort(`node ${args.join(' ')} exited with ${child.status ?? child.signal}:\n${child.stderr}`);
  }
  return { ms, stdout: child.stdout, stderr: child.stderr };
}

/** The same output or an abort naming the program, the variant and the first differing line. */
function checkSameOutput(name: string, variant: string, expected: string, actual: string): void {
  if (actual === expected) return;
  const want = expected.split('\n');
  const got = actual.split('\n');
  const line = want.findIndex((text, i) => text !== got[i]);
  const at = line === -1 ? want.length : line;
  throw new BenchAbort(
    `${name}: the ${variant} run printed something else than the no-JIT run (line ${at + 1}: ` +
      `expected ${JSON.stringify(want[at] ?? '<end>')}, got ${JSON.stringify(got[at] ?? '<end>')})`,
  );
}

type Timings = Record<Variant, number[]>;

/** ROUNDS rounds of the three variants in turn; every stdout is checked against the first no-JIT one. */
function timeProgram(name: string): { timings: Timings; stdout: string } {
  const timings: Timings = { noJit: [], jit: [], js: [] };
  let reference: string | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of VARIANTS) {
      const run = runNode(commandLine(variant, name));
      reference ??= run.stdout;
      checkSameOutput(name, variant, reference, run.stdout);
      timings[variant].push(run.ms);
    }
  }
  return { timings, stdout: reference ?? '' };
}

/** `JitStats` as JSON: read field by field, since the lead may add fields (or not yet). */
type Stats = Readonly<Record<string, unknown>>;

/**
 * The JIT's own account of one run (`--stats=json` writes the stats as JSON to stderr), and
 * from the run's main-thread CPU profile the time the JIT's bookkeeping took and the share
 * native code ran (`main-thread-profile.ts`).
 */
function jitStats(name: string, expectedStdout: string): Stats {
  const profile = profiledRun();
  const run = runNode([...profile.nodeArgs, UNBUNDLED_CLI, 'run', programPath(name, 'atlas'), '--stats=json']);
  checkSameOutput(name, 'JIT --stats=json', expectedStdout, run.stdout);
  const time = profile.read();
  const json = run.stderr.slice(run.stderr.indexOf('{'));
  try {
    const stats: unknown = JSON.parse(json);
    if (typeof stats === 'object' && stats !== null) {
      return { ...stats, jitBookkeepingMicros: time.jitBookkeepingMicros, nativeTimeShare: time.nativeMicros / time.totalMicros };
    }
  } catch {
    // Reported below with the text that did not parse.
  }
  throw new BenchAbort(`${name}: --stats=json wrote no JSON object to stderr:\n${run.stderr}`);
}

/** A field as a cell: "n/a" when the engine does not report it (yet), never an error. */
function statCell(stats: Stats, field: string, format: (n: number) => string = String): string {
  const value = stats[field];
  if (typeof value === 'number') return format(value);
  return value === undefined ? 'n/a' : JSON.stringify(value);
}

/**
 * Jobs still waiting or compiling when the program ended: compilations that never arrived in
 * time to help (a stalled pipeline shows here, not in the other counters).
 */
function leftOver(stats: Stats): string {
  const { queueDepth, inFlight } = stats;
  return typeof queueDepth === 'number' && typeof inFlight === 'number' ? String(queueDepth + inFlight) : 'n/a';
}

const percentOfOne = (n: number) => (n >= 0 && n <= 1 ? `${fmt(n * 100)}%` : String(n));

/** The stats columns: what the JIT did, and why calls stayed interpreted. */
const STAT_COLUMNS: ReadonlyArray<readonly [header: string, cell: (stats: Stats) => string]> = [
  ['jit execs', (s) => statCell(s, 'jitExecutions')],
  ['interp fallbacks', (s) => statCell(s, 'interpreterFallbacks')],
  ['non-numeric arg calls', (s) => statCell(s, 'nonNumericArgCalls')],
  ['compiled', (s) => statCell(s, 'compilations')],
  ['refused', (s) => statCell(s, 'refusedCompilations')],
  ['left queued', leftOver],
  ['native time share', (s) => statCell(s, 'nativeTimeShare', percentOfOne)],
  ['jit bookkeeping ms', (s) => statCell(s, 'jitBookkeepingMicros', (n) => fmt(n / 1000, 1))],
];

const HEADER = [
  'program', 'no-JIT ms', 'JIT ms', 'JS ms', 'JIT speed-up', 'JIT / JS',
  ...STAT_COLUMNS.map(([header]) => header),
];

function tableRow(name: string, timings: Timings, stats: Stats): string[] {
  const [noJit, jit, js] = [median(timings.noJit), median(timings.jit), median(timings.js)];
  return [
    name, spread(timings.noJit), spread(timings.jit), spread(timings.js),
    `${fmt(noJit / jit, 2)}×`, `${fmt(jit / js, 2)}×`,
    ...STAT_COLUMNS.map(([, cell]) => cell(stats)),
  ];
}

function selectedPrograms(): readonly string[] {
  const names = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const unknown = names.filter((name) => !(PROGRAMS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new BenchAbort(`unknown program(s): ${unknown.join(', ')}; known: ${PROGRAMS.join(', ')}`);
  return names.length > 0 ? names : PROGRAMS;
}

interface ProgramResult {
  readonly name: string;
  readonly timings: Timings;
  readonly stats: Stats;
}

function printJson(results: readonly ProgramResult[]): void {
  const programs = results.map(({ name, timings, stats }) => ({
    name, medianMs: { noJit: median(timings.noJit), jit: median(timings.jit), js: median(timings.js) }, timingsMs: timings, stats,
  }));
  console.log(JSON.stringify({ date: new Date().toISOString(), rounds: ROUNDS, machine: machine(), programs }, null, 2));
}

function main(): void {
  const results: ProgramResult[] = [];
  for (const name of selectedPrograms()) {
    process.stderr.write(`${name}…\n`);
    const { timings, stdout } = timeProgram(name);
    results.push({ name, timings, stats: jitStats(name, stdout) });
  }
  const rows = results.map(({ name, timings, stats }) => tableRow(name, timings, stats));
  const title = `Whole programs, wall clock per child process, median (min–max) of ${ROUNDS} interleaved rounds`;
  if (JSON_OUTPUT) printJson(results);
  else if (MARKDOWN) printMarkdownTable(HEADER, rows);
  else printTable(title, HEADER, rows);
}

try {
  main();
} catch (error) {
  if (!(error instanceof BenchAbort)) throw error;
  process.stderr.write(`programs.bench: ${error.message}\n`);
  process.exitCode = 1;
}
