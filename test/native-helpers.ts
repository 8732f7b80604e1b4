// Shared helpers for the native backend tests (test/native-*.test.ts).
import type { ExecutionContext } from 'ava';
import { type Bytecode, BytecodeBuilder, type FunctionRef } from '../src/bytecode/index.js';
import {
  EXIT_HEADER_KIND, EXIT_SLOT_KINDS,
  type CompileOutcome, compileFunction, type NativeFunctionInput, NativeInvoker, type OptLevel, releaseHandle,
  type TrapCode,
} from '../src/jit/native.js';

export const OPT_LEVELS: readonly OptLevel[] = [0, 1, 2];

export interface BuiltFunction {
  readonly bytecode: Bytecode;
  readonly ref: FunctionRef;
  readonly input: NativeFunctionInput;
}

/**
 * Declares a top-level function the way the reference compiler lays it out (prologue,
 * body, implicit `Null; Return`), then ends the program with Halt.
 */
export function declare(arity: number, localCount: number, body: (b: BytecodeBuilder) => void, name = 'f'): BuiltFunction {
  const b = new BytecodeBuilder();
  const ref = b.declareFunction(name, arity, localCount, body);
  const end = b.offset;
  b.emit('Halt');
  const bytecode = b.build();
  const input = { code: bytecode.code, start: ref.offset, end, arity, localCount: ref.localCount, constants: bytecode.constants };
  return { bytecode, ref, input };
}

export type NativeValue = number | boolean | null;

export type NativeRun =
  | { readonly kind: 'return'; readonly value: NativeValue }
  | { readonly kind: 'halt'; readonly value: NativeValue }
  | { readonly kind: 'trap'; readonly code: TrapCode; readonly offset: number }
  /** Status 5 (interrupted) or 6 (bailed out to the interpreter). */
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'bailout' }
  /**
   * Status 7: the innermost frame left at `offset` with `slots` (kinds as `EXIT_SLOT_KINDS`
   * names); `frames` are all the frames handed back, innermost first.
   */
  | { readonly kind: 'sideExit'; readonly offset: number; readonly slots: readonly ExitSlot[]; readonly frames: readonly ExitRecord[] };

export type ExitSlot = readonly [string, number];
export interface ExitRecord {
  readonly offset: number;
  readonly slots: readonly ExitSlot[];
}

let invoker: NativeInvoker | undefined;

/** Writes `args`, invokes `handle` and decodes the result by its status. */
export function invokeNative(handle: number, args: readonly number[]): NativeRun {
  invoker ??= new NativeInvoker();
  invoker.args.set(args);
  const status = invoker.invoke(handle);
  switch (status) {
    case 0: return { kind: 'return', value: invoker.value };
    case 1: return { kind: 'return', value: invoker.value !== 0 };
    case 2: return { kind: 'return', value: null };
    case 3: return { kind: 'trap', code: invoker.trapCode, offset: invoker.trapOffset };
    case 4: {
      const type = invoker.haltType;
      const value = type === 'number' ? invoker.value : type === 'bool' ? invoker.value !== 0 : null;
      return { kind: 'halt', value };
    }
    case 5: return { kind: 'interrupted' };
    case 6: return { kind: 'bailout' };
    case 7: {
      const frames = exitRecords(invoker);
      return { kind: 'sideExit', offset: frames[0]!.offset, slots: frames[0]!.slots, frames };
    }
  }
}

/** The frame records of a side exit, innermost first (a header slot, then the frame's slots). */
function exitRecords(invoker: NativeInvoker): ExitRecord[] {
  const records: { offset: number; slots: ExitSlot[] }[] = [];
  for (let i = 0; i < invoker.exitDepth; i++) {
    const kind = invoker.exitKinds[i]!;
    if (kind === EXIT_HEADER_KIND) records.push({ offset: invoker.args[i]!, slots: [] });
    else records.at(-1)!.slots.push([EXIT_SLOT_KINDS[kind]!, invoker.args[i]!]);
  }
  return records;
}

/**
 * `f(n) = n > 1 ? true : 0` as raw bytecode (the front-end rejects mixed kinds): a bool and a
 * number meet at the `Return` at `merge`.
 */
export function mixedKindsMerge(): BuiltFunction & { merge: number } {
  let merge = -1;
  const fn = declare(1, 1, (b) => {
    const otherwise = b.label();
    const done = b.label();
    b.emit('GetLocal', [0]);
    b.emitConstant(1);
    b.emit('Greater');
    b.jump('JumpIfFalse', otherwise);
    b.emit('True');
    b.jump('Jump', done);
    b.mark(otherwise);
    b.emitConstant(0);
    b.mark(done);
    merge = b.emit('Return');
  });
  return { ...fn, merge };
}

/** Compiles with the verifier on and fails the test unless the function was accepted. */
export function compileOk(t: ExecutionContext, input: NativeFunctionInput, optLevel: OptLevel = 1): Extract<CompileOutcome, { ok: true }> {
  const outcome = compileFunction(input, optLevel, { verify: true });
  if (!outcome.ok) t.fail(`refused: ${outcome.refusal.message}`);
  return outcome as Extract<CompileOutcome, { ok: true }>;
}

/** Compiles, runs once on `args`, releases. */
export function runNative(t: ExecutionContext, fn: BuiltFunction, args: readonly number[], optLevel: OptLevel = 1): NativeRun {
  const { handle } = compileOk(t, fn.input, optLevel);
  try {
    return invokeNative(handle, args);
  } finally {
    releaseHandle(handle);
  }
}

/** Compiles once, runs on every argument list, releases. */
export function runNativeAll(t: ExecutionContext, fn: BuiltFunction, argLists: readonly (readonly number[])[], optLevel: OptLevel = 1): NativeRun[] {
  const { handle } = compileOk(t, fn.input, optLevel);
  try {
    return argLists.map((args) => invokeNative(handle, args));
  } finally {
    releaseHandle(handle);
  }
}

/** `Object.is` equality on the value, so -0 and NaN are told apart from 0. */
export function assertReturns(t: ExecutionContext, run: NativeRun, value: NativeValue, message?: string): void {
  if (run.kind !== 'return') {
    t.fail(`${message ?? ''} expected a return of ${String(value)}, got ${JSON.stringify(run)}`);
    return;
  }
  t.true(Object.is(run.value, value), `${message ?? ''} expected ${String(value)}, got ${String(run.value)}`);
}
