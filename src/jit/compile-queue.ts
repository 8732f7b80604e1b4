/**
 * `CompileQueue`: the compile jobs waiting for a worker, hottest first, at most
 * `concurrency` batches running at once — one per worker.
 *
 * When a slot is free, the hottest waiting jobs — a worker's share of them, up to
 * `batchSize` — start as one batch, at once and synchronously: in `add`, or in `finish`, which
 * the owner calls the moment it sees a worker done with a batch (at a call or a safepoint of a
 * run that may never yield). A slot therefore never waits for a promise to settle, which would
 * need the event loop; the promise `run` returns only frees the slot of a batch nobody
 * finished before (a failed worker). Batches matter because every batch costs the main thread
 * a message to a worker whatever it carries. A p-queue entry per function, re-sorted by
 * `setPriority`, cost the main thread ~25 µs per function (measured), more than a compile's
 * worth of the budget; here a priority change is a field write and picking a batch is one scan.
 *
 * The queue is bounded: when full, the coldest job (among those waiting and the newcomer) is
 * dropped, and the caller hears about it through `onDrop` so the function can become hot
 * again later. A waiting job can be cancelled at once; a running one cannot be taken back
 * from its worker, so it is flagged `cancelled` and its result is released, not installed.
 */

/**
 * Where a job is in its life: waiting in this queue, running on a worker (sent, no outcome
 * yet), or settled (its outcome applied, or it was dropped or cancelled while waiting).
 */
export type JobState = 'waiting' | 'running' | 'settled';

export interface CompileJob {
  readonly id: number;
  /** The function's call count; the hottest waiting jobs run first. */
  priority: number;
  readonly enqueuedAt: number;
  startedAt: number;
  state: JobState;
  /** Its outcome is not wanted any more (its program was invalidated, or it was dropped). */
  cancelled: boolean;
}

export interface CompileQueueOptions<Job extends CompileJob = CompileJob> {
  readonly concurrency: number;
  readonly maxQueue: number;
  /** Most jobs sent to a worker in one task. */
  readonly batchSize: number;
  /**
   * Starts compiling a batch. Its slot is free again at `finish(batch)` or when the promise
   * settles, whichever comes first.
   */
  readonly run: (batch: readonly Job[]) => Promise<void>;
  /** Called for a job dropped because the queue was full (never for cancelled ones). */
  readonly onDrop: (job: Job) => void;
}

export class CompileQueue<Job extends CompileJob = CompileJob> {
  private readonly waiting = new Map<number, Job>();
  private readonly running = new Map<number, Job>();
  /** The batches holding a slot. */
  private readonly batches = new Set<readonly Job[]>();
  private concurrencyValue: number;
  private idleWaiters: Array<() => void> = [];
  private maxQueueValue: number;
  private batchSizeValue: number;
  private dropCount = 0;

  constructor(private readonly options: CompileQueueOptions<Job>) {
    this.concurrencyValue = checkPositive(options.concurrency, 'workers');
    this.maxQueueValue = checkPositive(options.maxQueue, 'maxQueue');
    this.batchSizeValue = checkPositive(options.batchSize, 'batchSize');
  }

  /** Enqueues `job`. Returns false when the job itself was the coldest and was dropped. */
  add(job: Job): boolean {
    if (this.waiting.size >= this.maxQueueValue) {
      const coldest = this.coldestWaiting();
      if (coldest === undefined || coldest.priority >= job.priority) {
        this.drop(job);
        return false;
      }
      this.waiting.delete(coldest.id);
      this.drop(coldest);
    }
    this.waiting.set(job.id, job);
    this.startBatches();
    return true;
  }

  /** Raises (or lowers) a waiting job's priority to its current call count. O(1). */
  setPriority(job: CompileJob, priority: number): void {
    if (job.state === 'waiting') job.priority = priority;
  }

  /** Cancels one job: removed (and settled) if waiting, flagged if running. */
  cancel(job: CompileJob): void {
    job.cancelled = true;
    if (this.waiting.delete(job.id)) job.state = 'settled';
    this.checkIdle();
  }

  /**
   * `batch` is done (every job of it has its outcome, or it failed): its slot takes the next
   * batch now. Idempotent, so the promise `run` returned may settle later without effect.
   */
  finish(batch: readonly Job[]): void {
    if (!this.batches.delete(batch)) return;
    for (const job of batch) this.running.delete(job.id);
    this.startBatches();
    this.checkIdle();
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
    return this.concurrencyValue;
  }

  /** More workers start more slots at once; fewer let the extra slots finish their batch. */
  set concurrency(value: number) {
    this.concurrencyValue = checkPositive(value, 'workers');
    this.startBatches();
  }

  get maxQueue(): number {
    return this.maxQueueValue;
  }

  set maxQueue(value: number) {
    this.maxQueueValue = checkPositive(value, 'maxQueue');
  }

  get batchSize(): number {
    return this.batchSizeValue;
  }

  set batchSize(value: number) {
    this.batchSizeValue = checkPositive(value, 'batchSize');
  }

  /** Resolves when nothing waits and nothing runs. */
  onIdle(): Promise<void> {
    if (this.isIdle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get isIdle(): boolean {
    return this.waiting.size === 0 && this.batches.size === 0;
  }

  resetCounters(): void {
    this.dropCount = 0;
  }

  /** Starts batches while a slot is free and jobs wait. */
  private startBatches(): void {
    while (this.waiting.size > 0 && this.batches.size < this.concurrencyValue) {
      const batch = this.takeBatch();
      this.batches.add(batch);
      // The runner settles its own failures; a rejection only frees the slot like a success.
      this.options.run(batch).then(() => this.finish(batch), () => this.finish(batch));
    }
  }

  private checkIdle(): void {
    if (!this.isIdle) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Moves the hottest waiting jobs to running: one pass keeping the top. A batch takes an
   * equal share of what waits per worker, at most `batchSize`, so that two idle workers
   * split a burst instead of one taking all of it.
   */
  private takeBatch(): Job[] {
    const share = Math.ceil(this.waiting.size / this.concurrencyValue);
    const n = Math.min(this.batchSizeValue, share);
    const top: Job[] = [];
    for (const job of this.waiting.values()) {
      if (top.length === n && job.priority <= top[n - 1]!.priority) continue;
      let i = Math.min(top.length, n - 1);
      while (i > 0 && top[i - 1]!.priority < job.priority) i--;
      top.splice(i, 0, job);
      if (top.length > n) top.pop();
    }
    const now = performance.now();
    for (const job of top) {
      this.waiting.delete(job.id);
      this.running.set(job.id, job);
      job.state = 'running';
      job.startedAt = now;
    }
    return top;
  }

  private coldestWaiting(): Job | undefined {
    let coldest: Job | undefined;
    for (const job of this.waiting.values()) if (coldest === undefined || job.priority < coldest.priority) coldest = job;
    return coldest;
  }

  private drop(job: Job): void {
    this.dropCount++;
    job.cancelled = true;
    job.state = 'settled';
    this.options.onDrop(job);
  }
}

function checkPositive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
  return value;
}
