/**
 * The compile worker pool: a Piscina pool running `workers/compile-worker`. The worker
 * count can change at run time; Piscina cannot resize a live pool, so a resize starts a
 * new pool and lets the old one finish its running tasks before it closes. One worker is
 * kept alive: Piscina marks a pool's initial workers ready at once, so a job can be posted
 * to it (through Atomics, not the event loop) from inside a long synchronous script. The
 * other workers start on demand and exit after `idleTimeoutMs` idle. A worker that crashes
 * rejects its task; Piscina starts a fresh worker for the next one.
 */
import { Piscina } from 'piscina';
import type { BatchAnswer, CompileBatch, CompileWorkerData, WorkerTask } from './compile-protocol.js';
import type { CompileThreadPriority } from './native.js';

const WORKER_FILE = new URL('../../workers/compile-worker.js', import.meta.url).href;

export interface CompilePoolOptions {
  readonly workers: number;
  readonly idleTimeoutMs: number;
  readonly threadPriority: CompileThreadPriority;
}

export class CompilePool {
  private pool: Piscina<WorkerTask, BatchAnswer | null>;
  private readonly retiring = new Set<Promise<void>>();
  private workerCount: number;

  constructor(private readonly options: CompilePoolOptions) {
    this.workerCount = options.workers;
    this.pool = this.start(options.workers);
  }

  /**
   * Compiles a batch; its job buffer is moved to the worker (unusable here afterwards).
   * Aborting `signal` terminates the worker running it.
   */
  async run(batch: CompileBatch, signal: AbortSignal): Promise<BatchAnswer> {
    const answer = await this.pool.run(batch, { signal, transferList: [batch.jobs] });
    if (answer === null) throw new Error('compile worker returned no result');
    return answer;
  }

  /** Resolves once a worker has started and loaded the compiler (a task that compiles nothing). */
  async warmUp(): Promise<void> {
    await this.pool.run({ warmUp: true });
  }

  get workers(): number {
    return this.workerCount;
  }

  /** Live worker threads (they start on demand and exit when idle). */
  get threadCount(): number {
    return this.pool.threads.length;
  }

  /** Fraction of time the current pool's workers spent compiling (Piscina's measure). */
  get utilization(): number {
    return this.pool.utilization;
  }

  resize(workers: number): void {
    if (workers === this.workerCount) return;
    const old = this.pool;
    this.workerCount = workers;
    this.pool = this.start(workers);
    // Running tasks on the old pool complete normally; then its threads go away.
    const closing = old.close().finally(() => this.retiring.delete(closing));
    this.retiring.add(closing);
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.close(), ...this.retiring]);
  }

  private start(workers: number): Piscina<WorkerTask, BatchAnswer | null> {
    return new Piscina<WorkerTask, BatchAnswer | null>({
      filename: WORKER_FILE,
      minThreads: 1,
      maxThreads: workers,
      idleTimeout: this.options.idleTimeoutMs,
      // The engine's queue already bounds the work; Piscina never needs to queue much.
      maxQueue: 'auto',
      workerData: { threadPriority: this.options.threadPriority } satisfies CompileWorkerData,
    });
  }
}
