/**
 * Calling installed native code from the main thread. Arguments go through the invoker's
 * shared Float64Array (no per-call allocation or conversion), and the status it returns
 * says how to read the result: a number, a bool, null, a trap, a halt, an interrupt or a
 * bail-out. A trap becomes the exact `AtlasRuntimeError` the interpreter would have raised at
 * that bytecode offset.
 */
import type { Bytecode } from '../bytecode/bytecode.js';
import { DEFAULT_MAX_CALL_DEPTH, DEFAULT_MAX_STACK_SIZE, HaltSignal, runtimeErrorAt, type Value } from '../vm/index.js';
import { InvokeStatus, NativeInvoker, trapError, type NativeType } from './native.js';

/** Returned instead of a value when an argument is not a number: interpret this call. */
export const NOT_NUMERIC = Symbol('atlas-jit.not-numeric');
/** Returned when native code bailed out (a limit would be passed): interpret this call. */
export const BAILED_OUT = Symbol('atlas-jit.bailed-out');
/** Returned when native code stopped because the interrupt flag was set. */
export const INTERRUPTED = Symbol('atlas-jit.interrupted');

export type NativeOutcome = Value | typeof NOT_NUMERIC | typeof BAILED_OUT | typeof INTERRUPTED;

/** The status of a call that did not run because an argument was not a number. */
export const ARGS_NOT_NUMERIC = -1;
export type CallStatus = InvokeStatus | typeof ARGS_NOT_NUMERIC;

/**
 * Calls return a status first: the common case (status `Number`) then reads `value` as a
 * plain double, and only the rare cases build an outcome object with `outcome()`.
 */
export class NativeCaller {
  private readonly invoker = new NativeInvoker();

  /**
   * Calls `handle` with the arguments `stack[argBase .. argBase+arity)`, under the
   * interpreter's limits as they stand (see `NativeInvoker.setLimits`).
   */
  callWithStack(handle: number, stack: readonly Value[], argBase: number, arity: number, framesLeft: number, slotsLeft: number): CallStatus {
    const args = this.invoker.args;
    for (let i = 0; i < arity; i++) {
      const v = stack[argBase + i];
      if (typeof v !== 'number') return ARGS_NOT_NUMERIC;
      args[i] = v;
    }
    this.invoker.setLimits(framesLeft, slotsLeft);
    return this.invoker.invoke(handle);
  }

  /** Calls `handle` with host arguments, under the interpreter's default limits. */
  callWithArgs(handle: number, argv: readonly unknown[]): CallStatus {
    const args = this.invoker.args;
    for (let i = 0; i < argv.length; i++) {
      const v = argv[i];
      if (typeof v !== 'number') return ARGS_NOT_NUMERIC;
      args[i] = v;
    }
    this.invoker.setLimits(DEFAULT_MAX_CALL_DEPTH, DEFAULT_MAX_STACK_SIZE - 1);
    return this.invoker.invoke(handle);
  }

  /** The result of the last call whose status was `Number`. */
  get value(): number {
    return this.invoker.value;
  }

  /** What the last call of `program`'s code produced, for any status. */
  outcome(status: CallStatus, program: Bytecode): NativeOutcome {
    switch (status) {
      case ARGS_NOT_NUMERIC: return NOT_NUMERIC;
      case InvokeStatus.Number: return this.invoker.value;
      case InvokeStatus.Bool: return this.invoker.value !== 0;
      case InvokeStatus.Null: return null;
      case InvokeStatus.Trap: {
        const { kind, detail } = trapError(this.invoker.trapCode);
        throw runtimeErrorAt(program, kind, this.invoker.trapOffset, detail);
      }
      case InvokeStatus.Halted: throw new HaltSignal(typedValue(this.invoker.value, this.invoker.haltType));
      case InvokeStatus.Interrupted: return INTERRUPTED;
      case InvokeStatus.BailedOut: return BAILED_OUT;
      default: throw new Error(`native invoke returned unknown status ${String(status)}`);
    }
  }

  /** This thread's interrupt flag (shared by all callers on the thread). */
  get interruptRequested(): boolean {
    return this.invoker.interruptRequested;
  }

  requestInterrupt(): void {
    this.invoker.requestInterrupt();
  }

  clearInterrupt(): void {
    this.invoker.clearInterrupt();
  }
}

function typedValue(raw: number, type: NativeType): Value {
  if (type === 'bool') return raw !== 0;
  if (type === 'null') return null;
  return raw;
}
