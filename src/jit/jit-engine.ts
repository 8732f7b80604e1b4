/**
 * `JitEngine`: the orchestrator of the background JIT. On the main thread it only counts
 * calls, enqueues hot functions, installs finished code and calls native code; compiling
 * happens in the Piscina workers. Finished jobs arrive through the install mailbox, which
 * is polled on every call and at loop safepoints, so a long synchronous script picks up
 * native code without ever yielding to the event loop. The Piscina promise of a job comes
 * later and only adds details (refusal reasons) to what the mailbox already applied.
 *
 * The engine plugs into the interpreter as its call hook: `new Vm(bytecode, { jit: engine })`.
 */
import type { Bytecode, FunctionRef } from '../bytecode/bytecode.js';
import { AtlasInterrupted, DEFAULT_MAX_CALL_DEPTH, DEFAULT_MAX_STACK_SIZE, type GlobalsView, type Value, type VmJitHook } from '../vm/index.js';
import { callTreeHolds, resolveCallTree, type CallTree, type GlobalDependency } from './call-tree.js';
import { CodeCache, type CacheEntry, type CachedCode, type RemovalReason } from './code-cache.js';
import { CompilePool } from './compile-pool.js';
import { CompileQueue, type CompileJob } from './compile-queue.js';
import { type BatchAnswer, type CompileResponse, type FaultInjection, type FunctionJobSource, RETURN_TYPE_CODES } from './compile-job.js';
import { encodeJobs } from './batch-codec.js';
import { HotspotTracker } from './hotspot-tracker.js';
import { InstallMailbox, type MailboxEntry } from './install-mailbox.js';
import { type JitConfig, type ResolvedJitConfig, integerAtLeast, optLevel, resolveConfig } from './jit-config.js';
import { publish, type JitEvent } from './jit-events.js';
import { LatencyRecorder, type Percentiles } from './latency-recorder.js';
import { BAILED_OUT, INTERRUPTED, NativeCaller, NOT_NUMERIC, type NativeOutcome } from './native-call.js';
import { armInterrupt, compileFunction, disarmInterrupt, interruptId, InvokeStatus, liveHandleCount, releaseHandle, type NativeType, type OptLevel } from './native.js';
import { ProgramRegistry, type ProgramState, type TrackedFunction } from './program-registry.js';

export interface JitStats {
  // counts
  readonly compilations: number;
  readonly jitExecutions: number;
  readonly interpreterFallbacks: number;
  readonly failedCompilations: number;
  readonly refusedCompilations: number;
  readonly droppedJobs: number;
  /** Calls of compiled functions that ran interpreted because an argument was not a number. */
  readonly nonNumericArgCalls: number;
  /** Calls of compiled functions that ran interpreted because a global they call through no longer held its function. */
  readonly guardFallbacks: number;
  /**
   * Native calls that bailed out to the interpreter: they would have passed the interpreter's
   * call-depth or stack limit (where it raises StackOverflow) or the native stack budget.
   */
  readonly bailouts: number;
  /** Runs stopped with AtlasInterrupted (an interrupt request or an exhausted time budget). */
  readonly interrupts: number;
  readonly evictions: number;
  // cache
  readonly cachedFunctions: number;
  readonly cacheBytes: number;
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
    /** From the worker posting to the mailbox to the main thread installing. */
    readonly installDelay: Percentiles;
  };
}

/** A job between enqueue and the settlement of its Piscina promise. */
interface PendingJob {
  readonly job: CompileJob;
  readonly fn: TrackedFunction;
  /** The outcome was already applied (from the mailbox); the promise only adds details. */
  applied: boolean;
  /**
   * The worker's answer came and did not carry this job: its outcome is in the mailbox, and
   * the job ends when a poll applies it.
   */
  answered: boolean;
}

type Outcome =
  | { readonly kind: 'compiled'; readonly handle: number; readonly codeSize: number; readonly returnType: NativeType; readonly compileMicros: number; readonly postedAt?: number }
  | { readonly kind: 'refused' | 'error'; readonly reason: string | undefined };

interface Counters {
  compilations: number;
  jitExecutions: number;
  interpreterFallbacks: number;
  failedCompilations: number;
  refusedCompilations: number;
  nonNumericArgCalls: number;
  guardFallbacks: number;
  bailouts: number;
  interrupts: number;
  evictions: number;
}

const zeroCounters = (): Counters => ({
  compilations: 0, jitExecutions: 0, interpreterFallbacks: 0, failedCompilations: 0,
  refusedCompilations: 0, nonNumericArgCalls: 0, guardFallbacks: 0, bailouts: 0, interrupts: 0, evictions: 0,
});

export class JitEngine implements VmJitHook {
  private readonly config: ResolvedJitConfig;
  private readonly tracker: HotspotTracker;
  private readonly queue: CompileQueue;
  private readonly pool: CompilePool;
  private readonly mailbox: InstallMailbox;
  private readonly cache: CodeCache;
  private readonly caller = new NativeCaller();
  private readonly programs = new ProgramRegistry();
  private readonly byKey = new Map<string, TrackedFunction>();
  private readonly pending = new Map<number, PendingJob>();
  private counters = zeroCounters();
  private readonly latency = {
    queueWait: new LatencyRecorder(),
    compile: new LatencyRecorder(),
    hotToInstalled: new LatencyRecorder(),
    installDelay: new LatencyRecorder(),
  };
  private isEnabled: boolean;
  private currentOptLevel: OptLevel;
  private nextJobId = 1;
  /** The function of the last call (cleared when its program is forgotten); see `trackedAt`. */
  private lastCalled: TrackedFunction | undefined;
  private closed = false;
  /** After a bail-out at this stack position, deeper calls stay interpreted (see `bailOut`). */
  private interpretAbove = Infinity;
  /** Nesting of VM runs on this engine, the time budget of the outermost and its watchdog. */
  private runDepth = 0;
  private runBudgetMs: number | undefined;
  private runDeadline = Infinity;
  private watchdogToken: number | undefined;

  /**
   * Creates an engine. Its first compile worker is started and has loaded the addon before
   * the promise resolves (unless `warmUp` is false), so the first hot function does not
   * wait for a thread to boot.
   */
  static async create(config: JitConfig = {}): Promise<JitEngine> {
    const engine = new JitEngine(resolveConfig(config));
    if (engine.config.warmUp) await engine.pool.warmUp();
    return engine;
  }

  private constructor(config: ResolvedJitConfig) {
    this.config = config;
    this.isEnabled = config.enabled;
    this.currentOptLevel = config.optLevel;
    this.tracker = new HotspotTracker(config.compilationThreshold);
    this.mailbox = new InstallMailbox(config.mailboxCapacity);
    this.pool = new CompilePool({ workers: config.workers, idleTimeoutMs: config.idleTimeoutMs, threadPriority: config.compileThreadPriority });
    this.queue = new CompileQueue({
      concurrency: config.workers, maxQueue: config.maxQueue, batchSize: config.compileBatchSize,
      run: (batch) => this.runBatch(batch), onDrop: (job) => this.onDrop(job),
    });
    this.cache = new CodeCache({ byteBudget: config.cacheSizeLimit, onRelease: (code, reason) => this.onRelease(code, reason) });
  }

  // ── the call hook ─────────────────────────────────────────────────────────────────────

  /**
   * VmJitHook: runs `fn` natively if it is installed (and the globals its calls go through
   * still hold their functions), else counts the call.
   */
  onCall(
    fn: FunctionRef, program: Bytecode, stack: readonly Value[], argBase: number,
    framesLeft = DEFAULT_MAX_CALL_DEPTH, slotsLeft = DEFAULT_MAX_STACK_SIZE - argBase, globals?: GlobalsView,
  ): Value | undefined {
    if (!this.isEnabled) return this.pollMailbox();
    const tracked = this.trackedAt(program, fn.offset) ?? this.track(this.programs.get(program), fn, undefined);
    const entry = tracked.code ?? this.pollMailboxFor(tracked);
    if (entry !== undefined) {
      // A call at or below the bail-out's position means the bailed-out call has returned.
      if (argBase <= this.interpretAbove) this.interpretAbove = Infinity;
      else return this.interpretAndCount(tracked);
      if (!this.guardHolds(tracked, globals)) return this.guardFallback();
      this.cache.touch(entry);
      this.counters.jitExecutions++;
      const status = this.caller.callWithStack(entry.code.handle, stack, argBase, fn.arity, framesLeft, slotsLeft);
      return status === InvokeStatus.Number ? this.caller.value : this.nativeResult(this.caller.outcome(status, program), argBase);
    }
    return this.interpretAndCount(tracked);
  }

  /** VmJitHook: a loop safepoint; installs finished code and delivers interrupts. */
  onSafepoint(): void {
    this.pollMailbox();
    if (this.caller.interruptRequested) throw this.interrupted();
  }

  /** VmJitHook: arms the watchdog that stops native code when the run's time budget is spent. */
  onRunStart(timeBudgetMs: number | undefined): void {
    if (this.runDepth++ > 0) return;
    this.interpretAbove = Infinity;
    // An interrupt requested while nothing ran is for no run: drop it.
    this.caller.clearInterrupt();
    this.runBudgetMs = timeBudgetMs;
    this.runDeadline = timeBudgetMs === undefined ? Infinity : performance.now() + timeBudgetMs;
    if (timeBudgetMs !== undefined) this.watchdogToken = armInterrupt(timeBudgetMs);
  }

  /** VmJitHook: disarms the run's watchdog. */
  onRunEnd(): void {
    if (--this.runDepth > 0) return;
    if (this.watchdogToken !== undefined) disarmInterrupt(this.watchdogToken);
    this.watchdogToken = undefined;
    this.runBudgetMs = undefined;
    this.runDeadline = Infinity;
  }

  /**
   * Stops the running program with `AtlasInterrupted`: native code at its next function entry
   * or loop back edge, interpreted code at its next call or back edge. A native loop blocks
   * this thread, so to stop one from elsewhere use `interruptThread(engine.interruptId)` (from
   * `native.ts`) on any thread; on this thread (e.g. from a print callback) call this.
   */
  interrupt(): void {
    this.caller.requestInterrupt();
  }

  /** The id of this thread's interrupt flag, for `interruptThread` on another thread. */
  get interruptId(): number {
    return interruptId();
  }

  /**
   * The seed's entry point: call the function whose body starts at `offset`. Returns the
   * native result, or undefined when the caller should interpret the call. Traps throw the
   * interpreter's `AtlasRuntimeError`.
   */
  notifyCall(offset: number, bytecode: Bytecode, end: number, args: readonly unknown[]): Value | undefined {
    if (!this.isEnabled) return this.pollMailbox();
    const tracked = this.trackedAt(bytecode, offset) ?? this.trackOffset(bytecode, offset, end, args.length);
    if (args.length !== tracked.fn.arity) return undefined; // the interpreter raises the arity error
    const entry = tracked.code ?? this.pollMailboxFor(tracked);
    if (entry !== undefined) {
      this.cache.touch(entry);
      this.counters.jitExecutions++;
      // Without a VM there are no globals to check: trees that call through globals run interpreted.
      if (!this.guardHolds(tracked, undefined)) return this.guardFallback();
      const status = this.caller.callWithArgs(entry.code.handle, args);
      // A number result is read as a plain double, without building an outcome.
      return status === InvokeStatus.Number ? this.caller.value : this.nativeResult(this.caller.outcome(status, bytecode), Infinity);
    }
    return this.interpretAndCount(tracked);
  }

  // ── control ───────────────────────────────────────────────────────────────────────────

  enable(): void {
    if (this.closed) throw new Error('JitEngine is closed');
    this.isEnabled = true;
  }

  disable(): void {
    this.isEnabled = false;
  }

  get enabled(): boolean {
    return this.isEnabled;
  }

  get compilationThreshold(): number {
    return this.tracker.threshold;
  }

  set compilationThreshold(value: number) {
    this.tracker.threshold = value;
  }

  get optLevel(): OptLevel {
    return this.currentOptLevel;
  }

  set optLevel(value: OptLevel) {
    this.currentOptLevel = optLevel(value);
  }

  get workers(): number {
    return this.pool.workers;
  }

  /** Changes the compile worker count; running compiles finish on the old workers. */
  set workers(value: number) {
    integerAtLeast(value, 1, 'workers');
    this.pool.resize(value);
    this.queue.concurrency = value;
  }

  get cacheSizeLimit(): number {
    return this.cache.byteBudget;
  }

  set cacheSizeLimit(bytes: number) {
    this.cache.byteBudget = bytes;
  }

  /** Drops all code, jobs, counts and statistics; the engine starts over. */
  reset(): void {
    this.cancelJobs(() => true);
    this.cache.clear();
    this.tracker.reset();
    this.byKey.clear();
    this.programs.clear();
    this.lastCalled = undefined;
    this.counters = zeroCounters();
    this.cache.resetCounters();
    this.queue.resetCounters();
    for (const recorder of Object.values(this.latency)) recorder.clear();
  }

  /** Drops every installed function and pending job; functions count again from zero. */
  invalidateCache(): void {
    for (const program of [...this.programs.all()]) this.invalidate(program.bytecode);
  }

  /** Drops one program's code and jobs (e.g. after its globals were redefined). */
  invalidate(bytecode: Bytecode): void {
    const program = this.programs.find(bytecode);
    if (program === undefined) return;
    this.cancelJobs((job) => job.programId === program.id);
    this.cache.invalidate(program.id);
    for (const tracked of program.functions.values()) this.byKey.delete(tracked.key);
    const prefix = `${program.id}:`;
    this.tracker.forget((key) => key.startsWith(prefix));
    this.programs.delete(program);
    if (this.lastCalled?.program === program) this.lastCalled = undefined;
  }

  /** Resolves when no job waits or runs, with every finished job applied. */
  async whenIdle(): Promise<void> {
    await this.queue.onIdle();
    this.drainMailbox();
  }

  /**
   * BLOCKING: compiles one function on the calling thread and installs it. Only for tests,
   * warm-up and the benchmark that compares against background compilation; the engine
   * itself never calls it. Returns false when the translator refused the function.
   */
  compileNowBlocking(bytecode: Bytecode, offset: number): boolean {
    const program = this.programs.get(bytecode);
    const fn = program.functionAt(offset);
    if (fn === undefined) throw new RangeError(`no function starts at offset ${offset}`);
    const tracked = this.track(program, fn, undefined);
    if (tracked.code !== undefined) return true;
    const tree = this.treeOf(tracked);
    const outcome = compileFunction(this.functionJob(tracked, tree, 0), this.currentOptLevel);
    if (!outcome.ok) {
      this.tracker.markFailed(tracked.key);
      return false;
    }
    this.install(tracked, { kind: 'compiled', ...outcome });
    return true;
  }

  stats(): JitStats {
    this.drainMailbox();
    const c = this.counters;
    return {
      ...c,
      droppedJobs: this.queue.dropped,
      cachedFunctions: this.cache.size,
      cacheBytes: this.cache.byteSize,
      cacheHitRate: this.cache.hitRate,
      trackedFunctions: this.tracker.size,
      compiledFunctions: this.tracker.countIn('compiled'),
      queueDepth: this.queue.depth,
      inFlight: this.queue.inFlight,
      workers: this.pool.workers,
      workerThreads: this.pool.threadCount,
      workerUtilization: this.pool.utilization,
      nativeHandles: liveHandleCount(),
      latency: {
        queueWait: this.latency.queueWait.percentiles(),
        compile: this.latency.compile.percentiles(),
        hotToInstalled: this.latency.hotToInstalled.percentiles(),
        installDelay: this.latency.installDelay.percentiles(),
      },
    };
  }

  /** Cancels waiting jobs, lets running ones finish, releases all code, stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.isEnabled = false;
    this.cancelJobs(() => true);
    await this.queue.onIdle();
    this.drainMailbox();
    this.cache.clear();
    await this.pool.close();
  }

  // ── counting and enqueueing ───────────────────────────────────────────────────────────

  /**
   * The function of the previous call, if this call is to it again: most calls repeat the
   * last function, and two Map lookups cost as much as the native call itself.
   */
  private trackedAt(bytecode: Bytecode, offset: number): TrackedFunction | undefined {
    const last = this.lastCalled;
    return last !== undefined && last.fn.offset === offset && last.program.bytecode === bytecode ? last : undefined;
  }

  private trackOffset(bytecode: Bytecode, offset: number, end: number, arity: number): TrackedFunction {
    const program = this.programs.get(bytecode);
    return this.track(program, program.functionAt(offset) ?? syntheticFunction(offset, arity), end);
  }

  /**
   * Installs finished code, then returns `tracked`'s code if that brought it. Only calls without
   * code poll the mailbox: a call that already runs native code has nothing to gain from it.
   */
  private pollMailboxFor(tracked: TrackedFunction): CacheEntry | undefined {
    this.pollMailbox();
    return tracked.code;
  }

  private pollMailbox(): undefined {
    if (this.mailbox.hasMail()) this.drainMailbox();
    return undefined;
  }

  private track(program: ProgramState, fn: FunctionRef, end: number | undefined): TrackedFunction {
    let tracked = program.functions.get(fn.offset);
    if (tracked === undefined) {
      const key = program.keyOf(fn.offset);
      tracked = {
        key, fn, end: end ?? program.endOf(fn), program, record: this.tracker.track(key), job: undefined, code: undefined,
        tree: undefined, guardGlobals: NO_GLOBALS, guardView: undefined, guardVersion: -1,
      };
      program.functions.set(fn.offset, tracked);
      this.byKey.set(key, tracked);
    }
    this.lastCalled = tracked;
    return tracked;
  }

  private interpretAndCount(tracked: TrackedFunction): undefined {
    this.cache.recordMiss();
    this.counters.interpreterFallbacks++;
    const record = tracked.record;
    if (this.tracker.recordCall(record)) this.enqueue(tracked);
    // A waiting job's priority follows its live call count (a field write).
    else if (tracked.job !== undefined) this.queue.setPriority(tracked.job, record.calls);
    return undefined;
  }

  private nonNumericFallback(): undefined {
    this.counters.nonNumericArgCalls++;
    this.counters.jitExecutions--;
    this.counters.interpreterFallbacks++;
    return undefined;
  }

  private guardFallback(): undefined {
    this.counters.guardFallbacks++;
    this.counters.interpreterFallbacks++;
    return undefined;
  }

  /** Maps a native outcome to the hook's answer (undefined: interpret the call). */
  private nativeResult(result: NativeOutcome, argBase: number): Value | undefined {
    if (result === NOT_NUMERIC) return this.nonNumericFallback();
    if (result === BAILED_OUT) return this.bailOut(argBase);
    if (result === INTERRUPTED) throw this.interrupted();
    return result;
  }

  /**
   * Native code stopped before a limit; nothing observable happened, so the interpreter runs
   * the call. Its nested calls stay interpreted too (until a call at or below `argBase` shows
   * that it returned): entering native code again at each level of a deep recursion would
   * redo the same deep native descent once per level.
   */
  private bailOut(argBase: number): undefined {
    this.counters.bailouts++;
    this.counters.jitExecutions--;
    this.counters.interpreterFallbacks++;
    this.interpretAbove = argBase;
    return undefined;
  }

  /** The error for a delivered interrupt; the flag is cleared so later runs proceed. */
  private interrupted(): AtlasInterrupted {
    this.caller.clearInterrupt();
    this.counters.interrupts++;
    const budgetSpent = this.runBudgetMs !== undefined && performance.now() >= this.runDeadline;
    return new AtlasInterrupted(true, budgetSpent ? this.runBudgetMs : undefined);
  }

  /** Whether the globals the tree calls through hold their functions in the running VM. */
  private guardHolds(tracked: TrackedFunction, view: GlobalsView | undefined): boolean {
    const globals = tracked.guardGlobals;
    if (globals.length === 0) return true;
    if (view === undefined) return false;
    if (tracked.guardView === view && tracked.guardVersion === view.globalVersion) return true;
    if (!callTreeHolds(globals, view)) return false;
    tracked.guardView = view;
    tracked.guardVersion = view.globalVersion;
    return true;
  }

  /**
   * Queues a function that just became hot. Kept to a few field writes: in a burst every
   * request may make a function hot, while the call tree and the job's message are built
   * once per batch (`runBatch`), off the requests' path.
   */
  private enqueue(tracked: TrackedFunction): void {
    const job: CompileJob = {
      id: this.nextJobId++, key: tracked.key, programId: tracked.program.id, priority: tracked.record.calls,
      // It became hot in this very call (see interpretAndCount).
      enqueuedAt: tracked.record.hotAt, startedAt: 0, started: false, cancelled: false,
    };
    tracked.job = job;
    this.pending.set(job.id, { job, fn: tracked, applied: false, answered: false });
    publish('queued', () => this.event(tracked));
    this.queue.add(job);
  }

  /**
   * Cancels matching jobs. Waiting ones are gone for good; running ones stay pending until
   * their worker answers, and then their code is released instead of installed.
   */
  private cancelJobs(predicate: (job: CompileJob) => boolean): void {
    for (const [id, pending] of [...this.pending]) {
      const { job, fn } = pending;
      if (!predicate(job)) continue;
      this.queue.cancel(job);
      if (fn.job === job) fn.job = undefined;
      if (!job.started) this.pending.delete(id);
    }
  }

  private onDrop(job: CompileJob): void {
    const pending = this.pending.get(job.id);
    this.pending.delete(job.id);
    if (pending === undefined) return;
    if (pending.fn.job === job) pending.fn.job = undefined;
    // It may come back, but only after another threshold's worth of calls.
    this.tracker.markCold(job.key);
    pending.fn.record.calls = 0;
    publish('failed', () => this.event(pending.fn, { reason: 'dropped: compile queue full' }));
  }

  // ── running a job ─────────────────────────────────────────────────────────────────────

  /** Sends a batch to a worker; settles every job of it exactly once. */
  private async runBatch(batch: readonly CompileJob[]): Promise<void> {
    const jobs: FunctionJobSource[] = [];
    for (const job of batch) {
      this.latency.queueWait.record((job.startedAt - job.enqueuedAt) * 1000);
      const pending = this.pending.get(job.id);
      if (pending === undefined) continue;
      jobs.push(this.functionJob(pending.fn, this.treeOf(pending.fn), job.id));
    }
    if (jobs.length === 0) return;
    let answer: BatchAnswer;
    try {
      const batch = { jobs: encodeJobs(jobs), optLevel: this.currentOptLevel, mailbox: this.mailbox.buffer, ...this.faultOption() };
      // A worker that hangs is terminated after the timeout; Piscina replaces it (invariant 6).
      answer = await this.pool.run(batch, AbortSignal.timeout(this.config.compileTimeoutMs));
    } catch (error) {
      // The worker crashed, was terminated, or threw: its functions stay interpreted (those
      // it had already posted to the mailbox keep their code).
      this.drainMailbox();
      for (const job of jobs) {
        if (this.pending.get(job.jobId)?.applied === true) this.pending.delete(job.jobId);
        else this.settle(job.jobId, { kind: 'error', reason: `compile worker failed: ${errorText(error)}` }, true);
      }
      return;
    }
    for (const response of answer) this.settle(response.jobId, outcomeOf(response), true);
    // The rest were posted to the mailbox. Those not applied yet are left there for the next
    // poll (a call, a safepoint, whenIdle or stats) rather than installed here all at once:
    // installing a whole batch in the answer's turn would hold up the event loop.
    for (const job of jobs) this.answered(job.jobId);
  }

  private answered(jobId: number): void {
    const pending = this.pending.get(jobId);
    if (pending === undefined) return;
    if (pending.applied) this.pending.delete(jobId);
    else pending.answered = true;
  }

  private faultOption(): { fault?: FaultInjection } {
    const fault = this.config.faultInjection;
    return fault === undefined ? {} : { fault };
  }

  private treeOf(tracked: TrackedFunction): CallTree {
    if (tracked.tree === undefined) {
      const tree = resolveCallTree(tracked.program.bytecode, tracked.fn);
      tracked.tree = tree;
      tracked.guardGlobals = tree.globals;
    }
    return tracked.tree;
  }

  /** The job for `tracked` with its call tree. */
  private functionJob(tracked: TrackedFunction, tree: CallTree, jobId: number): FunctionJobSource {
    const { fn, program, end } = tracked;
    return {
      jobId, name: fn.name, code: program.bytecode.code, constants: program.bytecode.constants,
      start: fn.offset, end, arity: fn.arity, localCount: fn.localCount, callees: tree.callees, calls: tree.calls,
    };
  }

  private drainMailbox(): void {
    for (let entry = this.mailbox.take(); entry !== undefined; entry = this.mailbox.take()) {
      this.settle(entry.jobId, outcomeOfMail(entry), false);
    }
  }

  /**
   * Applies a job's outcome exactly once. A compiled function arrives by exactly one path:
   * the mailbox, or (when the ring was full) the worker's answer. Refusals and errors come
   * by both: the mailbox first (`final` false), then the answer with the reason.
   */
  private settle(jobId: number, outcome: Outcome, final: boolean): void {
    const pending = this.pending.get(jobId);
    if (pending === undefined) {
      // A mailbox entry of a job already ended as failed: its worker, terminated after the
      // batch timed out, still posted it. Nobody will install this code.
      if (outcome.kind === 'compiled') releaseHandle(outcome.handle);
      return;
    }
    if (final || pending.answered) this.pending.delete(jobId);
    const { job, fn } = pending;
    if (pending.applied) {
      if (outcome.kind !== 'compiled' && outcome.reason !== undefined) publish('failed', () => this.event(fn, { reason: outcome.reason }, job));
      return;
    }
    pending.applied = true;
    if (fn.job === job) fn.job = undefined;
    if (job.cancelled) {
      if (outcome.kind === 'compiled') releaseHandle(outcome.handle);
      return;
    }
    if (outcome.kind === 'compiled') this.install(fn, outcome, job);
    else this.fail(fn, outcome.kind, outcome.reason, final, job);
  }

  private install(fn: TrackedFunction, outcome: Outcome & { kind: 'compiled' }, job?: CompileJob): void {
    const code: CachedCode = { key: fn.key, programId: fn.program.id, handle: outcome.handle, codeSize: outcome.codeSize, returnType: outcome.returnType };
    this.tracker.markCompiled(fn.key);
    this.counters.compilations++;
    this.latency.compile.record(outcome.compileMicros);
    const hotToInstalled = (performance.now() - fn.record.hotAt) * 1000;
    if (fn.record.hotAt > 0) this.latency.hotToInstalled.record(hotToInstalled);
    if (outcome.postedAt !== undefined) {
      this.latency.installDelay.record((performance.timeOrigin + performance.now() - outcome.postedAt) * 1000);
    }
    publish('compiled', () => this.event(fn, { compileMicros: outcome.compileMicros, codeSize: outcome.codeSize }, job));
    const entry = this.cache.insert(code);
    if (entry.live) fn.code = entry;
    publish('installed', () => this.event(fn, { compileMicros: outcome.compileMicros, codeSize: outcome.codeSize, hotToInstalledMicros: hotToInstalled }, job));
  }

  private fail(fn: TrackedFunction, kind: 'refused' | 'error', reason: string | undefined, final: boolean, job: CompileJob): void {
    this.tracker.markFailed(fn.key);
    if (kind === 'refused') this.counters.refusedCompilations++;
    else this.counters.failedCompilations++;
    // From the mailbox the reason is not known yet; the promise publishes it.
    if (final) publish('failed', () => this.event(fn, { reason: reason ?? kind }, job));
  }

  private onRelease(code: CachedCode, reason: RemovalReason): void {
    releaseHandle(code.handle);
    const fn = this.byKey.get(code.key);
    if (fn !== undefined && fn.code?.code === code) fn.code = undefined;
    if (reason !== 'evicted') return;
    this.counters.evictions++;
    if (fn !== undefined) {
      // Evicted code may be compiled again if the function stays hot.
      fn.record.state = 'cold';
      fn.record.calls = 0;
      publish('evicted', () => this.event(fn, { codeSize: code.codeSize, reason: 'cache budget' }));
    }
  }

  private event(fn: TrackedFunction, extra: Partial<JitEvent> = {}, job: CompileJob | undefined = fn.job): JitEvent {
    const queueWaitMicros = job !== undefined && job.started ? (job.startedAt - job.enqueuedAt) * 1000 : undefined;
    return { key: fn.key, name: fn.fn.name, calls: fn.record.calls, ...(queueWaitMicros === undefined ? {} : { queueWaitMicros }), ...extra };
  }
}

const NO_GLOBALS: readonly GlobalDependency[] = [];

function outcomeOf(response: CompileResponse): Outcome {
  switch (response.outcome) {
    case 'compiled':
      return { kind: 'compiled', handle: response.handle, codeSize: response.codeSize, returnType: response.returnType, compileMicros: response.compileMicros };
    case 'refused':
      return { kind: 'refused', reason: `refused: ${response.refusal.message}` };
    case 'error':
      return { kind: 'error', reason: response.message };
  }
}

function outcomeOfMail(entry: MailboxEntry): Outcome {
  if (entry.outcome !== 'compiled') return { kind: entry.outcome, reason: undefined };
  return {
    kind: 'compiled', handle: entry.handle, codeSize: entry.codeSize,
    returnType: RETURN_TYPE_CODES[entry.returnTypeCode] ?? 'number', compileMicros: entry.compileMicros, postedAt: entry.postedAt,
  };
}

function syntheticFunction(offset: number, arity: number): FunctionRef {
  return {
    name: `fn@${offset}`, arity, offset, localCount: arity,
    paramOwnership: [], paramNames: [], returnOwnership: 'none',
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
