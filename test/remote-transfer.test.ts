// Unit tests of the pieces under the remote runtime that need no worker: the interrupt
// signal, the error and value encodings (through a real structured clone), and RuntimeHost
// used in one thread.
import test from 'ava';
import { writeAtb } from '../src/bytecode/atb.js';
import { compile, CompileError } from '../src/compiler/index.js';
import { decodeError, encodeError } from '../src/remote/error-transfer.js';
import { InterruptSignal } from '../src/remote/interrupt-signal.js';
import { AtlasInterrupted, RemoteRuntimeError } from '../src/remote/remote-errors.js';
import { RuntimeHost } from '../src/remote/runtime-host.js';
import { decodeValue, encodeValue } from '../src/remote/value-transfer.js';
import { AtbFormatError } from '../src/bytecode/atb.js';
import { AtlasRuntimeError, Vm } from '../src/vm/index.js';
import { AtlasArray, AtlasBuiltin, AtlasClosure, AtlasFunction, AtlasOption, AtlasResult, valuesEqual, type Value } from '../src/vm/values.js';

function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-Error: ${String(error)}`);
  }
  throw new Error('did not throw');
}

/** What the receiving thread rebuilds from `error` (the wire form really is cloned). */
function acrossThreads(error: Error): Error {
  return decodeError(structuredClone(encodeError(error)));
}

test('InterruptSignal stops the operations up to the mark and none after it', (t) => {
  const signal = new InterruptSignal();
  t.false(signal.stops(1));
  signal.interruptThrough(3);
  t.true(signal.stops(2));
  t.true(signal.stops(3));
  t.false(signal.stops(4), 'a later operation is not affected');
  t.false(signal.stops(5), 'and the flag was cleared on the way');
  signal.interruptThrough(2);
  t.true(signal.stops(3), 'a lower request never lowers the mark');
  t.false(signal.stops(4));
});

test('InterruptSignal instances over one buffer see each other (as the two threads do)', (t) => {
  const main = new InterruptSignal();
  const worker = new InterruptSignal(main.buffer);
  worker.stops(7); // nothing requested
  main.interruptThrough(7);
  t.true(worker.stops(7));
  t.throws(() => new InterruptSignal(new SharedArrayBuffer(4)), { instanceOf: TypeError });
});

test('an AtlasRuntimeError crosses with its class, kind, detail, offset, span and Debug form', (t) => {
  const bytecode = compile('fn f(a: number) -> number { return a / 0; }', 'div.atlas');
  const vm = new Vm(bytecode, { stdout: () => undefined });
  vm.run();
  const original = thrownBy(() => vm.call('f', 1)) as AtlasRuntimeError;
  const copy = acrossThreads(original);
  t.true(copy instanceof AtlasRuntimeError);
  const error = copy as AtlasRuntimeError;
  t.is(error.kind, 'DivideByZero');
  t.is(error.message, 'Division by zero');
  t.is(error.offset, original.offset);
  t.deepEqual(error.span, original.span);
  t.not(error.span, undefined);
  t.is(error.debugString(), original.debugString());
  t.is(error.name, 'AtlasRuntimeError');
  t.is(error.stack, original.stack, 'the stack is the one from where it was thrown');

  const typed = acrossThreads(thrownBy(() => vm.call('f', 'x'))) as AtlasRuntimeError;
  t.is(typed.kind, 'TypeError');
  t.is(typed.detail, 'Expected number');
});

test('a CompileError crosses with file, line, column, reason, code, span and source line', (t) => {
  const original = thrownBy(() => compile('let x = 1;\nlet y = "abc', 'broken.atlas')) as CompileError;
  const copy = acrossThreads(original);
  t.true(copy instanceof CompileError);
  const error = copy as CompileError;
  for (const key of ['file', 'line', 'column', 'reason', 'code', 'sourceLine', 'message'] as const) t.is(error[key], original[key], key);
  t.deepEqual(error.span, original.span);
  t.is(error.file, 'broken.atlas');
  t.is(error.line, 2);
});

test('other errors keep their class and fields; unknown classes become their nearest base', (t) => {
  t.true(acrossThreads(new AtlasInterrupted(false)) instanceof AtlasInterrupted);
  t.false((acrossThreads(new AtlasInterrupted(false)) as AtlasInterrupted).started);
  const remote = acrossThreads(new RemoteRuntimeError('not-loaded', 'no program')) as RemoteRuntimeError;
  t.true(remote instanceof RemoteRuntimeError);
  t.is(remote.code, 'not-loaded');
  const atb = acrossThreads(new AtbFormatError(12, 'bad magic')) as AtbFormatError;
  t.true(atb instanceof AtbFormatError);
  t.is(atb.offset, 12);
  t.is(atb.message, 'bad magic (at byte 12)');
  t.true(acrossThreads(new RangeError('r')) instanceof RangeError);

  class Custom extends TypeError {
    readonly extra = { deep: [1, 2] };
    readonly callback = () => 1; // not cloneable: dropped, the rest kept
  }
  const custom = acrossThreads(new Custom('c')) as TypeError & { extra?: unknown; callback?: unknown };
  t.true(custom instanceof TypeError);
  t.deepEqual(custom.extra, { deep: [1, 2] });
  t.is(custom.callback, undefined);

  const withCause = acrossThreads(new Error('outer', { cause: new RangeError('inner') }));
  t.true(withCause.cause instanceof RangeError);
  t.is((withCause.cause as Error).message, 'inner');
});

test('Atlas values cross as the same classes', (t) => {
  const ref = compile('fn f(a: number) -> number { return a; }', 'f.atlas').functions()[0]!;
  const values: Value[] = [
    1.5, -0, Number.NaN, 'text', true, null,
    new AtlasArray([1, 'a', new AtlasArray([false, null])]),
    AtlasOption.some(AtlasResult.err('bad')), AtlasOption.None, AtlasResult.ok(new AtlasArray([])),
    new AtlasFunction(ref), new AtlasClosure(ref, [1, new AtlasArray([2])]), new AtlasBuiltin('len'),
  ];
  for (const value of values) {
    const copy = decodeValue(structuredClone(encodeValue(value)));
    if (typeof value === 'number') t.true(Object.is(copy, value));
    else t.true(valuesEqual(copy, value), String(value));
    if (typeof value === 'object' && value !== null) t.is(Object.getPrototypeOf(copy), Object.getPrototypeOf(value));
  }
  t.is(decodeValue(encodeValue(AtlasOption.None)), AtlasOption.None, 'None stays the singleton');
  const closure = decodeValue(structuredClone(encodeValue(new AtlasClosure(ref, [3])))) as AtlasClosure;
  t.is(closure.upvalues[0], 3);
});

test('RuntimeHost in one thread: load source or .atb, run, call, stats', async (t) => {
  const lines: string[] = [];
  const host = await RuntimeHost.create({ jit: false, stdout: (line) => lines.push(line) });
  const source = 'fn add(a: number, b: number) -> number { return a + b; }\nprint("loaded");\n41;';
  const summary = host.load(source, 'add.atlas');
  t.deepEqual(summary.functions, [{ name: 'add', arity: 2 }]);
  t.is(summary.name, 'add.atlas');
  t.is(host.run(), 41);
  t.deepEqual(lines, ['loaded']);
  t.is(host.call('add', 2, 3), 5);
  t.is(host.load(writeAtb(compile(source, 'add.atlas'))).name, '<atb>');
  host.run();
  t.is(host.call('add', 1, 2), 3);
  t.deepEqual(host.stats(), { jit: null, runtime: { loads: 2, runs: 2, calls: 2, errors: 0, interrupted: 0 } });
  await host.close();
});

test('RuntimeHost rejects misuse with typed errors', async (t) => {
  const host = await RuntimeHost.create({ jit: false, stdout: () => undefined });
  t.throws(() => host.run(), { instanceOf: RemoteRuntimeError, message: /load\(\) first/ });
  t.throws(() => host.load(42 as unknown as string), { instanceOf: TypeError, message: /a string.*got number/ });
  t.throws(() => host.load('1;', 7 as unknown as string), { instanceOf: TypeError, message: /filename/ });
  t.throws(() => host.load(new Uint8Array([1, 2, 3])), { instanceOf: AtbFormatError });
  t.throws(() => host.load('fn (', 'bad.atlas'), { instanceOf: CompileError });
  t.is(host.stats().runtime.errors, 5);
  await host.close();
  t.throws(() => host.load('1;'), { instanceOf: RemoteRuntimeError, message: /closed/ });
});

test('RuntimeHost.interrupt() from inside a run stops it at the next poll', async (t) => {
  let host: RuntimeHost | undefined;
  let printed = 0;
  host = await RuntimeHost.create({
    jit: false,
    stdout: () => {
      if (++printed === 3) host!.interrupt();
    },
  });
  host.load('fn id(a: number) -> number { return a; }\nvar i = 0;\nwhile (true) { print(i); i++; }', 'loop.atlas');
  t.throws(() => host!.run(), { instanceOf: AtlasInterrupted, message: 'Execution interrupted' });
  t.true(printed >= 3 && printed < 3 + 64 + 1, `stopped within one safepoint interval (printed ${printed})`);
  t.is(host.call('id', 4), 4, 'the next operation runs normally');
  t.is(host.stats().runtime.interrupted, 1);
  await host.close();
});
