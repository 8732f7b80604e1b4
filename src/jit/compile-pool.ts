/**
 * The compile workers: a Piscina pool running `workers/compile-worker`, each worker busy with
 * one long-lived compile session (see `CompileSessionRequest`), and p-queue running those
 * sessions, one per worker.
 *
 * Why sessions rather than one Piscina task per batch: Piscina learns that a task finished,
 * and p-queue frees a slot, only when a promise settles, which needs the main thread's event
 * loop. A program that never yields would get its first batch compiled and nothing after it.
 * A session takes batches from a port it reads synchronously, woken through shared memory,
 * so posting a batch is a `postMessage` and an `Atomics.notify` from wherever the main thread
 * is (docs/design.md, "Compiles keep flowing").
 *
 * The pool starts on first use (the first batch, or a warm-up), not with the engine: a run
 * that never makes a function hot never starts a thread nor loads the addon in one. It starts
 * all its workers at once because Piscina marks a pool's initial workers ready without waiting
 * for their start-up message, so the sessions reach them without the event loop. Idle for
 * `idleTimeoutMs`, the pool stops (a running session keeps the process alive, as a task
 * does); the next batch starts a new one. A resize also starts a new
 * pool and lets the old sessions finish what they hold. A worker that crashes or is aborted
 * ends its session; the pool starts a replacement and reports the end (`onSessionEnd`).
 */
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import PQueue from 'p-queue';
import { Piscina } from 'piscina';
import { SESSION_WORDS, SessionWord, type CompileBatch, type CompileSessionRequest, type CompileWorkerData, type FaultInjection } from './compile-protocol.js';
import type { JobOutcome } from './compile-outcome.js';
import type { InstallMailbox } from './install-mailbox.js';
import type { CompileThreadPriority } from './native.js';
import { packagePath } from '../package-root.js';

/** The worker script as tsc emits it (the bundled command keeps it a file of its own: Piscina loads it by name). */
function workerFile(): string {
  return pathToFileURL(packagePath('dist', 'workers', 'compile-worker.js')).href;
}

export interface CompilePoolOptions {
  readonly workers: number;
  readonly idleTimeoutMs: number;
  readonly threadPriority: CompileThreadPriority;
  /** Where the sessions leave compiled code and ring the doorbell. */
  readonly mailbox: InstallMailbox;
  readonly fault: FaultInjection | undefined;
  /** A session ended without being stopped (its worker crashed, threw, or was aborted). */
  readonly onSessionEnd: (session: CompileSession, error: unknown) => void;
}

type Pool = Piscina<CompileSessionRequest, null>;

/** The main thread's end of one compile session. */
export class CompileSession {
  private readonly control = new Int32Array(new SharedArrayBuffer(SESSION_WORDS * 4));
  private readonly jobs: MessagePort;
  private readonly outcomes: MessagePort;
  private readonly abortController = new AbortController();
  private posted = 0;
  /** Batches posted and not yet finished (the pipeline reports finishing). */
  open = 0;
  /** Batches the pipeline has seen finished (see `done`). */
  finished = 0;
  /** False once the session ended (stopped, crashed or aborted). */
  alive = true;
  readonly request: CompileSessionRequest;

  constructor(mailbox: InstallMailbox, fault: FaultInjection | undefined, readonly generation: PoolGeneration) {
    const jobs = new MessageChannel();
    const outcomes = new MessageChannel();
    this.jobs = jobs.port1;
    this.outcomes = outcomes.port1;
    // Neither end here ever listens: nothing about them may keep the process alive.
    this.jobs.unref();
    this.outcomes.unref();
    this.request = { control: this.control.buffer as SharedArrayBuffer, jobs: jobs.port2, outcomes: outcomes.port2, mailbox: mailbox.buffer, ...(fault === undefined ? {} : { fault }) };
  }

  get started(): boolean {
    return Atomics.load(this.control, SessionWord.STARTED) === 1;
  }

  /** Batches the worker has finished so far, every outcome of them sent. */
  get done(): number {
    return Atomics.load(this.control, SessionWord.DONE);
  }

  /** The id of the job the worker is compiling (0 between jobs): the one to blame if it dies. */
  get current(): number {
    return Atomics.load(this.control, SessionWord.CURRENT);
  }

  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  /** Hands a batch to the worker (its job buffer moves there) and wakes it. */
  send(batch: CompileBatch): void {
    this.jobs.postMessage(batch, [batch.jobs]);
    this.open++;
    Atomics.store(this.control, SessionWord.POSTED, ++this.posted);
    this.wake();
  }

  /** The next outcome the worker sent aside (not through the ring), if any. Synchronous. */
  takeOutcome(): JobOutcome | undefined {
    return receiveOutcome(this.outcomes);
  }

  /** Lets the session end once the batches it holds are compiled. */
  stop(): void {
    Atomics.store(this.control, SessionWord.STOP, 1);
    this.wake();
  }

  /** Terminates the worker (a compile that hangs); the session ends with an AbortError. */
  abort(reason: string): void {
    this.abortController.abort(new Error(reason));
  }

  close(): void {
    this.jobs.close();
    this.outcomes.close();
  }

  private wake(): void {
    Atomics.add(this.control, SessionWord.BELL, 1);
    Atomics.notify(this.control, SessionWord.BELL);
  }
}

/** One Piscina pool, its sessions, and the p-queue that runs them (one per worker). */
export class PoolGeneration {
  readonly sessions: CompileSession[] = [];
  readonly startedAt = performance.now();
  readonly slots: PQueue;
  stopping = false;
  constructor(readonly piscina: Pool, workers: number) {
    this.slots = new PQueue({ concurrency: workers });
  }
}

export class CompilePool {
  private current: PoolGeneration | undefined;
  /** Generations whose sessions still finish their batches (after a resize or an idle stop). */
  private readonly retiring = new Set<PoolGeneration>();
  private readonly closing = new Set<Promise<void>>();
  private workerCount: number;
  private idleTimer: NodeJS.Timeout | undefined;
  private busyMs = 0;
  private busySince = new Map<CompileSession, number>();
  private closed = false;

  constructor(private readonly options: CompilePoolOptions) {
    this.workerCount = options.workers;
  }

  /** A session of the current pool with nothing to compile (the pool starts if needed), else the least busy one. */
  session(): CompileSession {
    this.cancelIdleStop();
    const generation = this.current ?? this.start();
    let best: CompileSession | undefined;
    for (const s of generation.sessions) if (s.alive && (best === undefined || s.open < best.open)) best = s;
    // Every session ended and none was replaced yet (a crash during start-up): start one now.
    return best ?? this.startSession(generation);
  }

  /** Marks a session busy (for utilisation) when it gets its first batch. */
  noteBusy(session: CompileSession): void {
    if (!this.busySince.has(session)) this.busySince.set(session, performance.now());
  }

  /** A batch of `session` finished; an idle pool stops after `idleTimeoutMs`. */
  noteFinished(session: CompileSession): void {
    session.open--;
    session.finished++;
    if (session.open === 0) {
      const since = this.busySince.get(session);
      if (since !== undefined) this.busyMs += performance.now() - since;
      this.busySince.delete(session);
    }
    if (session.generation !== this.current && session.open === 0) this.retireIfDone(session.generation);
    if (this.allIdle()) this.scheduleIdleStop();
  }

  /** Every session that may still hold outcomes for the main thread. */
  *sessions(): IterableIterator<CompileSession> {
    if (this.current !== undefined) yield* this.current.sessions;
    for (const generation of this.retiring) yield* generation.sessions;
  }

  /** Starts the pool now unless it runs (or is closed), without waiting for its workers. */
  prestart(): void {
    if (this.current === undefined && !this.closed) this.start();
  }

  /**
   * Whether the pool runs and every worker has started its session (loaded the addon), or
   * one failed to: compiles sent now start at once, or never will. Synchronous (shared memory).
   */
  get ready(): boolean {
    return this.current?.sessions.every((s) => s.started || !s.alive) === true;
  }

  /** Starts the pool and resolves once every worker runs its session (the addon is loaded). */
  async warmUp(): Promise<void> {
    const generation = this.current ?? this.start();
    for (;;) {
      const bell = this.options.mailbox.doneBell;
      const failed = generation.sessions.find((s) => !s.alive && !s.started);
      if (failed !== undefined) throw new Error('a compile worker failed to start');
      if (generation.sessions.every((s) => s.started)) return;
      await this.options.mailbox.waitForDone(bell, 50);
    }
  }

  get workers(): number {
    return this.workerCount;
  }

  /** Live worker threads (none before the first batch, nor after an idle stop). */
  get threadCount(): number {
    let n = this.current?.piscina.threads.length ?? 0;
    for (const generation of this.retiring) n += generation.piscina.threads.length;
    return n;
  }

  /** Fraction of the current pool's worker time spent with a batch. */
  get utilization(): number {
    const generation = this.current;
    if (generation === undefined) return 0;
    const now = performance.now();
    let busy = this.busyMs;
    for (const since of this.busySince.values()) busy += now - since;
    const elapsed = (now - generation.startedAt) * this.workerCount;
    return elapsed > 0 ? Math.min(1, busy / elapsed) : 0;
  }

  /** A new worker count: a new pool on next use; the old one's sessions finish their batches. */
  resize(workers: number): void {
    if (workers === this.workerCount) return;
    this.workerCount = workers;
    this.retireCurrent();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelIdleStop();
    this.retireCurrent();
    for (const generation of [...this.retiring]) this.retireIfDone(generation);
    await Promise.all(this.closing);
  }

  private start(): PoolGeneration {
    if (this.closed) throw new Error('the compile pool is closed');
    const piscina = new Piscina({
      filename: workerFile(),
      // All workers at once: Piscina treats initial workers as ready (see the module comment).
      minThreads: this.workerCount,
      maxThreads: this.workerCount,
      // A session is the only task a worker has; Piscina need not retire threads on its own.
      idleTimeout: Infinity,
      maxQueue: 'auto',
      // Nothing reads Piscina's run and wait time histograms (utilisation is measured here);
      // each pool's pair holds native memory.
      recordTiming: false,
      workerData: { threadPriority: this.options.threadPriority } satisfies CompileWorkerData,
    }) as Pool;
    const generation = new PoolGeneration(piscina, this.workerCount);
    this.current = generation;
    this.busyMs = 0;
    for (let i = 0; i < this.workerCount; i++) this.startSession(generation);
    // A running session keeps the process alive: a pool that gets no batch stops too.
    this.scheduleIdleStop();
    return generation;
  }

  private startSession(generation: PoolGeneration): CompileSession {
    const session = new CompileSession(this.options.mailbox, this.options.fault, generation);
    generation.sessions.push(session);
    const { request } = session;
    const task = () => generation.piscina.run(request, { signal: session.signal, transferList: [request.jobs, request.outcomes] });
    generation.slots.add(task).then(
      () => this.ended(session, undefined),
      (error: unknown) => this.ended(session, error ?? new Error('compile worker failed')),
    );
    return session;
  }

  private ended(session: CompileSession, error: unknown): void {
    session.alive = false;
    const { generation } = session;
    const index = generation.sessions.indexOf(session);
    // A crashed session of the live pool is replaced before anyone hears of the crash, so that
    // the batches its failure lets start find a session.
    if (error !== undefined && !generation.stopping && index >= 0) {
      generation.sessions.splice(index, 1);
      this.startSession(generation);
    }
    if (error !== undefined) this.options.onSessionEnd(session, error);
    session.close();
    this.busySince.delete(session);
    this.options.mailbox.ringDone();
  }

  private retireCurrent(): void {
    const generation = this.current;
    if (generation === undefined) return;
    this.current = undefined;
    generation.stopping = true;
    this.retiring.add(generation);
    this.retireIfDone(generation);
  }

  /** Stops a retiring pool's sessions once they hold no batch, then closes the pool. */
  private retireIfDone(generation: PoolGeneration): void {
    if (!this.retiring.has(generation) || generation.sessions.some((s) => s.alive && s.open > 0)) return;
    this.retiring.delete(generation);
    for (const s of generation.sessions) s.stop();
    // The sessions end, then the threads. With every task ended, Piscina's `close()` would do
    // what `destroy()` does, plus leave a timer (its `closeTimeout`, 30 s) that keeps the whole
    // pool reachable until it fires: an engine created and closed in a loop grew by a pool
    // per cycle.
    const closing = generation.slots.onIdle().then(() => generation.piscina.destroy()).finally(() => this.closing.delete(closing));
    this.closing.add(closing);
  }

  private allIdle(): boolean {
    return this.current?.sessions.every((s) => s.open === 0) === true;
  }

  private scheduleIdleStop(): void {
    this.cancelIdleStop();
    if (this.closed || !Number.isFinite(this.options.idleTimeoutMs)) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.allIdle()) this.retireCurrent();
    }, this.options.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private cancelIdleStop(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

function receiveOutcome(port: MessagePort): JobOutcome | undefined {
  return (receiveMessageOnPort(port)?.message as JobOutcome | undefined);
}

