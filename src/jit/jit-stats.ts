/**
 * The engine's statistics: the counters it increments as things happen, the latency
 * recorders, and the `JitStats` snapshot `JitEngine.stats()` returns. A counter is one field
 * of `JitCounters` (its declaration is its type and its zero) and the increment where it
 * happens; the snapshot takes every counter as it is. docs/operations.md is the glossary.
 *
 * The identities the counters keep (test/jit-stats.test.ts asserts them):
 *   jitExecutions + interpreterFallbacks = trackedCalls + osrAttempts
 *   nonNumericArgCalls + guardFallbacks + bailouts ≤ interpreterFallbacks
 *   osrEntries ≤ osrAttempts
 */
import { LatencyRecorder, type Percentiles } from './latency-recorder.js';

/**
 * Counts since the engine started or was reset; every field is a count of events (no unit).
 * Every call of a tracked function, and every loop entry tried at a header with code, counts
 * once, by what happened: `jitExecutions` if native code ran it, else `interpreterFallbacks`
 * (with the reason's own counter when it had code but could not use it).
 */
export class JitCounters {
  /** Calls of tracked functions while the engine was enabled, however they ran (the call gate's quiet calls included). */
  trackedCalls = 0;
  /** Loop entries tried at a header whose loop has code (on-stack replacement attempts). */
  osrAttempts = 0;
  /** Compiles that produced code (a function compiled again after eviction counts again). */
  compilations = 0;
  /** Calls and OSR attempts native code ran (to a result, a trap, an interrupt or a side exit). */
  jitExecutions = 0;
  /** Calls and OSR attempts the interpreter ran: no code (cold, queued, refused), or code it could not use. */
  interpreterFallbacks = 0;
  /** Compiles that failed: an addon error, a crashed or hung worker. */
  failedCompilations = 0;
  /** Compiles the translator declined (code outside the native subset). */
  refusedCompilations = 0;
  /** Calls of compiled functions that ran interpreted because an argument was not of the compiled kind. */
  nonNumericArgCalls = 0;
  /** Calls (and OSR attempts) with code that ran interpreted because a global they use no longer held its function or kind. */
  guardFallbacks = 0;
  /**
   * Native runs that bailed out to the interpreter: they would have passed the interpreter's
   * call-depth or stack limit (where it raises StackOverflow) or the native stack budget.
   */
  bailouts = 0;
  /** Runs stopped with AtlasInterrupted (an interrupt request or an exhausted time budget). */
  interrupts = 0;
  /** Installed code removed to keep the cache within its byte budget. */
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

/** Share of calls and OSR attempts native code ran: `jitExecutions` over both, 0 before any. */
export function nativeRate(counters: JitCounters): number {
  const total = counters.jitExecutions + counters.interpreterFallbacks;
  return total === 0 ? 0 : counters.jitExecutions / total;
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
  /** Jobs dropped from a full compile queue (count). */
  readonly droppedJobs: number;
  /**
   * Jobs queued again because the compile worker holding them died while compiling another
   * function (that one alone counts in `failedCompilations`) (count).
   */
  readonly retriedJobs: number;
  /** Functions and loops with code in the cache now. */
  readonly cachedFunctions: number;
  /** Machine-code bytes in the cache now. */
  readonly cacheBytes: number;
  /**
   * Ratio 0..1: lookups that found installed code over lookups of functions that may still
   * compile (refused ones are not looked up). "Code found", not "ran natively": a call that
   * found code and fell back (a guard, a non-number argument, a bail-out) is a hit. See `nativeRate`.
   */
  readonly cacheHitRate: number;
  /** Ratio 0..1: `jitExecutions` over `jitExecutions + interpreterFallbacks`. */
  readonly nativeRate: number;
  /** Functions and loops the engine has a record of now (live programs). */
  readonly trackedFunctions: number;
  /** Of those, the ones in state compiled now. */
  readonly compiledFunctions: number;
  /** Jobs waiting in the compile queue now. */
  readonly queueDepth: number;
  /** Jobs sent to a worker whose outcome was not applied yet. */
  readonly inFlight: number;
  /** Configured compile workers. */
  readonly workers: number;
  /** Compile worker threads alive now. */
  readonly workerThreads: number;
  /** Ratio 0..1: the share of time the compile workers were busy. */
  readonly workerUtilization: number;
  /** Native code handles the addon holds (cached code, and code on its way to the cache). */
  readonly nativeHandles: number;
  /** Latencies: recent percentiles and all-time histograms, in microseconds. */
  readonly latency: {
    /** From a job joining the queue to a worker taking it. */
    readonly queueWait: Percentiles;
    /** Compile time on the worker. */
    readonly compile: Percentiles;
    /** From a function crossing the threshold to its code being installed. */
    readonly hotToInstalled: Percentiles;
    /** From the worker sending an outcome (to the mailbox ring, or on the outcome port) to the main thread installing it. */
    readonly installDelay: Percentiles;
  };
}
