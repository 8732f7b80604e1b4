/**
 * Server embedding under load. `npm run bench:server` (`--quick` for a short run).
 *
 * 1. HTTP load: autocannon drives `POST /score` of the example server (examples/server) on
 *    127.0.0.1 for a fixed time, three ways: the remote runtime with the JIT, the remote
 *    runtime without it, and the same scoring interpreted on the server's main thread. Each
 *    server is a child process; its main thread's event-loop delay is read from its
 *    /debug/event-loop endpoint (perf_hooks.monitorEventLoopDelay, 1 ms timer, reset after
 *    a warm-up). Two loads per server: as fast as it answers (throughput; on 2 cores the
 *    load generator, the server's threads and the compile worker then fight for the CPU, so
 *    the event-loop delay mostly measures the OS scheduler), and a fixed rate every server
 *    sustains (where the event-loop delay shows what the main thread itself is doing).
 *    The scoring function `score` is straight-line numeric code (what the translator compiles
 *    today); each request also runs `sweep`, an interpreted loop calling `score` `samples`
 *    times, so a request costs real interpretation time.
 * 2. Compile storm: the event-loop delay of a main thread serving requests while 1000
 *    distinct functions get hot, with no JIT, with background compilation (JitEngine, one
 *    compile worker, at normal and at idle scheduling priority), and with compilation on the
 *    main thread (`compileNowBlocking`). See
 *    bench/server/compile-storm.ts. The first storm after start-up meets unoptimized engine
 *    code; a later storm (after a whole storm of other functions on the same engine) meets
 *    warm code, as in a server that has been up for a while. Both are shown. Each mode runs
 *    STORM_REPEATS times, interleaved; medians shown.
 *
 * The machine is small (2 cores) and may be shared: every figure comes from this one run.
 */
import { cpus, loadavg } from 'node:os';
import { QUICK, fmt, median, printTable } from './harness.js';
import { runLoad, type LoadResult } from './server/load-generator.js';
import { ServerProcess } from './server/server-process.js';
import { runStorm, type StormScenario } from './server/storm-runner.js';
import type { StormMode, StormResult } from './server/compile-storm.js';

const LOAD_SECONDS = QUICK ? 2 : 5;
const WARMUP_SECONDS = 1;
const CONNECTIONS = 16;
const SAMPLES = 200;
/** Requests per second of the fixed-rate load: well below every server's saturation point. */
const FIXED_RATE = 300;
const STORM_WINDOW_MS = QUICK ? 1500 : 2500;
const REPEATS = QUICK ? 1 : 3;
/** The storm's p99 moves by ±15 % from run to run on this machine: more repeats. */
const STORM_REPEATS = QUICK ? 1 : 5;

const BODY = JSON.stringify({ amount: 12000, income: 5200, debt: 800, age: 37, late: 1, samples: SAMPLES });

interface LoadRun {
  readonly name: string;
  readonly args: readonly string[];
}

const LOAD_RUNS: readonly LoadRun[] = [
  { name: 'remote runtime, JIT', args: ['--mode', 'remote', '--workers', '1'] },
  { name: 'remote runtime, no JIT', args: ['--mode', 'remote', '--no-jit'] },
  { name: 'main thread, interpreted', args: ['--mode', 'local', '--no-jit'] },
];

interface Measured {
  readonly load: LoadResult;
  /** The server main thread's event-loop delay p99 during the load. */
  readonly eventLoopP99Ms: number;
}

interface LoadFigures {
  readonly run: LoadRun;
  readonly saturated: Measured;
  readonly fixedRate: Measured;
  readonly compiled: string;
}

async function measure(server: ServerProcess, name: string, rate: number | undefined): Promise<Measured> {
  await server.resetEventLoopDelay();
  const load = await runLoad({ url: `${server.url}/score`, body: BODY, connections: CONNECTIONS, durationSeconds: LOAD_SECONDS, ...(rate === undefined ? {} : { rate }) });
  const eventLoop = await server.eventLoopDelay();
  if (load.failures > 0) throw new Error(`${name}: ${load.failures} failed requests`);
  return { load, eventLoopP99Ms: eventLoop.p99Ms };
}

async function loadRun(run: LoadRun): Promise<LoadFigures> {
  const server = await ServerProcess.start(run.args);
  try {
    await runLoad({ url: `${server.url}/score`, body: BODY, connections: CONNECTIONS, durationSeconds: WARMUP_SECONDS });
    const saturated = await measure(server, run.name, undefined);
    const fixedRate = await measure(server, run.name, FIXED_RATE);
    const compiled = /^atlas_jit_compilations_total (\S+)$/m.exec(await server.metrics())?.[1] ?? '-';
    return { run, saturated, fixedRate, compiled };
  } finally {
    await server.stop();
  }
}

/** Every run REPEATS times, interleaved so that a noisy moment hits all of them; medians. */
async function loadRuns(): Promise<LoadFigures[]> {
  const all = new Map<LoadRun, LoadFigures[]>(LOAD_RUNS.map((run) => [run, []]));
  for (let r = 0; r < REPEATS; r++) for (const run of LOAD_RUNS) all.get(run)!.push(await loadRun(run));
  return LOAD_RUNS.map((run) => {
    const figures = all.get(run)!;
    const mid = (pick: (f: LoadFigures) => Measured): Measured => ({
      load: {
        requestsPerSecond: median(figures.map((f) => pick(f).load.requestsPerSecond)),
        latencyP50Ms: median(figures.map((f) => pick(f).load.latencyP50Ms)),
        latencyP99Ms: median(figures.map((f) => pick(f).load.latencyP99Ms)),
        requests: median(figures.map((f) => pick(f).load.requests)),
        failures: 0,
      },
      eventLoopP99Ms: median(figures.map((f) => pick(f).eventLoopP99Ms)),
    });
    return { run, saturated: mid((f) => f.saturated), fixedRate: mid((f) => f.fixedRate), compiled: figures.at(-1)!.compiled };
  });
}

function loadTable(figures: readonly LoadFigures[]): void {
  const base = figures.find((f) => f.run.args.includes('local'))!;
  printTable(
    `HTTP load: POST /score (samples=${SAMPLES}), ${CONNECTIONS} connections, ${LOAD_SECONDS} s per load after a ${WARMUP_SECONDS} s warm-up, 127.0.0.1, median of ${REPEATS}`,
    ['run', 'load', 'req/s', 'vs main thread', 'latency p50', 'latency p99', 'event-loop p99', 'main thread / this', 'compiled'],
    figures.flatMap((f) => (['saturated', 'fixedRate'] as const).map((kind) => {
      const m = f[kind];
      const b = base[kind];
      return [
        f.run.name,
        kind === 'saturated' ? 'as fast as answered' : `${FIXED_RATE} req/s`,
        fmt(m.load.requestsPerSecond, 0),
        `${fmt(m.load.requestsPerSecond / b.load.requestsPerSecond, 2)}×`,
        `${fmt(m.load.latencyP50Ms)} ms`,
        `${fmt(m.load.latencyP99Ms)} ms`,
        `${fmt(m.eventLoopP99Ms, 2)} ms`,
        `${fmt(b.eventLoopP99Ms / m.eventLoopP99Ms, 1)}×`,
        f.compiled,
      ];
    })),
  );
}

/** Requests (one function call each) per millisecond in the compile storm. */
const STORM_PER_MS = 10;

const SCENARIOS: readonly (StormScenario & { readonly name: string })[] = [
  { name: '1000 one-function programs, first storm', layout: 'per-program', perMs: STORM_PER_MS, warmUp: false },
  { name: '1000 one-function programs, later storm', layout: 'per-program', perMs: STORM_PER_MS, warmUp: true },
  { name: 'one program of 1000 functions, first storm', layout: 'single', perMs: STORM_PER_MS, warmUp: false },
  { name: 'one program of 1000 functions, later storm', layout: 'single', perMs: STORM_PER_MS, warmUp: true },
];
const MODES: readonly StormMode[] = ['off', 'background', 'background-idle', 'sync'];

async function stormRuns(): Promise<Map<string, StormResult[]>> {
  const results = new Map<string, StormResult[]>();
  for (let r = 0; r < STORM_REPEATS; r++) {
    for (const scenario of SCENARIOS) {
      for (const mode of MODES) {
        const key = `${scenario.name}/${mode}`;
        const result = await runStorm(mode, scenario, STORM_WINDOW_MS);
        results.set(key, [...(results.get(key) ?? []), result]);
      }
    }
  }
  return results;
}

function stormTable(results: Map<string, StormResult[]>): void {
  const runs = (scenario: string, mode: StormMode) => results.get(`${scenario}/${mode}`)!;
  const p99 = (scenario: string, mode: StormMode) => median(runs(scenario, mode).map((r) => r.eventLoop.p99Ms));
  const compiledAfter = (scenario: string) => {
    const runs = results.get(`${scenario}/background`)!;
    const done = runs.map((r) => r.allCompiledAfterMs).filter((ms): ms is number => ms !== null);
    if (done.length < runs.length) return `${median(runs.map((r) => r.compiled))}/1000 in window`;
    return `${fmt(median(done), 0)} ms`;
  };
  printTable(
    `Compile storm: event-loop p99 while 1000 functions get hot, ${STORM_PER_MS} requests/ms (${STORM_WINDOW_MS} ms window, median of ${STORM_REPEATS})`,
    ['scenario', 'no JIT', 'background', 'bg, idle prio', 'main-thread compile', 'bg / no JIT (≤ 1.1)', 'main / bg (≥ 5)', 'idle: bg / no JIT', 'idle: main / bg', 'bg done after'],
    SCENARIOS.map(({ name }) => {
      const [off, background, idle, sync] = MODES.map((mode) => p99(name, mode)) as [number, number, number, number];
      return [name, `${fmt(off, 2)} ms`, `${fmt(background, 2)} ms`, `${fmt(idle, 2)} ms`, `${fmt(sync, 2)} ms`,
        `${fmt(background / off, 2)}×`, `${fmt(sync / background, 1)}×`, `${fmt(idle / off, 2)}×`, `${fmt(sync / idle, 1)}×`, compiledAfter(name)];
    }),
  );
  // Where the main thread's time went: CPU it used, and time it waited for a CPU.
  const cpu = (scenario: string, mode: StormMode, pick: (r: StormResult) => number | null) => {
    const values = runs(scenario, mode).map(pick).filter((v): v is number => v !== null);
    return values.length === 0 ? '-' : `${fmt(median(values), 0)} ms`;
  };
  printTable(
    'Compile storm: the main thread during the window (Linux schedstat, medians)',
    ['scenario', 'mode', 'on CPU', 'waiting for a CPU', 'functions compiled'],
    SCENARIOS.flatMap(({ name }) => MODES.map((mode) => [name, mode,
      cpu(name, mode, (r) => r.mainThreadCpuMs), cpu(name, mode, (r) => r.mainThreadRunQueueMs),
      String(median(runs(name, mode).map((r) => r.compiled)))])),
  );
}

console.log(`${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`);
loadTable(await loadRuns());
stormTable(await stormRuns());
console.log(`\nload average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end. Event-loop figures include the 1 ms timer interval (an idle loop shows ≈1.0 ms).`);
