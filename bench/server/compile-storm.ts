/**
 * One run of the compile-storm measurement, in a process of its own (started by
 * bench/server.bench.ts): the event-loop delay of this process's main thread while 1000
 * distinct functions get hot and are compiled.
 *
 * The main thread behaves like a server under steady load: every millisecond (a 1 ms timer)
 * a batch of `--per-ms` requests arrives, each calling one of the 1000 functions with the
 * interpreter, in round robin; between batches the loop is idle, as a server with headroom
 * is. Every function gets hot at its THRESHOLD-th call, all of them within one round. The
 * mode decides what happens then:
 *   off         nothing: no JIT (the baseline);
 *   background  the JitEngine queues it and a compile worker compiles it (the design);
 *   background-idle  the same with `compileThreadPriority: 'idle'` (Linux SCHED_IDLE);
 *   sync        the request compiles it on the main thread (`compileNowBlocking`), as a JIT
 *               without background compilation would.
 * The delay is measured over a fixed window that starts when the first function gets hot,
 * the same in every mode; the rounds before it are interpreted in every mode.
 *
 * `--layout` puts the functions in 1000 programs of one function each (`per-program`, like
 * a server hosting many tenants' scripts) or in one program of 1000 functions (`single`).
 * A compile batch carries each program it uses once, so with one big program every batch
 * copies all of its code and constants.
 *
 * `--warm-up` first runs a whole storm of 1000 other functions on the same engine, unmeasured:
 * the measured storm then meets warm engine code (V8 has optimized it), like a storm in a
 * server that has been up for a while. Without it, the storm is the first after start-up,
 * and V8 runs the engine's enqueue and install paths unoptimized for a good part of it.
 *
 * Prints one JSON line (StormResult).
 *
 *   node --expose-gc dist/bench/server/compile-storm.js --mode off|background|background-idle|sync
 *        [--layout per-program|single] [--per-ms N] [--window-ms N] [--warm-up]
  */
import { parseArgs } from 'node:util';
import { compile } from '../../src/compiler/index.js';
import type { Bytecode } from '../../src/bytecode/index.js';
import { JitEngine } from '../../src/jit/jit-engine.js';
import { JIT_CHANNELS } from '../../src/jit/jit-events.js';
import { Vm } from '../../src/vm/index.js';
import { EventLoopMonitor, type EventLoopDelay } from '../../examples/server/event-loop-monitor.js';
import { mainThreadSchedstat } from '../harness.js';

export type StormMode = 'off' | 'background' | 'background-idle' | 'sync';
const MODES: readonly StormMode[] = ['off', 'background', 'background-idle', 'sync'];
export type StormLayout = 'single' | 'per-program';

export interface StormResult {
  readonly mode: StormMode;
  readonly layout: StormLayout;
  /** Whether a whole unmeasured storm ran on the same engine before this one. */
  readonly warmUp: boolean;
  /** Requests (one call each) per 1 ms batch. */
  readonly perMs: number;
  readonly windowMs: number;
  /** Requests served during the window. */
  readonly requests: number;
  /** Functions whose code was installed by the end of the window. */
  readonly compiled: number;
  /** From the start of the window until the last function was installed; null if not all were. */
  readonly allCompiledAfterMs: number | null;
  readonly eventLoop: EventLoopDelay;
  /** Time the main thread was busy (not waiting for events) during the window. */
  readonly mainThreadBusyMs: number;
  /** Of the window, the main thread's time on a CPU and waiting for one (Linux schedstat; null elsewhere). */
  readonly mainThreadCpuMs: number | null;
  readonly mainThreadRunQueueMs: number | null;
}

export const FUNCTIONS = 1000;
const THRESHOLD = 10;


/**
 * Distinct straight-line numeric functions (what the translator compiles today); `salt`
 * makes the warm-up storm's functions differ from the measured ones.
 */
function declaration(i: number, salt: number): string {
  const k = i + salt;
  return `fn f${i}(a: number, b: number) -> number { let c = a * ${k + 1.5} - b; return (c * c + ${k}) / (a + b + ${k + 2}) - c * ${(k % 7) + 0.25}; }`;
}

/** One callable function: its program, the Vm running that program, its name and offset. */
interface Target {
  readonly bytecode: Bytecode;
  readonly vm: Vm;
  readonly name: string;
  readonly offset: number;
}

function targets(layout: StormLayout, engine: JitEngine | undefined, salt: number): Target[] {
  const vmOf = (bytecode: Bytecode) => {
    const vm = new Vm(bytecode, { ...(engine === undefined ? {} : { jit: engine }), stdout: () => undefined });
    vm.run();
    return vm;
  };
  const indices = Array.from({ length: FUNCTIONS }, (_, i) => i);
  if (layout === 'single') {
    const bytecode = compile(indices.map((i) => declaration(i, salt)).join('\n'), 'storm.atlas');
    const vm = vmOf(bytecode);
    return bytecode.functions().map((f) => ({ bytecode, vm, name: f.name, offset: f.offset }));
  }
  return indices.map((i) => {
    const bytecode = compile(declaration(i, salt), `tenant-${i}.atlas`);
    const f = bytecode.functions()[0]!;
    return { bytecode, vm: vmOf(bytecode), name: f.name, offset: f.offset };
  });
}

/** The requests of one storm: calls of its 1000 functions in round robin. */
class Requests {
  private next = 0;
  private readonly calls = new Uint32Array(FUNCTIONS);

  constructor(
    private readonly mode: StormMode,
    private readonly engine: JitEngine | undefined,
    private readonly all: readonly Target[],
  ) {}

  get served(): number {
    return this.next;
  }

  serve(): void {
    const k = this.next++ % FUNCTIONS;
    const target = this.all[k]!;
    target.vm.call(target.name, this.next % 97, (this.next % 89) + 1);
    if (this.mode === 'sync' && ++this.calls[k]! === THRESHOLD) this.engine!.compileNowBlocking(target.bytecode, target.offset);
  }

  /** The rounds before any function is hot, as fast as possible (not measured). */
  serveColdRounds(): void {
    while (this.next < (THRESHOLD - 1) * FUNCTIONS) this.serve();
  }
}

/**
 * A whole storm on 1000 other functions, on the same engine and unmeasured, so that the
 * measured storm meets a process whose engine code has run before — a server that has been
 * up for a while, as opposed to the first storm after start-up.
 */
async function warmUpStorm(mode: StormMode, layout: StormLayout, engine: JitEngine | undefined): Promise<void> {
  const requests = new Requests(mode, engine, targets(layout, engine, 100_000));
  while (requests.served < (THRESHOLD + 1) * FUNCTIONS) requests.serve();
  await engine?.whenIdle();
  for (let i = 0; i < 3 * FUNCTIONS; i++) requests.serve();
}

async function storm(mode: StormMode, layout: StormLayout, perMs: number, windowMs: number, warmUp: boolean): Promise<StormResult> {
  const engine = mode === 'off' ? undefined : await JitEngine.create({
    workers: 1,
    maxQueue: 2 * FUNCTIONS,
    // In sync mode the engine never compiles by itself; the request does it (below).
    compilationThreshold: mode === 'sync' ? Number.MAX_SAFE_INTEGER : THRESHOLD,
    compileThreadPriority: mode === 'background-idle' ? 'idle' : 'normal',
  });
  if (warmUp) await warmUpStorm(mode, layout, engine);
  const requests = new Requests(mode, engine, targets(layout, engine, 0));

  // Installs are counted from the engine's events: stats() would cost the main thread more.
  let compiled = 0;
  let windowStart = 0;
  let allCompiledAfterMs: number | null = null;
  const onInstalled = () => {
    if (++compiled === FUNCTIONS) allCompiledAfterMs = performance.now() - windowStart;
  };
  JIT_CHANNELS.installed.subscribe(onInstalled);

  requests.serveColdRounds();
  // Collect the set-up's garbage (1000 compiled programs and VMs) now, in every mode, so
  // that when a collection falls inside the window is not decided by the set-up.
  collectGarbage();
  const monitor = new EventLoopMonitor();
  const utilization = performance.eventLoopUtilization();
  const scheduled = mainThreadSchedstat();
  const servedBefore = requests.served;
  windowStart = performance.now();
  await new Promise<void>((resolve) => {
    const batch = () => {
      for (let i = 0; i < perMs; i++) requests.serve();
      if (performance.now() - windowStart < windowMs) setTimeout(batch, 1);
      else resolve();
    };
    setTimeout(batch, 1);
  });
  const eventLoop = monitor.snapshot();
  const mainThreadBusyMs = performance.eventLoopUtilization(utilization).active;
  const scheduledEnd = mainThreadSchedstat();
  const [mainThreadCpuMs, mainThreadRunQueueMs] = scheduled === null || scheduledEnd === null
    ? [null, null]
    : [(scheduledEnd.onCpuNs - scheduled.onCpuNs) / 1e6, (scheduledEnd.waitingNs - scheduled.waitingNs) / 1e6];
  monitor.stop();
  JIT_CHANNELS.installed.unsubscribe(onInstalled);
  await engine?.close();
  return {
    mode, layout, warmUp, perMs, windowMs, requests: requests.served - servedBefore, compiled, allCompiledAfterMs,
    eventLoop, mainThreadBusyMs, mainThreadCpuMs, mainThreadRunQueueMs,
  };
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc (bench/server/storm-runner.ts does)');
  gc();
}

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    layout: { type: 'string', default: 'per-program' },
    'per-ms': { type: 'string', default: '10' },
    'window-ms': { type: 'string', default: '2000' },
    'warm-up': { type: 'boolean', default: false },
  },
});
const { mode, layout } = values;
if (!MODES.includes(mode as StormMode)) throw new Error(`--mode must be one of ${MODES.join(', ')}, got ${mode}`);
if (layout !== 'single' && layout !== 'per-program') throw new Error(`--layout must be single or per-program, got ${layout}`);
const perMs = Number(values['per-ms']);
const windowMs = Number(values['window-ms']);
if (!Number.isInteger(perMs) || perMs < 1) throw new Error('--per-ms must be a positive integer');
if (!(windowMs > 0)) throw new Error('--window-ms must be positive');
console.log(JSON.stringify(await storm(mode as StormMode, layout, perMs, windowMs, values['warm-up'])));
