/**
 * `CompilePipeline`: the life of compile jobs, from a hot function to its outcome. It owns
 * the queue, the worker pool and the install mailbox, and reports back to the engine through
 * callbacks, like `CompileQueue` and `CodeCache` do.
 *
 * Each job has one explicit state (`CompileJob.state`):
 *
 *   waiting ──(taken into a batch)──▶ running ──(its outcome arrives)──▶ settled
 *      └────────(dropped, or cancelled while waiting)──────────────────────▲
 *
 * Nothing here waits for the event loop (docs/design.md, invariant 2). A batch goes to a
 * worker's compile session at once (`CompilePool`); each outcome comes back by exactly one
 * path — compiled code through the mailbox ring, refusals and errors (which carry reasons) and
 * code a full ring turned away on the session's outcome port — and the mailbox's doorbell
 * rings for both. `poll`, on calls without code and at safepoints, is one atomic load of the
 * doorbell; when it rang, it applies what arrived, and a batch its worker counted done frees
 * that worker for the next batch in the same poll. When the event loop gets a turn, a watcher
 * sleeping on the done bell does the same once per batch. The event loop is needed only to
 * hear of a worker that crashed or hung, which costs at most its batch (invariant 6). A
 * running job that is cancelled stays running until its outcome comes, and then its code is
 * released instead of reported.
 */
import { encodeJobs } from './batch-codec.js';
import { type CompileOutcome, crossThreadNow, type JobOutcome } from './compile-outcome.js';
import { CompilePool, type CompileSession } from './compile-pool.js';
import type { FunctionJobSource } from './compile-protocol.js';
import { CompileQueue, type CompileJob } from './compile-queue.js';
import { InstallMailbox } from './install-mailbox.js';
import type { ResolvedJitConfig } from './jit-config.js';
import type { LatencyRecorder } from './latency-recorder.js';
import { releaseHandle, type OptLevel } from './native.js';
import type { FunctionRecord } from './program-registry.js';

/** A job and the function it compiles. */
export interface PipelineJob extends CompileJob {
  readonly fn: FunctionRecord;
}

/**
 * A batch on its way through a session: finished when the worker counts it done (its jobs'
 * outcomes sent, though compiled code may still wait in the mailbox for a poll).
 */
interface Dispatch {
  readonly batch: readonly PipelineJob[];
  readonly session: CompileSession;
  readonly timeout: NodeJS.Timeout;
  readonly done: () => void;
}

/** How long a sleep on the done bell lasts before looking again anyway (a safety net). */
const DONE_RECHECK_MS = 50;

export interface PipelineCallbacks {
  /** The job's input (made when its batch starts, off the path of the call that made it hot). */
  readonly prepare: (fn: FunctionRecord, jobId: number) => FunctionJobSource;
  /** A job's outcome arrived; called once per job that was not cancelled. */
  readonly settled: (job: PipelineJob, sent: JobOutcome) => void;
  /** A waiting job was dropped because the queue was full. */
  readonly dropped: (job: PipelineJob) => void;
}

export class CompilePipeline {
  private readonly queue: CompileQueue<PipelineJob>;
  private readonly pool: CompilePool;
  private readonly mailbox: InstallMailbox;
  /** Jobs sent to a worker whose outcome was not applied yet, by id (outcomes name their job by id). */
  private readonly running = new Map<number, PipelineJob>();
  /** Each session's unfinished batches, oldest first (a session compiles them in order). */
  private readonly dispatches = new Map<CompileSession, Dispatch[]>();
  /** The doorbell's count when the mailbox ring was last emptied. */
  private bellSeen = 0;
  /** Whether an event-loop watcher waits on the done bell (see `watch`). */
  private watching = false;
  private nextJobId = 1;
  optLevel: OptLevel;

  constructor(
    private readonly config: ResolvedJitConfig,
    private readonly queueWait: LatencyRecorder,
    private readonly callbacks: PipelineCallbacks,
  ) {
    this.optLevel = config.optLevel;
    this.mailbox = new InstallMailbox(config.mailboxCapacity);
    this.bellSeen = this.mailbox.bell;
    this.pool = new CompilePool({
      workers: config.workers, idleTimeoutMs: config.idleTimeoutMs, threadPriority: config.compileThreadPriority,
      mailbox: this.mailbox, fault: config.faultInjection, onSessionEnd: (session, error) => this.sessionFailed(session, error),
    });
    this.queue = new CompileQueue<PipelineJob>({
      concurrency: config.workers, maxQueue: config.maxQueue, batchSize: config.compileBatchSize,
      run: (batch) => this.runBatch(batch), onDrop: (job) => this.drop(job),
    });
  }

  /**
   * Queues `fn`, which just became hot. Kept to a few field writes: in a burst every request
   * may make a function hot, while the job's input is prepared once per batch (`runBatch`).
   */
  enqueue(fn: FunctionRecord): void {
    const job: PipelineJob = {
      id: this.nextJobId++, fn, priority: fn.calls,
      // It became hot in this very call.
      enqueuedAt: fn.hotAt, startedAt: 0, state: 'waiting', cancelled: false,
    };
    fn.job = job;
    this.queue.add(job);
  }

  /** A waiting job's priority follows its function's live call count (a field write). */
  follow(job: CompileJob, calls: number): void {
    this.queue.setPriority(job, calls);
  }

  /** Cancels `fn`'s job, if it has one: settled at once if waiting, its outcome released if running. */
  cancel(fn: FunctionRecord): void {
    const job = fn.job;
    if (job === undefined) return;
    fn.job = undefined;
    this.queue.cancel(job);
  }

  /** Applies what the workers left, if anything (one atomic load when they left nothing). */
  poll(): undefined {
    if (this.mailbox.bell !== this.bellSeen) this.drain();
    return undefined;
  }

  /** Resolves when no job waits or runs, with every outcome applied. */
  async whenIdle(): Promise<void> {
    for (;;) {
      const bell = this.mailbox.doneBell;
      this.drain();
      if (this.queue.isIdle && this.running.size === 0) return;
      // Rings when a batch is done or a session ends: once per batch, not per function.
      await this.mailbox.waitForDone(bell, DONE_RECHECK_MS);
    }
  }

  /** Starts the compile workers and resolves once each has loaded the compiler. */
  warmUp(): Promise<void> {
    return this.pool.warmUp();
  }

  get workers(): number {
    return this.pool.workers;
  }

  /** Changes the worker count; running compiles finish on the old workers. */
  set workers(value: number) {
    this.pool.resize(value);
    this.queue.concurrency = value;
  }

  stats(): { droppedJobs: number; queueDepth: number; inFlight: number; workers: number; workerThreads: number; workerUtilization: number } {
    return {
      droppedJobs: this.queue.dropped, queueDepth: this.queue.depth, inFlight: this.running.size,
      workers: this.pool.workers, workerThreads: this.pool.threadCount, workerUtilization: this.pool.utilization,
    };
  }

  resetCounters(): void {
    this.queue.resetCounters();
  }

  /** Stops the workers (after `whenIdle`, so that no outcome is left unapplied). */
  close(): Promise<void> {
    return this.pool.close();
  }

  private drop(job: PipelineJob): void {
    if (job.fn.job === job) job.fn.job = undefined;
    this.callbacks.dropped(job);
  }

  /**
   * Sends a batch to a worker's session, synchronously; the promise resolves when the batch
   * is finished (which `finish` also tells the queue at once).
   */
  private runBatch(batch: readonly PipelineJob[]): Promise<void> {
    for (const job of batch) this.queueWait.record((job.startedAt - job.enqueuedAt) * 1000);
    const sources = batch.map((job) => this.callbacks.prepare(job.fn, job.id));
    return new Promise<void>((done) => {
      const session = this.pool.session();
      const timeout = setTimeout(() => this.timedOut(dispatch), this.config.compileTimeoutMs);
      timeout.unref();
      const dispatch: Dispatch = { batch, session, timeout, done };
      this.dispatchesOf(session).push(dispatch);
      for (const job of batch) this.running.set(job.id, job);
      this.pool.noteBusy(session);
      session.send({ jobs: encodeJobs(sources), optLevel: this.optLevel });
      this.watch();
    });
  }

  /**
   * While batches run, the event loop (when it gets a turn) takes the next batch as soon as a
   * worker is done, as a poll would: a server waiting for requests makes no calls that poll.
   * It applies only what the ring cannot hold; compiled code waits for the next poll, so that
   * one turn never installs a whole batch.
   */
  private watch(): void {
    if (this.watching) return;
    this.watching = true;
    void this.watchLoop().finally(() => {
      this.watching = false;
    });
  }

  private async watchLoop(): Promise<void> {
    while (this.dispatches.size > 0) {
      const bell = this.mailbox.doneBell;
      this.drain(false);
      if (this.dispatches.size === 0) return;
      await this.mailbox.waitForDone(bell, DONE_RECHECK_MS);
    }
  }

  /** A batch still running after the timeout: its worker is terminated (docs/design.md, invariant 6). */
  private timedOut(dispatch: Dispatch): void {
    this.drain(false);
    if (this.dispatches.get(dispatch.session)?.includes(dispatch) === true) dispatch.session.abort('compile timed out');
  }

  /**
   * Applies what the workers left: the ring's entries (unless `ring` is false), each session's
   * outcome port, then finishes the batches their workers counted done. The done counts are
   * read first: a worker counts a batch done after sending its outcomes, so every outcome of
   * a batch counted done is applied (or waits in the ring) by the time it finishes here.
   */
  private drain(ring = true): void {
    const done = [...this.dispatches.keys()].map((session) => [session, session.done] as const);
    if (ring) {
      this.bellSeen = this.mailbox.bell;
      for (let sent = this.mailbox.take(); sent !== undefined; sent = this.mailbox.take()) this.settle(sent);
    }
    for (const session of this.pool.sessions()) this.takeAside(session);
    for (const [session, count] of done) {
      const list = this.dispatches.get(session) ?? [];
      while (session.finished < count && list.length > 0) this.finish(list[0]!);
    }
  }

  private takeAside(session: CompileSession): void {
    for (let sent = session.takeOutcome(); sent !== undefined; sent = session.takeOutcome()) this.settle(sent);
  }

  /** A session ended without being stopped: what it left is applied, the rest of its batches fail. */
  private sessionFailed(session: CompileSession, error: unknown): void {
    this.drain();
    // The pool no longer lists a crashed session, so its port is emptied here.
    this.takeAside(session);
    const outcome: CompileOutcome = { kind: 'error', message: `compile worker failed: ${errorText(error)}` };
    for (const dispatch of [...(this.dispatches.get(session) ?? [])]) {
      for (const job of dispatch.batch) if (this.running.has(job.id)) this.settle({ jobId: job.id, outcome, postedAt: crossThreadNow() });
      this.finish(dispatch);
    }
  }

  /** Ends a running job with its outcome; the only place a job becomes settled after running. */
  private settle(sent: JobOutcome): void {
    const job = this.running.get(sent.jobId);
    const { outcome } = sent;
    if (job === undefined) {
      // The job already ended as failed (its worker timed out) and still posted: nobody
      // will install this code.
      if (outcome.kind === 'compiled') releaseHandle(outcome.handle);
      return;
    }
    this.running.delete(job.id);
    job.state = 'settled';
    if (job.fn.job === job) job.fn.job = undefined;
    if (!job.cancelled) this.callbacks.settled(job, sent);
    else if (outcome.kind === 'compiled') releaseHandle(outcome.handle);
  }

  /** The worker is done with the batch (the oldest of its session): it takes the next batch now. */
  private finish(dispatch: Dispatch): void {
    const list = this.dispatches.get(dispatch.session) ?? [];
    list.splice(list.indexOf(dispatch), 1);
    if (list.length === 0) this.dispatches.delete(dispatch.session);
    clearTimeout(dispatch.timeout);
    this.pool.noteFinished(dispatch.session);
    this.queue.finish(dispatch.batch);
    dispatch.done();
  }

  private dispatchesOf(session: CompileSession): Dispatch[] {
    let list = this.dispatches.get(session);
    if (list === undefined) {
      list = [];
      this.dispatches.set(session, list);
    }
    return list;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
