// The superinstructions (src/vm/dispatch.ts) against the same instructions run one by one.
// A program is built twice from one list of steps: once as is, where the loader fuses what
// it can, and once with a `Jump +0` (a no-op) after every instruction, which leaves nothing to
// fuse. Both runs must end alike: the same result, or the same error kind, message and span
// (each instruction gets its own span, so the span names the instruction that failed).
import test from 'ava';
import fc from 'fast-check';
import { BytecodeBuilder, type Span } from '../src/bytecode/index.js';

type Label = ReturnType<BytecodeBuilder['label']>;
import { dispatchWords, Op } from '../src/vm/dispatch.js';
import { AtlasRuntimeError, type Value, Vm, type VmJitHook } from '../src/vm/index.js';
import { run } from './vm-helpers.js';

const ARITHMETIC = ['Add', 'Sub', 'Mul', 'Div', 'Mod'] as const;
const COMPARISONS = ['Less', 'LessEqual', 'Greater', 'GreaterEqual', 'Equal', 'NotEqual'] as const;
type Operand = { readonly local: number } | { readonly constant: number | string } | { readonly emptyArray: true };

/** One step: a few instructions, often a whole sequence the loader fuses. */
type Step =
  | { readonly kind: 'load'; readonly operand: Operand }
  | { readonly kind: 'arithmetic'; readonly op: (typeof ARITHMETIC)[number] }
  | { readonly kind: 'operandArithmetic'; readonly operand: Operand; readonly op: (typeof ARITHMETIC)[number] }
  | { readonly kind: 'branch'; readonly operand: Operand | undefined; readonly op: (typeof COMPARISONS)[number]; readonly skip: number }
  | { readonly kind: 'localBranch'; readonly local: number; readonly constant: number | string; readonly op: (typeof COMPARISONS)[number]; readonly skip: number }
  | { readonly kind: 'step'; readonly from: number; readonly constant: number | string; readonly to: number }
  | { readonly kind: 'store'; readonly local: number }
  | { readonly kind: 'localsBranch'; readonly left: number; readonly right: number; readonly op: (typeof COMPARISONS)[number]; readonly skip: number }
  | { readonly kind: 'assign'; readonly op: (typeof ARITHMETIC)[number]; readonly local: number }
  | { readonly kind: 'return'; readonly local: number }
  | { readonly kind: 'loop'; readonly local: number; readonly start: number; readonly limit: number };

// Locals 0 and 1 are the arguments; 2 and 3 exist only once stored (padding, Q11), 4 is past
// the function's locals.
const localArb = fc.integer({ min: 0, max: 4 });
const constantArb: fc.Arbitrary<number | string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 2, arbitrary: fc.constantFrom(0, -0, 0.5, 1e308, -1e308) },
  { weight: 1, arbitrary: fc.constantFrom('s', '') },
);
const operandArb: fc.Arbitrary<Operand> = fc.oneof(
  { weight: 4, arbitrary: localArb.map((local) => ({ local })) },
  { weight: 4, arbitrary: constantArb.map((constant) => ({ constant })) },
  { weight: 1, arbitrary: fc.constant({ emptyArray: true as const }) },
);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  // Loads weigh more, so that stacks get deep enough to reach every local slot.
  { weight: 3, arbitrary: operandArb.map((operand) => ({ kind: 'load' as const, operand })) },
  fc.constantFrom(...ARITHMETIC).map((op) => ({ kind: 'arithmetic' as const, op })),
  fc.record({ kind: fc.constant('operandArithmetic' as const), operand: operandArb, op: fc.constantFrom(...ARITHMETIC) }),
  fc.record({
    kind: fc.constant('branch' as const), operand: fc.option(operandArb, { nil: undefined }),
    op: fc.constantFrom(...COMPARISONS), skip: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('localBranch' as const), local: localArb, constant: constantArb,
    op: fc.constantFrom(...COMPARISONS), skip: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ kind: fc.constant('step' as const), from: localArb, constant: constantArb, to: localArb }),
  localArb.map((local) => ({ kind: 'store' as const, local })),
  localArb.map((local) => ({ kind: 'return' as const, local })),
  fc.record({
    kind: fc.constant('localsBranch' as const), left: localArb, right: localArb,
    op: fc.constantFrom(...COMPARISONS), skip: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ kind: fc.constant('assign' as const), op: fc.constantFrom(...ARITHMETIC), local: localArb }),
  fc.record({
    kind: fc.constant('loop' as const), local: localArb, start: fc.integer({ min: -5, max: 5 }), limit: fc.integer({ min: -2, max: 140 }),
  }),
);

/** `fn f(a, b)` (4 locals) running the steps, then collecting `collect` values into an array; called with `args`. */
function build(steps: readonly Step[], args: readonly [number | string, number | string], collect: number, separated: boolean) {
  const b = new BytecodeBuilder();
  let ordinal = 0;
  const emit = (op: Parameters<BytecodeBuilder['emit']>[0], operands: number[] = []): void => {
    const span: Span = { start: ordinal, end: ordinal + 1 };
    ordinal++;
    b.emit(op, operands, span);
    if (separated) b.emit('Jump', [0]);
  };
  const load = (operand: Operand): void => {
    if ('local' in operand) emit('GetLocal', [operand.local]);
    else if ('emptyArray' in operand) emit('Array', [0]);
    else emit('Constant', [typeof operand.constant === 'number' ? b.number(operand.constant) : b.string(operand.constant)]);
  };
  b.declareFunction('f', 2, 4, () => {
    // Forward branches land on the step boundary `skip` steps later (or the end).
    const pending: { at: number; label: Label }[] = [];
    const jumpTo = (op: 'JumpIfFalse' | 'Loop', label: Label): void => {
      const span: Span = { start: ordinal, end: ordinal + 1 };
      ordinal++;
      b.jump(op, label, span);
      if (separated) b.emit('Jump', [0]);
    };
    const branchTo = (op: (typeof COMPARISONS)[number], label: Label): void => {
      emit(op);
      jumpTo('JumpIfFalse', label);
    };
    const branch = (op: (typeof COMPARISONS)[number], skip: number, index: number): void => {
      const label = b.label();
      branchTo(op, label);
      pending.push({ at: index + 1 + skip, label });
    };
    steps.forEach((step, index) => {
      for (const p of pending.filter((q) => q.at === index)) b.mark(p.label);
      switch (step.kind) {
        case 'load': load(step.operand); break;
        case 'arithmetic': emit(step.op); break;
        case 'operandArithmetic': load(step.operand); emit(step.op); break;
        case 'branch':
          if (step.operand !== undefined) load(step.operand);
          branch(step.op, step.skip, index);
          break;
        case 'localBranch':
          load({ local: step.local });
          load({ constant: step.constant });
          branch(step.op, step.skip, index);
          break;
        case 'step':
          load({ local: step.from });
          load({ constant: step.constant });
          emit('Add');
          emit('SetLocal', [step.to]);
          emit('Pop');
          break;
        case 'store': emit('SetLocal', [step.local]); emit('Pop'); break;
        case 'localsBranch':
          load({ local: step.left });
          load({ local: step.right });
          branch(step.op, step.skip, index);
          break;
        case 'assign': emit(step.op); emit('SetLocal', [step.local]); emit('Pop'); break;
        case 'return': emit('GetLocal', [step.local]); emit('Return'); break;
        case 'loop': { // c = start; while (c < limit) { c = c + 1 }: the step and the Loop fuse
          load({ constant: step.start });
          emit('SetLocal', [step.local]);
          emit('Pop');
          const top = b.label();
          const done = b.label();
          b.mark(top);
          load({ local: step.local });
          load({ constant: step.limit });
          branchTo('Less', done);
          load({ local: step.local });
          load({ constant: 1 });
          emit('Add');
          emit('SetLocal', [step.local]);
          emit('Pop');
          jumpTo('Loop', top);
          b.mark(done);
          break;
        }
      }
    });
    for (const p of pending.filter((q) => q.at >= steps.length)) b.mark(p.label);
    emit('Array', [collect]);
    emit('Return');
  });
  b.emit('GetGlobal', [b.string('f')]);
  for (const arg of args) b.emit('Constant', [typeof arg === 'number' ? b.number(arg) : b.string(arg)]);
  b.emit('Call', [2]);
  b.emit('Halt');
  return b.build();
}

type Ending = { readonly value: Value | undefined } | { readonly kind: string; readonly message: string; readonly detail: string | undefined; readonly span: Span | undefined };

function ending(steps: readonly Step[], args: readonly [number | string, number | string], collect: number, separated: boolean): Ending {
  try {
    return { value: new Vm(build(steps, args, collect, separated), { validate: false, stdout: () => {} }).run() };
  } catch (error) {
    if (!(error instanceof AtlasRuntimeError)) throw error;
    return { kind: error.kind, message: error.message, detail: error.detail, span: error.span };
  }
}

test('fused sequences end exactly like their instructions run one by one', (t) => {
  const argArb = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: -9, max: 9 }) }, { weight: 1, arbitrary: fc.constantFrom(0.25, 1e308, 'a') });
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 14 }), fc.tuple(argArb, argArb), fc.integer({ min: 0, max: 5 }), (steps, args, collect) => {
      t.deepEqual(ending(steps, args, collect, false), ending(steps, args, collect, true));
    }),
    { numRuns: 3000 },
  );
});

test('the loader fuses the compiler\'s common sequences', (t) => {
  const b = new BytecodeBuilder();
  const k = b.number(1);
  b.emit('GetLocal', [0]); // 0: i = i + 1
  b.emit('Constant', [k]);
  b.emit('Add');
  b.emit('SetLocal', [0]);
  b.emit('Pop');
  b.emit('GetLocal', [0]); // 11: i < 1
  b.emit('Constant', [k]);
  b.emit('Less');
  b.emit('JumpIfFalse', [0]);
  b.emit('Null'); // 21: null * 1 (Constant+Mul fuse)
  b.emit('Constant', [k]);
  b.emit('Mul');
  b.emit('GetLocal', [1]); // 26: + y
  b.emit('Add');
  b.emit('GetLocal', [1]); // 30: <= y
  b.emit('LessEqual');
  b.emit('JumpIfFalse', [0]);
  b.emit('Constant', [k]); // 37: == 1
  b.emit('Equal');
  b.emit('JumpIfFalse', [0]);
  b.emit('NotEqual'); // 44
  b.emit('JumpIfFalse', [0]);
  b.emit('GetLocal', [0]); // 48: x % y
  b.emit('GetLocal', [1]);
  b.emit('Mod');
  b.emit('GetLocal', [0]); // 55: x - 1
  b.emit('Constant', [k]);
  b.emit('Sub');
  b.emit('GetLocal', [0]); // 62: x < y
  b.emit('GetLocal', [1]);
  b.emit('Less');
  b.emit('JumpIfFalse', [0]);
  b.emit('Mul'); // 72: s = … * …;
  b.emit('SetLocal', [0]);
  b.emit('Pop'); // a Pop that pops: Halt does not follow it (Q1)
  b.emit('Null');
  b.emit('Halt');
  const ops = Array.from(dispatchWords(b.build().code), (w) => w & 0xff);
  t.deepEqual([0, 11, 21, 22, 26, 30, 37, 44, 48, 55, 62, 72].map((i) => ops[i]), [
    Op.GetLocalAddConstantSetLocal, Op.GetLocalConstantCompareJump, Op.Null, Op.MulConstant, Op.AddLocal, Op.LocalCompareJump,
    Op.ConstantEqualJump, Op.EqualJumpIfFalse, Op.LocalModLocal, Op.LocalSubConstant, Op.GetLocalLocalCompareJump, Op.MulSetLocal,
  ]);
  t.is(ops[3], Op.AddConstant, 'later instructions keep their own words, fused from there on');
});

test('a counted loop whose step and Loop fuse offers its header to the hook every 64 back-edges', (t) => {
  // fn f(i) { while (i < 640) { i = i + 1 } return i }
  const headers: number[] = [];
  let header = -1;
  const hook: VmJitHook = {
    onCall: () => undefined,
    onLoop: (ip) => {
      headers.push(ip);
      return undefined;
    },
  };
  const { result } = run((b) => {
    b.declareFunction('f', 1, 1, () => {
      const top = b.label();
      const done = b.label();
      header = b.offset;
      b.mark(top);
      b.emit('GetLocal', [0]);
      b.emitConstant(640);
      b.emit('Less');
      b.jump('JumpIfFalse', done);
      b.emit('GetLocal', [0]);
      b.emitConstant(1);
      b.emit('Add');
      b.emit('SetLocal', [0]);
      b.emit('Pop');
      b.jump('Loop', top);
      b.mark(done);
      b.emit('GetLocal', [0]);
      b.emit('Return');
    });
    b.emit('GetGlobal', [b.string('f')]);
    b.emitConstant(0);
    b.emit('Call', [1]);
  }, { jit: hook });
  t.is(result, 640);
  t.deepEqual(headers, Array.from({ length: 10 }, () => header), '640 back-edges, each slice ending at the loop header');
});

test('GetLocal+GetLocal+operator reads a second slot that the first load fills', (t) => {
  // fn f(a, b) { 5; pop; return a + <slot 2> }: slot 2 is the value the first GetLocal pushes
  // (10), not the 5 a Pop left behind there.
  const { result } = run((b) => {
    b.declareFunction('f', 2, 3, () => {
      b.emitConstant(5);
      b.emit('Pop');
      b.emit('GetLocal', [0]);
      b.emit('GetLocal', [2]);
      b.emit('Add');
      b.emit('Return');
    });
    b.emit('GetGlobal', [b.string('f')]);
    b.emitConstant(10);
    b.emitConstant(3);
    b.emit('Call', [2]);
  }, { validate: false });
  t.is(result, 20);
});

test('a fused local comparison-jump backwards counts as a back-edge for safepoints', (t) => {
  // fn f(i) { do { i = i + 1 } while (!(i >= 640)); return i }
  let safepoints = 0;
  const hook: VmJitHook = { onCall: () => undefined, onSafepoint: () => { safepoints++; } };
  const { result } = run((b) => {
    b.declareFunction('f', 1, 1, () => {
      const top = b.label();
      b.mark(top);
      b.emit('GetLocal', [0]);
      b.emitConstant(1);
      b.emit('Add');
      b.emit('SetLocal', [0]);
      b.emit('Pop');
      b.emit('GetLocal', [0]);
      b.emitConstant(640);
      b.emit('GreaterEqual');
      b.jump('JumpIfFalse', top);
      b.emit('GetLocal', [0]);
      b.emit('Return');
    });
    b.emit('GetGlobal', [b.string('f')]);
    b.emitConstant(0);
    b.emit('Call', [1]);
  }, { jit: hook });
  t.is(result, 640);
  t.is(safepoints, 9, '639 back-edges');
});
