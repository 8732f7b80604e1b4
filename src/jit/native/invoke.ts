/**
 * Invoking compiled code: each thread owns one shared buffer. `NativeInvoker` writes the
 * handle and the arguments there, makes one argument-less N-API call, and reads status and
 * results back, so a call converts nothing. Code compiled on any thread can be invoked on any
 * other thread. The same buffer carries the thread's interrupt flag.
 */
import { addon } from './addon.js';
import { INVOKE_AREA, type InvokeStatus, NativeAddonError, NativeInvokeError, NATIVE_TYPES, type NativeType, type TrapCode } from './contract.js';

// Module constants for the invoke path.
const { argSlots: ARG_SLOTS, valueSlot: VALUE_SLOT, f64Length: F64_LENGTH } = INVOKE_AREA;
const { status: STATUS, trapCode: TRAP_CODE, trapOffset: TRAP_OFFSET, haltKind: HALT_KIND } = INVOKE_AREA.control;
const { handle: HANDLE, interrupt: INTERRUPT, framesLeft: FRAMES_LEFT, slotsLeft: SLOTS_LEFT } = INVOKE_AREA.control;
const { exitDepth: EXIT_DEPTH, traceDepth: TRACE_DEPTH, backEdges: BACK_EDGES } = INVOKE_AREA.control;

/**
 * `raw`, a double read out of the invoke area, as the interpreter's own arithmetic would
 * hold it: an int32 (other than -0) as a V8 small integer. A typed array's element reads as
 * a heap number even when it is integral, and a heap number reaching the dispatch loop's
 * arithmetic turns V8's feedback for it from small integers to doubles for the rest of the
 * run (e.g. `%` becomes a call to fmod). Values native code hands back to interpreted code
 * (results, side-exit frames, globals) go through here.
 */
export function interpreterNumber(raw: number): number {
  const small = raw | 0;
  // -0 stays a double: `small === raw` holds for it, the sign test tells it from +0.
  return small === raw && (small !== 0 || 1 / raw > 0) ? small : raw;
}

/** Trap-trace records the frame slots hold: a call's offset and its callee's start each. */
export const TRACE_RECORDS = ARG_SLOTS / 2;

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
  /** Write the f64 arguments (or an OSR entry's frame) here, then call `invoke`; a side exit's frame comes back here. */
  readonly args: Float64Array;
  /** The kind code (`EXIT_SLOT_KINDS`) of each frame slot a side exit handed back. */
  readonly exitKinds: Uint8Array;
  /** The global slots: write the globals a module reads before `invoke`, read the written ones after. */
  readonly globals: Float64Array;
  private readonly values: Float64Array;
  private readonly control: Uint32Array;
  private readonly call: () => void;

  constructor() {
    const state = threadInvokeState();
    this.values = state.values;
    this.control = state.control;
    this.call = state.call;
    this.args = state.values.subarray(0, ARG_SLOTS);
    const buffer = state.values.buffer;
    this.exitKinds = new Uint8Array(buffer, state.values.byteOffset + INVOKE_AREA.exitKindsByteOffset, ARG_SLOTS);
    this.globals = new Float64Array(buffer, state.values.byteOffset + INVOKE_AREA.globalsByteOffset, INVOKE_AREA.globalSlots);
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
    return interpreterNumber(this.values[VALUE_SLOT]!);
  }

  get trapCode(): TrapCode {
    return this.control[TRAP_CODE]! as TrapCode;
  }

  /** Bytecode offset of the instruction that trapped. */
  get trapOffset(): number {
    return this.control[TRAP_OFFSET]!;
  }

  /** How many frame slots a side exit handed back in `args` (kinds in `exitKinds`). */
  get exitDepth(): number {
    return this.control[EXIT_DEPTH]!;
  }

  /** After a side exit: the back-edges the entered function or loop took natively before it left. */
  get exitBackEdges(): number {
    return this.control[BACK_EDGES]!;
  }

  /**
   * Calls that returned the trap status since the last `clearTrace` (status 3): each recorded
   * its offset in `args[2 * i]` and its callee's start in `args[2 * i + 1]`, innermost first,
   * for the first `TRACE_RECORDS` - 1; the last record holds the outermost call.
   */
  get traceDepth(): number {
    return this.control[TRACE_DEPTH]!;
  }

  /** Starts the next trap's trace afresh (native code only ever adds to it). */
  clearTrace(): void {
    this.control[TRACE_DEPTH] = 0;
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
