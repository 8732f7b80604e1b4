/**
 * The errors of a hosted runtime itself (as opposed to the Atlas errors it carries across:
 * AtlasRuntimeError and CompileError keep their own classes).
 */

/**
 * An operation stopped by `interrupt()` or `close()`. Interpreted code stops at its next
 * call or loop back-edge, so the program's globals keep whatever it assigned until then.
 */
export class AtlasInterrupted extends Error {
  /** Whether the operation had started running, or was stopped while waiting its turn. */
  readonly started: boolean;

  constructor(started: boolean) {
    super(started ? 'Execution interrupted' : 'Execution interrupted before it started');
    this.name = 'AtlasInterrupted';
    this.started = started;
  }
}

export type RemoteRuntimeErrorCode =
  /** `run()` or `call()` before any `load()`. */
  | 'not-loaded'
  /** The runtime was closed (before or while the operation ran). */
  | 'closed'
  /** The worker thread died (an uncaught error, `process.exit`, out of memory). */
  | 'worker-exited'
  /** The worker could not start the runtime (bad options, the native addon failed to load). */
  | 'spawn-failed';

/** Misuse of a hosted runtime, or the loss of its thread. */
export class RemoteRuntimeError extends Error {
  constructor(
    readonly code: RemoteRuntimeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteRuntimeError';
  }
}
