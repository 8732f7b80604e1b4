/**
 * The 12 type-checking builtins. `typeof` has its own names (lower-case `option`/`result`,
 * `closure` for a capturing nested function) unlike argument errors (`Option`, `Result`);
 * `hasField`, `hasMethod` and `hasTag` look keys up in JSON objects only, the only keyed
 * values this runtime has.
 */
import { StdlibError } from '../stdlib-error.js';
import {
  AtlasArray, AtlasBuiltin, AtlasClosure, AtlasFunction, AtlasJson, type JsonObject, type Value, typeName,
} from '../values.js';
import { checkArity, typeError } from './arg-checks.js';
import type { BuiltinFn } from './builtin-fn.js';

/**
 * The name `typeof` returns: the argument errors' type name in lower case, except that a
 * closure is a `closure` (argument errors call it a function).
 */
export function typeofName(v: Value): string {
  return v instanceof AtlasClosure ? 'closure' : typeName(v).toLowerCase();
}

function jsonObject(v: Value): JsonObject | undefined {
  return v instanceof AtlasJson && v.data instanceof Map ? v.data : undefined;
}

/** A one-argument predicate. */
function predicate(name: string, test: (v: Value) => boolean): [string, BuiltinFn] {
  return [name, (args) => {
    checkArity(name, args, 1);
    return test(args[0]!);
  }];
}

/** A two-argument test whose second argument must be a string (`what` names it in the error). */
function keyed(name: string, what: string, test: (v: Value, key: string) => boolean): [string, BuiltinFn] {
  return [name, (args) => {
    checkArity(name, args, 2);
    const key = args[1]!;
    if (typeof key !== 'string') throw typeError(`${name}() requires ${what} string as second argument`);
    return test(args[0]!, key);
  }];
}

const typeofFn: BuiltinFn = (args) => {
  // The reference spells the name `typeOf` in this one message.
  if (args.length !== 1) throw new StdlibError('InvalidStdlibArgument', `typeOf(): expected 1 argument(s), got ${args.length}`);
  return typeofName(args[0]!);
};

const hasKey = (v: Value, key: string): boolean => jsonObject(v)?.has(key) === true;

export const TYPE_CHECK_BUILTINS: ReadonlyMap<string, BuiltinFn> = new Map([
  ['typeof', typeofFn],
  predicate('isString', (v) => typeof v === 'string'),
  predicate('isNumber', (v) => typeof v === 'number'),
  predicate('isBool', (v) => typeof v === 'boolean'),
  predicate('isNull', (v) => v === null),
  predicate('isArray', (v) => v instanceof AtlasArray),
  // A closure is not a function here, as in the reference VM.
  predicate('isFunction', (v) => v instanceof AtlasFunction || v instanceof AtlasBuiltin),
  predicate('isObject', (v) => jsonObject(v) !== undefined),
  keyed('isType', 'type name', (v, name) => (name === 'object' ? jsonObject(v) !== undefined : typeofName(v) === name)),
  keyed('hasField', 'field name', hasKey),
  // A key lookup too, never a method lookup (the reference's behaviour).
  keyed('hasMethod', 'method name', hasKey),
  keyed('hasTag', 'tag value', (v, tag) => jsonObject(v)?.get('tag') === tag),
]);
