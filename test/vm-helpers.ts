// Shared helpers for the interpreter tests (test/vm-*.test.ts).
import type { ExecutionContext } from 'ava';
import { type Bytecode, BytecodeBuilder, type Span } from '../src/bytecode/index.js';
import { AtlasRuntimeError, type RuntimeErrorKind, type Value, Vm, type VmOptions } from '../src/vm/index.js';

export interface Outcome {
  readonly result: Value | undefined;
  readonly output: string[];
  readonly vm: Vm;
}

/** Runs `bytecode` with output captured. */
export function runBytecode(bytecode: Bytecode, options: VmOptions = {}): Outcome {
  const output: string[] = [];
  const vm = new Vm(bytecode, { stdout: (line) => output.push(line), ...options });
  const result = vm.run();
  return { result, output, vm };
}

/** Builds top-level code with `body`, appends Halt, validates and runs it. */
export function run(body: (b: BytecodeBuilder) => void, options: VmOptions = {}): Outcome {
  const b = new BytecodeBuilder();
  body(b);
  b.emit('Halt');
  return runBytecode(b.build(), options);
}

export function build(body: (b: BytecodeBuilder) => void): Bytecode {
  const b = new BytecodeBuilder();
  body(b);
  return b.build();
}

/** A distinct span per offset, so tests can check which instruction an error names. */
export function spanFor(offset: number): Span {
  return { start: 100 + offset, end: 200 + offset };
}

/** Emits with the span `spanFor(offset)`; returns the offset. */
export function at(b: BytecodeBuilder, op: Parameters<BytecodeBuilder['emit']>[0], operands: number[] = []): number {
  return b.emit(op, operands, spanFor(b.offset));
}

export interface ExpectedError {
  readonly kind: RuntimeErrorKind;
  readonly offset: number;
  readonly message: string;
  readonly detail?: string;
  /** Defaults to `spanFor(offset)`; `null` means "no span". */
  readonly span?: Span | null;
}

/** Asserts that `fn` throws exactly the described AtlasRuntimeError. */
export function throwsAtlas(t: ExecutionContext, fn: () => unknown, expected: ExpectedError): AtlasRuntimeError {
  const error = t.throws(fn, { instanceOf: AtlasRuntimeError }) as AtlasRuntimeError;
  t.is(error.kind, expected.kind, 'kind');
  t.is(error.offset, expected.offset, 'offset');
  t.is(error.message, expected.message, 'message');
  t.is(error.detail, expected.detail, 'detail');
  const span = expected.span === undefined ? spanFor(expected.offset) : expected.span ?? undefined;
  t.deepEqual(error.span, span, 'span');
  return error;
}

/** Runs unvalidated top-level code built by `body` and expects the error. */
export function failsWith(t: ExecutionContext, body: (b: BytecodeBuilder) => void, expected: ExpectedError): AtlasRuntimeError {
  const bytecode = build(body);
  return throwsAtlas(t, () => new Vm(bytecode, { validate: false, stdout: () => {} }).run(), expected);
}

/**
 * `i = 0; while (i < limit) { body; i = i + 1 }` with a global `i`: one `Loop` back edge per
 * iteration. `body` must leave the stack as it found it.
 */
export function globalCountingLoop(b: BytecodeBuilder, limit: number, body: (b: BytecodeBuilder) => void = () => {}): void {
  b.emitConstant(0);
  b.emit('SetGlobal', [b.string('i')]);
  b.emit('Pop');
  const top = b.label();
  const done = b.label();
  b.mark(top);
  b.emit('GetGlobal', [b.string('i')]);
  b.emitConstant(limit);
  b.emit('Less');
  b.jump('JumpIfFalse', done);
  body(b);
  b.emit('GetGlobal', [b.string('i')]);
  b.emitConstant(1);
  b.emit('Add');
  b.emit('SetGlobal', [b.string('i')]);
  b.emit('Pop');
  b.jump('Loop', top);
  b.mark(done);
}
