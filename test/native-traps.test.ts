// Every trap kind, at the failing instruction's offset, in the VM's order of checks.
import test from 'ava';
import type { BytecodeBuilder, OpcodeName } from '../src/bytecode/index.js';
import { releaseHandle, TrapCode } from '../src/jit/native.js';
import { compileOk, declare, runNative } from './native-helpers.js';

type Push = (b: BytecodeBuilder) => void;
const NUM: Push = (b) => void b.emitConstant(1);
const TRUE: Push = (b) => void b.emit('True');
const NULL: Push = (b) => void b.emit('Null');

/** f() = a <op> b, returning the operator's offset with the function. */
function apply(op: OpcodeName, operands: readonly Push[]) {
  let at = -1;
  const fn = declare(0, 0, (b) => {
    for (const push of operands) push(b);
    at = b.emit(op);
    b.emit('Return');
  });
  return { fn, at };
}

test('DivideByZero from Div and Mod', (t) => {
  for (const op of ['Div', 'Mod'] as const) {
    const { fn, at } = apply(op, [NUM, (b) => void b.emitConstant(-0)]);
    t.deepEqual(runNative(t, fn, []), { kind: 'trap', code: TrapCode.DivideByZero, offset: at }, op);
  }
});

test('InvalidNumericResult from each arithmetic operator', (t) => {
  const huge: Push = (b) => void b.emitConstant(1e308);
  for (const [op, operands] of [
    ['Add', [huge, huge]], ['Sub', [(b: BytecodeBuilder) => void b.emitConstant(-1e308), huge]], ['Mul', [huge, huge]],
    ['Div', [huge, (b: BytecodeBuilder) => void b.emitConstant(1e-308)]], ['Mod', [(b: BytecodeBuilder) => void b.emitConstant(Infinity), NUM]],
  ] as const) {
    const { fn, at } = apply(op, operands);
    t.deepEqual(runNative(t, fn, []), { kind: 'trap', code: TrapCode.InvalidNumericResult, offset: at }, op);
  }
});

test('Not on a non-bool is NotNonBool', (t) => {
  for (const operand of [NUM, NULL]) {
    const { fn, at } = apply('Not', [operand]);
    t.deepEqual(runNative(t, fn, []), { kind: 'trap', code: TrapCode.NotNonBool, offset: at });
  }
});

test('Sub/Mul/Div/Mod and ordering comparisons on a bool or null are ExpectedNumber', (t) => {
  const ops: OpcodeName[] = ['Sub', 'Mul', 'Div', 'Mod', 'Less', 'LessEqual', 'Greater', 'GreaterEqual'];
  for (const op of ops) {
    for (const operands of [[TRUE, NUM], [NUM, TRUE], [NULL, NUM], [NUM, NULL], [TRUE, TRUE], [NULL, NULL]]) {
      const { fn, at } = apply(op, operands);
      t.deepEqual(runNative(t, fn, []), { kind: 'trap', code: TrapCode.ExpectedNumber, offset: at }, op);
    }
  }
});

test('the operand type check comes before the zero-divisor check', (t) => {
  // `true / 0`: b is the number 0, a is a bool — the VM pops both as numbers before b == 0.
  const { fn, at } = apply('Div', [TRUE, (b) => void b.emitConstant(0)]);
  t.deepEqual(runNative(t, fn, []), { kind: 'trap', code: TrapCode.ExpectedNumber, offset: at });
});

test('Add on a non-number is InvalidAdd', (t) => {
  for (const operands of [[TRUE, NUM], [NUM, NULL], [TRUE, TRUE], [NULL, NULL]]) {
    const { fn, at } = apply('Add', operands);
    t.deepEqual(runNative(t, fn, []), { kind: 'trap', code: TrapCode.InvalidAdd, offset: at });
  }
});

test('Negate on a non-number is NegateNonNumber', (t) => {
  for (const operand of [TRUE, NULL]) {
    const { fn, at } = apply('Negate', [operand]);
    t.deepEqual(runNative(t, fn, []), { kind: 'trap', code: TrapCode.NegateNonNumber, offset: at });
  }
});

test('a static type error is an unconditional trap and reports exit "trap"', (t) => {
  const { fn } = apply('Negate', [TRUE]);
  const outcome = compileOk(t, fn.input);
  t.is(outcome.exit, 'trap');
  releaseHandle(outcome.handle);
});

test('a dynamic trap earlier in the body wins over a later static one', (t) => {
  let div = -1;
  let negate = -1;
  const fn = declare(1, 1, (b) => {
    b.emitConstant(1);
    b.emit('GetLocal', [0]);
    div = b.emit('Div');
    b.emit('True');
    negate = b.emit('Negate');
    b.emit('Return');
  });
  t.deepEqual(runNative(t, fn, [0]), { kind: 'trap', code: TrapCode.DivideByZero, offset: div });
  t.deepEqual(runNative(t, fn, [2]), { kind: 'trap', code: TrapCode.NegateNonNumber, offset: negate });
});

test('trap offsets are absolute offsets in the program', (t) => {
  const { fn, at } = apply('Not', [NUM]);
  t.true(at > fn.input.start, 'the function body does not start at 0');
  t.deepEqual(runNative(t, fn, [], 0), { kind: 'trap', code: TrapCode.NotNonBool, offset: at });
});
