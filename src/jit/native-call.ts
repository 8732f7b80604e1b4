/**
 * Calling installed native code from the main thread. Arguments go through the invoker's
 * shared Float64Array (no per-call allocation or conversion), and the status it returns
 * says how to read the result: a number, a bool, null, a trap or a halt. A trap becomes the
 * exact `AtlasRuntimeError` the interpreter would have raised at that bytecode offset.
 */
import type { Bytecode } from '../bytecode/bytecode.js';
import { HaltSignal, runtimeErrorAt, type RuntimeErrorKind, type Value } from '../vm/index.js';
import { NativeInvoker, TrapCode, type NativeType } from './native.js';

/** Returned instead of a value when an argument is not a number: interpret this call. */
export const NOT_NUMERIC = Symbol('atlas-jit.not-numeric');

const TRAPS: Record<TrapCode, readonly [RuntimeErrorKind, string | undefined]> = {
  [TrapCode.DivideByZero]: ['DivideByZero', undefined],
  [TrapCode.InvalidNumericResult]: ['InvalidNumericResult', undefined],
  [TrapCode.NotNonBool]: ['TypeError', 'Cannot apply ! to non-boolean'],
  [TrapCode.ExpectedNumber]: ['TypeError', 'Expected number'],
  [TrapCode.InvalidAdd]: ['TypeError', 'Invalid operands for +'],
  [TrapCode.NegateNonNumber]: ['TypeError', 'Cannot negate non-number'],
};

export class NativeCaller {
  private readonly invoker = new NativeInvoker();

  /** Calls `handle` with the arguments `stack[argBase .. argBase+arity)`. */
  callWithStack(handle: number, program: Bytecode, stack: readonly Value[], argBase: number, arity: number): Value | typeof NOT_NUMERIC {
    const args = this.invoker.args;
    for (let i = 0; i < arity; i++) {
      const v = stack[argBase + i];
      if (typeof v !== 'number') return NOT_NUMERIC;
      args[i] = v;
    }
    return this.finish(this.invoker.invoke(handle), program);
  }

  /** Calls `handle` with host arguments. */
  callWithArgs(handle: number, program: Bytecode, argv: readonly unknown[]): Value | typeof NOT_NUMERIC {
    const args = this.invoker.args;
    for (let i = 0; i < argv.length; i++) {
      const v = argv[i];
      if (typeof v !== 'number') return NOT_NUMERIC;
      args[i] = v;
    }
    return this.finish(this.invoker.invoke(handle), program);
  }

  private finish(status: number, program: Bytecode): Value {
    switch (status) {
      case 0: return this.invoker.value;
      case 1: return this.invoker.value !== 0;
      case 2: return null;
      case 3: throw this.trapError(program);
      case 4: throw new HaltSignal(typedValue(this.invoker.value, this.invoker.haltType));
      default: throw new Error(`native invoke returned unknown status ${status}`);
    }
  }

  private trapError(program: Bytecode): Error {
    const trap = TRAPS[this.invoker.trapCode];
    if (trap === undefined) return new Error(`native code raised unknown trap ${this.invoker.trapCode}`);
    return runtimeErrorAt(program, trap[0], this.invoker.trapOffset, trap[1]);
  }
}

function typedValue(raw: number, type: NativeType): Value {
  if (type === 'bool') return raw !== 0;
  if (type === 'null') return null;
  return raw;
}
