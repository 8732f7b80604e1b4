/**
 * Method-call syntax (docs/language.md): only arrays and json values have methods, and
 * each method is a builtin called with the receiver as its first argument. Some array
 * methods write their result back to a receiver variable (`a.push(x)` updates `a`): which
 * ones, and how, is the code generator's business (`writeBackOf`). Static signatures are
 * the reference's (receiver excluded), `?` where it has no better type.
 */
import { type AtlasType, T, arrayOf } from './types.js';

export interface MethodSignature {
  /** The builtin the call compiles to. */
  readonly builtin: string;
  readonly params: readonly AtlasType[];
  readonly returns: AtlasType;
}

const U = T.unknown;
const UA = arrayOf(U);

function m(builtin: string, params: readonly AtlasType[], returns: AtlasType): MethodSignature {
  return { builtin, params, returns };
}

const ARRAY_METHODS: ReadonlyMap<string, MethodSignature> = new Map([
  ['push', m('arrayPush', [U], UA)],
  ['unshift', m('arrayUnshift', [U], UA)],
  ['reverse', m('arrayReverse', [], UA)],
  ['pop', m('arrayPop', [], U)],
  ['shift', m('arrayShift', [], U)],
  ['sort', m('arraySort', [], UA)],
  ['len', m('len', [], T.number)],
  ['includes', m('arrayIncludes', [U], T.bool)],
  ['indexOf', m('arrayIndexOf', [U], T.number)],
  ['lastIndexOf', m('arrayLastIndexOf', [U], T.number)],
  ['slice', m('slice', [T.number, T.number], UA)],
  ['concat', m('concat', [UA], UA)],
  ['flatten', m('flatten', [], UA)],
  ['join', m('join', [T.string], T.string)],
]);

const JSON_METHODS: ReadonlyMap<string, MethodSignature> = new Map([
  ['as_string', m('jsonAsString', [], T.string)],
  ['as_number', m('jsonAsNumber', [], T.number)],
  ['as_bool', m('jsonAsBool', [], T.bool)],
  ['is_null', m('jsonIsNull', [], T.bool)],
]);

/** The names of the methods a receiver of type `receiver` has. */
export function methodNames(receiver: AtlasType): readonly string[] {
  if (receiver.kind === 'array') return [...ARRAY_METHODS.keys()];
  if (receiver.kind === 'json') return [...JSON_METHODS.keys()];
  return [];
}

/** The method `name` of a receiver of type `receiver`, if it has one. */
export function methodSignature(receiver: AtlasType, name: string): MethodSignature | undefined {
  if (receiver.kind === 'array') return ARRAY_METHODS.get(name);
  if (receiver.kind === 'json') return JSON_METHODS.get(name);
  return undefined;
}

/**
 * How a call's result is written back to the variable its receiver (method) or first
 * argument (free function) names: `collection` stores the result; `pair` stores element
 * 1 of the `[value, rest]` pair and leaves element 0. The reference decides on the
 * spelling: the method's builtin, or the free function's name as written.
 */
export type WriteBack = 'collection' | 'pair';

const METHOD_WRITE_BACK: ReadonlyMap<string, WriteBack> = new Map([
  ['arrayPush', 'collection'], ['arrayUnshift', 'collection'], ['arrayReverse', 'collection'],
  ['arrayPop', 'pair'], ['arrayShift', 'pair'],
]);

const CALL_WRITE_BACK: ReadonlyMap<string, WriteBack> = new Map([
  ['hashMapPut', 'collection'], ['hashMapClear', 'collection'], ['hashSetAdd', 'collection'],
  ['hashSetClear', 'collection'], ['queueEnqueue', 'collection'], ['queueClear', 'collection'],
  ['stackPush', 'collection'], ['stackClear', 'collection'],
  ['unshift', 'collection'], ['reverse', 'collection'], ['flatten', 'collection'],
  ['hashMapRemove', 'pair'], ['hashSetRemove', 'pair'], ['queueDequeue', 'pair'], ['stackPop', 'pair'],
  ['pop', 'pair'], ['shift', 'pair'],
]);

/** The write-back after a method call compiled to `builtin`, if any. */
export function methodWriteBack(builtin: string): WriteBack | undefined {
  return METHOD_WRITE_BACK.get(builtin);
}

/** The write-back after a call whose callee is spelt `name`, if any. */
export function callWriteBack(name: string): WriteBack | undefined {
  return CALL_WRITE_BACK.get(name);
}
