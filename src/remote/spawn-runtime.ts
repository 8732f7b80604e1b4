/**
 * `spawnRuntime(options)`: starts a worker thread hosting a Vm and a JitEngine (see
 * runtime-host.ts) and returns its comlink proxy, typed `Comlink.Remote<RuntimeApi>`.
 *
 * The proxy is comlink's own, with four things added on this side of the boundary:
 * - `interrupt()` acts at once through shared memory: a comlink message could not reach a
 *   worker busy in a synchronous run.
 * - `stats()` while an operation is under way reads the figures the worker publishes in shared
 *   memory (stats-board.ts) instead of waiting behind the operation; with nothing under way it
 *   asks the worker, whose answer is then exact and immediate.
 * - `close()` interrupts everything, closes the engine in the worker, then ends the thread
 *   (terminating it if it does not finish in time), and leaves no thread behind.
 * - An operation still waiting when the worker dies, or called after `close()`, rejects
 *   with a `RemoteRuntimeError` instead of waiting forever.
 */
import type { Remote } from 'comlink';
import { Worker } from 'node:worker_threads';
import { packagePath } from '../package-root.js';
import { integerAtLeast } from '../jit/jit-config.js';
import { InterruptSignal } from './interrupt-signal.js';
import { RemoteRuntimeError } from './remote-errors.js';
import { StatsBoard } from './stats-board.js';
import type { RuntimeApi, RuntimeOptions, WorkerRuntimeOptions } from './runtime-api.js';
import { isRuntimeWorkerMessage, type RuntimeWorkerData } from './worker-protocol.js';

/** A runtime in a worker thread, as seen from the thread that spawned it. */
export type RemoteRuntime = Remote<RuntimeApi>;

/** The worker script as tsc emits it, found from the package root (this module may be part of a bundle). */
function workerFile(): string {
  return packagePath('dist', 'workers', 'runtime-worker.js');
}
const DEFAULT_CLOSE_TIMEOUT_MS = 5000;
/** How long `stats()` waits for a busy worker's fresh figures before taking the last ones it published. */
const BUSY_STATS_WAIT_MS = 20;

/** The operations that are numbered for interrupts, on both sides (runtime-host.ts). */
const NUMBERED_OPERATIONS: ReadonlySet<PropertyKey> = new Set<keyof RuntimeApi>(['load', 'run', 'call']);

/** Starts a runtime in a new worker thread; resolves once it is ready for `load()`. */
export async function spawnRuntime(options: RuntimeOptions = {}): Promise<RemoteRuntime> {
  const stdout = checkOptions(options);
  const wire = await loadWire();
  wire.installErrorTransfer();
  wire.installValueTransfer();
  const connection = new RuntimeConnection(wire, workerOptions(options), stdout, options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
  await connection.started;
  return connection.proxy;
}

function checkOptions(options: RuntimeOptions): (line: string) => void {
  if (typeof options !== 'object' || options === null) throw new TypeError('spawnRuntime options must be an object');
  if (options.stdout !== undefined && typeof options.stdout !== 'function') throw new TypeError('RuntimeOptions.stdout must be a function');
  if (options.jit !== undefined && options.jit !== false && (typeof options.jit !== 'object' || options.jit === null)) {
    throw new TypeError('RuntimeOptions.jit must be a JitConfig object or false');
  }
  if (options.maxCallDepth !== undefined) integerAtLeast(options.maxCallDepth, 0, 'maxCallDepth');
  if (options.maxStackSize !== undefined) integerAtLeast(options.maxStackSize, 0, 'maxStackSize');
  if (options.closeTimeoutMs !== undefined) integerAtLeast(options.closeTimeoutMs, 0, 'closeTimeoutMs');
  return options.stdout ?? ((line) => process.stdout.write(`${line}\n`));
}

function workerOptions(options: RuntimeOptions): WorkerRuntimeOptions {
  const { jit, maxCallDepth, maxStackSize } = options;
  return {
    ...(jit === undefined ? {} : { jit }),
    ...(maxCallDepth === undefined ? {} : { maxCallDepth }),
    ...(maxStackSize === undefined ? {} : { maxStackSize }),
  };
}

/** What talking to a runtime worker takes: comlink and the transfer handlers built on it. */
interface Wire {
  readonly wrap: typeof import('comlink').wrap;
  readonly nodeEndpoint: typeof import('./node-endpoint.js').nodeEndpoint;
  readonly decodeError: typeof import('./error-transfer.js').decodeError;
  readonly installErrorTransfer: () => void;
  readonly installValueTransfer: () => void;
}

/**
 * Loaded at the first `spawnRuntime`, not with the package: an embedder that never spawns a
 * runtime (and the command line) never loads comlink.
 */
async function loadWire(): Promise<Wire> {
  const [{ wrap }, { nodeEndpoint }, { decodeError, installErrorTransfer }, { installValueTransfer }] = await Promise.all([
    import('comlink'), import('./node-endpoint.js'), import('./error-transfer.js'), import('./value-transfer.js'),
  ]);
  return { wrap, nodeEndpoint, decodeError, installErrorTransfer, installValueTransfer };
}

type State = 'starting' | 'open' | 'closing' | 'closed';

/** The main-thread half of one runtime: its worker, its interrupt signal and its proxy. */
class RuntimeConnection {
  readonly started: Promise<void>;
  readonly proxy: RemoteRuntime;
  private readonly worker: Worker;
  private readonly signal = new InterruptSignal();
  private readonly board = new StatsBoard();
  private readonly remote: RemoteRuntime;
  /** Numbered operations sent so far (see interrupt-signal.ts). */
  private sent = 0;
  /** Numbered operations sent and not settled: while there are any, the worker may be busy. */
  private unsettled = 0;
  private state: State = 'starting';
  private exited = false;
  private lastError: unknown;
  /** Rejects when the worker thread ends; every pending operation races against it. */
  private readonly gone: Promise<never>;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly wire: Wire,
    options: WorkerRuntimeOptions,
    private readonly stdout: (line: string) => void,
    private readonly closeTimeoutMs: number,
  ) {
    const workerData: RuntimeWorkerData = { options, interrupt: this.signal.buffer, stats: this.board.buffer };
    try {
      this.worker = new Worker(workerFile(), { workerData });
    } catch (error) {
      // workerData is structured-cloned: a function or symbol in the JIT options fails here.
      throw new TypeError(`RuntimeOptions cannot be sent to the runtime worker: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.gone = new Promise<never>((_, reject) => {
      this.worker.once('exit', (code) => {
        this.exited = true;
        reject(this.exitError(code));
      });
    });
    this.gone.catch(() => undefined); // observed by whoever races against it
    this.worker.on('error', (error) => {
      this.lastError = error;
    });
    this.started = this.whenReady();
    this.worker.on('message', (message: unknown) => {
      if (isRuntimeWorkerMessage(message) && message.atlasRuntime === 'stdout') this.stdout(message.line);
    });
    this.remote = wire.wrap<RuntimeApi>(wire.nodeEndpoint(this.worker));
    this.proxy = new Proxy(this.remote, { get: (target, property) => this.member(target, property) });
  }

  private whenReady(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (!isRuntimeWorkerMessage(message) || message.atlasRuntime === 'stdout') return;
        this.worker.off('message', onMessage);
        if (message.atlasRuntime === 'ready') resolve();
        else reject(this.wire.decodeError(message.error));
      };
      this.worker.on('message', onMessage);
    });
    return Promise.race([ready, this.gone]).then(
      () => {
        this.state = 'open';
      },
      async (error: unknown) => {
        // Leave no thread behind when start-up fails.
        this.state = 'closed';
        await this.worker.terminate();
        throw error;
      },
    );
  }

  /** The proxy's members: comlink's, with the operations guarded and two made local. */
  private member(target: RemoteRuntime, property: PropertyKey): unknown {
    const member: unknown = Reflect.get(target, property);
    if (typeof member !== 'function') return member;
    if (property === 'interrupt') return local(member, () => this.interrupt());
    if (property === 'close') return local(member, () => this.close());
    if (property === 'stats') {
      return new Proxy(member, { apply: (fn, thisArg, args: unknown[]) => this.stats(() => this.send(false, args, () => Reflect.apply(fn, thisArg, args))) });
    }
    if (NUMBERED_OPERATIONS.has(property)) {
      return new Proxy(member, { apply: (fn, thisArg, args: unknown[]) => this.send(true, args, () => Reflect.apply(fn, thisArg, args)) });
    }
    return member;
  }

  private send(numbered: boolean, args: readonly unknown[], post: () => unknown): Promise<unknown> {
    if (this.state !== 'open') {
      return Promise.reject(new RemoteRuntimeError('closed', 'the runtime is closed'));
    }
    // An argument the message cannot carry would fail the post after the operation was
    // numbered, and a later interrupt would then stop the wrong operation: refuse it first.
    const unsendable = cloneError(args);
    if (unsendable !== undefined) return Promise.reject(new RemoteRuntimeError('invalid-argument', `an argument cannot be sent to the runtime worker: ${unsendable}`));
    if (!numbered) return Promise.race([post(), this.gone]);
    // Counted in the order comlink posts, which is the order the worker receives.
    this.sent++;
    this.unsettled++;
    const settled = Promise.race([post(), this.gone]);
    const done = () => {
      this.unsettled--;
    };
    settled.then(done, done);
    return settled;
  }

  /**
   * `stats()`: a message while no operation is under way (the worker answers it at once, with
   * exact figures); otherwise the figures the worker publishes for it in shared memory, which
   * never wait behind the operation.
   */
  private async stats(ask: () => Promise<unknown>): Promise<unknown> {
    if (this.state === 'open' && !this.exited && this.unsettled > 0) {
      const published = await this.board.request(BUSY_STATS_WAIT_MS);
      if (published !== undefined) return published;
    }
    return ask();
  }

  private interrupt(): Promise<void> {
    this.signal.interruptThrough(this.sent);
    return Promise.resolve();
  }

  private close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.started.catch(() => undefined);
    if (this.state === 'closed') return;
    this.state = 'closing';
    // Stop the running operation (at its next poll) and the queued ones, so the worker
    // gets to the close request.
    this.signal.interruptThrough(this.sent);
    if (!this.exited) {
      await withTimeout(Promise.race([this.remote.close(), this.gone]), this.closeTimeoutMs).catch(() => undefined);
      await this.worker.terminate();
    }
    this.state = 'closed';
  }

  private exitError(code: number): RemoteRuntimeError {
    if (this.state === 'closing' || this.state === 'closed') return new RemoteRuntimeError('closed', 'the runtime was closed');
    const cause = this.lastError instanceof Error ? `: ${this.lastError.message}` : '';
    const reason = this.state === 'starting' ? 'spawn-failed' : 'worker-exited';
    return new RemoteRuntimeError(reason, `the runtime worker exited with code ${code}${cause}`);
  }
}

/** A comlink method proxy whose call runs `action` on this thread instead of posting. */
function local(member: object, action: () => Promise<void>): unknown {
  return new Proxy(member, { apply: () => action() });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Why `args` cannot be structured-cloned, if they cannot (what a post would throw). */
function cloneError(args: readonly unknown[]): string | undefined {
  try {
    structuredClone(args);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
