// What the translator declines (a typed refusal, a normal result) and what it rejects as
// malformed input (NativeInputError), never undefined behaviour.
import test from 'ava';
import { BytecodeBuilder, type Constant, Opcode, OPCODE_TABLE, type OpcodeName } from '../src/bytecode/index.js';
import {
  compileFunction, liveHandleCount, releaseHandle, type NativeFunctionInput, NativeInputError, type NativeInputRule, type RefusalReason,
} from '../src/jit/native.js';
import { declare, mixedKindsMerge } from './native-helpers.js';
import { increments } from './helpers/long-bodies.js';

function refusalOf(input: NativeFunctionInput) {
  const outcome = compileFunction(input, 1, { verify: true });
  if (outcome.ok) throw new Error(`unexpectedly compiled (handle ${outcome.handle})`);
  return outcome.refusal;
}

function assertRefused(t: import('ava').ExecutionContext, input: NativeFunctionInput, reason: RefusalReason, opcode: string, offset: number): void {
  const before = liveHandleCount();
  const refusal = refusalOf(input);
  t.like(refusal, { reason, opcode, offset });
  t.true(refusal.message.length > 0);
  t.is(liveHandleCount(), before, 'a refusal registers nothing');
}

function assertInvalid(t: import('ava').ExecutionContext, input: NativeFunctionInput, rule: NativeInputRule, offset: number): void {
  const error = t.throws(() => compileFunction(input, 1, { verify: true }), { instanceOf: NativeInputError });
  t.like(error, { rule, offset });
}

// Every opcode outside the subset, with operands of the right layout.
const UNSUPPORTED: [OpcodeName, number[]][] = [
  ['SetGlobal', [0]], ['MakeClosure', [0, 0]], ['GetUpvalue', [0]], ['SetUpvalue', [0]],
  ['And', []], ['Or', []], ['Array', [0]],
  ['GetIndex', []], ['SetIndex', []], ['IsOptionSome', []], ['IsOptionNone', []], ['IsResultOk', []], ['IsResultErr', []],
  ['ExtractOptionValue', []], ['ExtractResultValue', []], ['IsArray', []], ['GetArrayLen', []],
];

test('every unsupported opcode is refused by name and offset', (t) => {
  const covered = new Set(UNSUPPORTED.map(([name]) => name));
  const supported = ['Constant', 'Null', 'True', 'False', 'GetLocal', 'SetLocal', 'Add', 'Sub', 'Mul', 'Div', 'Mod', 'Negate',
    'Equal', 'NotEqual', 'Less', 'LessEqual', 'Greater', 'GreaterEqual', 'Not', 'Dup', 'Pop', 'Return', 'Halt',
    'GetGlobal', 'Jump', 'JumpIfFalse', 'Loop', 'Call'];
  t.deepEqual(Object.keys(Opcode).filter((name) => !supported.includes(name)).sort(), [...covered].sort(), 'the list covers every other opcode');
  for (const [name, operands] of UNSUPPORTED) {
    let at = -1;
    const fn = declare(1, 1, (b) => {
      b.emit('GetLocal', [0]);
      at = b.emit(name, operands);
      b.emit('Return');
    });
    assertRefused(t, fn.input, 'UnsupportedOpcode', name, at);
  }
});

test('non-number constants are refused', (t) => {
  const kinds: Constant[] = [
    { kind: 'string', value: 's' }, { kind: 'null' }, { kind: 'bool', value: true },
    { kind: 'builtin', name: 'print' },
  ];
  for (const constant of kinds) {
    let at = -1;
    const fn = declare(0, 0, (b) => {
      const k = b.addConstant(constant);
      at = b.emit('Constant', [k]);
      b.emit('Return');
    });
    assertRefused(t, fn.input, 'NonNumberConstant', 'Constant', at);
  }
  // The function's own constant (a function value) sits at index 0 of the pool: it may only
  // be called, so returning it is refused where it is used.
  let at = -1;
  const own = declare(0, 0, (b) => {
    b.emit('Constant', [0]);
    at = b.emit('Return');
  });
  t.is((own.input.constants as readonly Constant[])[0]!.kind, 'function');
  assertRefused(t, own.input, 'UntypedValue', 'Return', at);
});

test('Return, Pop and Halt with an empty frame stack are refused (the VM would use the caller\'s stack)', (t) => {
  for (const op of ['Return', 'Halt'] as const) {
    let at = -1;
    const fn = declare(0, 0, (b) => {
      at = b.emit(op);
    });
    assertRefused(t, fn.input, 'FrameUnderflow', op, at);
  }
  let pop = -1;
  const popping = declare(0, 0, (b) => {
    pop = b.emit('Pop');
  });
  assertRefused(t, popping.input, 'FrameUnderflow', 'Pop', pop);
});

test('SetLocal past the stack top below the last local is refused', (t) => {
  let at = -1;
  const fn = declare(0, 3, (b) => {
    b.emitConstant(1);
    at = b.emit('SetLocal', [1]);
    b.emit('Return');
  });
  assertRefused(t, fn.input, 'SetLocalUnderflow', 'SetLocal', at);
});

test('a body without Return or Halt is refused', (t) => {
  const fn = declare(1, 1, (b) => {
    b.emit('GetLocal', [0]);
  });
  // Cut the body before the implicit `Null; Return`.
  const end = fn.input.end - 2;
  assertRefused(t, { ...fn.input, end }, 'MissingTerminator', '<end>', end);
});

test('a body too large to compile in reasonable time is refused as TooLarge where the budget runs out', (t) => {
  // About 28 000 increments fit the budget (native/src/translate/budget.rs).
  const refusal = refusalOf(increments(40_000));
  t.is(refusal.reason, 'TooLarge');
  t.true(refusal.offset > 20_000 * 11 && refusal.offset < 35_000 * 11, `refused at ${refusal.offset}`);
  t.regex(refusal.message, /too large/);
});

test('Pop as the program\'s last byte does not pop (Q1), so an empty frame is no underflow', (t) => {
  const code = new Uint8Array([Opcode.Pop]);
  assertRefused(t, { code, start: 0, end: 1, arity: 0, localCount: 0, constants: [] }, 'MissingTerminator', '<end>', 1);
});

test('malformed bodies throw NativeInputError with the offset', (t) => {
  const unknown = declare(0, 0, (b) => void b.emitRaw(0x05));
  assertInvalid(t, unknown.input, 'UnknownOpcode', unknown.input.start);

  let constantAt = -1;
  const outOfPool = declare(0, 0, (b) => {
    constantAt = b.emit('Constant', [999]);
    b.emit('Return');
  });
  assertInvalid(t, outOfPool.input, 'ConstantOutOfRange', constantAt);

  let getAt = -1;
  const getPastStack = declare(1, 4, (b) => {
    getAt = b.emit('GetLocal', [1]);
    b.emit('Return');
  });
  assertInvalid(t, getPastStack.input, 'LocalOutOfRange', getAt);

  let setAt = -1;
  const setPastLocals = declare(1, 1, (b) => {
    b.emit('GetLocal', [0]);
    setAt = b.emit('SetLocal', [1]);
    b.emit('Return');
  });
  assertInvalid(t, setPastLocals.input, 'LocalOutOfRange', setAt);
});

test('stack underflow inside the frame is malformed input', (t) => {
  const underflows: [OpcodeName, number, number][] = [
    ['Add', 1, 0], ['Sub', 0, 1], ['Less', 1, 0], ['Equal', 1, 0], ['Negate', 0, 0], ['Not', 0, 0], ['Dup', 0, 0],
  ];
  for (const [op, arity, extra] of underflows) {
    let at = -1;
    const fn = declare(arity, arity, (b) => {
      for (let i = 0; i < extra; i++) b.emitConstant(i);
      at = b.emit(op);
      b.emit('Return');
    });
    assertInvalid(t, fn.input, 'StackUnderflow', at);
  }
  let setAt = -1;
  const set = declare(0, 1, (b) => {
    setAt = b.emit('SetLocal', [0]);
  });
  assertInvalid(t, set.input, 'StackUnderflow', setAt);
});

test('a truncated operand is malformed input', (t) => {
  const b = new BytecodeBuilder();
  b.number(1);
  const at = b.emit('Constant', [0]);
  b.emit('Return');
  const code = b.build().code;
  for (const end of [at + 1, at + 2]) {
    assertInvalid(t, { code, start: at, end, arity: 0, localCount: 0, constants: [{ kind: 'number', value: 1 }] }, 'TruncatedInstruction', at);
  }
});

test('an inconsistent frame description is malformed input', (t) => {
  const fn = declare(1, 1, (b) => {
    b.emit('GetLocal', [0]);
    b.emit('Return');
  });
  const { input } = fn;
  const bad: [Partial<NativeFunctionInput>, number][] = [
    [{ end: input.start }, input.start],
    [{ end: input.code.length + 1 }, input.start],
    [{ arity: 256, localCount: 256 }, input.start],
    [{ arity: 2, localCount: 1 }, input.start],
    [{ start: -1 }, 0],
    [{ start: 1.5 }, 0],
    [{ arity: Number.NaN }, input.start],
  ];
  for (const [patch, offset] of bad) assertInvalid(t, { ...input, ...patch }, 'InvalidRange', offset);
  t.throws(() => compileFunction(input, 3 as 0, { verify: true }), { instanceOf: NativeInputError });
  const junkPool = [null, { kind: 'toString' }] as unknown as Constant[];
  for (const junk of junkPool) assertInvalid(t, { ...input, constants: [junk] }, 'InvalidRange', 0);
  assertInvalid(t, { ...input, code: [1, 2, 3] as unknown as Uint8Array }, 'InvalidRange', 0);
});

test('the addon knows exactly the opcode bytes of the opcode table', (t) => {
  for (let byte = 0; byte < 256; byte++) {
    const info = OPCODE_TABLE[byte];
    // The byte with zero operands of its size (none for a non-opcode), then a Return.
    const code = new Uint8Array([byte, ...new Array<number>((info?.size ?? 1) - 1).fill(0), Opcode.Return]);
    const input = { code, start: 0, end: code.length, arity: 1, localCount: 1, constants: [{ kind: 'number', value: 1 }] as Constant[] };
    let unknownAt: number | undefined;
    try {
      const outcome = compileFunction(input, 0, { verify: true });
      if (outcome.ok) releaseHandle(outcome.handle);
      else if (outcome.refusal.reason === 'UnsupportedOpcode') t.is(outcome.refusal.opcode, info?.name ?? '?', `byte ${byte}`);
    } catch (error) {
      if (!(error instanceof NativeInputError)) throw error;
      if (error.rule === 'UnknownOpcode') unknownAt = error.offset;
    }
    t.is(unknownAt === 0, info === undefined, `byte ${byte} (${info?.name ?? 'no opcode'})`);
  }
});

test('control flow: merges must agree on depth and types, jumps must stay in the body', (t) => {
  // A bool and a number meet at the Return.
  const mixed = mixedKindsMerge();
  assertRefused(t, mixed.input, 'MergeMismatch', 'Return', mixed.merge);
  // A loop whose body leaves a value on the stack: the depth at the head differs per lap.
  let head = -1;
  const growing = declare(1, 1, (b) => {
    const top = b.label();
    b.mark(top);
    head = b.emit('GetLocal', [0]);
    b.jump('Loop', top);
  });
  assertRefused(t, growing.input, 'MergeMismatch', 'GetLocal', head);
  let jump = -1;
  const outside = declare(0, 0, (b) => {
    jump = b.emit('Jump', [40]);
    b.emit('Null');
    b.emit('Return');
  });
  assertRefused(t, outside.input, 'JumpOutOfBody', 'Jump', jump);
});

test('calls and globals: only known callees, called with numbers, and never used as values', (t) => {
  let call = -1;
  const unknown = declare(1, 1, (b) => {
    b.emit('GetLocal', [0]);
    call = b.emit('Call', [0]);
    b.emit('Return');
  });
  assertRefused(t, unknown.input, 'UnknownCallee', 'Call', call);
  let add = -1;
  const asValue = declare(1, 1, (b) => {
    b.emit('GetLocal', [0]);
    b.emit('GetGlobal', [b.addConstant({ kind: 'string', value: 'g' })]);
    add = b.emit('Add');
    b.emit('Return');
  });
  assertRefused(t, asValue.input, 'UntypedValue', 'Add', add);
  // A self-call with a table entry compiles; the same call without one is refused.
  let selfCall = -1;
  const recursive = declare(1, 1, (b) => {
    b.emit('GetGlobal', [b.addConstant({ kind: 'string', value: 'f' })]);
    b.emit('GetLocal', [0]);
    selfCall = b.emit('Call', [1]);
    b.emit('Return');
  });
  assertRefused(t, recursive.input, 'UnknownCallee', 'Call', selfCall);
  const outcome = compileFunction({ ...recursive.input, calls: new Map([[selfCall, 0]]) }, 1, { verify: true });
  t.true(outcome.ok);
  if (outcome.ok) releaseHandle(outcome.handle);
  t.throws(() => compileFunction({ ...recursive.input, calls: new Map([[selfCall, 3]]) }, 1), { instanceOf: NativeInputError });
});
