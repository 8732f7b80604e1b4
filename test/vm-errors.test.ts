// AtlasRuntimeError: the reference Display text and Debug form of every variant (docs/bytecode.md §2.1).
import test from 'ava';
import { Bytecode } from '../src/bytecode/index.js';
import { AtlasRuntimeError, type RuntimeErrorKind, runtimeErrorAt, rustDebugString } from '../src/vm/index.js';

const SPAN = { start: 16, end: 22 };

test('Display text of every kind', (t) => {
  const cases: Array<[RuntimeErrorKind, string | undefined, string]> = [
    ['TypeError', 'Expected number', 'Type error: Expected number'],
    ['UndefinedVariable', 'x', 'Undefined variable: x'],
    ['DivideByZero', undefined, 'Division by zero'],
    ['OutOfBounds', undefined, 'Array index out of bounds'],
    ['InvalidNumericResult', undefined, 'Invalid numeric result'],
    ['UnknownOpcode', undefined, 'Unknown opcode'],
    ['StackUnderflow', undefined, 'Stack underflow'],
    ['UnknownFunction', 'foo', 'Unknown function: foo'],
    ['InvalidStdlibArgument', 'print(): expected 1 argument(s), got 2', 'print(): expected 1 argument(s), got 2'],
    ['InvalidIndex', undefined, 'Invalid index: expected number'],
    ['StackOverflow', 'too deep', 'Stack overflow: too deep'],
    ['StackOverflow', undefined, 'Stack overflow'],
    ['Unsupported', 'closures', 'Unsupported: closures'],
  ];
  for (const [kind, detail, message] of cases) {
    const error = new AtlasRuntimeError(kind, 3, SPAN, detail);
    t.is(error.message, message);
    t.is(error.kind, kind);
    t.is(error.detail, detail);
    t.is(error.offset, 3);
    t.is(error.name, 'AtlasRuntimeError');
    t.true(error instanceof Error);
  }
});

test('Debug form, as printed by the CLI (`Runtime error: <debug>`)', (t) => {
  t.is(new AtlasRuntimeError('DivideByZero', 9, SPAN).debugString(), 'DivideByZero { span: Span { start: 16, end: 22 } }');
  t.is(
    new AtlasRuntimeError('TypeError', 0, { start: 1, end: 2 }, 'Expected number').debugString(),
    'TypeError { msg: "Expected number", span: Span { start: 1, end: 2 } }',
  );
  t.is(new AtlasRuntimeError('UndefinedVariable', 0, SPAN, 'x').debugString(), 'UndefinedVariable { name: "x", span: Span { start: 16, end: 22 } }');
  t.is(new AtlasRuntimeError('UnknownFunction', 0, SPAN, 'f').debugString(), 'UnknownFunction { name: "f", span: Span { start: 16, end: 22 } }');
  t.is(
    new AtlasRuntimeError('InvalidStdlibArgument', 0, SPAN, 'len(): expected string or array, got number').debugString(),
    'InvalidStdlibArgument { msg: "len(): expected string or array, got number", span: Span { start: 16, end: 22 } }',
  );
  for (const kind of ['OutOfBounds', 'InvalidNumericResult', 'UnknownOpcode', 'StackUnderflow', 'InvalidIndex'] as const) {
    t.is(new AtlasRuntimeError(kind, 0, SPAN).debugString(), `${kind} { span: Span { start: 16, end: 22 } }`);
  }
});

test('without debug info the Debug form shows the dummy span 0..0', (t) => {
  t.is(new AtlasRuntimeError('DivideByZero', 4, undefined).debugString(), 'DivideByZero { span: Span { start: 0, end: 0 } }');
});

test('payload strings are escaped like Rust `{:?}`', (t) => {
  t.is(rustDebugString('plain'), '"plain"');
  t.is(rustDebugString('a "q" \\ b'), '"a \\"q\\" \\\\ b"');
  t.is(rustDebugString('l1\nl2\t\r\0'), '"l1\\nl2\\t\\r\\0"');
  t.is(rustDebugString('\u0001\u007f'), '"\\u{1}\\u{7f}"');
  t.is(rustDebugString('héllo 🎉'), '"héllo 🎉"');
});

test('runtimeErrorAt takes the span of the instruction at the offset', (t) => {
  const bytecode = new Bytecode(new Uint8Array([0x02, 0x02, 0x23]), [], [
    { offset: 0, start: 0, end: 1 },
    { offset: 1, start: 4, end: 5 },
    { offset: 2, start: 0, end: 5 },
  ]);
  const error = runtimeErrorAt(bytecode, 'DivideByZero', 2);
  t.deepEqual(error.span, { start: 0, end: 5 });
  t.is(error.offset, 2);
  t.is(runtimeErrorAt(bytecode, 'TypeError', 7, 'm').span, undefined, 'no entry, no span');
  t.is(runtimeErrorAt(bytecode, 'TypeError', -1, 'm').span, undefined);
  t.is(runtimeErrorAt(bytecode, 'TypeError', 1, 'm').detail, 'm');
});
