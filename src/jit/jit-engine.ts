/**
 * `JitEngine`: the facade of the background JIT, the interpreter's call hook. On the main
 * thread it counts calls, runs installed native code, and applies compile outcomes; the
 * life of compile jobs is `CompilePipeline`'s, installed code is `CodeCache`'s, and what the
 * engine knows of each function is one `FunctionRecord`.
 *
 * The engine plugs into the interpreter as its call hook: `new Vm(bytecode, { jit: engine })`.
 */
import type { Bytecode, FunctionRef } from '../bytecode/bytecode.js';
import {
  AtlasInterrupted, DEFAULT_MAX_CALL_DEPTH, DEFAULT_MAX_STACK_SIZE, type ExitFrame, type GlobalsView, type HookAnswer,
  loadSteadyDispatch, SAFEPOINT_INTERVAL, SIDE_EXIT, type Value, type VmJitHook,
} from '../vm/index.js';
import { guardHolds } from './call-tree.js';
import { CodeCache, type CacheEntry, type CachedCode, type RemovalReason } from './code-cache.js';
import { compileOrRefuse, crossThreadNow, failureReason, type Compiled, type Failed, type JobOutcome, type Refused } from './compile-outcome.js';
import { CompilePipeline, type PipelineJob } from './compile-pipeline.js';
import { type CompileWorkers, sameWorkerConfig } from './compile-workers.js';
import { loadGlobals, NO_GLOBAL_SLOTS, storeGlobals } from './global-slots.js';
import { jobSource } from './job-source.js';
import type { CompileJob } from './compile-queue.js';
import { countIn, HotspotTracker } from './hotspot-tracker.js';
import { type JitConfig, type ResolvedJitConfig, integerAtLeast, optLevel, resolveConfig } from './jit-config.js';
import { publish, type JitEvent, type JitTier } from './jit-events.js';
import { functionStats, type JitFunctionStats } from './function-stats.js';
import { JitCounters, JitLatencies, nativeRate, type JitStats } from './jit-stats.js';
import { kindsOf, NativeCaller } from './native-call.js';
import { RunBudget } from './run-budget.js';
import { DEOPT_MIN_RUNS, dropReason, OSR_BACKOFF } from './deopt-policy.js';
import { ExitTrial, WINDOW_ITERATIONS } from './exit-trial.js';
import { cheaperInterpreted, leafCost } from './leaf-cost.js';
import { certainRefusal, programMayCompile, type TriagedRefusal } from './static-triage.js';
import { interruptId, InvokeStatus, liveHandleCount, type NativeType, releaseHandle, requireAddon, type OptLevel } from './native.js';
import { ProgramRegistry, type FunctionRecord, type ProgramState } from './program-registry.js';
import { QUIET_BATCH, QUIET_FOREVER } from './call-gate.js';

export type { JitStats } from './jit-stats.js';
export type { FunctionState, JitFunctionStats } from './function-stats.js';

/** The counters a call that had code but ran interpreted adds to (besides `interpreterFallbacks`). */
type FallbackReason = 'guardFallbacks' | 'nonNumericArgCalls' | 'bailouts';

export class JitEngine implements VmJitHook {
  private readonly config: ResolvedJitConfig;
  private readonly tracker: HotspotTracker;
  private readonly pipeline: CompilePipeline;
  private readonly cache: CodeCache<FunctionRecord>;
  private readonly caller = new NativeCaller();
  private readonly programs = new ProgramRegistry();
  private counters = new JitCounters();
  private readonly latency = new JitLatencies();
  private isEnabled: boolean;
  /** The function of the last call (cleared when its program is forgotten); see `recordAt`. */
  private lastCalled: FunctionRecord | undefined;
  /** Some hot function or loop was refused, failed or deoptimized: the interpreter keeps running it. */
  private hotCodeInterpreted = false;
  private closed = false;
  /** After a bail-out at this stack position, deeper calls stay interpreted (see `bailOut`). */
  private interpretAbove = Infinity;
  private readonly runBudget = new RunBudget();
  /** The arguments of the interpreted call being counted: a function that becomes hot is compiled for their kinds. */
  private profileValues: readonly unknown[] = [];
  private profileBase = 0;
  private profileView: GlobalsView | undefined;
  /** The frames the last side exit handed back (VmJitHook.exitFrames). */
  private readonly exit: ExitFrame[] = [];
  /** The loop of the last `onLoop` (most safepoints repeat it). */
  private lastLoop: FunctionRecord | undefined;

  /**
   * Creates an engine. Its compile workers are started and have loaded the addon before the
   * promise resolves (unless `warmUp` is false: then the first hot function starts them), so
   * the first hot function does not wait for a thread to boot. Rejects with
   * `JitUnavailableError` (naming the platform) when no native addon loads here.
   * `workers`: compile workers started ahead of the engine (`CompileWorkers.start`, with the
   * same worker settings: count, mailbox capacity, priority, idle timeout), which it adopts
   * instead of making its own.
   */
  static async create(config: JitConfig = {}, { workers }: { workers?: CompileWorkers } = {}): Promise<JitEngine> {
    const resolved = resolveConfig(config);
    requireAddon();
    if (workers !== undefined && !sameWorkerConfig(workers.config, resolved)) {
      throw new RangeError('the compile workers were started with other worker settings than this engine\'s (workers, mailboxCapacity, compileThreadPriority, idleTimeoutMs)');
    }
    const engine = new JitEngine(resolved, workers);
    await Promise.all([engine.config.warmUp ? engine.pipeline.warmUp() : undefined, loadSteadyDispatch()]);
    return engine;
  }

  private constructor(config: ResolvedJitConfig, workers: CompileWorkers | undefined) {
    this.config = config;
    this.isEnabled = config.enabled;
    this.tracker = new HotspotTracker(config.compilationThreshold);
    this.pipeline = new CompilePipeline(config, this.latency.queueWait, {
      prepare: (fn, jobId) => this.started(fn, jobId),
      settled: (job, sent) => this.apply(job, sent),
      dropped: (job) => this.onDrop(job),
      retried: (job, reason) => publish('queued', () => this.event(job.fn, { reason }, job)),
    }, workers);
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
  ): HookAnswer {
    if (!this.isEnabled) return this.pipeline.poll();
    const record = this.recordOf(fn) ?? this.track(this.programs.get(program).track(fn));
    if (record.quietAllowed !== 0) this.settleQuiet(record);
    this.countCall(record);
    // Refused or failed for good: one count, before anything else (it never gains from a poll).
    if (record.state === 'failed') return this.neverNative(record);
    const entry = record.code ?? this.pollFor(record);
    if (entry === undefined) {
      this.profileValues = stack;
      this.profileBase = argBase;
      this.profileView = globals;
      return this.interpreted(record);
    }
    if (argBase > this.interpretAbove) return this.insideBailOut(entry);
    // A call at or below the bail-out's position means the bailed-out call has returned.
    this.interpretAbove = Infinity;
    const loaded = record.numericEntry
      ? this.caller.loadStack(stack, argBase, fn.arity, framesLeft, slotsLeft)
      : this.caller.loadFrame(stack, argBase, record.entryKinds, framesLeft, slotsLeft);
    return this.runInstalled(record, entry, globals, loaded, argBase);
  }

  /** VmJitHook: the program's call gate (`call-gate.ts`); none while disabled, so every call asks. */
  callGate(program: Bytecode): Int32Array | undefined {
    return this.isEnabled ? this.programs.get(program).gate.counts : undefined;
  }

  /**
   * VmJitHook: a call from the host (`Vm.call`, a function handle), whose arguments are at
   * `stack[1..]`. The common case (the function called last, installed, numeric) is checked in
   * a few loads and runs its code at once; anything else is `onCall`. A bail-out's mark
   * (`interpretAbove`) is left alone: a bail-out sets it at 1 or above, so it never concerns
   * a call at 1, and a host call nested in a run (from a print callback) must not clear the
   * mark of that run.
   */
  onHostCall(fn: FunctionRef, program: Bytecode, stack: readonly Value[], framesLeft: number, slotsLeft: number, globals: GlobalsView): HookAnswer {
    const record = this.lastCalled;
    const entry = record?.code;
    if (entry === undefined || record!.fn !== fn || !this.isEnabled || !record!.numericEntry) {
      return this.onCall(fn, program, stack, 1, framesLeft, slotsLeft, globals);
    }
    this.countCall(record!);
    return this.runInstalled(record!, entry, globals, this.caller.loadStack(stack, 1, fn.arity, framesLeft, slotsLeft), 1);
  }

  /** VmJitHook: the frames the last side exit handed back, outermost first. */
  get exitFrames(): readonly ExitFrame[] {
    return this.exit;
  }

  /**
   * VmJitHook: a loop header of a frame got another `SAFEPOINT_INTERVAL` back-edges. Counts
   * them toward making the loop hot (then it is compiled with an entry at its header, for the
   * frame's kinds as they are now); once its code is installed, runs the rest of the frame
   * natively from here (on-stack replacement).
   */
  onLoop(
    header: number, program: Bytecode, stack: readonly Value[], base: number, sp: number,
    framesLeft: number, slotsLeft: number, globals: GlobalsView,
  ): HookAnswer {
    if (!this.isEnabled) return undefined;
    const loop = this.loopAt(program, header);
    const entry = loop.code;
    if (entry === undefined) return this.countLoop(loop, stack, base, sp, globals);
    if (loop.backoff > 0) {
      loop.backoff--;
      if (loop.trial instanceof ExitTrial) this.trialSlice(loop, loop.trial);
      return undefined;
    }
    this.counters.osrAttempts++;
    loop.invocations++;
    this.cache.touch(entry);
    const enterable = sp - base === loop.entryKinds.length && guardHolds(loop, globals)
      && this.caller.loadFrame(stack, base, loop.entryKinds, framesLeft, slotsLeft) && this.globalsLoaded(loop, globals);
    if (!enterable) return this.fellBack('guardFallbacks');
    this.counters.osrEntries++;
    const answer = this.runNative(loop, entry, globals, Infinity);
    // A bail-out: the loop goes on interpreted for a while before native code is tried again.
    if (answer === undefined) loop.backoff = OSR_BACKOFF;
    return answer;
  }

  /** A run that left early (a side exit or a bail-out): the code is dropped if it keeps doing so (`deopt-policy.ts`). */
  private noteLeftEarly(record: FunctionRecord, bailedOut: boolean): void {
    record.leftEarly++;
    const reason = dropReason(record, bailedOut);
    if (reason !== undefined) this.deoptimize(record, reason);
  }

  /**
   * A loop's side exit, for its exit trial (`exit-trial.ts`): started once its code ran long
   * enough to be kept by the count rule; when the native window is full, the code is set
   * aside for the interpreted one.
   */
  private trialExit(loop: FunctionRecord, backEdges: number): void {
    if (loop.trial === undefined) {
      if (loop.nativeRuns >= DEOPT_MIN_RUNS) loop.trial = new ExitTrial();
      return;
    }
    if (loop.trial instanceof ExitTrial && loop.trial.nativeRun(backEdges) === 'interpret-now') {
      // Room for the window, with slack for the slices a pause leaves out of it.
      loop.backoff = (4 * WINDOW_ITERATIONS) / SAFEPOINT_INTERVAL;
    }
  }

  /** A safepoint of a loop set aside for its trial's interpreted window: back to native code for the next round, or keep or drop it after the last. */
  private trialSlice(loop: FunctionRecord, trial: ExitTrial): void {
    const verdict = trial.interpretedSlice(SAFEPOINT_INTERVAL);
    if (verdict === 'measuring') {
      // The back-off ran out before a whole interpreted window was measured: no verdict, the
      // code stays. (A bail-out's back-off during a native window is not the trial's.)
      if (loop.backoff === 0 && trial.interpreting) loop.trial = 'settled';
      return;
    }
    loop.backoff = 0;
    if (verdict === 'native-now') return;
    loop.trial = 'settled';
    if (verdict === 'drop') {
      const per = (ms: number) => `${(ms * 1e6).toFixed(0)} ns`;
      this.deoptimize(loop, `deoptimized: interpreted it runs ${per(trial.interpretedMs)} per iteration, natively with its exits ${per(trial.nativeMs)}`);
    }
  }

  /** Drops `record`'s code for good: it runs interpreted from now on. */
  private deoptimize(record: FunctionRecord, reason: string): void {
    if (record.code === undefined) return;
    this.cache.delete(record.code);
    this.leaveToInterpreter(record);
    this.counters.deoptimizations++;
    record.lastEnd = { kind: 'deoptimized', reason };
    publish('deopt', () => this.event(record, { reason }));
  }

  /**
   * VmJitHook: a loop safepoint; installs finished code and delivers interrupts. True once hot
   * code was left to the interpreter and no compile is queued or running: the VM's warm-up
   * with this engine is over, and it moves to its steady-state dispatch loop.
   */
  onSafepoint(): boolean {
    this.pipeline.poll();
    if (this.caller.interruptRequested) throw this.interrupted();
    return this.hotCodeInterpreted && this.pipeline.idle;
  }

  /** VmJitHook: arms the watchdog that stops native code when the run's time budget is spent. */
  onRunStart(timeBudgetMs: number | undefined): void {
    if (this.runBudget.idle) {
      this.interpretAbove = Infinity;
      // An interrupt requested while nothing ran is for no run: drop it. Before the watchdog is
      // armed: a budget that ran out in between (a short one, on a busy machine) would be dropped too.
      this.caller.clearInterrupt();
    }
    this.runBudget.start(timeBudgetMs);
  }

  /** VmJitHook: disarms the run's watchdog. */
  onRunEnd(): void {
    this.runBudget.end();
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
    if (!this.isEnabled) return this.pipeline.poll();
    const record = this.recordAt(bytecode, offset, args.length) ?? this.trackOffset(bytecode, offset, end, args.length);
    if (record === undefined) return undefined; // the interpreter raises the arity error
    this.countCall(record);
    if (record.state === 'failed') return this.neverNative(record);
    const entry = record.code ?? this.pollFor(record);
    if (entry === undefined) {
      this.profileValues = args;
      this.profileBase = 0;
      this.profileView = undefined;
      return this.interpreted(record);
    }
    const loaded = record.numericEntry ? this.caller.loadArgs(args) : this.caller.loadArgKinds(args, record.entryKinds);
    // Without a VM there are no globals to check: trees that call through globals run interpreted.
    const answer = this.runInstalled(record, entry, undefined, loaded, Infinity);
    // Without globals native code has no effects, so a call it left part-way is run again whole.
    return answer === SIDE_EXIT ? undefined : answer;
  }

  // ── control ───────────────────────────────────────────────────────────────────────────

  enable(): void {
    this.assertOpen();
    this.isEnabled = true;
  }

  /** What needs workers or installs code cannot happen after `close()`: it would outlive it. */
  private assertOpen(): void {
    if (this.closed) throw new Error('JitEngine is closed');
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
    // Quiet calls were allowed up to the old threshold.
    this.openGates();
  }

  get optLevel(): OptLevel {
    return this.pipeline.optLevel;
  }

  set optLevel(value: OptLevel) {
    this.pipeline.optLevel = optLevel(value);
  }

  get workers(): number {
    return this.pipeline.workers;
  }

  /** Changes the compile worker count; running compiles finish on the old workers. */
  set workers(value: number) {
    this.assertOpen();
    integerAtLeast(value, 1, 'workers');
    this.pipeline.workers = value;
  }

  get cacheSizeLimit(): number {
    return this.cache.byteBudget;
  }

  set cacheSizeLimit(bytes: number) {
    this.cache.byteBudget = bytes;
  }

  /** Drops all code, jobs, counts and statistics; the engine starts over. */
  reset(): void {
    this.openGates();
    for (const record of this.programs.functions()) this.pipeline.cancel(record);
    this.cache.clear();
    this.programs.clear();
    this.lastCalled = undefined;
    this.lastLoop = undefined;
    this.counters = new JitCounters();
    this.cache.resetCounters();
    this.pipeline.resetCounters();
    this.latency.clear();
  }

  /** Drops every installed function and pending job; functions count again from zero. */
  invalidateCache(): void {
    for (const program of [...this.programs.all()]) this.invalidate(program.bytecode);
  }

  /** Drops one program's code and jobs (e.g. after its globals were redefined). */
  invalidate(bytecode: Bytecode): void {
    const program = this.programs.find(bytecode);
    if (program === undefined) return;
    // VMs running it keep its gate: open, their calls ask and reach the program's next version.
    this.openGates([program]);
    for (const record of program.functions()) {
      if (record.code !== undefined || record.job !== undefined) publish('invalidated', () => this.event(record, { reason: 'program invalidated' }));
      this.pipeline.cancel(record);
      if (record.code !== undefined) this.cache.delete(record.code);
    }
    this.programs.delete(program);
    if (this.lastCalled?.program === program) this.lastCalled = undefined;
    if (this.lastLoop?.program === program) this.lastLoop = undefined;
  }

  /**
   * Starts the compile workers now, without waiting for them: they boot (a thread, its
   * modules, the addon: tens of milliseconds) on another core while this thread goes on, so
   * the first hot function or loop does not wait for them. For an engine created with
   * `warmUp: false` that expects work soon, e.g. before running a program that has loops.
   */
  startWorkers(): void {
    this.assertOpen();
    this.pipeline.prestart();
  }

  /**
   * True once the workers `startWorkers()` started have booted (each has loaded the addon and
   * waits for work), or failed to: a compile sent now starts at once. Synchronous, so a host
   * running a program need not yield to learn it (see `atlas-jit run`, which interprets without
   * the engine until then).
   */
  get workersReady(): boolean {
    return this.pipeline.workersReady;
  }

  /**
   * `startWorkers()` if `bytecode` has something that may compile, as far as its text tells
   * (`static-triage.ts`): a program whose every function and loop would certainly be refused
   * never needs a compile worker, and starting one beside its run costs it ~20 ms (strings-
   * arrays, BENCHMARKS.md). True when the workers were started.
   */
  startWorkersFor(bytecode: Bytecode): boolean {
    if (!programMayCompile(bytecode)) return false;
    this.startWorkers();
    return true;
  }

  /** Resolves when no job waits or runs, with every finished job applied. */
  whenIdle(): Promise<void> {
    return this.pipeline.whenIdle();
  }

  /**
   * BLOCKING: compiles one function on the calling thread and installs it. Only for tests,
   * warm-up and the benchmark that compares against background compilation; the engine
   * itself never calls it. Returns false when the translator refused the function. `arity`
   * picks among function constants that share the body at `offset` (default: the first).
   */
  compileNowBlocking(bytecode: Bytecode, offset: number, arity?: number): boolean {
    this.assertOpen();
    const program = this.programs.get(bytecode);
    const fn = arity === undefined ? program.functionAt(offset) : program.functionOf(offset, arity);
    if (fn === undefined) throw new RangeError(`no function of ${arity ?? 'any'} parameters starts at offset ${offset}`);
    const record = this.track(program.track(fn));
    if (record.code !== undefined) return true;
    const outcome = compileOrRefuse(jobSource(record, 0), this.pipeline.optLevel);
    if (outcome.kind !== 'compiled') {
      this.tracker.markFailed(record);
      record.lastEnd = { kind: 'refused', reason: failureReason(outcome) };
      return false;
    }
    this.install(record, outcome, undefined, undefined);
    return true;
  }

  stats(): JitStats {
    this.pipeline.poll();
    this.openGates();
    return {
      ...this.counters,
      ...this.pipeline.stats(),
      cachedFunctions: this.cache.size,
      cacheBytes: this.cache.byteSize,
      cacheHitRate: this.cache.hitRate,
      nativeRate: nativeRate(this.counters),
      trackedFunctions: this.programs.functionCount(),
      compiledFunctions: countIn(this.programs.functions(), 'compiled'),
      nativeHandles: liveHandleCount(),
      latency: this.latency.percentiles(),
    };
  }

  /**
   * Each function and loop the engine tracks (of programs not invalidated since), most called
   * first: its calls, how many ran natively, where its code is, its sizes and compile time.
   */
  functions(): JitFunctionStats[] {
    this.pipeline.poll();
    this.openGates();
    return [...this.programs.functions()].map(functionStats).sort((a, b) => b.calls - a.calls);
  }

  /** Cancels waiting jobs, lets running ones finish, releases all code, stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.isEnabled = false;
    for (const record of this.programs.functions()) this.pipeline.cancel(record);
    await this.pipeline.whenIdle();
    this.cache.clear();
    await this.pipeline.close();
  }

  // ── counting calls ────────────────────────────────────────────────────────────────────

  /**
   * The function of the previous call, if this call is to it again: most calls repeat the
   * last function, and two Map lookups cost as much as the native call itself.
   */
  private recordOf(fn: FunctionRef): FunctionRecord | undefined {
    const last = this.lastCalled;
    return last !== undefined && last.fn === fn ? last : undefined;
  }

  /** `recordOf` for a call by body offset and arity (`notifyCall`). */
  private recordAt(bytecode: Bytecode, offset: number, arity: number): FunctionRecord | undefined {
    const last = this.lastCalled;
    return last !== undefined && last.fn.offset === offset && last.fn.arity === arity && last.program.bytecode === bytecode ? last : undefined;
  }

  private trackOffset(bytecode: Bytecode, offset: number, end: number, arity: number): FunctionRecord | undefined {
    const program = this.programs.get(bytecode);
    const fn = program.functionOf(offset, arity);
    return fn === undefined ? undefined : this.track(program.track(fn, end));
  }

  private track(record: FunctionRecord): FunctionRecord {
    this.lastCalled = record;
    return record;
  }

  /**
   * Installs finished code, then returns `record`'s code if that brought it. Only calls without
   * code poll the mailbox: a call that already runs native code has nothing to gain from it.
   */
  private pollFor(record: FunctionRecord): CacheEntry<FunctionRecord> | undefined {
    this.pipeline.poll();
    return record.code;
  }

  /** A call the interpreter runs; it counts towards making the function hot. */
  private interpreted(record: FunctionRecord): undefined {
    this.counters.interpreterFallbacks++;
    this.cache.recordMiss();
    if (this.tracker.recordCall(record)) {
      if (this.keptInterpreted(record)) {
        record.program.gate.quiet(record, QUIET_FOREVER);
        return undefined;
      }
      this.enqueueCall(record);
    }
    // A waiting job's priority follows its live call count (a field write).
    else if (record.job !== undefined) this.pipeline.follow(record.job, record.calls);
    // Until it is hot (or while its job waits) its calls need not ask: they only count.
    const quiet = record.state === 'cold' ? this.tracker.threshold - record.calls - 1 : QUIET_BATCH;
    record.program.gate.quiet(record, quiet);
    return undefined;
  }

  /**
   * Whether a function that just became hot stays interpreted for good, being cheaper to
   * interpret than to call natively (`leaf-cost.ts`); its callers still compile it.
   */
  private keptInterpreted(record: FunctionRecord): boolean {
    const summary = record.program.bytecode.analysis.bodySummary(record.fn);
    if (!cheaperInterpreted(summary, this.config.interpretedLeafLimit)) return false;
    this.leaveToInterpreter(record);
    record.lastEnd = { kind: 'interpreted', reason: `cheaper interpreted: costs ${leafCost(summary)} instructions, no loop or call` };
    return true;
  }

  /** Counts one call of `record` that reached the engine (the gate's quiet calls are counted in `countQuiet`). */
  private countCall(record: FunctionRecord): void {
    this.counters.trackedCalls++;
    record.invocations++;
  }

  /**
   * Adds the calls the gate ran without asking (`call-gate.ts`) to `record`'s counts, as
   * `interpreted`/`neverNative` would have one by one; before its state changes or is read.
   */
  private settleQuiet(record: FunctionRecord): void {
    this.countQuiet(record, record.program.gate.settle(record));
  }

  private countQuiet(record: FunctionRecord, calls: number): void {
    this.counters.trackedCalls += calls;
    this.counters.interpreterFallbacks += calls;
    record.invocations += calls;
    if (record.state === 'failed') return;
    record.calls += calls;
    this.cache.recordMiss(calls);
  }

  /** Opens every program's gate (counts settled): each next call asks again. */
  private openGates(programs: Iterable<ProgramState> = this.programs.all()): void {
    for (const program of programs) program.openGate((record, calls) => this.countQuiet(record, calls));
  }

  /**
   * The one path that runs installed code, for `onCall` and `notifyCall` alike (`loaded`:
   * whether the arguments were numbers and are in place). It counts the call once, by what
   * happened: a native run, or a fallback with its reason.
   */
  private runInstalled(
    record: FunctionRecord, entry: CacheEntry<FunctionRecord>, view: GlobalsView | undefined, loaded: boolean, argBase: number,
  ): HookAnswer {
    this.cache.touch(entry);
    if (!guardHolds(record, view)) return this.fellBack('guardFallbacks');
    if (!loaded) return this.fellBack('nonNumericArgCalls');
    if (record.globalSlots !== NO_GLOBAL_SLOTS) {
      return this.globalsLoaded(record, view) ? this.runNative(record, entry, view, argBase) : this.fellBack('guardFallbacks');
    }
    // The common case kept small: no globals, and a number result read as a plain double.
    const status = this.caller.invoke(entry.code.handle);
    if (status === InvokeStatus.Number) {
      this.counters.jitExecutions++;
      record.nativeRuns++;
      return this.caller.value;
    }
    return this.unusualResult(status, record, view, argBase);
  }

  /** Whether `record`'s globals still hold their slots' kinds; if so they are in the invoke area. */
  private globalsLoaded(record: FunctionRecord, view: GlobalsView | undefined): boolean {
    const slots = record.globalSlots;
    return slots === NO_GLOBAL_SLOTS || (view !== undefined && loadGlobals(slots, record.globalCells.of(slots, view), this.caller.globals));
  }

  /**
   * Runs loaded code (its frame and globals are in the invoke area) and copies back the
   * globals it wrote; answers a value, a side exit, or undefined after a bail-out.
   */
  private runNative(record: FunctionRecord, entry: CacheEntry<FunctionRecord>, view: GlobalsView | undefined, argBase: number): HookAnswer {
    const status = this.caller.invoke(entry.code.handle);
    const slots = record.globalSlots;
    // A bail-out is discarded whole; every other end keeps what native code wrote.
    if (status !== InvokeStatus.BailedOut && slots.written.length > 0 && view !== undefined) {
      // The cells `globalsLoaded` checked before this run (cached: two compares).
      storeGlobals(slots, record.globalCells.of(slots, view)!, this.caller.globals);
    }
    return this.unusualResult(status, record, view, argBase);
  }

  /** The call's answer for any status (kept out of `runNative`'s fast path, which stays small). */
  private unusualResult(status: InvokeStatus, record: FunctionRecord, view: GlobalsView | undefined, argBase: number): HookAnswer {
    record.nativeRuns++;
    if (status === InvokeStatus.BailedOut) {
      record.bailouts++;
      this.noteLeftEarly(record, true);
      return this.bailOut(argBase);
    }
    this.counters.jitExecutions++;
    if (status === InvokeStatus.Interrupted) throw this.interrupted();
    if (status === InvokeStatus.SideExit) return this.sideExit(record, view);
    return this.caller.resultOf(status, record.program.bytecode, record);
  }

  /** Native code left part-way: the VM continues the frame from what it handed back. */
  private sideExit(record: FunctionRecord, view: GlobalsView | undefined): typeof SIDE_EXIT {
    this.counters.sideExits++;
    const backEdges = this.caller.exitBackEdges;
    record.exitBackEdges += backEdges;
    this.noteLeftEarly(record, false);
    // Loops only: a function's exit ends its call, there is no iteration to weigh.
    if (record.code !== undefined && record.entry !== record.fn.offset) this.trialExit(record, backEdges);
    this.caller.exitFrames(record.program.bytecode, view, this.exit);
    return SIDE_EXIT;
  }

  /** The record of the loop at `header` (the last one again, most of the time). */
  private loopAt(program: Bytecode, header: number): FunctionRecord {
    const last = this.lastLoop;
    if (last !== undefined && last.entry === header && last.program.bytecode === program) return last;
    this.lastLoop = this.programs.get(program).trackLoop(header);
    return this.lastLoop;
  }

  /** Counts a slice of back-edges of a loop without code; a loop that gets hot is compiled for the frame as it is now. */
  private countLoop(loop: FunctionRecord, stack: readonly Value[], base: number, sp: number, view: GlobalsView): undefined {
    if (this.tracker.recordLoop(loop, SAFEPOINT_INTERVAL, this.config.osrThreshold)) {
      const kinds = kindsOf(stack, base, sp - base);
      if (kinds === undefined) {
        // The frame holds values native code cannot take (strings, arrays…): not this time.
        this.tracker.markCold(loop);
        loop.calls = 0;
        return undefined;
      }
      this.profile(loop, kinds, view);
      this.enqueue(loop);
    } else if (loop.job !== undefined) {
      this.pipeline.follow(loop.job, loop.calls);
    }
    return undefined;
  }

  /** Sets what `record` is compiled for: its entry frame's kinds, and the VM whose globals give the slots' kinds. */
  private profile(record: FunctionRecord, kinds: readonly NativeType[], view: GlobalsView | undefined): void {
    record.entryKinds = kinds;
    record.numericEntry = kinds.every((kind) => kind === 'number');
    record.view = view;
  }

  /** A call of a function that will never run natively. */
  private neverNative(record: FunctionRecord): undefined {
    this.counters.interpreterFallbacks++;
    // Its calls never need the engine again.
    record.program.gate.quiet(record, QUIET_FOREVER);
    return undefined;
  }

  /** A call that had code but ran interpreted, for `reason`. */
  private fellBack(reason: FallbackReason): undefined {
    this.counters[reason]++;
    this.counters.interpreterFallbacks++;
    return undefined;
  }

  /** A call nested in a call that bailed out: it has code, but runs interpreted (see `bailOut`). */
  private insideBailOut(entry: CacheEntry<FunctionRecord>): undefined {
    this.cache.touch(entry);
    this.counters.interpreterFallbacks++;
    return undefined;
  }

  /**
   * Native code stopped before a limit; nothing observable happened, so the interpreter runs
   * the call. Its nested calls stay interpreted too (until a call at or below `argBase` shows
   * that it returned): entering native code again at each level of a deep recursion would
   * redo the same deep native descent once per level.
   */
  private bailOut(argBase: number): undefined {
    this.interpretAbove = argBase;
    return this.fellBack('bailouts');
  }

  /** The error for a delivered interrupt; the flag is cleared so later runs proceed. */
  private interrupted(): AtlasInterrupted {
    this.caller.clearInterrupt();
    this.counters.interrupts++;
    return new AtlasInterrupted(true, this.runBudget.spent());
  }

  // ── jobs and their outcomes ───────────────────────────────────────────────────────────

  private enqueue(record: FunctionRecord): void {
    const refusal = certainRefusal(record.program.bytecode, record, record.view);
    if (refusal !== undefined) return this.refuseHere(record, refusal);
    publish('queued', () => this.event(record, { queueDepth: this.pipeline.stats().queueDepth }));
    this.pipeline.enqueue(record);
  }

  /** A refusal the translator would certainly make (`static-triage.ts`), made here: no job, no worker. */
  private refuseHere(record: FunctionRecord, { message, offset }: TriagedRefusal): void {
    this.refuse(record, `refused: ${message}`, offset, undefined);
  }

  /** A refusal, by a worker's translator (`job`'s) or the triage: the record stays interpreted for good. */
  private refuse(record: FunctionRecord, reason: string, offset: number, job: CompileJob | undefined): void {
    this.leaveToInterpreter(record);
    this.counters.refusedCompilations++;
    record.lastEnd = { kind: 'refused', reason };
    const span = record.program.bytecode.spanAt(offset);
    publish('refused', () => this.event(record, { reason, offset, ...(span === undefined ? {} : { span }) }, job));
  }

  /** A job leaves the queue for a worker: its input is made now, off the call that made it hot. */
  private started(record: FunctionRecord, jobId: number): ReturnType<typeof jobSource> {
    // The batch is sent with the level of this moment.
    record.jobOptLevel = this.pipeline.optLevel;
    publish('started', () => this.event(record, { compileId: jobId, optLevel: record.jobOptLevel }));
    return jobSource(record, jobId);
  }

  /** A function that became hot in the call being counted: compiled for that call's argument kinds. */
  private enqueueCall(record: FunctionRecord): void {
    const kinds = kindsOf(this.profileValues, this.profileBase, record.fn.arity);
    // Arguments native code cannot take: compile for numbers; such calls stay interpreted.
    this.profile(record, kinds ?? Array<NativeType>(record.fn.arity).fill('number'), this.profileView);
    this.enqueue(record);
  }

  private onDrop(job: PipelineJob): void {
    const { fn } = job;
    this.settleQuiet(fn);
    const reason = 'compile queue full';
    fn.lastEnd = { kind: 'dropped', reason };
    publish('dropped', () => this.event(fn, { reason }, job));
    // It may come back, but only after another threshold's worth of calls.
    this.tracker.markCold(fn);
    fn.calls = 0;
  }

  private apply(job: PipelineJob, sent: JobOutcome): void {
    const { outcome } = sent;
    // Its quiet calls ran while it waited; from now on its calls ask (code to run, or a refusal to learn).
    this.settleQuiet(job.fn);
    if (outcome.kind === 'compiled') this.install(job.fn, outcome, job, sent.postedAt);
    else this.fail(job.fn, outcome, job);
  }

  private install(record: FunctionRecord, outcome: Compiled, job: CompileJob | undefined, postedAt: number | undefined): void {
    const code: CachedCode<FunctionRecord> = {
      key: record.key, owner: record, programId: record.program.id, handle: outcome.handle, codeSize: outcome.codeSize, returnType: outcome.returnType,
    };
    this.tracker.markCompiled(record);
    this.counters.compilations++;
    this.latency.compile.record(outcome.compileMicros);
    record.compileMicros += outcome.compileMicros;
    const hotToInstalled = (performance.now() - record.hotAt) * 1000;
    if (record.hotAt > 0) this.latency.hotToInstalled.record(hotToInstalled);
    if (postedAt !== undefined) this.latency.installDelay.record((crossThreadNow() - postedAt) * 1000);
    const sizes = { compileMicros: outcome.compileMicros, codeSize: outcome.codeSize, optLevel: job === undefined ? this.pipeline.optLevel : record.jobOptLevel };
    publish('compiled', () => this.event(record, sizes, job));
    // A record holds at most one entry: earlier code of the function leaves the cache first.
    if (record.code !== undefined) this.cache.delete(record.code);
    const entry = this.cache.insert(code);
    // Code larger than the whole budget was evicted as it went in: it was never installed.
    if (!entry.live) return;
    record.code = entry;
    // New code is weighed afresh (`exit-trial.ts`).
    record.trial = undefined;
    publish('installed', () => this.event(record, { ...sizes, hotToInstalledMicros: hotToInstalled }, job));
  }

  private fail(record: FunctionRecord, outcome: Refused | Failed, job: CompileJob): void {
    const reason = failureReason(outcome);
    if (outcome.kind === 'refused') return this.refuse(record, reason, outcome.refusal.offset, job);
    this.leaveToInterpreter(record);
    this.counters.failedCompilations++;
    record.lastEnd = { kind: 'failed', reason };
    publish('failed', () => this.event(record, { reason }, job));
  }

  /** A hot function or loop stays interpreted for good (refused, failed or deoptimized). */
  private leaveToInterpreter(record: FunctionRecord): void {
    this.tracker.markFailed(record);
    this.hotCodeInterpreted = true;
  }

  private onRelease(code: CachedCode<FunctionRecord>, reason: RemovalReason): void {
    releaseHandle(code.handle);
    const record = code.owner;
    if (record.code?.code === code) record.code = undefined;
    if (reason !== 'evicted') return;
    this.settleQuiet(record);
    this.counters.evictions++;
    record.lastEnd = { kind: 'evicted', reason: 'cache budget' };
    // Evicted code may be compiled again if the function stays hot.
    this.tracker.markEvicted(record);
    publish('evicted', () => this.event(record, { codeSize: code.codeSize, reason: 'cache budget' }));
  }

  private event(record: FunctionRecord, extra: Partial<JitEvent> = {}, job: CompileJob | undefined = record.job): JitEvent {
    // A dropped job settles without having started.
    const started = job !== undefined && job.startedAt > 0;
    return {
      key: record.key, name: record.fn.name, calls: record.calls, tier: tierOf(record), entry: record.entry, bytecodeBytes: record.end - record.fn.offset,
      ...(job === undefined ? {} : { compileId: job.id }),
      ...(started ? { queueWaitMicros: (job.startedAt - job.enqueuedAt) * 1000 } : {}),
      ...extra,
    };
  }
}


function tierOf(record: FunctionRecord): JitTier {
  return record.entry === record.fn.offset ? 'function' : 'osr';
}
