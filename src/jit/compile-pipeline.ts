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
 * doorbell; when it rang, it applies what arrived, and a batch whose last outcome arrived
 * frees its worker for the next batch in the same poll. The event loop is needed only to hear
 * of a worker that crashed or hung, which costs at most its batch (invariant 6). A running
 * job that is cancelled stays running until its outcome comes, and then its code is released
 * instead of reported.
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

/** A batch on its way through a session: finished when its last job has its outcome. */
interface Dispatch {
  readonly batch: readonly PipelineJob[];
  readonly session: CompileSession;
  /** Jobs of the batch without an outcome yet. */
  open: number;
  readonly timeout: NodeJS.Timeout;
  readonly done: () => void;
}

/** How long `whenIdle` sleeps on the doorbell before it looks again anyway. */
const IDLE_RECHECK_MS = 50;

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
  /** Running jobs by id (outcomes name their job by id), with the batch each travels in. */
  private readonly running = new Map<number, { readonly job: PipelineJob; readonly dispatch: Dispatch }>();
  private readonly dispatches = new Set<Dispatch>();
  /** The doorbell's count when the mailbox and the outcome ports were last emptied. */
  private bellSeen = 0;
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
      const bell = this.mailbox.bell;
      this.drain();
      if (this.queue.isIdle) return;
      // Sessions ring on every outcome, and the pool rings when a session ends, so this
      // wakes as soon as there is something to do; the timeout is only a safety net.
      await this.mailbox.waitForBell(bell, IDLE_RECHECK_MS);
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
      droppedJobs: this.queue.dropped, queueDepth: this.queue.depth, inFlight: this.queue.inFlight,
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
      // A worker still on this batch after the timeout is terminated (docs/design.md, invariant 6).
      const timeout = setTimeout(() => session.abort('compile timed out'), this.config.compileTimeoutMs);
      timeout.unref();
      const dispatch: Dispatch = { batch, session, open: batch.length, timeout, done };
      this.dispatches.add(dispatch);
      for (const job of batch) this.running.set(job.id, { job, dispatch });
      this.pool.noteBusy(session);
      session.send({ jobs: encodeJobs(sources), optLevel: this.optLevel });
    });
  }

  /** Applies everything the workers left: the ring's entries, then each session's outcome port. */
  private drain(): void {
    this.bellSeen = this.mailbox.bell;
    for (let sent = this.mailbox.take(); sent !== undefined; sent = this.mailbox.take()) this.settle(sent);
    for (const session of this.pool.sessions()) {
      for (let sent = session.takeOutcome(); sent !== undefined; sent = session.takeOutcome()) this.settle(sent);
    }
  }

  /** A session ended without being stopped: what it left is applied, the rest of its batches fail. */
  private sessionFailed(session: CompileSession, error: unknown): void {
    // The pool no longer lists a crashed session, so its port is emptied here.
    this.drain();
    for (let sent = session.takeOutcome(); sent !== undefined; sent = session.takeOutcome()) this.settle(sent);
    const outcome: CompileOutcome = { kind: 'error', message: `compile worker failed: ${errorText(error)}` };
    for (const dispatch of [...this.dispatches]) {
      if (dispatch.session !== session) continue;
      for (const job of dispatch.batch) if (this.running.get(job.id)?.dispatch === dispatch) this.settle({ jobId: job.id, outcome, postedAt: crossThreadNow() });
    }
  }

  /** Ends a running job with its outcome; the only place a job becomes settled after running. */
  private settle(sent: JobOutcome): void {
    const entry = this.running.get(sent.jobId);
    const { outcome } = sent;
    if (entry === undefined) {
      // The job already ended as failed (its worker timed out) and still posted: nobody
      // will install this code.
      if (outcome.kind === 'compiled') releaseHandle(outcome.handle);
      return;
    }
    const { job, dispatch } = entry;
    this.running.delete(job.id);
    this.queue.settled(job);
    job.state = 'settled';
    if (job.fn.job === job) job.fn.job = undefined;
    if (!job.cancelled) this.callbacks.settled(job, sent);
    else if (outcome.kind === 'compiled') releaseHandle(outcome.handle);
    if (--dispatch.open === 0) this.finish(dispatch);
  }

  /** Every job of the batch has its outcome: its worker takes the next batch now. */
  private finish(dispatch: Dispatch): void {
    this.dispatches.delete(dispatch);
    clearTimeout(dispatch.timeout);
    this.pool.noteFinished(dispatch.session);
    this.queue.finish(dispatch.batch);
    dispatch.done();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
