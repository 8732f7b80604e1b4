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
 * A running job's outcome arrives by exactly one path: compiled code through the mailbox
 * (polled on calls and at safepoints, so a long synchronous script installs without
 * yielding), everything else — refusals and errors with their reasons, code a full ring
 * turned away — in the worker's answer. A running job that is cancelled stays running until
 * its outcome comes, and then its code is released instead of reported.
 */
import { encodeJobs } from './batch-codec.js';
import { type CompileOutcome, crossThreadNow, type JobOutcome } from './compile-outcome.js';
import { CompilePool } from './compile-pool.js';
import type { BatchAnswer, FaultInjection, FunctionJobSource } from './compile-protocol.js';
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
  /** Running jobs by id: outcomes name their job by id. */
  private readonly running = new Map<number, PipelineJob>();
  private nextJobId = 1;
  optLevel: OptLevel;

  constructor(
    private readonly config: ResolvedJitConfig,
    private readonly queueWait: LatencyRecorder,
    private readonly callbacks: PipelineCallbacks,
  ) {
    this.optLevel = config.optLevel;
    this.mailbox = new InstallMailbox(config.mailboxCapacity);
    this.pool = new CompilePool({ workers: config.workers, idleTimeoutMs: config.idleTimeoutMs, threadPriority: config.compileThreadPriority });
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

  /** Applies the outcomes the mailbox holds, if any (one atomic load when it holds none). */
  poll(): undefined {
    if (this.mailbox.hasMail()) this.drain();
    return undefined;
  }

  /** Resolves when no job waits or runs, with every outcome applied. */
  async whenIdle(): Promise<void> {
    await this.queue.onIdle();
    this.drain();
  }

  /** Resolves once a worker has started and loaded the compiler. */
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

  /** Sends a batch to a worker; every job of it ends settled, now or by a later poll. */
  private async runBatch(batch: readonly PipelineJob[]): Promise<void> {
    for (const job of batch) {
      this.queueWait.record((job.startedAt - job.enqueuedAt) * 1000);
      this.running.set(job.id, job);
    }
    const sources = batch.map((job) => this.callbacks.prepare(job.fn, job.id));
    let answer: BatchAnswer;
    try {
      const task = { jobs: encodeJobs(sources), optLevel: this.optLevel, mailbox: this.mailbox.buffer, ...faultOption(this.config.faultInjection) };
      // A worker that hangs is terminated after the timeout; Piscina replaces it (docs/design.md, invariant 6).
      answer = await this.pool.run(task, AbortSignal.timeout(this.config.compileTimeoutMs));
    } catch (error) {
      // The worker crashed, was terminated, or threw: what it posted keeps its code, the
      // rest of its functions stay interpreted.
      this.drain();
      const outcome: CompileOutcome = { kind: 'error', message: `compile worker failed: ${errorText(error)}` };
      for (const { jobId } of sources) if (this.running.has(jobId)) this.settle({ jobId, outcome, postedAt: crossThreadNow() });
      return;
    }
    // The batch's other jobs were posted to the mailbox. Those not polled yet stay there for
    // the next poll (a call, a safepoint, whenIdle or stats) rather than being installed here
    // all at once: installing a whole batch in the answer's turn would hold up the event loop.
    for (const sent of answer) this.settle(sent);
  }

  private drain(): void {
    for (let sent = this.mailbox.take(); sent !== undefined; sent = this.mailbox.take()) this.settle(sent);
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
}

function faultOption(fault: FaultInjection | undefined): { fault?: FaultInjection } {
  return fault === undefined ? {} : { fault };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
