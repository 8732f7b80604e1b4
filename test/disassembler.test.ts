import test from 'ava';
import { Bytecode, BytecodeBuilder, Opcode, disassemble, functionRef } from '../src/bytecode/index.js';
import { factorial } from './helpers/reference-programs.js';

test('the factorial example of spec §3.7, exactly', (t) => {
  t.is(disassemble(factorial()), `constants (15):
  #0   fn factorial(arity 1, locals 1) @10
  #1   "factorial"
  #2   1
  #3   1
  #4   "factorial"
  #5   1
  #6   "print"
  #7   "factorial"
  #8   1
  #9   "print"
  #10  "factorial"
  #11  5
  #12  "print"
  #13  "factorial"
  #14  10

code (86 bytes):
   0  Constant 0 ; fn factorial
   3  SetGlobal 1 ; "factorial"
   6  Pop
   7  Jump +33 -> 43
      fn factorial(arity 1, locals 1) @10 .. 43
  10    GetLocal 0
  13    Constant 2 ; 1
  16    LessEqual
  17    JumpIfFalse +4 -> 24
  20    Constant 3 ; 1
  23    Return
  24    GetLocal 0
  27    GetGlobal 4 ; "factorial"
  30    GetLocal 0
  33    Constant 5 ; 1
  36    Sub
  37    Call 1
  39    Mul
  40    Return
  41    Null
  42    Return
      end fn factorial
  43  GetGlobal 6 ; "print"
  46  GetGlobal 7 ; "factorial"
  49  Constant 8 ; 1
  52  Call 1
  54  Call 1
  56  Pop
  57  GetGlobal 9 ; "print"
  60  GetGlobal 10 ; "factorial"
  63  Constant 11 ; 5
  66  Call 1
  68  Call 1
  70  Pop
  71  GetGlobal 12 ; "print"
  74  GetGlobal 13 ; "factorial"
  77  Constant 14 ; 10
  80  Call 1
  82  Call 1
  84  Pop
  85  Halt
`);
});

test('nested functions, closures, backward jumps, every constant kind and corrupt bytes', (t) => {
  const b = new BytecodeBuilder();
  const outer = b.beginFunction('outer', 0);
  const skip = b.label();
  b.jump('Jump', skip);
  const innerAt = b.offset;
  b.emit(Opcode.GetUpvalue, [0]);
  b.emit(Opcode.Return);
  b.emit(Opcode.Null);
  b.emit(Opcode.Return);
  b.mark(skip);
  const inner = b.addConstant({ kind: 'function', value: functionRef({ name: 'inner', arity: 0, offset: innerAt, localCount: 0 }) });
  b.emit(Opcode.Null);
  b.emit(Opcode.MakeClosure, [inner, 1]);
  b.emit(Opcode.SetGlobal, [b.string('inner_1')]);
  b.emit(Opcode.GetLocal, [0]);
  b.emit(Opcode.Call, [0]);
  b.emit(Opcode.Return);
  b.endFunction(outer, 1);
  const top = b.label();
  b.mark(top);
  b.emit(Opcode.False);
  b.jump('JumpIfFalse', top);
  b.addConstant({ kind: 'number', value: -0 });
  b.addConstant({ kind: 'bool', value: true });
  b.addConstant({ kind: 'builtin', name: 'len' });
  b.addConstant({ kind: 'string', value: 'a"b\n' });
  b.addConstant({ kind: 'null' });
  b.emitRaw(0xee);
  b.emit(Opcode.Halt);
  b.emitRaw(Opcode.Constant, 0);
  t.is(disassemble(b.build()), `constants (9):
  #0  fn outer(arity 0, locals 1) @10
  #1  "outer"
  #2  fn inner(arity 0, locals 0) @13
  #3  "inner_1"
  #4  -0
  #5  true
  #6  builtin len
  #7  "a\\"b\\n"
  #8  null

code (44 bytes):
   0  Constant 0 ; fn outer
   3  SetGlobal 1 ; "outer"
   6  Pop
   7  Jump +26 -> 36
      fn outer(arity 0, locals 1) @10 .. 36
  10    Jump +6 -> 19
        fn inner(arity 0, locals 0) @13 .. 19
  13      GetUpvalue 0
  16      Return
  17      Null
  18      Return
        end fn inner
  19    Null
  20    MakeClosure 2 1 ; fn inner
  25    SetGlobal 3 ; "inner_1"
  28    GetLocal 0
  31    Call 0
  33    Return
  34    Null
  35    Return
      end fn outer
  36  False
  37  JumpIfFalse -4 -> 36
  40  .byte 0xee ; unknown opcode
  41  Halt
  42  Constant ; truncated: needs 2 operand byte(s), 1 left
`);
});

test('a function without the skip jump ends where its reachable code ends; bad references are named', (t) => {
  const bc = new Bytecode(
    Uint8Array.of(Opcode.Halt, Opcode.GetLocal, 0, 0, Opcode.Return, Opcode.GetGlobal, 0, 9, Opcode.Halt),
    [{ kind: 'function', value: functionRef({ name: 'f', arity: 1, offset: 1, localCount: 1 }) },
      { kind: 'function', value: functionRef({ name: 'ghost', arity: 0, offset: 0, localCount: 0 }) },
      { kind: 'function', value: functionRef({ name: 'broken', arity: 0, offset: 2, localCount: 0 }) }],
    [],
    2,
  );
  t.is(disassemble(bc), `constants (3):
  #0  fn f(arity 1, locals 1) @1
  #1  fn ghost(arity 0, locals 0) @0
  #2  fn broken(arity 0, locals 0) @2

code (9 bytes, top-level locals 2):
  0  Halt
     fn f(arity 1, locals 1) @1 .. 5
  1    GetLocal 0
  4    Return
     end fn f
  5  GetGlobal 9 ; no constant #9
  8  Halt
`);
});

test('an empty program', (t) => {
  t.is(disassemble(new Bytecode(new Uint8Array(0), [])), 'constants (0):\n\ncode (0 bytes):\n');
});
