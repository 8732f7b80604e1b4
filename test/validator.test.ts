import test from 'ava';
import {
  Bytecode, BytecodeBuilder, BytecodeValidationError, MAX_FRAMES_PER_INSTRUCTION, Opcode, assertValid, functionRef, validate,
  type Constant, type ValidationRule,
} from '../src/bytecode/index.js';
import { REFERENCE_PROGRAMS } from './helpers/reference-programs.js';
import { deepStack, sharedBody } from './helpers/shared-bodies.js';

/** [rule, offset] of every issue. */
function issuesOf(bytecode: Bytecode): [ValidationRule, number][] {
  return validate(bytecode).map((i) => [i.rule, i.offset]);
}

function raw(code: number[], constants: Constant[] = [], topLevelLocalCount = 0): Bytecode {
  return new Bytecode(Uint8Array.from(code), constants, [], topLevelLocalCount);
}

const num = (value: number): Constant => ({ kind: 'number', value });
const str = (value: string): Constant => ({ kind: 'string', value });
const fn = (name: string, arity: number, offset: number, localCount = arity): Constant =>
  ({ kind: 'function', value: functionRef({ name, arity, offset, localCount }) });

// ---------------------------------------------------------------------------------------------
// Valid programs
// ---------------------------------------------------------------------------------------------

for (const [name, build] of Object.entries(REFERENCE_PROGRAMS)) {
  test(`corpus program ${name}, laid out like the reference compiler, is valid`, (t) => {
    t.deepEqual(validate(build()), []);
    t.notThrows(() => assertValid(build()));
  });
}

test('unreachable code is not stack-checked', (t) => {
  // Jump over a Pop that would underflow.
  t.deepEqual(issuesOf(raw([Opcode.Jump, 0, 1, Opcode.Pop, Opcode.Halt])), []);
});

test('a nested function laid out like the reference (jump over body, constant, SetGlobal without Pop) is valid', (t) => {
  const b = new BytecodeBuilder();
  const outer = b.beginFunction('outer', 0);
  const skip = b.label();
  b.jump('Jump', skip);
  const innerAt = b.offset;
  b.emit(Opcode.GetLocal, [0]);
  b.emit(Opcode.Return);
  b.emit(Opcode.Null);
  b.emit(Opcode.Return);
  b.mark(skip);
  const inner = b.addConstant(fn('inner', 1, innerAt));
  b.emit(Opcode.Constant, [inner]);
  b.emit(Opcode.SetGlobal, [b.string('inner_1')]); // stays on the stack as local 0
  b.emit(Opcode.GetLocal, [0]);
  b.emitConstant(5);
  b.emit(Opcode.Call, [1]);
  b.emit(Opcode.Return);
  b.endFunction(outer, 1);
  b.emit(Opcode.Halt);
  t.deepEqual(issuesOf(b.build()), []);
});

test('a function whose body ends in Halt, and a body that falls through into shared code, are valid', (t) => {
  // Top level jumps to the Halt at 6; fn f(a) @3 is GetLocal 0 and falls into that Halt.
  const code = [Opcode.Jump, 0, 3, Opcode.GetLocal, 0, 0, Opcode.Halt];
  t.deepEqual(issuesOf(raw(code, [fn('f', 1, 3)])), []);
});

// ---------------------------------------------------------------------------------------------
// One test per rule
// ---------------------------------------------------------------------------------------------

test('UnknownOpcode: a byte that is no opcode (decoding continues after it)', (t) => {
  t.deepEqual(issuesOf(raw([0xde, 0xab, Opcode.Halt])), [['UnknownOpcode', 0], ['UnknownOpcode', 1]]);
});

test('TruncatedInstruction: operand bytes missing', (t) => {
  // The truncated Constant is also the last instruction, so the terminator is missing too.
  t.deepEqual(issuesOf(raw([Opcode.Null, Opcode.Constant, 0])), [['TruncatedInstruction', 1], ['MissingTerminator', 1]]);
  t.deepEqual(issuesOf(raw([Opcode.Call])), [['TruncatedInstruction', 0], ['MissingTerminator', 0]]);
});

test('JumpOutOfBounds: before the start, past the end, and exactly at the end (Q13)', (t) => {
  t.deepEqual(issuesOf(raw([Opcode.Loop, 0xff, 0xf0, Opcode.Halt])), [['JumpOutOfBounds', 0]]);
  t.deepEqual(issuesOf(raw([Opcode.Jump, 0x27, 0x0f, Opcode.Halt])), [['JumpOutOfBounds', 0]]);
  t.deepEqual(issuesOf(raw([Opcode.Jump, 0, 1, Opcode.Halt])), [['JumpOutOfBounds', 0]]);
});

test('JumpMisaligned: a target inside an operand, or on an unknown byte', (t) => {
  // Constant 0 at 0; Jump at 3 with target 1 (the operand of Constant).
  // Control flow then reaches byte 1 (0x00), which the VM would reject as an unknown opcode.
  t.deepEqual(issuesOf(raw([Opcode.Constant, 0, 0, Opcode.Jump, 0xff, 0xfb, Opcode.Halt], [num(1)])),
    [['JumpMisaligned', 3], ['UnknownOpcode', 1]]);
  const issues = issuesOf(raw([Opcode.Jump, 0, 0, 0xee, Opcode.Halt]));
  t.deepEqual(issues, [['UnknownOpcode', 3], ['JumpMisaligned', 0]]);
});

test('ConstantIndexOutOfBounds: Constant, GetGlobal, SetGlobal, MakeClosure', (t) => {
  t.deepEqual(issuesOf(raw([Opcode.Constant, 0, 0, Opcode.Halt])), [['ConstantIndexOutOfBounds', 0]]);
  t.deepEqual(issuesOf(raw([Opcode.True, Opcode.SetGlobal, 0, 5, Opcode.GetGlobal, 0, 9, Opcode.Halt], [str('x')])),
    [['ConstantIndexOutOfBounds', 1], ['ConstantIndexOutOfBounds', 4]]);
  t.deepEqual(issuesOf(raw([Opcode.MakeClosure, 0, 1, 0, 0, Opcode.Halt])), [['ConstantIndexOutOfBounds', 0]]);
});

test('StackUnderflow: popping an empty stack, on any path, counting Call/Array/MakeClosure operands', (t) => {
  t.deepEqual(issuesOf(raw([Opcode.Pop, Opcode.Halt])), [['StackUnderflow', 0]]);
  // A binary op needs two values (the reference only asks for one).
  t.deepEqual(issuesOf(raw([Opcode.True, Opcode.Add, Opcode.Halt])), [['StackUnderflow', 1]]);
  // Only the false branch pops too much.
  const branchy = [Opcode.True, Opcode.JumpIfFalse, 0, 2, Opcode.Null, Opcode.Halt, Opcode.Pop, Opcode.Halt];
  t.deepEqual(issuesOf(raw(branchy)), [['StackUnderflow', 6]]);
  t.deepEqual(issuesOf(raw([Opcode.Null, Opcode.Call, 1, Opcode.Halt])), [['StackUnderflow', 1]]);
  t.deepEqual(issuesOf(raw([Opcode.Null, Opcode.Array, 0, 2, Opcode.Halt])), [['StackUnderflow', 1]]);
  t.deepEqual(issuesOf(raw([Opcode.Null, Opcode.MakeClosure, 0, 0, 0, 2, Opcode.Halt], [fn('f', 0, 0)])),
    [['StackUnderflow', 1]]);
  // Peeking ops need a value too.
  t.deepEqual(issuesOf(raw([Opcode.Dup, Opcode.Halt])), [['StackUnderflow', 0]]);
});

test('StackUnderflow: a function body that reads below its frame base', (t) => {
  // fn f(a) @4: Pop; Pop (the second Pop would eat the callee); top level jumps over it.
  const code = [Opcode.Jump, 0, 0, Opcode.Halt, Opcode.Pop, Opcode.Pop, Opcode.Null, Opcode.Return];
  const [issue] = validate(raw(code, [fn('f', 1, 4)]));
  t.is(issue?.rule, 'StackUnderflow');
  t.is(issue?.offset, 5);
  t.is(issue?.message, "StackUnderflow at offset 5: Pop needs 1 value(s) but the frame's stack holds 0 here (in fn f)");
  // Return with an empty frame stack would return the callee itself.
  t.deepEqual(issuesOf(raw([Opcode.Jump, 0, 0, Opcode.Halt, Opcode.Return], [fn('g', 0, 4)])), [['StackUnderflow', 4]]);
});

test('StackUnderflow: Halt in a function with an empty frame stack would return a value of the caller', (t) => {
  const code = [Opcode.Jump, 0, 0, Opcode.Halt, Opcode.Halt];
  t.deepEqual(issuesOf(raw(code, [fn('f', 0, 4)])), [['StackUnderflow', 4]]);
  t.deepEqual(issuesOf(raw(code, [fn('f', 1, 4)])), []);
  // `Null; Pop; Halt`: the Pop before Halt keeps its value (docs/bytecode.md Q1), so Halt has one.
  t.deepEqual(issuesOf(raw([Opcode.Jump, 0, 0, Opcode.Halt, Opcode.Null, Opcode.Pop, Opcode.Halt], [fn('f', 0, 4)])), []);
});

test('MissingTerminator: no instruction, or the last one is neither Halt nor Return', (t) => {
  t.deepEqual(issuesOf(raw([])), [['MissingTerminator', 0]]);
  t.deepEqual(issuesOf(raw([Opcode.True, Opcode.Pop])), [['MissingTerminator', 1]]);
  // Unknown bytes do not count as the last instruction.
  t.deepEqual(issuesOf(raw([Opcode.Halt, 0xee])), [['UnknownOpcode', 1]]);
  t.deepEqual(issuesOf(raw([Opcode.Null, 0xee])), [['UnknownOpcode', 1], ['MissingTerminator', 0]]);
});

test('StackMismatch: paths merge with different depths', (t) => {
  // True; JumpIfFalse L; Null; L: Null; Halt  -> L is reached with depth 0 and 1.
  const issues = validate(raw([Opcode.True, Opcode.JumpIfFalse, 0, 1, Opcode.Null, Opcode.Null, Opcode.Halt]));
  t.deepEqual(issues.map((i) => [i.rule, i.offset]), [['StackMismatch', 5]]);
  t.regex(issues[0]!.message, /^StackMismatch at offset 5: paths merge with different stack depths \((0 and 1|1 and 0)/);
});

test('paths may reach Halt with different depths; in a function the smallest must not be 0', (t) => {
  // True; JumpIfFalse L; Null; L: Halt  -> Halt ends the run whatever the stack holds.
  const merge = [Opcode.True, Opcode.JumpIfFalse, 0, 1, Opcode.Null, Opcode.Halt];
  t.deepEqual(issuesOf(raw(merge)), []);
  // The same code as a function body entered with 0 values: one path reaches Halt with none.
  t.deepEqual(issuesOf(raw([Opcode.Jump, 0, 0, Opcode.Halt, ...merge], [fn('f', 0, 4)])), [['StackUnderflow', 9]]);
  t.deepEqual(issuesOf(raw([Opcode.Jump, 0, 0, Opcode.Halt, ...merge], [fn('f', 1, 4)])), []);
});

test('StackMismatch: quirk Q4, a let inside an if-branch of a function', (t) => {
  // fn f(c) { if (c) { let a = 1; } return c; }  as the reference compiles it.
  const b = new BytecodeBuilder();
  b.declareFunction('f', 1, 2, (x) => {
    x.emit(Opcode.GetLocal, [0]);
    const skip = x.emitJump('JumpIfFalse');
    x.emitConstant(1); // let a = 1 (stays on the stack)
    x.patchJump(skip + 1);
    x.emit(Opcode.GetLocal, [0]);
    x.emit(Opcode.Return);
  });
  b.emit(Opcode.Halt);
  t.deepEqual(issuesOf(b.build()), [['StackMismatch', 19]]);
});

test('LocalOutOfRange: index beyond localCount, or beyond the values the frame holds', (t) => {
  // Top level: no local slots.
  t.deepEqual(issuesOf(raw([Opcode.Null, Opcode.GetLocal, 0, 0, Opcode.Halt])), [['LocalOutOfRange', 1]]);
  t.deepEqual(issuesOf(raw([Opcode.Null, Opcode.GetLocal, 0, 0, Opcode.Halt], [], 1)), []);
  // fn f(a) with localCount 1: SetLocal 1 is outside the frame.
  const body = (op: number, slot: number, localCount: number) =>
    raw([Opcode.Jump, 0, 0, Opcode.Halt, Opcode.Null, Opcode.Null, op, 0, slot, Opcode.Return], [fn('f', 1, 4, localCount)]);
  t.deepEqual(issuesOf(body(Opcode.SetLocal, 1, 1)), [['LocalOutOfRange', 6]]);
  // localCount 4 allows slot 3, but at that point the frame holds only 3 values.
  const issues = validate(body(Opcode.GetLocal, 3, 4));
  t.deepEqual(issues.map((i) => [i.rule, i.offset]), [['LocalOutOfRange', 6]]);
  t.regex(issues[0]!.message, /slot 3 but the frame holds only 3 value/);
  t.deepEqual(issuesOf(body(Opcode.SetLocal, 3, 4)), [['LocalOutOfRange', 6]]);
  t.deepEqual(issuesOf(body(Opcode.GetLocal, 2, 4)), []);
});

test('UpvalueOutOfRange: upvalues in top-level code or beyond what MakeClosure captures', (t) => {
  t.deepEqual(issuesOf(raw([Opcode.GetUpvalue, 0, 0, Opcode.Halt])), [['UpvalueOutOfRange', 0]]);
  // fn c @10 captured with 1 value: GetUpvalue 0 is fine, GetUpvalue 1 is not.
  const code = (slot: number) => raw([
    Opcode.Null, Opcode.MakeClosure, 0, 0, 0, 1, Opcode.Pop, Opcode.Jump, 0, 4, // 0..9: top level jumps to 14
    Opcode.GetUpvalue, 0, slot, Opcode.Return, Opcode.Halt,
  ], [fn('c', 0, 10)]);
  t.deepEqual(issuesOf(code(0)), []);
  t.deepEqual(issuesOf(code(1)), [['UpvalueOutOfRange', 10]]);
});

test('ConstantKind: global names must be strings, MakeClosure needs a function constant', (t) => {
  t.deepEqual(issuesOf(raw([Opcode.GetGlobal, 0, 0, Opcode.Halt], [num(1)])), [['ConstantKind', 0]]);
  t.deepEqual(issuesOf(raw([Opcode.Null, Opcode.SetGlobal, 0, 0, Opcode.Halt], [{ kind: 'null' }])), [['ConstantKind', 1]]);
  t.deepEqual(issuesOf(raw([Opcode.MakeClosure, 0, 0, 0, 0, Opcode.Halt], [str('f')])), [['ConstantKind', 0]]);
});

test('BadFunction: offset out of range or inside an instruction, localCount below arity, bad arity', (t) => {
  const prog = (c: Constant) => raw([Opcode.Constant, 0, 0, Opcode.Pop, Opcode.Halt], [c]);
  t.deepEqual(issuesOf(prog(fn('f', 0, 5))), [['BadFunction', 0]]);
  t.deepEqual(issuesOf(prog(fn('f', 0, 1))), [['BadFunction', 0]]);
  t.deepEqual(issuesOf(prog(fn('f', 2, 4, 1))), [['BadFunction', 0]]);
  t.deepEqual(issuesOf(prog(fn('f', 256, 4, 256))), [['BadFunction', 0]]);
  t.deepEqual(issuesOf(prog(fn('f', 1, 4))), []);
  // Offset 0 is the reference's "not compiled" marker: never entered, not an error.
  t.deepEqual(issuesOf(prog(fn('f', 1, 0))), []);
  const [issue] = validate(prog(fn('f', 0, 1)));
  t.is(issue!.message, 'BadFunction at offset 0: constant #0 fn f: body offset 1 is not the start of an instruction');
});

test('BadCallArity: a function constant or a once-bound prologue global called with the wrong count', (t) => {
  const program = (argc: number, rebind: boolean) => {
    const b = new BytecodeBuilder();
    b.declareFunction('f', 1, 1, (x) => { x.emit(Opcode.GetLocal, [0]); x.emit(Opcode.Return); });
    if (rebind) {
      b.emit(Opcode.Null);
      b.emit(Opcode.SetGlobal, [b.string('f')]);
      b.emit(Opcode.Pop);
    }
    b.emit(Opcode.GetGlobal, [b.string('f')]);
    for (let i = 0; i < argc; i++) b.emitConstant(i);
    const at = b.emit(Opcode.Call, [argc]);
    b.emit(Opcode.Halt);
    return { bytecode: b.build(), at };
  };
  const wrong = program(2, false);
  const issues = validate(wrong.bytecode);
  t.deepEqual(issues.map((i) => [i.rule, i.offset]), [['BadCallArity', wrong.at]]);
  t.is(issues[0]!.message,
    `BadCallArity at offset ${wrong.at}: Call 2 calls fn f (constant #0), which takes 1 argument(s) (in <main>)`);
  t.deepEqual(issuesOf(program(1, false).bytecode), []);
  // Bound twice: the callee is not statically known, the VM will decide at run time.
  t.deepEqual(issuesOf(program(2, true).bytecode), []);
  // A function constant called directly.
  t.deepEqual(issuesOf(raw([Opcode.Constant, 0, 0, Opcode.Call, 0, Opcode.Halt, Opcode.GetLocal, 0, 0, Opcode.Return],
    [fn('g', 1, 6)])), [['BadCallArity', 3]]);
});

test('ReturnInMainFrame: Return reachable from top-level code (Q2)', (t) => {
  t.deepEqual(issuesOf(raw([Opcode.Null, Opcode.Return])), [['ReturnInMainFrame', 1]]);
  // Not when the Return is only reachable inside a function.
  t.deepEqual(issuesOf(raw([Opcode.Jump, 0, 0, Opcode.Halt, Opcode.Null, Opcode.Return], [fn('f', 0, 4)])), []);
});

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

test('every issue is collected, each message names its rule and offset', (t) => {
  const issues = validate(raw([Opcode.Pop, 0xde, Opcode.Constant, 0, 7, Opcode.Jump, 0x10, 0, Opcode.Null], [num(1)]));
  t.deepEqual(issues.map((i) => i.rule).sort(), [
    'ConstantIndexOutOfBounds', 'JumpOutOfBounds', 'MissingTerminator', 'StackUnderflow', 'UnknownOpcode',
  ]);
  for (const issue of issues) t.true(issue.message.startsWith(`${issue.rule} at offset ${issue.offset}: `), issue.message);
});

test('assertValid throws BytecodeValidationError carrying the issues', (t) => {
  const bad = raw([Opcode.Pop, Opcode.Pop]);
  const error = t.throws(() => assertValid(bad), { instanceOf: BytecodeValidationError });
  t.deepEqual(error!.issues, validate(bad));
  t.is(error!.name, 'BytecodeValidationError');
  t.regex(error!.message, /^invalid bytecode \(2 issues\):\n {2}StackUnderflow at offset 0: /);
});

test('validation never throws on garbage and finishes quickly', (t) => {
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (let round = 0; round < 300; round++) {
    const code = Array.from({ length: Math.floor(random() * 60) }, () => Math.floor(random() * 256));
    const constants: Constant[] = [num(1), str('x'), fn('f', Math.floor(random() * 3), Math.floor(random() * 60))];
    t.notThrows(() => validate(raw(code, constants)));
  }
});

// ---------------------------------------------------------------------------------------------
// Cost: linear in the code, however function constants share it
// ---------------------------------------------------------------------------------------------

test('function constants sharing one body offset with any arities: one analysis of the body', (t) => {
  const { bytecode, instructions } = sharedBody(1000, 30_000, 'arities');
  t.deepEqual(validate(bytecode), []);
  // The top-level code and the body, once (it used to be once per distinct arity: 255 times).
  t.is(bytecode.analysis.work.frames, 2);
  t.true(bytecode.analysis.work.steps <= instructions + 10, `${bytecode.analysis.work.steps} steps`);
});

test('SharedCodeLimit: function constants entering one body at many offsets are refused, in linear work', (t) => {
  const { bytecode, instructions } = sharedBody(1000, 30_000, 'entries');
  const issues = validate(bytecode);
  t.true(issues.length > 0);
  t.true(issues.every((i) => i.rule === 'SharedCodeLimit'), issues[0]?.message);
  t.regex(issues[0]!.message, /^SharedCodeLimit at offset \d+: more than 8 frames .* reach this instruction/);
  // Every instruction is stepped by at most MAX_FRAMES_PER_INSTRUCTION frames (it used to be
  // by every constant entering before it: ~15 million steps).
  const steps = bytecode.analysis.work.steps;
  t.true(steps <= (MAX_FRAMES_PER_INSTRUCTION + 1) * instructions, `${steps} steps`);
  // A few frames may share code.
  t.deepEqual(validate(sharedBody(MAX_FRAMES_PER_INSTRUCTION - 1, 1000, 'entries').bytecode), []);
});

test('a deep stack with locals far below its top: one step per instruction, each bounded', (t) => {
  // Copying the stack's tags per SetLocal made this quadratic (minutes, gigabytes).
  const bytecode = deepStack(30_000, 30_000);
  t.deepEqual(validate(bytecode), []);
  t.is(bytecode.analysis.work.steps, 30_000 * 6 + 1);
});

test('statically known callees survive in a deep frame (the most recent known slots are kept)', (t) => {
  // fn g(a) {}; top level: 40 function values on the stack, then g(1) called with the wrong count.
  const b = new BytecodeBuilder();
  const g = b.declareFunction('g', 1, 1, () => undefined);
  const k = b.addConstant({ kind: 'function', value: g });
  for (let i = 0; i < 40; i++) b.emit(Opcode.Constant, [k]);
  b.emit(Opcode.GetLocal, [39]);
  b.emitConstant(1);
  b.emitConstant(2);
  b.emit(Opcode.Call, [2]);
  b.emit(Opcode.Halt);
  b.topLevelLocalCount = 40;
  t.deepEqual(issuesOf(b.build()).map(([rule]) => rule), ['BadCallArity']);
});
