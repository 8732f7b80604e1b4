/**
 * Start-up of the `atlas-jit` command: the bundled bin (dist/cli/, scripts/bundle-cli.mjs)
 * against the same command as tsc emits it (dist/src/cli.js, one ES module per source file),
 * with `node -e 0` as the floor. Every run is a cold child process, timed by wall clock;
 * variants are interleaved round by round so a slow spell on the shared machine hits all alike.
 *
 *  - whole run of an empty program, `--no-jit` and with the JIT (which an empty program never
 *    loads: nothing in it could compile);
 *  - whole run of a short program that could compile (a function called 300 times from a
 *    loop, over in a millisecond): the command loads the JIT only for a program still running
 *    after its first 20 ms (`INTERPRETED_START_MS`), so this one should cost what `--no-jit` does;
 *  - time to first output of a program with a loop (bench/programs/loop-in-main.atlas behind
 *    a `print` that runs first): spawn until its first byte on stdout, i.e. start-up (the JIT
 *    loads later, if the program is still running after 20 ms). The child is killed there.
 *
 * Run: `node dist/bench/startup.bench.js [--quick]` (10 rounds; `--quick`: 5).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_CLI, machine, PACKAGE_ROOT, printTable, QUICK, spread } from './harness.js';

const ROUNDS = QUICK ? 5 : 10;
const ROOT = PACKAGE_ROOT;
const BUNDLE = BUNDLED_CLI;
const MODULES = join(ROOT, 'dist', 'src', 'cli.js');

const work = mkdtempSync(join(tmpdir(), 'atlas-startup-'));
const EMPTY = join(work, 'empty.atlas');
writeFileSync(EMPTY, '');
const SHORT = join(work, 'short.atlas');
writeFileSync(SHORT, 'fn f(x: number) -> number { return x * 2 % 7 + 1; }\nvar s = 0;\nvar i = 0;\nwhile (i < 300) { s = f(s); i = i + 1; }\nprint(s);\n');
const LOOP = join(work, 'loop-first-output.atlas');
writeFileSync(LOOP, `print("start");\n${readFileSync(join(ROOT, 'bench', 'programs', 'loop-in-main.atlas'), 'utf8')}`);

/** Wall time of one whole run of `node args…`, which must succeed. */
function wholeRunMs(args: readonly string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status ?? r.signal}: ${r.stderr}`);
  return ms;
}

/** Wall time from spawning `node args…` to its first byte on stdout; the child is then killed. */
function firstOutputMs(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', () => {
      resolve(performance.now() - t0);
      child.kill('SIGKILL');
    });
    child.once('exit', (code) => reject(new Error(`node ${args.join(' ')} exited (${code}) before printing`)));
  });
}

interface Case {
  readonly label: string;
  readonly measure: () => number | Promise<number>;
}

const CASES: readonly Case[] = [
  { label: 'node -e 0', measure: () => wholeRunMs(['-e', '0']) },
  ...(['--no-jit', 'JIT'] as const).flatMap((mode) => {
    const flags = mode === 'JIT' ? [] : ['--no-jit'];
    return [
      { label: `empty ${mode}, modules`, measure: () => wholeRunMs([MODULES, 'run', EMPTY, ...flags]) },
      { label: `empty ${mode}, bundle`, measure: () => wholeRunMs([BUNDLE, 'run', EMPTY, ...flags]) },
      { label: `short program ${mode}, bundle`, measure: () => wholeRunMs([BUNDLE, 'run', SHORT, ...flags]) },
    ];
  }),
  ...(['--no-jit', 'JIT'] as const).flatMap((mode) => {
    const flags = mode === 'JIT' ? [] : ['--no-jit'];
    return [
      { label: `loop, first output ${mode}, modules`, measure: () => firstOutputMs([MODULES, 'run', LOOP, ...flags]) },
      { label: `loop, first output ${mode}, bundle`, measure: () => firstOutputMs([BUNDLE, 'run', LOOP, ...flags]) },
    ];
  }),
];

const times = new Map<string, number[]>(CASES.map((c) => [c.label, []]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of CASES) times.get(c.label)!.push(await c.measure());
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

printTable(`Start-up, ms: median (min–max) of ${ROUNDS} cold runs`, ['case', 'ms'], CASES.map((c) => [c.label, spread(times.get(c.label)!)]));
const m = machine();
console.log(`\nMachine: ${m.cpu}, ${m.cores} cores, ${m.os}, Node ${m.node}`);
