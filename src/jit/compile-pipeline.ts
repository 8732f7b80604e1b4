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
 * hear of a worker that crashed or hung, which costs the function it was compiling (its
 * batch-mates are retried; invariant 6). A running job that is cancelled stays running until
 * its outcome comes, and then its code is released instead of reported.
 */
import { encodeJobs } from './batch-codec.js';
import { crossThreadNow, type JobOutcome } from './compile-outcome.js';
import type { CompilePool, CompileSession } from './compile-pool.js';
import { CompileWorkers } from './compile-workers.js';
import type { FunctionJobSource } from './compile-protocol.js';
import { CompileQueue, type CompileJob } from './compile-queue.js';
import type { InstallMailbox } from './install-mailbox.js';
import type { ResolvedJitConfig } from './jit-config.js';
import type { LatencyRecorder } from './latency-recorder.js';
import { releaseHandle, type OptLevel } from './native.js';
import type { FunctionRecord } from './program-registry.js';

/** A job and the function it compiles. */
export interface PipelineJob extends CompileJob {
  readonly fn: FunctionRecord;
  /** How many workers have been sent the function so far by this job and the ones it retries. */
  readonly attempts: number;
}

/**
 * How many times a function is sent to a worker before a worker failure that was never its
 * own fault fails it anyway: a worker that keeps dying (at start-up, say) must not make the
 * same jobs go round for ever.
 */
export const MAX_ATTEMPTS = 3;

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
  /**
   * A compile worker died while it held `job`'s function but was not compiling it: the
   * function is queued again as `job` (`reason` names the function blamed, if any).
   */
  readonly retried: (job: PipelineJob, reason: string) => void;
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
  /** Jobs queued again after a batch-mate's worker failed (see `sessionFailed`). */
  private retries = 0;
  optLevel: OptLevel;

  /** Runs its compiles on `workers` (started already, or not: the pool starts on first use). */
  constructor(
    private readonly config: ResolvedJitConfig,
    private readonly queueWait: LatencyRecorder,
    private readonly callbacks: PipelineCallbacks,
    workers: CompileWorkers = new CompileWorkers(config),
  ) {
    this.optLevel = config.optLevel;
    this.mailbox = workers.mailbox;
    this.bellSeen = this.mailbox.bell;
    this.pool = workers.pool;
    workers.adopt((session, error) => this.sessionFailed(session, error));
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
    // It became hot in this very call.
    this.add(fn, fn.hotAt, 1);
  }

  private add(fn: FunctionRecord, enqueuedAt: number, attempts: number): PipelineJob {
    const job: PipelineJob = { id: this.nextJobId++, fn, priority: fn.calls, enqueuedAt, startedAt: 0, state: 'waiting', cancelled: false, attempts };
    fn.job = job;
    this.queue.add(job);
    return job;
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

  /** Nothing is queued or compiling. */
  get idle(): boolean {
    return this.queue.depth === 0 && this.running.size === 0;
  }

  /** Starts the compile workers without waiting for them. */
  prestart(): void {
    this.pool.prestart();
  }

  /** The compile workers run and have loaded the compiler (`CompilePool.ready`). */
  get workersReady(): boolean {
    return this.pool.ready;
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

  stats(): { droppedJobs: number; retriedJobs: number; queueDepth: number; inFlight: number; workers: number; workerThreads: number; workerUtilization: number } {
    return {
      droppedJobs: this.queue.dropped, retriedJobs: this.retries, queueDepth: this.queue.depth, inFlight: this.running.size,
      workers: this.pool.workers, workerThreads: this.pool.threadCount, workerUtilization: this.pool.utilization,
    };
  }

  resetCounters(): void {
    this.queue.resetCounters();
    this.retries = 0;
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

  /**
   * A session ended without being stopped (its worker crashed, threw, or was terminated after
   * the timeout). What it left is applied first. Of the rest of its batches only the job the
   * worker was compiling fails; the others were bystanders and are queued again (at most
   * `MAX_ATTEMPTS` sends in all), so one bad function does not cost its batch-mates their code.
   */
  private sessionFailed(session: CompileSession, error: unknown): void {
    this.drain();
    // The pool no longer lists a crashed session, so its port is emptied here.
    this.takeAside(session);
    const culprit = this.running.get(session.current);
    const cause = errorText(error);
    const again: PipelineJob[] = [];
    for (const dispatch of [...(this.dispatches.get(session) ?? [])]) {
      for (const job of dispatch.batch) {
        if (!this.running.has(job.id)) continue;
        if (job === culprit) this.fail(job, `compile worker failed while compiling this function: ${cause}`);
        else if (job.cancelled || job.attempts >= MAX_ATTEMPTS) this.fail(job, `compile worker failed ${job.attempts} times, never while compiling this function: ${cause}`);
        else again.push(this.unsend(job));
      }
      this.finish(dispatch);
    }
    // After `finish`, so that the slots the failed batches held take the jobs at once.
    const reason = culprit === undefined ? `retried: compile worker failed (${cause})` : `retried: compile worker failed while compiling ${culprit.fn.fn.name}`;
    for (const job of again) this.retry(job, reason);
  }

  private fail(job: PipelineJob, message: string): void {
    this.settle({ jobId: job.id, outcome: { kind: 'error', message }, postedAt: crossThreadNow() });
  }

  /** Takes a running job back from a dead worker without an outcome (it is retried as a new job). */
  private unsend(job: PipelineJob): PipelineJob {
    this.running.delete(job.id);
    job.state = 'settled';
    return job;
  }

  /** Queues `job`'s function again as a new job (a late outcome of the old one is then released, not installed). */
  private retry(job: PipelineJob, reason: string): void {
    // Cancelled meanwhile (its program was invalidated while the batch failed): nothing to retry.
    if (job.fn.job !== job) return;
    this.retries++;
    const next = this.add(job.fn, job.enqueuedAt, job.attempts + 1);
    if (next.state !== 'settled') this.callbacks.retried(next, reason);
  }

  /** Ends a running job with its outcome; the only place an outcome is applied (`unsend` settles a job without one). */
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

/** An error's message, with its cause's (Piscina's AbortError keeps the abort reason, e.g. the timeout, there). */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause === undefined ? error.message : `${error.message} (${errorText(error.cause)})`;
}
