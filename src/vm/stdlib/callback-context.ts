/**
 * What the callback intrinsics (`map`, `result_map`, …) need beyond a builtin: a way to call an
 * Atlas value back. The interpreter gives it to builtins called from bytecode; a builtin called
 * *as a callback* gets none, so an intrinsic used as a callback fails with `Unknown function`,
 * as in the reference (its callback path only knows registry builtins).
 */
import type { BuiltinContext } from '../builtins.js';
import { StdlibError } from '../stdlib-error.js';
import { AtlasBuiltin, AtlasClosure, AtlasFunction, type Value } from '../values.js';

/**
 * Calls `callee` with `args` through the interpreter's call path (the JIT hook sees the call)
 * and returns its result. Errors inside the callee keep their own offsets; a call that cannot be
 * made (wrong arity, a builtin's own checks) fails at the intrinsic's call.
 */
export type CallbackInvoker = (callee: Value, args: readonly Value[]) => Value;

export interface CallbackContext extends BuiltinContext {
  readonly callback?: CallbackInvoker;
}

/** The invoker, or `Unknown function: <name>` when the intrinsic was itself called as a callback. */
export function invokerFor(name: string, ctx: CallbackContext): CallbackInvoker {
  if (ctx.callback === undefined) throw new StdlibError('UnknownFunction', name);
  return ctx.callback;
}

/**
 * What an intrinsic accepts as a callback: user functions, builtins and (unlike the reference
 * VM, which rejects them but whose tree-walking interpreter accepts them) closures.
 */
export function isCallable(v: Value): boolean {
  return v instanceof AtlasFunction || v instanceof AtlasClosure || v instanceof AtlasBuiltin;
}
