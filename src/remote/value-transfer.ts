/**
 * Atlas values across the thread boundary. Structured cloning keeps numbers, strings,
 * booleans and null, but turns class instances (AtlasArray, AtlasOption, ...) into plain
 * objects; this comlink transfer handler encodes them as tagged data and rebuilds the same
 * classes on the other side, so `await remote.call(...)` returns what `vm.call(...)` would.
 * Functions and closures arrive as values naming their function; calling them needs the
 * runtime that owns the program.
 */
import { transferHandlers, type TransferHandler } from 'comlink';
import type { FunctionRef } from '../bytecode/bytecode.js';
import {
  AtlasArray, AtlasBuiltin, AtlasClosure, AtlasFunction, AtlasJson, AtlasOption, AtlasResult, type JsonData, type Value,
} from '../vm/values.js';

export type WireValue =
  | number
  | boolean
  | null
  | string
  | { readonly t: 'array'; readonly elements: readonly WireValue[] }
  | { readonly t: 'function'; readonly ref: FunctionRef }
  | { readonly t: 'closure'; readonly ref: FunctionRef; readonly upvalues: readonly WireValue[] }
  | { readonly t: 'builtin'; readonly name: string }
  | { readonly t: 'option'; readonly some: boolean; readonly value: WireValue }
  | { readonly t: 'result'; readonly ok: boolean; readonly value: WireValue }
  // JSON data is plain arrays and Maps, which structured cloning keeps.
  | { readonly t: 'json'; readonly data: JsonData };

type ObjectValue = Exclude<Value, number | boolean | null | string>;

export const VALUE_HANDLER_NAME = 'atlas-value';

export function isObjectValue(v: unknown): v is ObjectValue {
  return v instanceof AtlasArray || v instanceof AtlasOption || v instanceof AtlasResult
    || v instanceof AtlasFunction || v instanceof AtlasClosure || v instanceof AtlasBuiltin || v instanceof AtlasJson;
}

export function encodeValue(v: Value): WireValue {
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof AtlasArray) return { t: 'array', elements: v.elements.map(encodeValue) };
  if (v instanceof AtlasFunction) return { t: 'function', ref: v.ref };
  if (v instanceof AtlasClosure) return { t: 'closure', ref: v.ref, upvalues: v.upvalues.map(encodeValue) };
  if (v instanceof AtlasBuiltin) return { t: 'builtin', name: v.name };
  if (v instanceof AtlasOption) return { t: 'option', some: v.isSome, value: encodeValue(v.value) };
  if (v instanceof AtlasJson) return { t: 'json', data: v.data };
  return { t: 'result', ok: v.isOk, value: encodeValue(v.value) };
}

export function decodeValue(w: WireValue): Value {
  if (typeof w !== 'object' || w === null) return w;
  switch (w.t) {
    case 'array': return new AtlasArray(w.elements.map(decodeValue));
    case 'function': return new AtlasFunction(w.ref);
    case 'closure': return new AtlasClosure(w.ref, w.upvalues.map(decodeValue));
    case 'builtin': return new AtlasBuiltin(w.name);
    case 'option': return w.some ? AtlasOption.some(decodeValue(w.value)) : AtlasOption.None;
    case 'result': return w.ok ? AtlasResult.ok(decodeValue(w.value)) : AtlasResult.err(decodeValue(w.value));
    case 'json': return new AtlasJson(w.data);
  }
}

const valueHandler: TransferHandler<Value, WireValue> = {
  canHandle: (v: unknown): v is Value => isObjectValue(v),
  serialize: (v) => [encodeValue(v), []],
  deserialize: decodeValue,
};

/** Registers the handler with comlink (process-wide, idempotent). Both threads must do it. */
export function installValueTransfer(): void {
  transferHandlers.set(VALUE_HANDLER_NAME, valueHandler as TransferHandler<unknown, unknown>);
}
