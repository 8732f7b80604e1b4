/**
 * An engine's compile workers, with the install mailbox they leave code in: the part of the
 * JIT a host can start before the engine itself. A `JitEngine` makes its own unless it is
 * given some (`JitEngine.create(config, { workers })`).
 *
 * Why a part of its own: a worker takes 50–150 ms to boot, and nothing compiles before that,
 * so a host that loads the JIT late (`atlas-jit run` does, for a program still running after
 * its first slice) starts the workers first and loads the engine only once they have booted.
 * This module and what it imports (the pool, Piscina, p-queue, the mailbox) load in ~7 ms; the
 * whole engine in 12–22 ms, plus ~7 ms to create it. A program that ends while the workers
 * boot pays only for this part.
 */
import { CompilePool, type CompileSession } from './compile-pool.js';
import { InstallMailbox } from './install-mailbox.js';
import { type JitConfig, type ResolvedJitConfig, resolveConfig } from './jit-config.js';
import { requireAddon } from './native/addon.js';

/** Told when a session ends without being stopped (its worker crashed, threw, or was aborted). */
export type SessionEndHandler = (session: CompileSession, error: unknown) => void;

export class CompileWorkers {
  readonly mailbox: InstallMailbox;
  readonly pool: CompilePool;
  /** The adopting engine's handler; undefined until an engine adopts the workers. */
  private sessionEnd: SessionEndHandler | undefined;

  /** Workers for `config`, not started (the pool starts on first use, or `start`). */
  constructor(readonly config: ResolvedJitConfig) {
    this.mailbox = new InstallMailbox(config.mailboxCapacity);
    this.pool = new CompilePool({
      workers: config.workers, idleTimeoutMs: config.idleTimeoutMs, threadPriority: config.compileThreadPriority,
      mailbox: this.mailbox, fault: config.faultInjection,
      // Before an engine adopts them no batch was posted, so a session's end loses no job
      // (and the pool has already started its replacement): there is nothing to tell.
      onSessionEnd: (session, error) => this.sessionEnd?.(session, error),
    });
  }

  /**
   * Starts the workers of an engine to come, without waiting for their boot (see `ready`).
   * Throws `JitUnavailableError` when this platform has no native addon: no worker could
   * load the compiler.
   */
  static start(config: JitConfig = {}): CompileWorkers {
    requireAddon();
    const workers = new CompileWorkers(resolveConfig(config));
    workers.pool.prestart();
    return workers;
  }

  /** True once every started worker has booted (loaded the addon), or failed to. Read without yielding. */
  get ready(): boolean {
    return this.pool.ready;
  }

  /** The engine that runs its compiles on these workers from now on; one engine only. */
  adopt(onSessionEnd: SessionEndHandler): void {
    if (this.sessionEnd !== undefined) throw new Error('these compile workers already belong to an engine');
    this.sessionEnd = onSessionEnd;
  }

  /** Stops workers no engine adopted (an adopted engine's `close()` stops them). */
  close(): Promise<void> {
    if (this.sessionEnd !== undefined) throw new Error('these compile workers belong to an engine: close the engine');
    return this.pool.close();
  }
}

/** Whether workers started for `started` serve an engine configured as `wanted`. */
export function sameWorkerConfig(started: ResolvedJitConfig, wanted: ResolvedJitConfig): boolean {
  return started.workers === wanted.workers && started.mailboxCapacity === wanted.mailboxCapacity
    && started.compileThreadPriority === wanted.compileThreadPriority && started.idleTimeoutMs === wanted.idleTimeoutMs
    && started.faultInjection === wanted.faultInjection;
}
