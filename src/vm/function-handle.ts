/**
 * Function handles: a host's way to call one global Atlas function many times. `vm.call(name)`
 * looks the name up on every call; a handle finds the global once and keeps it, and each call
 * checks only that the global still holds the function it was bound to (one comparison).
 */
import type { HostValue, Value } from './values.js';

/**
 * A callable bound to a global function of one `Vm` (see `Vm.function`). Calling it means
 * exactly what `vm.call(name, ...args)` means: the same results, errors, halts, time budget
 * and JIT; only the lookup is gone. When the global is redefined (by the program or by
 * `vm.setGlobal`), the next call binds to the new function; when it no longer holds a function,
 * the call fails as `vm.call` would.
 *
 * The type parameters are the host's declaration of the function's signature: the
 * arguments are converted and checked at run time as for `vm.call`, the result is not.
 */
export interface FunctionHandle<Args extends readonly HostValue[] = HostValue[], Result extends Value = Value> {
  (...args: Args): Result;
  /** The global's name. */
  readonly name: string;
  /** The parameter count of the function the global holds now (the call's TypeError when it holds none). */
  readonly arity: number;
}
