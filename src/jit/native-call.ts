/**
 * Calling installed native code from the main thread. Arguments go through the invoker's
 * shared Float64Array (no per-call allocation or conversion), and the status it returns
 * says how to read the result: a number, a bool, null, a trap, a halt, an interrupt or a
 * bail-out (the last two are the caller's to handle: they carry no value). A trap becomes
 * the exact `AtlasRuntimeError` the interpreter would have raised at that bytecode offset.
 */
import type { Bytecode } from '../bytecode/bytecode.js';
import { DEFAULT_MAX_CALL_DEPTH, DEFAULT_MAX_STACK_SIZE, HaltSignal, runtimeErrorAt, type Value } from '../vm/index.js';
import { InvokeStatus, NativeInvoker, trapError, type NativeType } from './native.js';

/**
 * A call loads its arguments first (`loadStack` or `loadArgs`, false when one is not a
 * number), then `invoke`s. The common status, `Number`, is read from `value` as a plain
 * double; `valueOf` turns the other value statuses into a Value or the error they raise.
 */
export class NativeCaller {
  private readonly invoker = new NativeInvoker();

  /**
   * Loads the arguments `stack[argBase .. argBase+arity)` and the interpreter's limits as
   * they stand (see `NativeInvoker.setLimits`). False when an argument is not a number.
   */
  loadStack(stack: readonly Value[], argBase: number, arity: number, framesLeft: number, slotsLeft: number): boolean {
    const args = this.invoker.args;
    for (let i = 0; i < arity; i++) {
      const v = stack[argBase + i];
      if (typeof v !== 'number') return false;
      args[i] = v;
    }
    this.invoker.setLimits(framesLeft, slotsLeft);
    return true;
  }

  /** Loads host arguments under the interpreter's default limits. False when one is not a number. */
  loadArgs(argv: readonly unknown[]): boolean {
    const args = this.invoker.args;
    for (let i = 0; i < argv.length; i++) {
      const v = argv[i];
      if (typeof v !== 'number') return false;
      args[i] = v;
    }
    this.invoker.setLimits(DEFAULT_MAX_CALL_DEPTH, DEFAULT_MAX_STACK_SIZE - 1);
    return true;
  }

  /** Runs `handle` on the loaded arguments. */
  invoke(handle: number): InvokeStatus {
    return this.invoker.invoke(handle);
  }

  /** The result of the last call whose status was `Number`. */
  get value(): number {
    return this.invoker.value;
  }

  /**
   * The value the last call of `program`'s code returned, for a status that carries one;
   * a trap throws the interpreter's error, a halt its `HaltSignal`.
   */
  valueOf(status: InvokeStatus, program: Bytecode): Value {
    switch (status) {
      case InvokeStatus.Number: return this.invoker.value;
      case InvokeStatus.Bool: return this.invoker.value !== 0;
      case InvokeStatus.Null: return null;
      case InvokeStatus.Trap: {
        const { kind, detail } = trapError(this.invoker.trapCode);
        throw runtimeErrorAt(program, kind, this.invoker.trapOffset, detail);
      }
      case InvokeStatus.Halted: throw new HaltSignal(typedValue(this.invoker.value, this.invoker.haltType));
      default: throw new Error(`native invoke status ${String(status)} carries no value`);
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
