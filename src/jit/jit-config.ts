/**
 * `JitConfig`: the engine's options, their defaults, and their validation. Invalid values
 * are rejected up front with a RangeError naming the option.
 */
import { availableParallelism } from 'node:os';
import type { FaultInjection } from './compile-protocol.js';
import { COMPILE_THREAD_PRIORITIES, type CompileThreadPriority, type OptLevel } from './native.js';

export interface JitConfig {
  /** Calls before a function is queued for compilation. Default 100. */
  readonly compilationThreshold?: number;
  /**
   * Loop back-edges (counted per loop, in steps of the interpreter's safepoint interval, 64)
   * before a loop is compiled with an entry at its header, so that a running frame moves
   * into native code at its next back-edge (on-stack replacement). Default 1000.
   */
  readonly osrThreshold?: number;
  /**
   * Functions with no loop and no call of a user function whose body costs at most this many
   * instructions (a builtin call counting as ten) stay interpreted when called from interpreted
   * code or the host, where interpreting them is cheaper than the call into native code; they
   * still run natively inside compiled callers. 0 compiles every hot function. Default 12.
   */
  readonly interpretedLeafLimit?: number;
  /** Code cache budget in bytes of machine code. Default 64 MiB. */
  readonly cacheSizeLimit?: number;
  /** Whether calls are counted and dispatched to native code. Default true. */
  readonly enabled?: boolean;
  /** Cranelift opt level: 0 none, 1 speed, 2 speed_and_size. Default 1. */
  readonly optLevel?: OptLevel;
  /** Compile worker threads. Default available parallelism − 1, at least 1. */
  readonly workers?: number;
  /**
   * Scheduling priority of the compile workers: `normal` (default), `low` (nice 19) or
   * `idle` (Linux SCHED_IDLE: they compile on CPU time nothing else wants). Lower priorities
   * keep a burst of compiles from making the request thread wait for a CPU when the cores
   * are shared, but on a saturated machine compiles then wait too, possibly for as long as
   * the saturation lasts. Where the OS refuses, workers compile at normal priority.
   */
  readonly compileThreadPriority?: CompileThreadPriority;
  /** Waiting compile jobs before the coldest is dropped. Default 1024. */
  readonly maxQueue?: number;
  /**
   * Most functions sent to a worker in one task (the hottest waiting ones; each worker takes
   * its share of what waits). Installs do not wait for the batch: every function is installed
   * as soon as it is compiled. Default 64.
   */
  readonly compileBatchSize?: number;
  /**
   * A worker still compiling one batch after this long is terminated (and replaced); the
   * timer runs on the event loop, so a run that never yields notices at its end. Default 10 s.
   */
  readonly compileTimeoutMs?: number;
  /** The compile workers stop after this long without work; the next hot function starts them again. Default 30 s. */
  readonly idleTimeoutMs?: number;
  /**
   * Start the compile workers and load the addon in them before `create` resolves, so the
   * first hot function does not wait for threads to boot. Default true. When false they start
   * at the first hot function, off the path of start-up (the command line does this).
   */
  readonly warmUp?: boolean;
  /** Slots in the install mailbox ring (a power of two). Default 256. */
  readonly mailboxCapacity?: number;
  /** Testing aid only: makes compile workers misbehave. */
  readonly faultInjection?: FaultInjection;
}

export type ResolvedJitConfig = Required<Omit<JitConfig, 'faultInjection'>> & { readonly faultInjection: FaultInjection | undefined };

export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

export function resolveConfig(config: JitConfig = {}): ResolvedJitConfig {
  return {
    compilationThreshold: integerAtLeast(config.compilationThreshold ?? 100, 1, 'compilationThreshold'),
    osrThreshold: integerAtLeast(config.osrThreshold ?? 1000, 1, 'osrThreshold'),
    interpretedLeafLimit: integerAtLeast(config.interpretedLeafLimit ?? 12, 0, 'interpretedLeafLimit'),
    cacheSizeLimit: integerAtLeast(config.cacheSizeLimit ?? 64 * 1024 * 1024, 0, 'cacheSizeLimit'),
    enabled: config.enabled ?? true,
    optLevel: optLevel(config.optLevel ?? 1),
    workers: integerAtLeast(config.workers ?? defaultWorkerCount(), 1, 'workers'),
    compileThreadPriority: threadPriority(config.compileThreadPriority ?? 'normal'),
    maxQueue: integerAtLeast(config.maxQueue ?? 1024, 1, 'maxQueue'),
    compileBatchSize: integerAtLeast(config.compileBatchSize ?? 64, 1, 'compileBatchSize'),
    compileTimeoutMs: integerAtLeast(config.compileTimeoutMs ?? 10_000, 1, 'compileTimeoutMs'),
    idleTimeoutMs: integerAtLeast(config.idleTimeoutMs ?? 30_000, 0, 'idleTimeoutMs'),
    warmUp: config.warmUp ?? true,
    mailboxCapacity: integerAtLeast(config.mailboxCapacity ?? 256, 1, 'mailboxCapacity'),
    faultInjection: config.faultInjection,
  };
}

export function optLevel(value: number): OptLevel {
  if (value === 0 || value === 1 || value === 2) return value;
  throw new RangeError(`optLevel must be 0, 1 or 2, got ${value}`);
}

function threadPriority(value: CompileThreadPriority): CompileThreadPriority {
  if (COMPILE_THREAD_PRIORITIES.includes(value)) return value;
  throw new RangeError(`compileThreadPriority must be idle, low or normal, got ${String(value)}`);
}

export function integerAtLeast(value: number, min: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}
