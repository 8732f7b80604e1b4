/**
 * Side exits and the deoptimization policy (`src/jit/deopt-policy.ts`), end to end: a script's
 * top-level loop of 3M iterations that calls a string function (which never compiles) every
 * N-th iteration, so its OSR'd native code leaves to the interpreter there and comes back at
 * the next back-edge. For each N: `atlas-jit run` with the JIT against `--no-jit`, interleaved
 * (child processes, wall clock, start-up included), and what the JIT did with the loop (kept
 * or deoptimized, side exits). Where the policy's threshold (`BACK_EDGES_PER_EXIT` native
 * back-edges per exit) should sit: where keeping the code stops paying.
 *
 * Run: `node dist/bench/exit-frequency.bench.js [--quick]` (after `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leavesEvery } from '../test/helpers/programs.js';
import { BUNDLED_CLI, fmt, median, printTable, QUICK, spread } from './harness.js';

const ROUNDS = QUICK ? 3 : 5;
const EVERY = [2, 3, 5, 10, 20, 100];

function run(args: readonly string[]): { ms: number; stdout: string; stderr: string } {
  const t0 = performance.now();
  const child = spawnSync(process.execPath, [BUNDLED_CLI, 'run', ...args], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`atlas-jit run ${args.join(' ')} failed:\n${child.stderr}`);
  return { ms: performance.now() - t0, stdout: child.stdout, stderr: child.stderr };
}

interface LoopStats {
  readonly sideExits: number;
  readonly functions: ReadonlyArray<{ readonly tier: string; readonly state: string }>;
}

const dir = mkdtempSync(join(tmpdir(), 'atlas-exits-'));
const rows: string[][] = [];
try {
  for (const every of EVERY) {
    const file = join(dir, `every-${every}.atlas`);
    writeFileSync(file, leavesEvery(every, 3_000_000));
    const times = { noJit: [] as number[], jit: [] as number[] };
    const expected = run([file, '--no-jit']).stdout;
    for (let round = 0; round < ROUNDS; round++) {
      times.noJit.push(run([file, '--no-jit']).ms);
      const jit = run([file]);
      if (jit.stdout !== expected) throw new Error(`every ${every}: the JIT printed ${JSON.stringify(jit.stdout)}, not ${JSON.stringify(expected)}`);
      times.jit.push(jit.ms);
    }
    const stats = JSON.parse(run([file, '--stats=json']).stderr) as LoopStats;
    const loop = stats.functions.find((f) => f.tier === 'osr');
    rows.push([String(every), String(every - 1), spread(times.noJit), spread(times.jit), `${fmt(median(times.noJit) / median(times.jit), 2)}×`, loop?.state ?? '-', String(stats.sideExits)]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
printTable(`A loop that leaves every N-th iteration: wall ms, median (min–max) of ${ROUNDS} interleaved rounds`,
  ['N', 'native back-edges per exit', 'no-JIT ms', 'JIT ms', 'JIT speed-up', 'loop', 'side exits'], rows);
