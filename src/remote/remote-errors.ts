/**
 * The errors of a hosted runtime itself (as opposed to the Atlas errors it carries across:
 * AtlasRuntimeError and CompileError keep their own classes).
 */

/** Interrupts are the VM's own error class (src/vm/errors.ts); re-exported for the remote API. */
export { AtlasInterrupted } from '../vm/errors.js';

export type RemoteRuntimeErrorCode =
  /** `run()` or `call()` before any `load()`. */
  | 'not-loaded'
  /** The runtime was closed (before or while the operation ran). */
  | 'closed'
  /** The worker thread died (an uncaught error, `process.exit`, out of memory). */
  | 'worker-exited'
  /** The worker could not start the runtime (bad options, the native addon failed to load). */
  | 'spawn-failed'
  /** An argument cannot be sent to the worker (a function, a symbol, a class instance…). */
  | 'invalid-argument';

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
