// Native code for every opcode in scope, with the VM's exact semantics (docs/bytecode.md §2.4, §2.5).
import test from 'ava';
import fc from 'fast-check';
import type { BytecodeBuilder, OpcodeName } from '../src/bytecode/index.js';
import { TrapCode } from '../src/jit/native.js';
import { assertReturns, type BuiltFunction, declare, runNative, runNativeAll } from './native-helpers.js';

const MAX = Number.MAX_VALUE;
const TINY = Number.MIN_VALUE;

/** f(a, b) = a <op> b; `at` is the operator's offset (where traps point). */
function binary(op: OpcodeName): BuiltFunction & { at: number } {
  let at = -1;
  const fn = declare(2, 2, (b) => {
    b.emit('GetLocal', [0]);
    b.emit('GetLocal', [1]);
    at = b.emit(op);
    b.emit('Return');
  });
  return { ...fn, at };
}

/** f() pushes the two values made by `a` and `b`, then applies `op`. */
function binaryOn(op: OpcodeName, a: (b: BytecodeBuilder) => void, b2: (b: BytecodeBuilder) => void): BuiltFunction & { at: number } {
  let at = -1;
  const fn = declare(0, 0, (b) => {
    a(b);
    b2(b);
    at = b.emit(op);
    b.emit('Return');
  });
  return { ...fn, at };
}

const num = (n: number) => (b: BytecodeBuilder) => void b.emitConstant(n);
const bool = (v: boolean) => (b: BytecodeBuilder) => void b.emit(v ? 'True' : 'False');
const nul = (b: BytecodeBuilder) => void b.emit('Null');

test('Constant returns number constants bit for bit', (t) => {
  for (const value of [0, -0, 1.5, -2.25, TINY, -TINY, MAX, -MAX, 2 ** 53 + 2, 1e-310, NaN, Infinity]) {
    const fn = declare(0, 0, (b) => {
      b.emitConstant(value);
      b.emit('Return');
    });
    assertReturns(t, runNative(t, fn, []), value, `constant ${value}`);
  }
});

test('True, False and Null return their own types', (t) => {
  for (const [op, value] of [['True', true], ['False', false], ['Null', null]] as const) {
    const fn = declare(0, 0, (b) => {
      b.emit(op);
      b.emit('Return');
    });
    assertReturns(t, runNative(t, fn, []), value, op);
  }
});

test('GetLocal reads the parameters, which are the first frame slots', (t) => {
  const fn = declare(3, 3, (b) => {
    b.emit('GetLocal', [1]);
    b.emit('Return');
  });
  assertReturns(t, runNative(t, fn, [10, -0, 30]), -0);
});

test('locals pushed by let become higher slots', (t) => {
  // fn f(a) { let x = a * 2; let y = true; return x; }  — x is slot 1, y slot 2
  const fn = declare(1, 3, (b) => {
    b.emit('GetLocal', [0]);
    b.emitConstant(2);
    b.emit('Mul');
    b.emit('True');
    b.emit('GetLocal', [1]);
    b.emit('Return');
  });
  assertReturns(t, runNative(t, fn, [21]), 42);
});

test('SetLocal stores TOS into a slot and leaves it on the stack', (t) => {
  // a = b; then return a + TOS (the stored copy): 2b
  const fn = declare(2, 2, (b) => {
    b.emit('GetLocal', [1]);
    b.emit('SetLocal', [0]);
    b.emit('GetLocal', [0]);
    b.emit('Add');
    b.emit('Return');
  });
  assertReturns(t, runNative(t, fn, [1, 7]), 14);
});

test('SetLocal can change a slot\'s type', (t) => {
  const fn = declare(1, 1, (b) => {
    b.emit('True');
    b.emit('SetLocal', [0]);
    b.emit('Pop');
    b.emit('GetLocal', [0]);
    b.emit('Not');
    b.emit('Return');
  });
  assertReturns(t, runNative(t, fn, [5]), false);
});

test('SetLocal of the last local past the stack top pads with nulls (VM rule)', (t) => {
    const slot = (i: number) => declare(1, 4, (b) => {
    b.emit('GetLocal', [0]);
    b.emit('Negate');
    b.emit('SetLocal', [3]);
    b.emit('GetLocal', [i]);
    b.emit('Return');
  });
  // After `GetLocal 0; Negate` the stack is [a, -a]; SetLocal 3 pads one null: [a, -a, null, -a].
  assertReturns(t, runNative(t, slot(0), [5]), 5);
  assertReturns(t, runNative(t, slot(1), [5]), -5);
  assertReturns(t, runNative(t, slot(2), [5]), null);
  assertReturns(t, runNative(t, slot(3), [5]), -5);
});

test('Add: IEEE sums, signed zeros, tiny values', (t) => {
  const fn = binary('Add');
  const cases: [number, number][] = [[0.1, 0.2], [-0, -0], [0, -0], [-0, 0], [TINY, TINY], [TINY, -TINY], [MAX, -MAX], [1e308, 7e307], [-1.5, 2 ** 60]];
  const runs = runNativeAll(t, fn, cases);
  cases.forEach(([a, b], i) => assertReturns(t, runs[i]!, a + b, `${a} + ${b}`));
});

test('Add/Sub/Mul: NaN or ±Infinity results trap with InvalidNumericResult at the operator', (t) => {
  const traps: [OpcodeName, number, number][] = [
    ['Add', MAX, MAX], ['Add', -MAX, -MAX], ['Add', Infinity, -Infinity], ['Add', NaN, 1], ['Add', Infinity, 0],
    ['Sub', -MAX, MAX], ['Sub', Infinity, Infinity], ['Sub', 1, NaN],
    ['Mul', 1e200, 1e200], ['Mul', Infinity, 0], ['Mul', -1e300, 1e10], ['Mul', NaN, 0],
  ];
  for (const [op, a, b] of traps) {
    const fn = binary(op);
    t.deepEqual(runNative(t, fn, [a, b]), { kind: 'trap', code: TrapCode.InvalidNumericResult, offset: fn.at }, `${a} ${op} ${b}`);
  }
});

test('Sub and Mul: exact IEEE results incl. -0 and underflow to 0', (t) => {
  const sub = binary('Sub');
  const mul = binary('Mul');
  const cases: [number, number][] = [[0, 0], [-0, 0], [0, -0], [TINY, TINY], [1e-300, 1e-300], [-3, 0.5], [MAX, 1]];
  const subRuns = runNativeAll(t, sub, cases);
  const mulRuns = runNativeAll(t, mul, cases);
  cases.forEach(([a, b], i) => {
    assertReturns(t, subRuns[i]!, a - b, `${a} - ${b}`);
    assertReturns(t, mulRuns[i]!, a * b, `${a} * ${b}`);
  });
});

test('Div: quotients, and division by ±0 is DivideByZero before any result check', (t) => {
  const fn = binary('Div');
  const ok: [number, number][] = [[1, 3], [-1, 3], [0, -5], [-0, 5], [TINY, 2], [1, MAX], [MAX, 2]];
  const runs = runNativeAll(t, fn, ok);
  ok.forEach(([a, b], i) => assertReturns(t, runs[i]!, a / b, `${a} / ${b}`));
  for (const [a, b] of [[1, 0], [1, -0], [0, 0], [-0, -0], [NaN, 0], [Infinity, 0]]) {
    t.deepEqual(runNative(t, fn, [a!, b!]), { kind: 'trap', code: TrapCode.DivideByZero, offset: fn.at }, `${a} / ${b}`);
  }
  for (const [a, b] of [[MAX, 0.5], [1, TINY], [Infinity, 1], [NaN, 2], [Infinity, Infinity]]) {
    t.deepEqual(runNative(t, fn, [a!, b!]), { kind: 'trap', code: TrapCode.InvalidNumericResult, offset: fn.at }, `${a} / ${b}`);
  }
});

test('Mod truncates like JS % (IEEE fmod), bit for bit', (t) => {
  const fn = binary('Mod');
  const cases: [number, number][] = [
    [-7, 3], [7, -3], [-7, -3], [5.5, 2], [-5.5, 2], [-0, 5], [0, -5], [-6, 3], [6, -3], [0.3, 0.1], [1, 0.1],
    [MAX, 3], [MAX, TINY], [1e300, 1e-300], [TINY, 1], [-TINY, 1], [2 ** 60 + 1, 7], [5, Infinity], [-5, -Infinity],
    [123456789.123, 0.001], [1e-320, 3e-321],
  ];
  const runs = runNativeAll(t, fn, cases);
  cases.forEach(([a, b], i) => assertReturns(t, runs[i]!, a % b, `${a} % ${b}`));
});

test('Mod of integers (the srem fast path) matches JS % at its edges: signs, -0, 2^53, the ends of i64 and non-finite operands', (t) => {
  const fn = binary('Mod');
  const edge = [0, -0, 1, -1, 2, -2, 3, -7, 7, 12, -12, 2 ** 31, -(2 ** 31), 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, -(2 ** 53), 2 ** 53 + 2, -(2 ** 53 + 2), 2 ** 63, -(2 ** 63), 2 ** 64, 1.5, -2.5, NaN, Infinity, -Infinity];
  const cases = edge.flatMap((a) => edge.filter((b) => b !== 0).map((b): [number, number] => [a, b]));
  const runs = runNativeAll(t, fn, cases);
  cases.forEach(([a, b], i) => {
    // A NaN result (NaN or ±∞ among the operands) traps as InvalidNumericResult.
    if (Number.isNaN(a % b)) t.like(runs[i]!, { kind: 'trap' }, `${a} % ${b}`);
    else assertReturns(t, runs[i]!, a % b, `${a} % ${b}`);
  });
});

test('Mod by a constant divisor matches JS % for every dividend, bit for bit', (t) => {
  const constants = [1, -1, 2, 3, 7, -7, 10, 97, 1000, 65537, 999983, 1000000007, 2 ** 31 - 1, 2 ** 32 + 15, 2 ** 52 + 1, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 0.5, -2.5, 1e300];
  const edge = [0, -0, 1, -1, 5, -5, 6, 2 ** 31, 2 ** 32, 2 ** 52 + 3, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 60 + 1, 1.5, -2.5, 1e300, Infinity, -Infinity];
  fc.assert(
    fc.property(fc.constantFrom(...constants), fc.array(fc.oneof(fc.constantFrom(...edge), fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.double()), { minLength: 20, maxLength: 20 }), (c, dividends) => {
      const fn = declare(1, 1, (b) => {
        b.emit('GetLocal', [0]);
        b.emitConstant(c);
        b.emit('Mod');
        b.emit('Return');
      });
      const runs = runNativeAll(t, fn, dividends.map((x) => [x]));
      return dividends.every((x, i) => {
        const run = runs[i]!;
        const expected = x % c;
        // NaN results (±∞ % c) trap as InvalidNumericResult; every other result must be exact.
        if (Number.isNaN(expected)) return run.kind === 'trap';
        return run.kind === 'return' && Object.is(run.value, expected);
      });
    }),
    { numRuns: 60 },
  );
  t.pass();
});

test('Mod by ±0 is DivideByZero; NaN results are InvalidNumericResult', (t) => {
  const fn = binary('Mod');
  for (const [a, b] of [[5, 0], [5, -0], [0, 0], [Infinity, 0]]) {
    t.deepEqual(runNative(t, fn, [a!, b!]), { kind: 'trap', code: TrapCode.DivideByZero, offset: fn.at }, `${a} % ${b}`);
  }
  for (const [a, b] of [[Infinity, 3], [NaN, 3], [3, NaN]]) {
    t.deepEqual(runNative(t, fn, [a!, b!]), { kind: 'trap', code: TrapCode.InvalidNumericResult, offset: fn.at }, `${a} % ${b}`);
  }
});

test('Negate is unchecked: -0, NaN and infinities pass through', (t) => {
  const fn = declare(1, 1, (b) => {
    b.emit('GetLocal', [0]);
    b.emit('Negate');
    b.emit('Return');
  });
  const inputs = [0, -0, 3, TINY, MAX, NaN, Infinity, -Infinity];
  const runs = runNativeAll(t, fn, inputs.map((x) => [x]));
  inputs.forEach((x, i) => assertReturns(t, runs[i]!, -x, `-${x}`));
});

test('ordering comparisons are IEEE and return bools', (t) => {
  const ops: [OpcodeName, (a: number, b: number) => boolean][] = [
    ['Less', (a, b) => a < b], ['LessEqual', (a, b) => a <= b], ['Greater', (a, b) => a > b], ['GreaterEqual', (a, b) => a >= b],
  ];
  const pairs: [number, number][] = [[1, 2], [2, 1], [2, 2], [-0, 0], [0, -0], [NaN, 1], [1, NaN], [NaN, NaN], [-Infinity, -MAX], [TINY, 0]];
  for (const [op, expected] of ops) {
    const runs = runNativeAll(t, binary(op), pairs);
    pairs.forEach(([a, b], i) => assertReturns(t, runs[i]!, expected(a, b), `${a} ${op} ${b}`));
  }
});

test('Equal/NotEqual on numbers: NaN != NaN, 0 == -0', (t) => {
  const pairs: [number, number][] = [[1, 1], [1, 2], [0, -0], [NaN, NaN], [NaN, 1], [Infinity, Infinity], [TINY, 0]];
  const eq = runNativeAll(t, binary('Equal'), pairs);
  const ne = runNativeAll(t, binary('NotEqual'), pairs);
  pairs.forEach(([a, b], i) => {
    assertReturns(t, eq[i]!, a === b, `${a} == ${b}`);
    assertReturns(t, ne[i]!, a !== b, `${a} != ${b}`);
  });
});

test('Equal/NotEqual on bools, nulls and mixed kinds never raise', (t) => {
  const makers = { t: bool(true), f: bool(false), n: nul, one: num(1), zero: num(0) };
  const values = { t: true, f: false, n: null, one: 1, zero: 0 };
  for (const a of Object.keys(makers) as (keyof typeof makers)[]) {
    for (const b of Object.keys(makers) as (keyof typeof makers)[]) {
      const expected = values[a] === values[b];
      assertReturns(t, runNative(t, binaryOn('Equal', makers[a], makers[b]), []), expected, `${a} == ${b}`);
      assertReturns(t, runNative(t, binaryOn('NotEqual', makers[a], makers[b]), []), !expected, `${a} != ${b}`);
    }
  }
});

test('Not negates bools and yields a bool', (t) => {
  assertReturns(t, runNative(t, declare(0, 0, (b) => { b.emit('True'); b.emit('Not'); b.emit('Return'); }), []), false);
  assertReturns(t, runNative(t, declare(0, 0, (b) => { b.emit('False'); b.emit('Not'); b.emit('Return'); }), []), true);
  const notLess = declare(2, 2, (b) => {
    b.emit('GetLocal', [0]);
    b.emit('GetLocal', [1]);
    b.emit('Less');
    b.emit('Not');
    b.emit('Return');
  });
  const runs = runNativeAll(t, notLess, [[1, 2], [2, 1], [NaN, 1]]);
  assertReturns(t, runs[0]!, false);
  assertReturns(t, runs[1]!, true);
  assertReturns(t, runs[2]!, true);
});

test('Dup pushes a copy of TOS', (t) => {
  const fn = declare(1, 1, (b) => {
    b.emit('GetLocal', [0]);
    b.emit('Dup');
    b.emit('Mul');
    b.emit('Return');
  });
  assertReturns(t, runNative(t, fn, [-3]), 9);
});

test('Pop discards TOS', (t) => {
  const fn = declare(1, 1, (b) => {
    b.emit('GetLocal', [0]);
    b.emitConstant(99);
    b.emit('Pop');
    b.emit('Return');
  });
  assertReturns(t, runNative(t, fn, [4]), 4);
});

test('Pop directly before Halt does not pop (Q1), and Halt reports TOS', (t) => {
  const fn = declare(1, 1, (b) => {
    b.emit('GetLocal', [0]);
    b.emitConstant(99);
    b.emit('Pop');
    b.emit('Halt');
  });
  t.deepEqual(runNative(t, fn, [4]), { kind: 'halt', value: 99 });
});

test('Halt stops the run with the TOS of each type', (t) => {
  const halting = (push: (b: BytecodeBuilder) => void) => declare(1, 1, (b) => {
    push(b);
    b.emit('Halt');
  });
  t.deepEqual(runNative(t, halting((b) => void b.emit('GetLocal', [0])), [2.5]), { kind: 'halt', value: 2.5 });
  t.deepEqual(runNative(t, halting((b) => void b.emit('True')), [0]), { kind: 'halt', value: true });
  t.deepEqual(runNative(t, halting((b) => void b.emit('Null')), [0]), { kind: 'halt', value: null });
});

test('Return carries the static type: a comparison returns a bool, not 1.0', (t) => {
  const fn = declare(2, 2, (b) => {
    b.emit('GetLocal', [0]);
    b.emit('GetLocal', [1]);
    b.emit('GreaterEqual');
    b.emit('Return');
  });
  const runs = runNativeAll(t, fn, [[3, 2], [2, 3]]);
  t.deepEqual(runs, [{ kind: 'return', value: true }, { kind: 'return', value: false }]);
});

test('only the first Return counts; later bytes are dead', (t) => {
  const fn = declare(1, 1, (b) => {
    b.emit('GetLocal', [0]);
    b.emit('Return');
    b.emit('GetGlobal', [0]);
    b.emitRaw(0x05);
  });
  assertReturns(t, runNative(t, fn, [8]), 8);
});
