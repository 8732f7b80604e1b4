/**
 * The contract of a runtime hosted in a worker thread: what the worker exposes through
 * comlink (`RuntimeApi`), the options `spawnRuntime` accepts, and the plain-data shapes
 * that cross the thread boundary. Everything here is structured-cloneable.
 */
import type { JitConfig } from '../jit/jit-config.js';
import type { JitStats } from '../jit/jit-engine.js';
import type { HostValue, Value } from '../vm/values.js';

/**
 * The runtime's operations. On the main thread it is used as `Comlink.Remote<RuntimeApi>`
 * (every method returns a promise); the worker runs one operation at a time, in the order
 * they were called.
 */
export interface RuntimeApi {
  /**
   * Loads a program: Atlas source (compiled with `filename` in its diagnostics) or the
   * bytes of an `.atb` file. Replaces the previous program, its globals and its compiled code.
   */
  load(program: string | Uint8Array, filename?: string): ProgramSummary;
  /** Runs the loaded program's top-level code; the value it leaves, as `Vm.run()`. */
  run(): Value | undefined;
  /** Calls a global function of the loaded program, as `Vm.call()`. `run()` defines them. */
  call(name: string, ...args: HostValue[]): Value;
  /**
   * The runtime's counters and its JIT's statistics. Through `spawnRuntime`'s proxy it does
   * not wait behind a running operation: the figures then come from shared memory, as of the
   * worker's latest safepoint (see stats-board.ts); between operations they are exact.
   */
  stats(): RuntimeStats;
  /**
   * Stops the operation running now and the ones already requested; each rejects with
   * `AtlasInterrupted`. Operations requested afterwards run normally. Interpreted code
   * stops at its next call or loop back-edge, native code at its next function entry or back
   * edge. Through `spawnRuntime`'s proxy it acts at once, through shared memory.
   */
  interrupt(): void;
  /** Interrupts everything, closes the JIT (its compile workers) and ends the worker thread. */
  close(): Promise<void>;
}

/** What `load()` reports about the program it loaded. */
export interface ProgramSummary {
  /** `filename` for source, `<atb>` for bytecode files. */
  readonly name: string;
  readonly codeBytes: number;
  readonly constants: number;
  /** The program's functions in constant-pool order (defined as globals by `run()`). */
  readonly functions: readonly { readonly name: string; readonly arity: number }[];
}

export interface RuntimeCounters {
  readonly loads: number;
  readonly runs: number;
  readonly calls: number;
  /** Operations that ended with an error other than an interrupt. */
  readonly errors: number;
  /** Operations stopped by `interrupt()` (or `close()`). */
  readonly interrupted: number;
}

export interface RuntimeStats {
  /** The engine's statistics; null when the runtime was spawned with `jit: false` or the JIT is unavailable. */
  readonly jit: JitStats | null;
  /** Present when the JIT was asked for but is unavailable (no native addon loads here): why, and how to get it. */
  readonly jitUnavailable?: string;
  readonly runtime: RuntimeCounters;
}

/** Options of `spawnRuntime`. */
export interface RuntimeOptions {
  /**
   * The JIT engine's configuration (workers, compilationThreshold, cacheSizeLimit, optLevel,
   * ...), passed through to `JitEngine.create` inside the worker; `false` runs every
   * function interpreted and starts no compile workers. Default: the engine defaults.
   */
  readonly jit?: JitConfig | false;
  /** Receives each line the program prints. Default: written to process.stdout. */
  readonly stdout?: (line: string) => void;
  /** The interpreter's recursion limit (`VmOptions.maxCallDepth`). */
  readonly maxCallDepth?: number;
  /** The interpreter's value-stack limit (`VmOptions.maxStackSize`). */
  readonly maxStackSize?: number;
  /** How long `close()` waits for the worker to finish cleanly before terminating it. Default 5000 ms. */
  readonly closeTimeoutMs?: number;
}

/** The part of the options the worker needs; the rest stays on the main thread. */
export type WorkerRuntimeOptions = Pick<RuntimeOptions, 'jit' | 'maxCallDepth' | 'maxStackSize'>;
