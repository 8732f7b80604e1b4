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
 *   sync        the request compiles it on the main thread (`compileNowBlocking`), as a JIT
 *               without background compilation would.
 * The delay is measured over a fixed window that starts when the first function gets hot,
 * the same in every mode; the rounds before it are interpreted in every mode.
 *
 * `--layout` puts the functions in 1000 programs of one function each (`per-program`, like
 * a server hosting many tenants' scripts) or in one program of 1000 functions (`single`).
 * The engine sends each compile job the program's constant pool, so with one big program
 * every job costs the main thread a structured clone of all of it.
 *
 * Prints one JSON line (StormResult).
 *
 *   node --expose-gc dist/bench/server/compile-storm.js --mode off|background|sync
 *        [--layout per-program|single] [--per-ms N] [--window-ms N]
  */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compile } from '../../src/compiler/index.js';
import type { Bytecode } from '../../src/bytecode/index.js';
import { JitEngine } from '../../src/jit/jit-engine.js';
import { JIT_CHANNELS } from '../../src/jit/jit-events.js';
import { Vm } from '../../src/vm/index.js';
import { EventLoopMonitor, type EventLoopDelay } from '../../examples/server/event-loop-monitor.js';

export type StormMode = 'off' | 'background' | 'sync';
export type StormLayout = 'single' | 'per-program';

export interface StormResult {
  readonly mode: StormMode;
  readonly layout: StormLayout;
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
 * The main thread's scheduler counters: nanoseconds on a CPU and waiting in the run queue.
 * (The process's pid is its main thread's task id.)
 */
function schedstat(): [number, number] | null {
  try {
    const [onCpu, waiting] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return [onCpu!, waiting!];
  } catch {
    return null;
  }
}

/** Distinct straight-line numeric functions (what the translator compiles today). */
function declaration(i: number): string {
  return `fn f${i}(a: number, b: number) -> number { let c = a * ${i + 1.5} - b; return (c * c + ${i}) / (a + b + ${i + 2}) - c * ${(i % 7) + 0.25}; }`;
}

/** One callable function: its program, the Vm running that program, its name and offset. */
interface Target {
  readonly bytecode: Bytecode;
  readonly vm: Vm;
  readonly name: string;
  readonly offset: number;
}

function targets(layout: StormLayout, engine: JitEngine | undefined): Target[] {
  const vmOf = (bytecode: Bytecode) => {
    const vm = new Vm(bytecode, { ...(engine === undefined ? {} : { jit: engine }), stdout: () => undefined });
    vm.run();
    return vm;
  };
  const indices = Array.from({ length: FUNCTIONS }, (_, i) => i);
  if (layout === 'single') {
    const bytecode = compile(indices.map(declaration).join('\n'), 'storm.atlas');
    const vm = vmOf(bytecode);
    return bytecode.functions().map((f) => ({ bytecode, vm, name: f.name, offset: f.offset }));
  }
  return indices.map((i) => {
    const bytecode = compile(declaration(i), `tenant-${i}.atlas`);
    const f = bytecode.functions()[0]!;
    return { bytecode, vm: vmOf(bytecode), name: f.name, offset: f.offset };
  });
}

async function storm(mode: StormMode, layout: StormLayout, perMs: number, windowMs: number): Promise<StormResult> {
  const engine = mode === 'off' ? undefined : await JitEngine.create({
    workers: 1,
    maxQueue: 2 * FUNCTIONS,
    // In sync mode the engine never compiles by itself; the request does it (below).
    compilationThreshold: mode === 'background' ? THRESHOLD : Number.MAX_SAFE_INTEGER,
  });
  const all = targets(layout, engine);
  const calls = new Uint32Array(FUNCTIONS);
  const hotFrom = (THRESHOLD - 1) * FUNCTIONS; // the first call that makes a function hot

  // Installs are counted from the engine's events: stats() would cost the main thread more.
  let compiled = 0;
  let windowStart = 0;
  let allCompiledAfterMs: number | null = null;
  const onInstalled = () => {
    if (++compiled === FUNCTIONS) allCompiledAfterMs = performance.now() - windowStart;
  };
  JIT_CHANNELS.installed.subscribe(onInstalled);

  let next = 0;
  let requests = 0;
  const serve = () => {
    const k = next++ % FUNCTIONS;
    const target = all[k]!;
    target.vm.call(target.name, next % 97, (next % 89) + 1);
    if (mode === 'sync' && ++calls[k] === THRESHOLD) engine!.compileNowBlocking(target.bytecode, target.offset);
  };
  // The rounds before any function is hot, as fast as possible (not measured).
  while (next < hotFrom) serve();
  // Collect the set-up's garbage (1000 compiled programs and VMs) now, in every mode, so
  // that when a collection falls inside the window is not decided by the set-up.
  collectGarbage();
  const monitor = new EventLoopMonitor();
  const utilization = performance.eventLoopUtilization();
  const scheduled = schedstat();
  windowStart = performance.now();
  await new Promise<void>((resolve) => {
    const batch = () => {
      for (let i = 0; i < perMs; i++) serve();
      requests += perMs;
      if (performance.now() - windowStart < windowMs) setTimeout(batch, 1);
      else resolve();
    };
    setTimeout(batch, 1);
  });
  const eventLoop = monitor.snapshot();
  const mainThreadBusyMs = performance.eventLoopUtilization(utilization).active;
  const scheduledEnd = schedstat();
  const [mainThreadCpuMs, mainThreadRunQueueMs] = scheduled === null || scheduledEnd === null
    ? [null, null]
    : [(scheduledEnd[0] - scheduled[0]) / 1e6, (scheduledEnd[1] - scheduled[1]) / 1e6];
  monitor.stop();
  JIT_CHANNELS.installed.unsubscribe(onInstalled);
  await engine?.close();
  return { mode, layout, perMs, windowMs, requests, compiled, allCompiledAfterMs, eventLoop, mainThreadBusyMs, mainThreadCpuMs, mainThreadRunQueueMs };
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
  },
});
const { mode, layout } = values;
if (mode !== 'off' && mode !== 'background' && mode !== 'sync') throw new Error(`--mode must be off, background or sync, got ${mode}`);
if (layout !== 'single' && layout !== 'per-program') throw new Error(`--layout must be single or per-program, got ${layout}`);
const perMs = Number(values['per-ms']);
const windowMs = Number(values['window-ms']);
if (!Number.isInteger(perMs) || perMs < 1) throw new Error('--per-ms must be a positive integer');
if (!(windowMs > 0)) throw new Error('--window-ms must be positive');
console.log(JSON.stringify(await storm(mode, layout, perMs, windowMs)));
