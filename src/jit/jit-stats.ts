/**
 * The engine's statistics: the counters it increments as things happen, the latency
 * recorders, and the `JitStats` snapshot `JitEngine.stats()` returns. A counter is one field
 * of `JitCounters` (its declaration is its type and its zero) and the increment where it
 * happens; the snapshot takes every counter as it is.
 */
import { LatencyRecorder, type Percentiles } from './latency-recorder.js';

/**
 * Counts since the engine started or was reset. Every call of a tracked function counts once,
 * by what happened: `jitExecutions` if native code ran it, else `interpreterFallbacks` (with
 * the reason's own counter when it had code but could not use it).
 */
export class JitCounters {
  compilations = 0;
  /** Calls that native code ran to their end (a result, a trap, a halt or an interrupt). */
  jitExecutions = 0;
  /** Calls the interpreter ran. */
  interpreterFallbacks = 0;
  failedCompilations = 0;
  refusedCompilations = 0;
  /** Calls of compiled functions that ran interpreted because an argument was not a number. */
  nonNumericArgCalls = 0;
  /** Calls of compiled functions that ran interpreted because a global they call through no longer held its function. */
  guardFallbacks = 0;
  /**
   * Native calls that bailed out to the interpreter: they would have passed the interpreter's
   * call-depth or stack limit (where it raises StackOverflow) or the native stack budget.
   */
  bailouts = 0;
  /** Runs stopped with AtlasInterrupted (an interrupt request or an exhausted time budget). */
  interrupts = 0;
  evictions = 0;
  /**
   * Native runs that left to the interpreter part-way, at an instruction their code does not
   * handle (counted in `jitExecutions` too: native code ran them up to there).
   */
  sideExits = 0;
  /** Loops whose frame moved from the interpreter into native code at a loop header (on-stack replacement). */
  osrEntries = 0;
  /** Code dropped because its runs kept leaving early (side exits, bail-outs); it stays interpreted. */
  deoptimizations = 0;
}

/** Latency samples, microseconds. */
export class JitLatencies {
  readonly queueWait = new LatencyRecorder();
  readonly compile = new LatencyRecorder();
  readonly hotToInstalled = new LatencyRecorder();
  /** From the worker sending an outcome (to the mailbox ring, or on the outcome port) to the main thread installing it. */
  readonly installDelay = new LatencyRecorder();

  percentiles(): JitStats['latency'] {
    return {
      queueWait: this.queueWait.percentiles(),
      compile: this.compile.percentiles(),
      hotToInstalled: this.hotToInstalled.percentiles(),
      installDelay: this.installDelay.percentiles(),
    };
  }

  clear(): void {
    for (const recorder of [this.queueWait, this.compile, this.hotToInstalled, this.installDelay]) recorder.clear();
  }
}

export interface JitStats extends Readonly<JitCounters> {
  // counts kept elsewhere
  readonly droppedJobs: number;
  /**
   * Jobs queued again because the compile worker holding them died while compiling another
   * function (that one alone counts in `failedCompilations`).
   */
  readonly retriedJobs: number;
  // cache
  readonly cachedFunctions: number;
  readonly cacheBytes: number;
  /** Calls that found installed code over calls of tracked functions. */
  readonly cacheHitRate: number;
  // functions
  readonly trackedFunctions: number;
  readonly compiledFunctions: number;
  // pipeline
  readonly queueDepth: number;
  readonly inFlight: number;
  readonly workers: number;
  readonly workerThreads: number;
  readonly workerUtilization: number;
  readonly nativeHandles: number;
  // latency percentiles, microseconds
  readonly latency: {
    readonly queueWait: Percentiles;
    readonly compile: Percentiles;
    readonly hotToInstalled: Percentiles;
    /** From the worker sending an outcome (to the mailbox ring, or on the outcome port) to the main thread installing it. */
    readonly installDelay: Percentiles;
  };
}
