import test from 'ava';
import { BytecodeBuilder, Opcode, instructions, jumpTarget } from '../src/bytecode/index.js';
import { FACTORIAL_CODE_HEX, factorial, hexBytes } from './helpers/reference-programs.js';

const bytesOf = (b: BytecodeBuilder) => [...b.build().code];

test('emit writes the opcode and big-endian operands, one debug entry per instruction', (t) => {
  const b = new BytecodeBuilder();
  b.emit(Opcode.Constant, [0x1234], { start: 1, end: 2 });
  b.emit('Call', [3]);
  b.emit(Opcode.MakeClosure, [0x0102, 0x0304], { start: 5, end: 9 });
  b.emit(Opcode.Halt);
  const bc = b.build();
  t.deepEqual([...bc.code], [0x01, 0x12, 0x34, 0x60, 3, 0x14, 1, 2, 3, 4, 0xff]);
  t.deepEqual(bc.debug, [
    { offset: 0, start: 1, end: 2 }, { offset: 3, start: 0, end: 0 }, { offset: 5, start: 5, end: 9 }, { offset: 10, start: 0, end: 0 },
  ]);
});

test('a forward jump to a label is patched like the reference patch_jump (distance from after the operand)', (t) => {
  const b = new BytecodeBuilder();
  const end = b.label();
  b.emit(Opcode.True);
  b.jump('JumpIfFalse', end); // at 1, operand at 2..3
  b.emit(Opcode.Null);
  b.emit(Opcode.Pop);
  b.jump('Jump', end); // at 6
  b.emit(Opcode.Null);
  b.mark(end); // 10
  b.emit(Opcode.Halt);
  t.deepEqual(bytesOf(b), [0x03, 0x51, 0x00, 0x06, 0x02, 0x80, 0x50, 0x00, 0x01, 0x02, 0xff]);
  const targets = [...instructions(b.build().code)].filter((i) => i.info.operands === 'i16').map(jumpTarget);
  t.deepEqual(targets, [10, 10]);
});

test('emitJump leaves the FF FF placeholder until patchJump', (t) => {
  const b = new BytecodeBuilder();
  const at = b.emitJump('Jump');
  t.deepEqual(bytesOf(b), [0x50, 0xff, 0xff]);
  b.emit(Opcode.Null);
  b.patchJump(at + 1);
  t.deepEqual(bytesOf(b), [0x50, 0x00, 0x01, 0x02]);
});

test('a backward Loop to a marked label gets a negative distance', (t) => {
  const b = new BytecodeBuilder();
  const top = b.label();
  b.emit(Opcode.Null);
  b.mark(top); // 1
  b.emit(Opcode.True);
  b.emit(Opcode.Pop);
  const at = b.jump('Loop', top); // 3: 1 - (3 + 3) = -5
  t.is(at, 3);
  t.deepEqual(bytesOf(b), [0x02, 0x03, 0x80, 0x52, 0xff, 0xfb]);
  const loop = [...instructions(b.build().code)].at(-1)!;
  t.is(jumpTarget(loop), 1);
});

test('a label can be marked only once', (t) => {
  const b = new BytecodeBuilder();
  const l = b.label();
  b.mark(l);
  t.throws(() => b.mark(l), { message: /already marked/ });
});

test('the function layout of spec §3.2: the factorial example byte for byte (§3.7)', (t) => {
  const bc = factorial();
  t.deepEqual(bc.code, hexBytes(FACTORIAL_CODE_HEX));
  t.is(bc.code.length, 86);
  const [fn] = bc.functions();
  t.like(fn, { name: 'factorial', arity: 1, offset: 10, localCount: 1, paramNames: ['n'] });
  t.deepEqual(bc.constants.slice(1).map((c) => (c.kind === 'string' || c.kind === 'number' ? c.value : c.kind)),
    ['factorial', 1, 1, 'factorial', 1, 'print', 'factorial', 1, 'print', 'factorial', 5, 'print', 'factorial', 10]);
  // One debug entry per instruction, in increasing offset order (docs/bytecode.md §1.1).
  t.deepEqual(bc.debug.map((d) => d.offset), [...instructions(bc.code)].map((i) => i.offset));
});

test('declareFunction: prologue, body, implicit Null; Return, patched skip jump', (t) => {
  const b = new BytecodeBuilder();
  const ref = b.declareFunction('id', 1, 1, (x) => {
    x.emit(Opcode.GetLocal, [0]);
    x.emit(Opcode.Return);
  });
  b.emit(Opcode.Halt);
  t.deepEqual(bytesOf(b), [0x01, 0, 0, 0x13, 0, 1, 0x80, 0x50, 0, 6, 0x10, 0, 0, 0x61, 0x02, 0x61, 0xff]);
  t.like(ref, { name: 'id', arity: 1, offset: 10, localCount: 1 });
});

test('operand range errors', (t) => {
  const b = new BytecodeBuilder();
  t.throws(() => b.emit(Opcode.Constant, [0x10000]), { instanceOf: RangeError });
  t.throws(() => b.emit(Opcode.Constant, [-1]), { instanceOf: RangeError });
  t.throws(() => b.emit(Opcode.GetLocal, [1.5]), { instanceOf: RangeError });
  t.throws(() => b.emit(Opcode.Call, [256]), { instanceOf: RangeError });
  t.throws(() => b.emit(Opcode.Jump, [0x8000]), { instanceOf: RangeError });
  t.throws(() => b.emit(Opcode.Jump, [-0x8001]), { instanceOf: RangeError });
  t.throws(() => b.emit(Opcode.MakeClosure, [1]), { instanceOf: RangeError, message: /takes 2 operand/ });
  t.throws(() => b.emit(Opcode.Null, [1]), { instanceOf: RangeError });
  t.throws(() => b.emit(0x99 as Opcode), { instanceOf: RangeError });
  t.throws(() => b.beginFunction('f', 256), { instanceOf: RangeError });
  t.is(b.offset, 0, 'nothing was written by the failed emits');
});

test('a jump whose distance does not fit in i16 is a RangeError, forward or backward', (t) => {
  const far = new BytecodeBuilder();
  const top = far.label();
  far.mark(top);
  for (let i = 0; i < 0x8000; i++) far.emit(Opcode.Null);
  t.throws(() => far.jump('Loop', top), { instanceOf: RangeError });
  const fwd = new BytecodeBuilder();
  const end = fwd.label();
  fwd.jump('Jump', end);
  for (let i = 0; i < 0x8000; i++) fwd.emit(Opcode.Null);
  t.throws(() => fwd.mark(end), { instanceOf: RangeError });
});
