/**
 * Compiling through the addon: `compileFunction` returns a handle or a typed refusal (a normal
 * outcome), and throws `NativeInputError` for malformed input a validator should have
 * rejected. Code lives in a process-wide registry under a small integer handle until
 * `releaseHandle`.
 */
import type { Constant } from '../../bytecode/bytecode.js';
import { addon } from './addon.js';
import type * as NativeAddon from '../../../native/native.js';
import {
  CONSTANT_KINDS, type CompileOptions, type CompileOutcome, type MarshalledPool, type NativeCallee, type NativeExit, type NativeFunctionInput,
  NativeAddonError, NativeInputError, type NativeInputRule, NATIVE_TYPES, type NativeType, type OptLevel, type RefusalReason,
} from './contract.js';

const CONSTANT_KIND_CODES: ReadonlyMap<unknown, number> = new Map(CONSTANT_KINDS.map((kind, code) => [kind, code]));


/**
 * The pool as two typed arrays (kind codes and number values), which cross N-API cheaply.
 * With `shared`, they live in SharedArrayBuffers, so compile jobs can send them to worker
 * threads without copying.
 */
export function marshalPool(constants: readonly Constant[], options: { shared?: boolean } = {}): MarshalledPool {
  const bytes = (n: number) => (options.shared === true ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
  const pool = { kinds: new Uint8Array(bytes(constants.length)), values: new Float64Array(bytes(constants.length * 8)) };
  marshalPoolInto(constants, pool);
  return pool;
}

/**
 * Writes the marshalled form of `constants` into `pool`'s arrays, from index `kindsAt` of
 * `kinds` and `valuesAt` of `values` (both 0 for a pool of its own).
 */
export function marshalPoolInto(constants: readonly Constant[], pool: MarshalledPool, kindsAt = 0, valuesAt = 0): void {
  const { kinds, values } = pool;
  for (let index = 0; index < constants.length; index++) {
    // Typed as a Constant, but the pool may come from untyped code: check what it holds.
    const constant: Constant | undefined = constants[index];
    const code = typeof constant === 'object' && constant !== null ? CONSTANT_KIND_CODES.get(constant.kind) : undefined;
    if (constant === undefined || code === undefined) throw new NativeInputError('InvalidRange', 0, `constant ${index} is not a constant of a known kind`);
    kinds[kindsAt + index] = code;
    values[valuesAt + index] = constant.kind === 'number' ? constant.value : 0;
  }
}

function isMarshalledPool(value: unknown): value is MarshalledPool {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { kinds, values } = value as Partial<MarshalledPool>;
  return kinds instanceof Uint8Array && values instanceof Float64Array && kinds.length === values.length;
}

function checkU32(name: string, value: unknown, offset: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new NativeInputError('InvalidRange', offset, `${name} must be an integer in 0..2^32-1, got ${String(value)}`);
  }
  return value;
}

function checkInput(input: NativeFunctionInput, optLevel: OptLevel): void {
  if (!(input.code instanceof Uint8Array)) throw new NativeInputError('InvalidRange', 0, 'code must be a Uint8Array');
  if (!Array.isArray(input.constants) && !isMarshalledPool(input.constants)) {
    throw new NativeInputError('InvalidRange', 0, 'constants must be an array of constants or a marshalled pool');
  }
  const start = checkU32('start', input.start, 0);
  checkU32('end', input.end, start);
  checkU32('arity', input.arity, start);
  checkU32('localCount', input.localCount, start);
  if (input.callees !== undefined && !Array.isArray(input.callees)) throw new NativeInputError('InvalidRange', start, 'callees must be an array');
  if (input.calls !== undefined && !(input.calls instanceof Map)) throw new NativeInputError('InvalidRange', start, 'calls must be a Map');
  if (optLevel !== 0 && optLevel !== 1 && optLevel !== 2) {
    throw new NativeInputError('InvalidRange', start, `opt level must be 0, 1 or 2, got ${String(optLevel)}`);
  }
}

/**
 * Translates and compiles one function. A refusal is a normal result; malformed input
 * throws `NativeInputError`; a Cranelift failure throws `NativeAddonError`.
 */
export function compileFunction(input: NativeFunctionInput, optLevel: OptLevel, options: CompileOptions = {}): CompileOutcome {
  checkInput(input, optLevel);
  const pool = isMarshalledPool(input.constants) ? input.constants : marshalPool(input.constants);
  let raw: NativeAddon.RawCompileResult;
  try {
    raw = addon().compileFunction(
      input.code, input.start, input.end, input.arity, input.localCount,
      pool.kinds, pool.values, optLevel, options.verify,
      calleeTable(input.callees ?? [], input.start), callTable(input.calls ?? new Map(), input.start), options.interruptChecks,
      input.entry, input.entryKinds === undefined ? undefined : kindCodes(input.entryKinds), input.sideExits,
      input.globals === undefined ? undefined : kindCodes(input.globals.kinds),
      input.globals === undefined ? undefined : callTable(input.globals.slots, input.start),
      input.calleeGlobals === undefined ? undefined : Uint32Array.from(input.calleeGlobals),
      input.builtinGlobals === undefined ? undefined : callTable(input.builtinGlobals, input.start),
    );
  } catch (cause) {
    if (cause instanceof NativeAddonError) throw cause;
    throw new NativeAddonError(`native compile failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  // The names in `raw` are the Rust enums' (`contract()` lists them; the contract test
  // checks that they are this module's).
  switch (raw.status) {
    case 'ok': {
      const { handle, codeSize, compileMicros } = raw;
      return { ok: true, handle, codeSize, returnType: raw.returnType as NativeType, exit: raw.exit as NativeExit, compileMicros };
    }
    case 'refused':
      return { ok: false, refusal: { reason: raw.reason as RefusalReason, opcode: raw.opcode, offset: raw.offset, message: raw.message } };
    case 'invalid':
      throw new NativeInputError(raw.reason as NativeInputRule, raw.offset, raw.message);
    default:
      throw new NativeAddonError(`unknown compile status ${raw.status}`);
  }
}

/** Value kinds as the codes the addon reads (their index in `NATIVE_TYPES`). */
function kindCodes(kinds: readonly NativeType[]): Uint8Array {
  return Uint8Array.from(kinds, (kind) => NATIVE_TYPES.indexOf(kind));
}

/** Four u32 words per callee: start, end, arity, localCount. */
function calleeTable(callees: readonly NativeCallee[], offset: number): Uint32Array {
  const table = new Uint32Array(callees.length * 4);
  callees.forEach((callee, i) => {
    if (typeof callee !== 'object' || callee === null) throw new NativeInputError('InvalidRange', offset, `callee ${i} is not an object`);
    table[i * 4] = checkU32('callee start', callee.start, offset);
    table[i * 4 + 1] = checkU32('callee end', callee.end, offset);
    table[i * 4 + 2] = checkU32('callee arity', callee.arity, offset);
    table[i * 4 + 3] = checkU32('callee localCount', callee.localCount, offset);
  });
  return table;
}

/** Two u32 words per call: the Call's offset, the called function's index. */
function callTable(calls: ReadonlyMap<number, number>, offset: number): Uint32Array {
  const table = new Uint32Array(calls.size * 2);
  let i = 0;
  for (const [at, index] of calls) {
    table[i++] = checkU32('call offset', at, offset);
    table[i++] = checkU32('callee index', index, offset);
  }
  return table;
}

/** Frees a handle's code (once no call is running it). False if unknown or already released. */
export function releaseHandle(handle: number): boolean {
  if (!Number.isInteger(handle) || handle < 0 || handle > 0xffff_ffff) return false;
  return addon().releaseHandle(handle);
}

/** Handles registered and not yet released, process-wide. */
export function liveHandleCount(): number {
  return addon().liveHandleCount();
}

/**
 * Compiled functions whose machine code is not freed yet, process-wide. It trails
 * `liveHandleCount` only while another thread still caches a released handle it invoked.
 */
export function liveCodeCount(): number {
  return addon().liveCodeCount();
}
