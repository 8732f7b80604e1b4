/**
 * Never slower, for programs of every length (issue 18): whole runs of `atlas-jit run` with
 * the JIT against `--no-jit`, as child processes by wall clock (start-up included), interleaved
 * round by round. The programs are the shipped examples, which run from a few to a few
 * hundred milliseconds interpreted, and one shape (a small function called from a script's
 * loop) at lengths from 25k to 1.6M iterations: the window where loading the JIT costs more
 * than it can win back is what this measures. A row passes when the JIT's median is within
 * the bound, 5 % over `--no-jit` plus 30 ms.
 *
 * Run: `npm run bench:never-slower` or `node dist/bench/never-slower.bench.js [--quick]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callsFromLoop } from '../test/helpers/programs.js';
import { BUNDLED_CLI, fmt, median, PACKAGE_ROOT, printTable, QUICK, spread } from './harness.js';

const ROUNDS = QUICK ? 5 : 11;
const EXAMPLES = ['pricing', 'recursion', 'risk-score', 'numeric-kernels', 'hot-loop'];
const LENGTHS = [25_000, 100_000, 400_000, 1_600_000];
/** The bound: the JIT may cost 5 % plus 30 ms of fixed start-up. */
const allowedMs = (noJitMs: number) => noJitMs * 1.05 + 30;

function run(file: string, flags: readonly string[]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const child = spawnSync(process.execPath, [BUNDLED_CLI, 'run', file, ...flags], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (child.status !== 0) throw new Error(`atlas-jit run ${file} ${flags.join(' ')} failed:\n${child.stderr}`);
  return { ms: performance.now() - t0, stdout: child.stdout };
}

const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${fmt(ms, 0)}`;

function measure(label: string, file: string): string[] {
  const expected = run(file, ['--no-jit']).stdout;
  const noJit: number[] = [];
  const jit: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    noJit.push(run(file, ['--no-jit']).ms);
    const withJit = run(file, []);
    if (withJit.stdout !== expected) throw new Error(`${label}: the JIT's output differs from the interpreter's`);
    jit.push(withJit.ms);
  }
  const [n, j] = [median(noJit), median(jit)];
  // The minima's difference too: load on a shared machine only ever adds time, so the fastest
  // runs are the least disturbed view of what the JIT itself costs.
  const fastest = Math.min(...jit) - Math.min(...noJit);
  return [label, spread(noJit), spread(jit), signed(j - n), signed(fastest), `${fmt(n / j, 2)}×`, j <= allowedMs(n) ? 'yes' : 'no'];
}

const dir = mkdtempSync(join(tmpdir(), 'atlas-mid-'));
const rows: string[][] = [];
try {
  for (const name of EXAMPLES) rows.push(measure(`examples/${name}`, join(PACKAGE_ROOT, 'examples', `${name}.atlas`)));
  for (const iterations of LENGTHS) {
    const file = join(dir, `calls-${iterations}.atlas`);
    writeFileSync(file, callsFromLoop(iterations));
    rows.push(measure(`calls from a loop, ${iterations / 1000}k`, file));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
printTable(`Programs of every length: wall ms, median (min–max) of ${ROUNDS} interleaved rounds`,
  ['program', 'no-JIT ms', 'JIT ms', 'JIT − no-JIT', 'fastest JIT − fastest no-JIT', 'speed-up', '≤ 1.05× + 30 ms'], rows);
