/**
 * `CompileQueue`: the compile jobs waiting for a worker, ordered by call count (p-queue
 * priorities), at most `concurrency` running at once — one per worker. The queue is
 * bounded: when full, the coldest job (among those waiting and the newcomer) is dropped,
 * and the caller hears about it through `onDrop` so the function can become hot again later.
 *
 * Cancellation: a waiting job is aborted with its AbortSignal, which removes it from
 * p-queue. A running job cannot be taken back from its worker; it is flagged `cancelled`
 * and whoever receives its result releases the code instead of installing it.
 */
import PQueue from 'p-queue';

export interface CompileJob {
  readonly id: number;
  readonly key: string;
  readonly programId: number;
  /** Call count when last prioritised. */
  priority: number;
  readonly enqueuedAt: number;
  startedAt: number;
  started: boolean;
  cancelled: boolean;
  readonly controller: AbortController;
}

export interface CompileQueueOptions {
  readonly concurrency: number;
  readonly maxQueue: number;
  /** Called for a job dropped because the queue was full (never for cancelled ones). */
  readonly onDrop: (job: CompileJob) => void;
}

export class CompileQueue {
  private readonly queue: PQueue;
  private readonly waiting = new Map<number, CompileJob>();
  private readonly running = new Map<number, CompileJob>();
  private maxQueueValue: number;
  private dropCount = 0;

  constructor(private readonly options: CompileQueueOptions) {
    this.queue = new PQueue({ concurrency: options.concurrency });
    this.maxQueueValue = checkPositive(options.maxQueue, 'maxQueue');
  }

  /**
   * Enqueues `job`; `run` is started when a worker slot is free. Returns false when the
   * job itself was the coldest and got dropped at once.
   */
  add(job: CompileJob, run: (job: CompileJob) => Promise<void>): boolean {
    if (this.waiting.size >= this.maxQueueValue) {
      const coldest = this.coldestWaiting();
      if (coldest === undefined || coldest.priority >= job.priority) {
        this.drop(job);
        return false;
      }
      this.waiting.delete(coldest.id);
      coldest.controller.abort();
      this.drop(coldest);
    }
    this.waiting.set(job.id, job);
    const task = async (): Promise<void> => {
      this.waiting.delete(job.id);
      this.running.set(job.id, job);
      job.started = true;
      job.startedAt = performance.now();
      try {
        await run(job);
      } finally {
        this.running.delete(job.id);
      }
    };
    this.queue
      .add(task, { priority: job.priority, id: String(job.id), signal: job.controller.signal })
      .catch(() => {
        // Only an abort rejects here (`run` handles its own errors); the job is gone already.
      });
    return true;
  }

  /** Raises (or lowers) a waiting job's priority to its current call count. */
  setPriority(job: CompileJob, priority: number): void {
    if (job.started || !this.waiting.has(job.id)) return;
    job.priority = priority;
    this.queue.setPriority(String(job.id), priority);
  }

  /** Cancels one job: aborted if waiting, flagged if running. */
  cancel(job: CompileJob): void {
    job.cancelled = true;
    if (this.waiting.delete(job.id)) job.controller.abort();
  }

  get depth(): number {
    return this.waiting.size;
  }

  get inFlight(): number {
    return this.running.size;
  }

  get dropped(): number {
    return this.dropCount;
  }

  get concurrency(): number {
    return this.queue.concurrency;
  }

  set concurrency(value: number) {
    this.queue.concurrency = checkPositive(value, 'workers');
  }

  get maxQueue(): number {
    return this.maxQueueValue;
  }

  set maxQueue(value: number) {
    this.maxQueueValue = checkPositive(value, 'maxQueue');
  }

  /** Resolves when nothing waits and nothing runs. */
  onIdle(): Promise<void> {
    return this.queue.onIdle();
  }

  resetCounters(): void {
    this.dropCount = 0;
  }

  private coldestWaiting(): CompileJob | undefined {
    let coldest: CompileJob | undefined;
    for (const job of this.waiting.values()) if (coldest === undefined || job.priority < coldest.priority) coldest = job;
    return coldest;
  }

  private drop(job: CompileJob): void {
    this.dropCount++;
    job.cancelled = true;
    this.options.onDrop(job);
  }
}

function checkPositive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
  return value;
}
