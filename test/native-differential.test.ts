// Differential property test: random valid straight-line functions on random inputs give
// the same value (and type) or the same runtime error (kind, message, offset) natively — at
// every opt level — as in the interpreter.
import test from 'ava';
import fc from 'fast-check';
import type { BytecodeBuilder, OpcodeName } from '../src/bytecode/index.js';
import { releaseHandle, trapError } from '../src/jit/native.js';
import { AtlasRuntimeError, type Value, Vm } from '../src/vm/index.js';
import { type BuiltFunction, compileOk, declare, invokeNative, OPT_LEVELS } from './native-helpers.js';

type Kind = 'number' | 'bool' | 'null';

const ARITHMETIC: readonly OpcodeName[] = ['Add', 'Sub', 'Mul', 'Div', 'Mod'];
const ORDERING: readonly OpcodeName[] = ['Less', 'LessEqual', 'Greater', 'GreaterEqual'];
const EQUALITY: readonly OpcodeName[] = ['Equal', 'NotEqual'];

/** Interesting f64s: signed zeros, extremes, non-finite values, plus arbitrary doubles. */
const number = fc.oneof(
  {
    arbitrary: fc.constantFrom(0, -0, 1, -1, 2, 0.5, 3, 7, 1e308, -1e308, Number.MIN_VALUE, Number.MAX_VALUE, Infinity, -Infinity, NaN),
    weight: 3,
  },
  { arbitrary: fc.integer({ min: -1000, max: 1000 }), weight: 1 },
  { arbitrary: fc.double(), weight: 1 },
);

interface Spec {
  readonly arity: number;
  readonly extraLocals: number;
  /** Each choice picks the next instruction among those valid for the current stack. */
  readonly choices: readonly number[];
  readonly constants: readonly number[];
  readonly ending: number;
}

const spec: fc.Arbitrary<Spec> = fc.record({
  arity: fc.integer({ min: 0, max: 4 }),
  extraLocals: fc.integer({ min: 0, max: 3 }),
  choices: fc.array(fc.nat(), { minLength: 1, maxLength: 24 }),
  constants: fc.array(number, { minLength: 1, maxLength: 6 }),
  ending: fc.nat(),
});

type Emit = (b: BytecodeBuilder) => void;

/**
 * Turns choices into instructions the validator accepts: the stack never underflows,
 * locals are in range and held by the stack, and the body ends with a value to return.
 * Operand kinds mostly fit the operator; a choice divisible by 7 ignores them (a trap).
 */
function generate(s: Spec): { emits: Emit[]; halts: boolean } {
  const localCount = s.arity + s.extraLocals;
  const stack: Kind[] = Array.from({ length: s.arity }, () => 'number');
  const emits: Emit[] = [];
  let constant = 0;
  const push = (kind: Kind, emit: Emit) => {
    stack.push(kind);
    emits.push(emit);
  };
  for (const choice of s.choices) {
    const top = stack.at(-1);
    const second = stack.at(-2);
    const reckless = choice % 7 === 0;
    const options: (() => void)[] = [
      () => {
        const value = s.constants[constant++ % s.constants.length]!;
        push('number', (b) => void b.emitConstant(value));
      },
      () => push('bool', (b) => void b.emit(choice % 2 === 0 ? 'True' : 'False')),
    ];
    if (choice % 11 === 0) options.push(() => push('null', (b) => void b.emit('Null')));
    const readable = Math.min(stack.length, localCount);
    if (readable > 0) {
      const index = choice % readable;
      options.push(() => push(stack[index]!, (b) => void b.emit('GetLocal', [index])));
      options.push(() => {
        stack[index] = stack.at(-1)!;
        emits.push((b) => void b.emit('SetLocal', [index]));
      });
    }
    if (top !== undefined) {
      options.push(() => push(top, (b) => void b.emit('Dup')));
      if (top === 'number' || reckless) options.push(() => unary('Negate', 'number'));
      if (top === 'bool' || reckless) options.push(() => unary('Not', 'bool'));
    }
    if (second !== undefined) {
      options.push(() => binary(EQUALITY[choice % 2]!, 'bool'));
      if ((top === 'number' && second === 'number') || reckless) {
        options.push(() => binary(ARITHMETIC[choice % ARITHMETIC.length]!, 'number'));
        options.push(() => binary(ORDERING[choice % ORDERING.length]!, 'bool'));
      }
      options.push(() => {
        stack.pop();
        emits.push((b) => void b.emit('Pop'));
      });
    }
    options[choice % options.length]!();
  }
  function unary(op: OpcodeName, result: Kind): void {
    stack.pop();
    push(result, (b) => void b.emit(op));
  }
  function binary(op: OpcodeName, result: Kind): void {
    stack.pop();
    stack.pop();
    push(result, (b) => void b.emit(op));
  }
  if (stack.length === 0) push('number', (b) => void b.emitConstant(s.constants[0]!));
  // Return, Halt, or `Pop; Halt` where the Pop is skipped (docs/bytecode.md Q1).
  const ending = s.ending % 3;
  if (ending === 0) emits.push((b) => void b.emit('Return'));
  else if (ending === 1) emits.push((b) => void b.emit('Halt'));
  else emits.push((b) => void b.emit('Pop'), (b) => void b.emit('Halt'));
  return { emits, halts: ending !== 0 };
}

type Outcome =
  | { readonly value: Value }
  | { readonly error: { readonly kind: string; readonly offset: number; readonly detail: string | undefined } };

function interpreted(fn: BuiltFunction, args: readonly number[]): Outcome {
  const vm = new Vm(fn.bytecode, { stdout: () => undefined });
  vm.run();
  try {
    return { value: vm.call('f', ...args) };
  } catch (error) {
    if (!(error instanceof AtlasRuntimeError)) throw error;
    return { error: { kind: error.kind, offset: error.offset, detail: error.detail } };
  }
}

function native(handle: number, args: readonly number[]): Outcome & { halted?: boolean } {
  const run = invokeNative(handle, args);
  if (run.kind === 'trap') {
    const { kind, detail } = trapError(run.code);
    return { error: { kind, offset: run.offset, detail } };
  }
  if (run.kind === 'interrupted' || run.kind === 'bailout' || run.kind === 'sideExit') throw new Error(`unexpected native status: ${run.kind}`);
  return { value: run.value, halted: run.kind === 'halt' };
}

function same(a: Outcome, b: Outcome): boolean {
  if ('value' in a && 'value' in b) return Object.is(a.value, b.value);
  if ('error' in a && 'error' in b) {
    return a.error.kind === b.error.kind && a.error.offset === b.error.offset && a.error.detail === b.error.detail;
  }
  return false;
}

const describe = (o: Outcome) => ('value' in o ? `value ${Object.is(o.value, -0) ? '-0' : String(o.value)} (${o.value === null ? 'null' : typeof o.value})` : JSON.stringify(o.error));

test('native code matches the interpreter value for value and error for error', (t) => {
  let compiled = 0;
  let traps = 0;
  fc.assert(
    fc.property(spec, fc.array(fc.array(number, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 4 }), (s, argSets) => {
      const { emits, halts } = generate(s);
      const fn = declare(s.arity, s.arity + s.extraLocals, (b) => {
        for (const emit of emits) emit(b);
      });
      for (const level of OPT_LEVELS) {
        const outcome = compileOk(t, fn.input, level);
        compiled++;
        try {
          for (const argSet of argSets) {
            const args = argSet.slice(0, s.arity);
            const expected = interpreted(fn, args);
            const actual = native(outcome.handle, args);
            if ('error' in actual) traps++;
            if (!same(expected, actual)) {
              throw new Error(`opt ${level}, args ${args.map(String).join(', ')}: interpreter ${describe(expected)}, native ${describe(actual)}`);
            }
            if ('value' in actual && actual.halted !== halts) throw new Error(`native ${actual.halted ? 'halted' : 'returned'} but the body ends in ${halts ? 'Halt' : 'Return'}`);
          }
        } finally {
          releaseHandle(outcome.handle);
        }
      }
    }),
    { numRuns: 1500 },
  );
  t.log(`${compiled} compilations, ${traps} trapping runs`);
  t.true(traps > 0, 'the generator exercised traps');
});
