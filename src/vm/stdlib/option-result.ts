/**
 * Option and Result: the constructors (`Some`, `None`, `Ok`, `Err`), the tests (`is_some`,
 * `is_none`, `is_ok`, `is_err`), unwrapping (`unwrap`, `unwrap_or`, `expect`) and the
 * conversions `result_ok`/`result_err`. Messages name the reference's functions, so
 * `result_ok` of a non-Result says `ok() requires Result value`.
 */
import { AtlasOption, AtlasResult, type Value, display } from '../values.js';
import { argError, checkArity, typeError } from './arg-checks.js';
import type { BuiltinFn } from './builtin-fn.js';

function unary(name: string, f: (v: Value) => Value): [string, BuiltinFn] {
  return [name, (args) => {
    checkArity(name, args, 1);
    return f(args[0]!);
  }];
}

function optionTest(name: string, wantSome: boolean): [string, BuiltinFn] {
  return unary(name, (v) => {
    if (!(v instanceof AtlasOption)) throw typeError(`${name}() requires Option value`);
    return v.isSome === wantSome;
  });
}

function resultTest(name: string, wantOk: boolean): [string, BuiltinFn] {
  return unary(name, (v) => {
    if (!(v instanceof AtlasResult)) throw typeError(`${name}() requires Result value`);
    return v.isOk === wantOk;
  });
}

/** The value inside `Some`/`Ok`, or undefined for `None`/`Err`; throws for other kinds. */
function present(name: string, v: Value): Value | undefined {
  if (v instanceof AtlasOption) return v.isSome ? v.value : undefined;
  if (v instanceof AtlasResult) return v.isOk ? v.value : undefined;
  throw typeError(`${name}() requires Option or Result value`);
}

const unwrap = unary('unwrap', (v) => {
  const inner = present('unwrap', v);
  if (inner !== undefined) return inner;
  throw typeError(v instanceof AtlasResult ? `unwrap() called on Err(${display(v.value)})` : 'unwrap() called on None');
});

const unwrapOr: BuiltinFn = (args) => {
  checkArity('unwrap_or', args, 2);
  const inner = present('unwrap_or', args[0]!);
  return inner === undefined ? args[1]! : inner;
};

const expect: BuiltinFn = (args) => {
  checkArity('expect', args, 2);
  const [v, msg] = args as [Value, Value];
  // The message is checked before the value.
  if (typeof msg !== 'string') throw argError('expect', 'string', msg);
  const inner = present('expect', v);
  if (inner !== undefined) return inner;
  throw typeError(v instanceof AtlasResult ? `${msg}: ${display(v.value)}` : msg);
};

/** `result_ok` (`wantOk`) and `result_err`: the matching side as `Some`, the other as `None`. */
function resultSide(name: string, shortName: string, wantOk: boolean): [string, BuiltinFn] {
  return unary(name, (v) => {
    if (!(v instanceof AtlasResult)) throw typeError(`${shortName}() requires Result value`);
    return v.isOk === wantOk ? AtlasOption.some(v.value) : AtlasOption.None;
  });
}

export const OPTION_RESULT_BUILTINS: ReadonlyMap<string, BuiltinFn> = new Map([
  unary('Some', (v) => AtlasOption.some(v)),
  // Unreachable by name (`None` evaluates to the value), kept because the reference registers it.
  ['None', (args) => {
    checkArity('None', args, 0);
    return AtlasOption.None;
  }],
  unary('Ok', (v) => AtlasResult.ok(v)),
  unary('Err', (v) => AtlasResult.err(v)),
  optionTest('is_some', true),
  optionTest('is_none', false),
  resultTest('is_ok', true),
  resultTest('is_err', false),
  unwrap,
  ['unwrap_or', unwrapOr],
  ['expect', expect],
  resultSide('result_ok', 'ok', true),
  resultSide('result_err', 'err', false),
]);
