/**
 * The background pipeline:
 *  a. 1M calls of a compiled function through `engine.notifyCall`;
 *  b. main-thread CPU time per compiled function — enqueue + install with background workers —
 *     against compiling synchronously on the main thread (`compileNowBlocking`);
 *  c. hot→installed latency p50/p99 with an idle pool;
 *  d. compile throughput with 1 worker and with 2.
 * Run: `npm run bench:pipeline` (add `--quick` for a short run).
 */
import { compile } from '../src/compiler/index.js';
import { functionEnd, type Bytecode } from '../src/bytecode/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { QUICK, fmt, mainThreadSchedstat, median, printTable } from './harness.js';

/** `count` distinct straight-line numeric functions, each a little different. */
function program(count: number, salt = 0): Bytecode {
  const fns = Array.from({ length: count }, (_, i) =>
    `fn f${i}(a: number, b: number) -> number { return (a * b + ${i + salt}) / (b - a + ${i + salt + 0.5}) - a % ${i + salt + 2}; }`);
  return compile(fns.join('\n'), 'bench.atlas');
}

function target(bc: Bytecode, i: number) {
  const fn = bc.functions()[i]!;
  return { offset: fn.offset, end: functionEnd(bc, fn) };
}

const spin = (ms: number) => { const end = performance.now() + ms; while (performance.now() < end); };

/** One timed round of `calls` calls; its own function, so that V8 optimizes it as a whole. */
function callRound(engine: JitEngine, bc: Bytecode, offset: number, end: number, args: readonly number[], calls: number): number {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) engine.notifyCall(offset, bc, end, args);
  return performance.now() - t0;
}

async function benchA(): Promise<string[]> {
  const engine = await JitEngine.create({ compilationThreshold: 1, workers: 1 });
  const bc = program(1);
  const { offset, end } = target(bc, 0);
  const args = [3, 4];
  engine.notifyCall(offset, bc, end, args);
  await engine.whenIdle();
  const calls = 1_000_000;
  // Two unmeasured rounds: the loop's first runs are on-stack-replaced or not yet optimized.
  for (let r = 0; r < 2; r++) callRound(engine, bc, offset, end, args, calls);
  const times = Array.from({ length: 7 }, () => callRound(engine, bc, offset, end, args, calls));
  const native = engine.stats().jitExecutions;
  await engine.close();
  if (native < calls * 9) throw new Error('calls did not run natively');
  const ms = median(times);
  return ['a. 1M calls through the engine', `${fmt(ms)} ms`, `${fmt((ms * 1e6) / calls)} ns/call`, 'target < 50 ms (median of 7, after 2 warm-up rounds)'];
}

/** Main-thread CPU time (µs) spent while `work` runs, awaits included (idle time is not CPU time). */
async function mainThreadCpuMicros(work: () => Promise<void> | void): Promise<number> {
  const before = mainThreadSchedstat();
  if (before === null) throw new Error('bench b needs Linux schedstat (/proc/self/task/<pid>/schedstat)');
  await work();
  return (mainThreadSchedstat()!.onCpuNs - before.onCpuNs) / 1000;
}

/** Compiles `n` new functions on the main thread, the seed's way; main-thread µs per function. */
async function syncRound(engine: JitEngine, n: number, salt: number): Promise<number> {
  const bc = program(n, salt);
  const micros = await mainThreadCpuMicros(() => {
    for (let i = 0; i < n; i++) engine.compileNowBlocking(bc, target(bc, i).offset);
  });
  return micros / n;
}

/** Makes `n` new functions hot and waits until the workers compiled them; main-thread µs per function. */
async function backgroundRound(engine: JitEngine, n: number, salt: number): Promise<number> {
  const bc = program(n, salt);
  const targets = Array.from({ length: n }, (_, i) => target(bc, i));
  const micros = await mainThreadCpuMicros(async () => {
    for (const { offset, end } of targets) engine.notifyCall(offset, bc, end, [1, 2]);
    await engine.whenIdle();
  });
  if (engine.stats().compilations < n) throw new Error('not every function compiled');
  return micros / n;
}

/**
 * b. The main thread's CPU time per compiled function: compiling synchronously (the seed)
 * against enqueueing and installing while workers compile. Measured as the main thread's own
 * on-CPU time (schedstat): wall-clock or event-loop busy time would also count the moments
 * this thread waited for a CPU the compile worker was using. One unmeasured round of each
 * first, so both measure code V8 has optimized, as in a server that has been up a while.
 */
async function benchB(): Promise<string[][]> {
  const n = QUICK ? 50 : 300;
  const syncEngine = await JitEngine.create({ compilationThreshold: 1, workers: 1 });
  const engine = await JitEngine.create({ compilationThreshold: 1, workers: 1 });
  await syncRound(syncEngine, n, 1000);
  await backgroundRound(engine, n, 2000);
  const sync: number[] = [];
  const background: number[] = [];
  for (let round = 0; round < 3; round++) {
    sync.push(await syncRound(syncEngine, n, 3000 + round * 1000));
    background.push(await backgroundRound(engine, n, 6000 + round * 1000));
  }
  await Promise.all([syncEngine.close(), engine.close()]);
  const syncPerFn = median(sync);
  const mainPerFn = median(background);
  return [
    ['b. main-thread CPU per function, synchronous compile', `${fmt(syncPerFn)} µs`, '', `median of 3 rounds of ${n}`],
    ['b. main-thread CPU per function, background (enqueue+install)', `${fmt(mainPerFn)} µs`, `${fmt(syncPerFn / mainPerFn)}× less`, 'target ≥ 10×'],
  ];
}

async function benchC(): Promise<string[]> {
  const n = QUICK ? 20 : 100;
  const engine = await JitEngine.create({ compilationThreshold: 1, workers: 1 });
  const bc = program(n, 3000);
  for (let i = 0; i < n; i++) {
    const { offset, end } = target(bc, i);
    engine.notifyCall(offset, bc, end, [1, 2]);
    // Poll like the interpreter does until the code is installed; then let the pool idle.
    while (engine.notifyCall(offset, bc, end, [1, 2]) === undefined) spin(0.01);
    await new Promise((r) => setTimeout(r, 5));
  }
  const { hotToInstalled, compile: compileTime, installDelay } = engine.stats().latency;
  await engine.close();
  return ['c. hot→installed, idle pool', `p50 ${fmt(hotToInstalled.p50Micros)} µs`, `p99 ${fmt(hotToInstalled.p99Micros)} µs`,
    `compile p50 ${fmt(compileTime.p50Micros)} µs, mailbox→install p50 ${fmt(installDelay.p50Micros)} µs`];
}

async function throughput(workers: number, n: number): Promise<number> {
  const engine = await JitEngine.create({ compilationThreshold: 1, workers, maxQueue: n });
  // Warm every worker so thread start-up is not part of the figure.
  const warm = program(workers * 2, 9000 + workers);
  for (let i = 0; i < workers * 2; i++) { const { offset, end } = target(warm, i); engine.notifyCall(offset, warm, end, [1, 2]); }
  await engine.whenIdle();
  const bc = program(n, 4000 + workers);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const { offset, end } = target(bc, i);
    engine.notifyCall(offset, bc, end, [1, 2]);
  }
  await engine.whenIdle();
  const seconds = (performance.now() - t0) / 1000;
  await engine.close();
  return n / seconds;
}

async function benchD(): Promise<string[][]> {
  const n = QUICK ? 200 : 1000;
  const one = await throughput(1, n);
  const two = await throughput(2, n);
  return [
    ['d. compile throughput, 1 worker', `${fmt(one, 0)} fn/s`, '', ''],
    ['d. compile throughput, 2 workers', `${fmt(two, 0)} fn/s`, `${fmt(two / one, 2)}×`, '(2 cores, shared with the main thread)'],
  ];
}

const rows: string[][] = [];
rows.push(await benchA());
rows.push(...(await benchB()));
rows.push(await benchC());
rows.push(...(await benchD()));
printTable('JIT pipeline', ['benchmark', 'figure', 'ratio / detail', 'note'], rows);
