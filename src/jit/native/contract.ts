/**
 * The contract between the addon and TypeScript: value kinds, codes, names that cross as
 * strings, the invoke-area layout and the typed errors. The Rust side is the source: these
 * mirrors are checked against the addon's own by test/native-contract.test.ts, so a change on
 * one side alone fails a test.
 */
import type { Constant } from '../../bytecode/bytecode.js';

export type NativeType = 'number' | 'bool' | 'null';

/** The value kinds by code (index): a `Return`'s status and a halted value's kind word. */
export const NATIVE_TYPES: readonly NativeType[] = ['number', 'bool', 'null'];

/** The most functions one compiled module (a root and the callees it reaches) may hold. */
export const MAX_FUNCTIONS = 256;

/** Cranelift opt levels: 0 none, 1 speed, 2 speed_and_size. */
export type OptLevel = 0 | 1 | 2;

/** How every completed run of a compiled function ends (a dynamic trap may still come first). */
export type NativeExit = 'return' | 'halt' | 'trap' | 'sideExit';

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
  | 'CalleeReturnType'
  /** The body (or its call tree) is too large to compile in reasonable time (docs/design.md, "Size limit"). */
  | 'TooLarge'
  /** With side exits on, every path from the entry leaves to the interpreter before it returns, halts, traps or loops. */
  | 'AlwaysExits';

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
  /**
   * Where the root is entered (default `start`) and the kinds of the frame slots it is
   * entered with (default `arity` numbers): a call's parameters, or the live frame at a loop
   * header for an on-stack-replacement entry, whose values go in the argument slots.
   */
  readonly entry?: number;
  readonly entryKinds?: readonly NativeType[];
  /**
   * Let the root leave at an instruction it cannot translate, handing the interpreter its
   * exact frame (status `SideExit`), instead of refusing the whole module. Callees that
   * cannot be translated are then left out and the root leaves at its calls of them; a read
   * of a global that is neither in `globals` nor in `calleeGlobals` leaves too. Default off.
   */
  readonly sideExits?: boolean;
  /** Globals read and written through the invoke area's global slots (see `NativeGlobals`). */
  readonly globals?: NativeGlobals;
  /** String constants naming the globals the caller guards to hold the called functions. */
  readonly calleeGlobals?: readonly number[];
  /**
   * String constants naming globals the caller guards to be no user global, so that they
   * resolve to a math builtin or constant → the builtin's code: its index in
   * `MATH_BUILTIN_NAMES`, or 18 + its index among PI, E, SQRT2, LN2, LN10.
   */
  readonly builtinGlobals?: ReadonlyMap<number, number>;
}

/**
 * The global slots of a module: each slot's kind, and which string constants name which
 * slot. The caller checks before a run that each global holds a value of its slot's kind,
 * copies the values in, and copies the written ones back after the run.
 */
export interface NativeGlobals {
  readonly kinds: readonly NativeType[];
  /** String constant index → slot. */
  readonly slots: ReadonlyMap<number, number>;
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
 * so the caller runs it in the interpreter instead) · 7 side exit (the code left at an
 * instruction it does not handle; its frame records (offset, slots) are in the area).
 */
export type InvokeStatus = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

export const InvokeStatus = {
  Number: 0,
  Bool: 1,
  Null: 2,
  Trap: 3,
  Halted: 4,
  Interrupted: 5,
  BailedOut: 6,
  SideExit: 7,
} as const satisfies Record<string, InvokeStatus>;

/**
 * What a frame slot handed back by a side exit holds, by code (index): a number, a bool
 * (0/1), null, the function held by the global named by string constant `value`, or
 * function constant `value`.
 */
export type ExitSlotKind = 'number' | 'bool' | 'null' | 'global' | 'function';
export const EXIT_SLOT_KINDS: readonly ExitSlotKind[] = ['number', 'bool', 'null', 'global', 'function'];

/**
 * A side exit hands back frame records in the frame slots, innermost first: a header slot
 * of this kind whose value is the offset where the frame stopped (its exit instruction, or
 * the `Call` of the next frame inward), then the frame's slots.
 */
export const EXIT_HEADER_KIND = 255;

/** Constant kinds by code (index), as the translator reads the marshalled pool. */
export const CONSTANT_KINDS: readonly Constant['kind'][] = ['number', 'null', 'bool', 'string', 'function', 'builtin'];

/**
 * Layout of the invoke buffer (`native/src/invoke_area.rs`): 256 f64 frame slots (the
 * arguments or OSR frame in, a side exit's frame out), the f64 result value, u32 control
 * words (status, trap code, trap offset, halt kind, handle, interrupt flag, frames left,
 * stack slots left, the frame slots a side exit's records fill, the machine stack a call
 * may use, the trap-trace records written, the back-edges a run took before it side-exited), one kind byte per frame slot of a side
 * exit, then 256 f64 global slots. Shaped as the addon's `contract()` reports it, minus the
 * name lists.
 */
export const INVOKE_AREA = {
  argSlots: 256,
  valueSlot: 256,
  f64Length: 551,
  controlByteOffset: 257 * 8,
  controlWords: 12,
  control: {
    status: 0, trapCode: 1, trapOffset: 2, haltKind: 3, handle: 4, interrupt: 5, framesLeft: 6, slotsLeft: 7,
    exitDepth: 8, stackBudget: 9, traceDepth: 10, backEdges: 11,
  },
  exitKindsByteOffset: 2104,
  globalsByteOffset: 2360,
  globalSlots: 256,
} as const;

/**
 * How much CPU a compile worker competes for: `idle` (Linux SCHED_IDLE: it runs when the
 * cores have nothing else to do), `low` (nice 19) or `normal`.
 */
export type CompileThreadPriority = 'idle' | 'low' | 'normal';

export const COMPILE_THREAD_PRIORITIES: readonly CompileThreadPriority[] = ['idle', 'low', 'normal'];

/** A constant pool as the translator reads it: a kind code and a number value per constant. */
export interface MarshalledPool {
  readonly kinds: Uint8Array;
  readonly values: Float64Array;
}
