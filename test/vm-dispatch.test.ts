// The pre-decoded dispatch words (src/vm/dispatch.ts) and the superinstructions built from
// them: each fused pair must behave exactly like its two instructions, errors included.
import test from 'ava';
import { BytecodeBuilder } from '../src/bytecode/index.js';
import { Op as OP, dispatchWords } from '../src/vm/dispatch.js';
import { AtlasArray, type VmJitHook } from '../src/vm/index.js';
import { at, failsWith, run, runBytecode } from './vm-helpers.js';
import { compile } from '../src/compiler/index.js';

const opOf = (word: number): number => word & 0xff;
const operandOf = (word: number): number => word >> 8;

test('every position gets a word: dense op in the low byte, operand above it', (t) => {
  const code = Uint8Array.from([0x01, 0x12, 0x05, 0x50, 0xff, 0xfd, 0x80, 0xff]);
  const words = dispatchWords(code);
  t.is(opOf(words[0]!), OP.Constant);
  t.is(operandOf(words[0]!), 0x1205);
  t.is(operandOf(words[3]!), -3, 'i16 operands are sign-extended');
  t.is(opOf(words[6]!), OP.Pop);
  t.is(operandOf(words[6]!), 1, 'a Pop before Halt is marked as skipped (Q1)');
  t.is(opOf(words[7]!), OP.Halt);
  t.is(opOf(words[2]!), OP.Invalid, '0x05 is not an opcode');
  t.is(opOf(words[1]!), OP.GetGlobal, 'an operand byte decodes as what it would be if jumped to');
  t.is(operandOf(words[1]!), 0x0550);
});

test('an instruction that runs past the end is Invalid at its start', (t) => {
  const words = dispatchWords(Uint8Array.from([0x02, 0x01, 0x00]));
  t.is(opOf(words[0]!), OP.Null);
  t.is(opOf(words[1]!), OP.Invalid);
  t.is(opOf(dispatchWords(Uint8Array.from([0x80]))[0]!), OP.Pop);
  t.is(operandOf(dispatchWords(Uint8Array.from([0x80]))[0]!), 1, 'a Pop that is the last byte is skipped');
});

test('the fused pairs, and only those', (t) => {
  const b = new BytecodeBuilder();
  b.emit('GetLocal', [1]); // 0: + GetLocal
  b.emit('GetLocal', [2]); // 3: + Constant
  b.emitConstant(7); // 6
  b.emit('SetLocal', [0]); // 9: + Pop
  b.emit('Pop'); // 12
  b.emit('SetGlobal', [b.string('g')]); // 13: + Pop
  b.emit('Pop'); // 16
  b.emit('Less'); // 17: + JumpIfFalse
  b.emit('JumpIfFalse', [0]); // 18
  b.emit('SetLocal', [0]); // 21: Pop before Halt is not a real pop: no fusion
  b.emit('Pop'); // 24
  b.emit('Halt'); // 25
  const words = dispatchWords(b.build().code);
  t.deepEqual([0, 3, 9, 13, 17, 21].map((i) => opOf(words[i]!)), [OP.GetLocalGetLocal, OP.GetLocalConstant, OP.SetLocalPop, OP.SetGlobalPop, OP.CompareJumpIfFalse, OP.SetLocal]);
  t.is(operandOf(words[0]!), 1, 'fusing keeps the first operand');
  t.is(operandOf(words[17]!), 0, 'Less is comparison 0');
  t.is(opOf(words[3]!), OP.GetLocalConstant);
  t.is(opOf(words[6]!), OP.Constant, 'the second half keeps its own word');
  t.is(opOf(words[18]!), OP.JumpIfFalse);
});

/** `fn f(a, b) { body }` called with (10, 3); returns the run result. */
function inFunction(body: (b: BytecodeBuilder) => void, localCount = 2): ReturnType<typeof run> {
  return run((b) => {
    b.declareFunction('f', 2, localCount, body);
    b.emit('GetGlobal', [b.string('f')]);
    b.emitConstant(10);
    b.emitConstant(3);
    b.emit('Call', [2]);
  });
}

test('GetLocal+GetLocal and GetLocal+Constant load both values', (t) => {
  t.is(inFunction((b) => { b.emit('GetLocal', [0]); b.emit('GetLocal', [1]); b.emit('Sub'); b.emit('Return'); }).result, 7);
  t.is(inFunction((b) => { b.emit('GetLocal', [1]); b.emitConstant(5); b.emit('Mul'); b.emit('Return'); }).result, 15);
  t.deepEqual(inFunction((b) => { b.emit('GetLocal', [1]); b.emit('GetLocal', [2]); b.emit('Array', [2]); b.emit('Return'); }, 3).result,
    new AtlasArray([3, 3]), 'the second GetLocal may read the value the first just pushed');
});

test('errors in either half of GetLocal+GetLocal / GetLocal+Constant name their own offset', (t) => {
  failsWith(t, (b) => {
    b.emit('Null');
    at(b, 'GetLocal', [0]);
    at(b, 'GetLocal', [5]);
  }, { kind: 'StackUnderflow', offset: 4, message: 'Stack underflow' });
  failsWith(t, (b) => {
    b.emit('Null');
    at(b, 'GetLocal', [3]);
    at(b, 'GetLocal', [0]);
  }, { kind: 'StackUnderflow', offset: 1, message: 'Stack underflow' });
  failsWith(t, (b) => {
    b.emit('Null');
    at(b, 'GetLocal', [0]);
    at(b, 'Constant', [9]);
  }, { kind: 'UnknownOpcode', offset: 4, message: 'Unknown opcode' });
});

test('SetLocal+Pop and SetGlobal+Pop store, then pop', (t) => {
  t.is(inFunction((b) => {
    b.emitConstant(42);
    b.emit('SetLocal', [1]);
    b.emit('Pop');
    b.emit('GetLocal', [1]);
    b.emit('Return');
  }).result, 42);
  const { result, vm } = run((b) => {
    b.emitConstant('below');
    b.emitConstant(5);
    b.emit('SetGlobal', [b.string('g')]);
    b.emit('Pop');
    b.emit('Dup');
  });
  t.is(result, 'below');
  t.is(vm.getGlobal('g'), 5);
  failsWith(t, (b) => {
    b.emit('Null');
    at(b, 'SetLocal', [0]);
    b.emit('Pop');
    b.emit('Null');
  }, { kind: 'StackUnderflow', offset: 1, message: 'Stack underflow' });
});

test('comparison+JumpIfFalse branches both ways; a type error names the comparison', (t) => {
  for (const [op, a, b, taken] of [['Less', 1, 2, false], ['Less', 2, 2, true], ['LessEqual', 2, 2, false], ['Greater', 3, 2, false], ['GreaterEqual', 1, 2, true]] as const) {
    const { result } = run((bb) => {
      bb.emitConstant(a);
      bb.emitConstant(b);
      bb.emit(op);
      const target = bb.label();
      bb.jump('JumpIfFalse', target);
      bb.emitConstant('fell through');
      bb.emit('Halt');
      bb.mark(target);
      bb.emitConstant('jumped');
    });
    t.is(result, taken ? 'jumped' : 'fell through', `${a} ${op} ${b}`);
  }
  failsWith(t, (b) => {
    b.emitConstant('x');
    b.emitConstant(1);
    at(b, 'Less');
    b.emit('JumpIfFalse', [0]);
  }, { kind: 'TypeError', offset: 6, message: 'Type error: Expected number', detail: 'Expected number' });
});

test('jumping straight to the second half of a fused pair runs just that instruction', (t) => {
  // Constant 1; Constant 2; Jump → the Pop of the fused SetGlobal+Pop; so only the Pop runs
  // and g stays undefined.
  const b = new BytecodeBuilder();
  b.emitConstant(1); // 0
  b.emitConstant(2); // 3
  const skip = b.label();
  b.jump('Jump', skip); // 6
  b.emit('SetGlobal', [b.string('g')]); // 9
  b.mark(skip);
  b.emit('Pop'); // 12
  b.emit('Null'); // 13
  b.emit('Halt');
  const { result, vm } = runBytecode(b.build(), { validate: false });
  t.is(result, null);
  t.is(vm.getGlobal('g'), undefined);
  t.is(vm.globalNames().length, 0);
});

test('a fused backward comparison-jump counts as a back-edge for safepoints', (t) => {
  // i = 0; do { i = i + 1 } while (!(i >= 640)) — the loop's only back-edge is the fused
  // GreaterEqual+JumpIfFalse.
  let safepoints = 0;
  const hook: VmJitHook = { onCall: () => undefined, onSafepoint: () => { safepoints++; } };
  const { vm } = run((b) => {
    b.emitConstant(0);
    b.emit('SetGlobal', [b.string('i')]);
    b.emit('Pop');
    const top = b.label();
    b.mark(top);
    b.emit('GetGlobal', [b.string('i')]);
    b.emitConstant(1);
    b.emit('Add');
    b.emit('SetGlobal', [b.string('i')]);
    b.emit('Pop');
    b.emit('GetGlobal', [b.string('i')]);
    b.emitConstant(640);
    b.emit('GreaterEqual');
    b.jump('JumpIfFalse', top);
  }, { jit: hook });
  t.is(vm.getGlobal('i'), 640);
  t.is(safepoints, 9, '639 back-edges');
});

test('superinstructions inside recursion give the reference results', (t) => {
  // The compiler's `if (n < 2)` and `fib(n - k)` are the fused GetLocal/Constant/compare and
  // GetGlobal/GetLocal/Constant/Sub/Call shapes.
  const source = 'fn fib(n: number) -> number { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }\nfib(20);';
  t.is(runBytecode(compile(source, 'fib.atlas')).result, 6765);
});
