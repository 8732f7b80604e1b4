/**
 * The typed wrapper around the native addon (`native/atlas-jit-native.node`, the Rust crate
 * in `native/`), and the only module that loads it. The addon translates an Atlas function
 * (loops and branches included) and the functions it calls directly to machine code with
 * Cranelift, keeps it in a process-wide registry under a small integer handle, and runs it.
 *
 * Compiling: `compileFunction` returns a handle or a typed refusal (a normal outcome), and
 * throws `NativeInputError` for malformed input a validator should have rejected.
 * Invoking: each thread owns one shared buffer. `NativeInvoker` writes the handle and the
 * arguments there, makes one argument-less N-API call, and reads status and results back, so
 * a call converts nothing. Code compiled on any thread can be invoked on any other thread.
 *
 * The Rust side is the source of the contract: the addon's interface is typed from the
 * declarations napi generates (`native/native.d.ts`, committed), and the values this module
 * mirrors (invoke-area layout, status and trap codes, the names that cross as strings,
 * `MAX_FUNCTIONS`) are checked against the addon's own by test/native-contract.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as NativeAddon from '../../native/native.js';
import type { Constant } from '../bytecode/bytecode.js';

export type NativeType = 'number' | 'bool' | 'null';

/** The value kinds by code (index): a `Return`'s status and a halted value's kind word. */
export const NATIVE_TYPES: readonly NativeType[] = ['number', 'bool', 'null'];

/** The most functions one compiled module (a root and the callees it reaches) may hold. */
export const MAX_FUNCTIONS = 256;

/** Cranelift opt levels: 0 none, 1 speed, 2 speed_and_size. */
export type OptLevel = 0 | 1 | 2;

/** How every completed run of a compiled function ends (a dynamic trap may still come first). */
export type NativeExit = 'return' | 'halt' | 'trap';

export type RefusalReason =
  /** An opcode outside the native subset (global writes, closures, arrays, ...). */
  | 'UnsupportedOpcode'
  /** `Constant` of a string, bool, null, function or builtin constant. */
  | 'NonNumberConstant'
  /** `Return`, `Pop` or `Halt` with an empty frame stack: the VM would use the caller's stack. */
  | 'FrameUnderflow'
  /** `SetLocal` past the stack top below the last local, where the VM raises StackUnderflow. */
  | 'SetLocalUnderflow'
  /** The body ends without `Return` or `Halt`; the VM would run on past `end`. */
  | 'MissingTerminator'
  /** A jump leaves the body or lands inside an instruction. */
  | 'JumpOutOfBody'
  /** Two paths reach one instruction with different stack depths or slot types. */
  | 'MergeMismatch'
  /** A `Call` without a statically known callee (see `NativeFunctionInput.calls`), or with a non-number argument. */
  | 'UnknownCallee'
  /** A global's value (only known functions may be read, and only to be called) used as a value. */
  | 'UntypedValue'
  /** A function called natively returns a non-number on some path. */
  | 'CalleeReturnType';

/** A further function of a call tree: its body and frame, as in `NativeFunctionInput`. */
export interface NativeCallee {
  readonly start: number;
  readonly end: number;
  readonly arity: number;
  readonly localCount: number;
}

export interface NativeFunctionInput {
  /** The whole program's instruction bytes (Pop-before-Halt looks at the next byte, docs/bytecode.md Q1). */
  readonly code: Uint8Array;
  /** The function's body offset (FunctionRef.offset). */
  readonly start: number;
  /** One past its last instruction. */
  readonly end: number;
  readonly arity: number;
  readonly localCount: number;
  /** The program's constant pool, as constants or already marshalled (see `marshalPool`). */
  readonly constants: readonly Constant[] | MarshalledPool;
  /** The other functions of the call tree: functions 1.. of the module (function 0 is this one). */
  readonly callees?: readonly NativeCallee[];
  /**
   * The statically resolved calls: `Call` offset → index of the called function (0 is this
   * one). The translator treats every `GetGlobal` as pushing a callee that only a `Call` of
   * this table may consume, so the CALLER must guarantee (and re-check before each run) that
   * those globals hold these functions, and that a global read whose value is discarded names a
   * global that exists (the interpreter raises UndefinedVariable there; see `call-tree.ts`).
   */
  readonly calls?: ReadonlyMap<number, number>;
}

export interface Refusal {
  readonly reason: RefusalReason;
  /** The refused opcode's name (`<end>` for MissingTerminator). */
  readonly opcode: string;
  readonly offset: number;
  readonly message: string;
}

export type CompileOutcome =
  | {
      readonly ok: true;
      readonly handle: number;
      /** Machine-code bytes as reported by Cranelift. */
      readonly codeSize: number;
      /** The type of the value a completed run produces (`null` when exit is 'trap'). */
      readonly returnType: NativeType;
      readonly exit: NativeExit;
      readonly compileMicros: number;
    }
  | { readonly ok: false; readonly refusal: Refusal };

export interface CompileOptions {
  /**
   * Run Cranelift's IR verifier. Defaults to on for a debug build of the addon or when the
   * environment has ATLAS_JIT_VERIFY=1, off otherwise (see `verifierDefault`).
   */
  readonly verify?: boolean;
  /** Poll the interrupt flag at function entry and on back edges (default true; off only to measure its cost). */
  readonly interruptChecks?: boolean;
}

/** What was wrong with malformed input; `InvalidRange` covers the frame description itself. */
export type NativeInputRule =
  | 'InvalidRange'
  | 'UnknownOpcode'
  | 'TruncatedInstruction'
  | 'ConstantOutOfRange'
  | 'LocalOutOfRange'
  | 'StackUnderflow';

/** Malformed input that the bytecode validator should have rejected before compiling. */
export class NativeInputError extends Error {
  constructor(
    readonly rule: NativeInputRule,
    readonly offset: number,
    detail: string,
  ) {
    super(`${rule} at offset ${offset}: ${detail}`);
    this.name = 'NativeInputError';
  }
}

/** Invoking a handle that is unknown or released (or a failure inside the addon). */
export class NativeInvokeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NativeInvokeError';
  }
}

/** The addon could not be found or loaded (build it with `npm run build:native`). */
export class NativeAddonError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NativeAddonError';
  }
}

/** Runtime errors raised inside native code; the value names match the Rust `TrapCode`. */
export enum TrapCode {
  DivideByZero = 1,
  InvalidNumericResult,
  /** TypeError "Cannot apply ! to non-boolean". */
  NotNonBool,
  /** TypeError "Expected number". */
  ExpectedNumber,
  /** TypeError "Invalid operands for +". */
  InvalidAdd,
  /** TypeError "Cannot negate non-number". */
  NegateNonNumber,
}

/** The interpreter's runtime error for a trap: its RuntimeError kind and TypeError message. */
export interface TrapError {
  readonly kind: 'DivideByZero' | 'InvalidNumericResult' | 'TypeError';
  /** The TypeError's message; undefined for the payload-less kinds. */
  readonly detail: string | undefined;
}

const TRAP_ERRORS: Readonly<Record<TrapCode, TrapError>> = {
  [TrapCode.DivideByZero]: { kind: 'DivideByZero', detail: undefined },
  [TrapCode.InvalidNumericResult]: { kind: 'InvalidNumericResult', detail: undefined },
  [TrapCode.NotNonBool]: { kind: 'TypeError', detail: 'Cannot apply ! to non-boolean' },
  [TrapCode.ExpectedNumber]: { kind: 'TypeError', detail: 'Expected number' },
  [TrapCode.InvalidAdd]: { kind: 'TypeError', detail: 'Invalid operands for +' },
  [TrapCode.NegateNonNumber]: { kind: 'TypeError', detail: 'Cannot negate non-number' },
};

/** The runtime error (docs/bytecode.md §2.1, §2.4) the interpreter raises where native code traps with `code`. */
export function trapError(code: TrapCode): TrapError {
  const error = TRAP_ERRORS[code];
  if (error === undefined) throw new NativeInvokeError(`unknown trap code ${String(code)}`);
  return error;
}

/**
 * 0 number · 1 bool (value 0/1) · 2 null · 3 trap · 4 halted (value and `haltType`) ·
 * 5 interrupted (the interrupt flag was set) · 6 bailed out (the call would pass the
 * interpreter's frame/stack limits or the native stack budget; nothing observable happened,
 * so the caller runs it in the interpreter instead).
 */
export type InvokeStatus = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export const InvokeStatus = {
  Number: 0,
  Bool: 1,
  Null: 2,
  Trap: 3,
  Halted: 4,
  Interrupted: 5,
  BailedOut: 6,
} as const satisfies Record<string, InvokeStatus>;

// ---------------------------------------------------------------------------------------
// Loading

/** The addon's exports, as napi declares them from the Rust sources. */
type Addon = typeof NativeAddon;

const PACKAGE_NAME = 'atlas-jit';
const ADDON_FILE = 'atlas-jit-native.node';

/**
 * The package root: the nearest ancestor holding atlas-jit's package.json. Found from this
 * module's own URL, so it is the same from `src/`, `dist/src/` and inside worker threads.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readPackageName(manifest) === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new NativeAddonError(`cannot find the ${PACKAGE_NAME} package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function readPackageName(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}

let loaded: Addon | undefined;

/** Loads the addon on first use, so importing this module never fails by itself. */
function addon(): Addon {
  if (loaded !== undefined) return loaded;
  const path = nativeAddonPath();
  try {
    loaded = createRequire(import.meta.url)(path) as Addon;
  } catch (cause) {
    throw new NativeAddonError(`cannot load the native addon ${path} (run \`npm run build:native\`)`, { cause });
  }
  return loaded;
}

/** Where the addon is loaded from: `<package root>/native/atlas-jit-native.node`. */
export function nativeAddonPath(): string {
  return join(packageRoot(), 'native', ADDON_FILE);
}

/** The target triple native code is generated for, e.g. `x86_64-unknown-linux-gnu`. */
export function hostIsa(): string {
  return addon().hostIsa();
}

/** How the addon was built: `npm run build:native` gives 'release', `build:native:debug` 'debug'. */
export function addonProfile(): 'debug' | 'release' {
  const profile = addon().addonProfile();
  if (profile !== 'debug' && profile !== 'release') throw new NativeAddonError(`unknown addon profile ${profile}`);
  return profile;
}

/** Whether `compileFunction` runs the verifier when not told (debug addon or ATLAS_JIT_VERIFY=1). */
export function verifierDefault(): boolean {
  return addon().verifierDefault();
}

/**
 * An argument-less N-API function of the addon that does nothing: what one crossing into
 * the addon costs, the floor under `NativeInvoker.invoke` (for benchmarks).
 */
export function emptyNativeCall(): () => void {
  return addon().emptyCallFunction();
}

// ---------------------------------------------------------------------------------------
// Compiling

/** Constant kinds by code (index), as the translator reads the marshalled pool. */
export const CONSTANT_KINDS: readonly Constant['kind'][] = ['number', 'null', 'bool', 'string', 'function', 'builtin'];

const CONSTANT_KIND_CODES: ReadonlyMap<unknown, number> = new Map(CONSTANT_KINDS.map((kind, code) => [kind, code]));

/** A constant pool as the translator reads it: a kind code and a number value per constant. */
export interface MarshalledPool {
  readonly kinds: Uint8Array;
  readonly values: Float64Array;
}

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

// ---------------------------------------------------------------------------------------
// Invoking

/**
 * Layout of the invoke buffer (`native/src/invoke_area.rs`): 256 f64 argument slots, the
 * f64 result value, then u32 control words (status, trap code, trap offset, halt kind,
 * handle, interrupt flag, frames left, stack slots left, two unused). Shaped as the
 * addon's `contract()` reports it, minus the name lists.
 */
export const INVOKE_AREA = {
  argSlots: 256,
  valueSlot: 256,
  f64Length: 262,
  controlByteOffset: 257 * 8,
  controlWords: 10,
  control: { status: 0, trapCode: 1, trapOffset: 2, haltKind: 3, handle: 4, interrupt: 5, framesLeft: 6, slotsLeft: 7 },
} as const;

// Module constants for the invoke path.
const { argSlots: ARG_SLOTS, valueSlot: VALUE_SLOT, f64Length: F64_LENGTH } = INVOKE_AREA;
const { status: STATUS, trapCode: TRAP_CODE, trapOffset: TRAP_OFFSET, haltKind: HALT_KIND } = INVOKE_AREA.control;
const { handle: HANDLE, interrupt: INTERRUPT, framesLeft: FRAMES_LEFT, slotsLeft: SLOTS_LEFT } = INVOKE_AREA.control;

interface ThreadInvoke {
  readonly values: Float64Array;
  readonly control: Uint32Array;
  readonly call: () => void;
}

/** This thread's buffer and invoke function (every worker has its own module instance). */
let threadInvoke: ThreadInvoke | undefined;

function threadInvokeState(): ThreadInvoke {
  if (threadInvoke !== undefined) return threadInvoke;
  const native = addon();
  const values = native.createInvokeBuffer();
  if (values.length !== F64_LENGTH) throw new NativeAddonError(`invoke buffer has ${values.length} slots, expected ${F64_LENGTH}`);
  // A runtime that forbids external buffers would hand us a copy, which Rust never sees.
  native.probeInvokeBuffer(0.5);
  if (values[VALUE_SLOT] !== 0.5) throw new NativeAddonError('the invoke buffer does not share memory with the addon (external buffers disabled?)');
  const control = new Uint32Array(values.buffer, values.byteOffset + INVOKE_AREA.controlByteOffset, INVOKE_AREA.controlWords);
  threadInvoke = { values, control, call: native.invokeFunction() };
  return threadInvoke;
}

/**
 * Calls compiled code. All invokers of one thread share that thread's buffer: write the
 * arguments to `args`, call `invoke`, then read `value` (and `trapCode`/`trapOffset` or
 * `haltType`) before the next invoke on this thread.
 */
export class NativeInvoker {
  /** Write the f64 arguments here (up to 255), then call `invoke`. */
  readonly args: Float64Array;
  private readonly values: Float64Array;
  private readonly control: Uint32Array;
  private readonly call: () => void;

  constructor() {
    const state = threadInvokeState();
    this.values = state.values;
    this.control = state.control;
    this.call = state.call;
    this.args = state.values.subarray(0, ARG_SLOTS);
  }

  /** Runs `handle` on `args`; throws NativeInvokeError for an unknown or released handle. */
  invoke(handle: number): InvokeStatus {
    // The handle crosses as a u32 word; anything else would be truncated, so refuse it here.
    if (handle >>> 0 !== handle) throw new NativeInvokeError(`${String(handle)} is not a native code handle`);
    const control = this.control;
    control[HANDLE] = handle;
    try {
      this.call();
    } catch (cause) {
      throw new NativeInvokeError(cause instanceof Error ? cause.message : String(cause), { cause });
    }
    return control[STATUS] as InvokeStatus;
  }

  /** The result: a number, a bool as 0/1, 0 for null; for status 4 the halted value. */
  get value(): number {
    return this.values[VALUE_SLOT]!;
  }

  get trapCode(): TrapCode {
    return this.control[TRAP_CODE]! as TrapCode;
  }

  /** Bytecode offset of the instruction that trapped. */
  get trapOffset(): number {
    return this.control[TRAP_OFFSET]!;
  }

  /** The type of the value a `Halt` stopped with (status 4). */
  get haltType(): NativeType {
    return NATIVE_TYPES[this.control[HALT_KIND]!]!;
  }

  /**
   * The interpreter's limits as they stand at this call: frames its call-depth limit still
   * allows (the called function's own frame included) and value-stack slots its stack limit
   * leaves from the called frame's base. Native code bails out where they would be exceeded.
   * They stay set for later invokes on this thread.
   */
  setLimits(framesLeft: number, slotsLeft: number): void {
    const control = this.control;
    // Most calls repeat the limits already set (native code only reads them); the comparison
    // is cheaper than clamping. Limits outside u32 never compare equal and are clamped anew.
    if (control[FRAMES_LEFT] !== framesLeft) control[FRAMES_LEFT] = clampU32(framesLeft);
    if (control[SLOTS_LEFT] !== slotsLeft) control[SLOTS_LEFT] = clampU32(slotsLeft);
  }

  /** This thread's interrupt flag: compiled code stops with status 5 while it is set. */
  get interruptRequested(): boolean {
    return this.control[INTERRUPT] !== 0;
  }

  requestInterrupt(): void {
    this.control[INTERRUPT] = 1;
  }

  clearInterrupt(): void {
    this.control[INTERRUPT] = 0;
  }
}

function clampU32(n: number): number {
  return n <= 0 ? 0 : n >= 0xffff_ffff ? 0xffff_ffff : Math.floor(n);
}

/**
 * Sets this thread's interrupt flag after `millis` ms, from a watchdog thread (a native
 * loop blocks this thread, so only another one can stop it). Returns a token for
 * `disarmInterrupt`.
 */
export function armInterrupt(millis: number): number {
  threadInvokeState();
  return addon().armInterrupt(millis);
}

/** Cancels an armed deadline; false if it already fired. */
export function disarmInterrupt(token: number): boolean {
  return addon().disarmInterrupt(token);
}

/** A process-wide id of this thread's interrupt flag, for `interruptThread` on another thread. */
export function interruptId(): number {
  threadInvokeState();
  return addon().interruptId();
}

/** Sets the interrupt flag of the thread whose `interruptId()` this is (from any thread). */
export function interruptThread(id: number): boolean {
  return addon().interruptThread(id);
}

/**
 * How much CPU a compile worker competes for: `idle` (Linux SCHED_IDLE: it runs when the
 * cores have nothing else to do), `low` (nice 19) or `normal`.
 */
export type CompileThreadPriority = 'idle' | 'low' | 'normal';

export const COMPILE_THREAD_PRIORITIES: readonly CompileThreadPriority[] = ['idle', 'low', 'normal'];

/** Lowers the calling thread's scheduling priority (a thread is never raised back). */
export function lowerThreadPriority(priority: CompileThreadPriority): void {
  addon().lowerThreadPriority(priority);
}
