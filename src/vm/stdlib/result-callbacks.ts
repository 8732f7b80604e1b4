/**
 * The Result callback intrinsics: `result_map`, `result_map_err`, `result_and_then`,
 * `result_or_else`. Unlike the array intrinsics they check the callback before the Result, and
 * `result_and_then`/`result_or_else` return the callback's result as it is (not checked to be a
 * Result).
 */
import type { BuiltinFn } from '../builtins.js';
import { StdlibError } from '../stdlib-error.js';
import { AtlasResult, type Value } from '../values.js';
import { type CallbackContext, type CallbackInvoker, invokerFor, isCallable } from './callback-context.js';

type Body = (r: AtlasResult, f: Value, call: CallbackInvoker) => Value;

function typeError(message: string): StdlibError {
  return new StdlibError('TypeError', message);
}

function resultIntrinsic(name: string, callbackParam: string, body: Body): [string, BuiltinFn] {
  const fn = (args: readonly Value[], ctx: CallbackContext): Value => {
    const call = invokerFor(name, ctx);
    if (args.length !== 2) throw typeError(`${name}() expects 2 arguments (result, ${callbackParam})`);
    const f = args[1]!;
    if (!isCallable(f)) throw typeError(`${name}() second argument must be function`);
    const r = args[0]!;
    if (!(r instanceof AtlasResult)) throw typeError(`${name}() first argument must be Result`);
    return body(r, f, call);
  };
  return [name, fn];
}

/** The 4 Result callback intrinsics, by name. */
export const RESULT_CALLBACK_INTRINSICS: ReadonlyMap<string, BuiltinFn> = new Map([
  resultIntrinsic('result_map', 'transform_fn', (r, f, call) => (r.isOk ? AtlasResult.ok(call(f, [r.value])) : r)),
  resultIntrinsic('result_map_err', 'transform_fn', (r, f, call) => (r.isOk ? r : AtlasResult.err(call(f, [r.value])))),
  resultIntrinsic('result_and_then', 'next_fn', (r, f, call) => (r.isOk ? call(f, [r.value]) : r)),
  resultIntrinsic('result_or_else', 'recovery_fn', (r, f, call) => (r.isOk ? r : call(f, [r.value]))),
]);
