// The array builtins without callbacks through the public API (compile + Vm.run): results,
// purity, the pair results of pop/shift, slice's clamping, deep equality in the searches,
// arraySort's natural order (with NaN as documented), errors with the reference's messages and
// spans, the reference corpus programs, and properties against JavaScript equivalents.
import test from 'ava';
import fc from 'fast-check';
import { compile } from '../src/compiler/index.js';
import { type HostValue, Vm } from '../src/vm/index.js';
import { evaluate, expected, plain, printed, runtimeError, uncheckedRuntimeError } from './source-run-helpers.js';

const value = (source: string) => evaluate(source).value;

test('push, unshift, reverse, concat and flatten build new arrays', (t) => {
  t.deepEqual(value('arrayPush([1, 2], 3);'), [1, 2, 3]);
  t.deepEqual(value('arrayUnshift([1, 2], 0);'), [0, 1, 2]);
  t.deepEqual(value('unshift([1, 2], 0);'), [0, 1, 2]);
  t.deepEqual(value('arrayReverse([1, 2, 3]);'), [3, 2, 1]);
  t.deepEqual(value('reverse([1, 2, 3]);'), [3, 2, 1]);
  t.deepEqual(value('concat([1], [2, 3]);'), [1, 2, 3]);
  t.deepEqual(value('concat([[1]], [[2]]);'), [[1], [2]], 'nested arrays in b stay nested');
  t.deepEqual(value('flatten([[1], [2, 3], []]);'), [1, 2, 3]);
  // One level only; non-array elements are kept (the mixed array through an untyped builtin).
  t.deepEqual(value('flatten(arrayPush(arrayPush(arrayPush([[1]], arrayPush([1], [2])), 3), []));'), [1, 1, [2], 3]);
  t.deepEqual(value('arrayPush([], 1);'), [1]);
});

test('the builtins are pure: their argument keeps its value', (t) => {
  const source = (call: string) => `let a = [1, 2, 3]; let b = ${call}; a;`;
  for (const call of ['arrayPush(a, 4)', 'arrayPop(a)', 'arrayShift(a)', 'arrayUnshift(a, 0)', 'arrayReverse(a)', 'arraySort(a)', 'concat(a, a)', 'slice(a, 0, 1)']) {
    t.deepEqual(value(source(call)), [1, 2, 3], call);
  }
});

test('pop and shift return the pair [element, rest]', (t) => {
  t.deepEqual(value('pop([1, 2]);'), [2, [1]]);
  t.deepEqual(value('arrayPop([1, 2, 3]);'), [3, [1, 2]]);
  t.deepEqual(value('shift([1, 2]);'), [1, [2]]);
  t.deepEqual(value('arrayShift([1, 2, 3]);'), [1, [2, 3]]);
  t.deepEqual(value('pop([7]);'), [7, []]);
});

test('pop and shift of an empty array are TypeErrors at the call span', (t) => {
  for (const name of ['pop', 'arrayPop']) {
    const source = `let e: number[] = []; let r = ${name}(e);`;
    t.is(runtimeError(source), expected('TypeError', 'Cannot pop from empty array', source, `${name}(e)`));
  }
  for (const name of ['shift', 'arrayShift']) {
    const source = `let e: number[] = []; let r = ${name}(e);`;
    t.is(runtimeError(source), expected('TypeError', 'Cannot shift from empty array', source, `${name}(e)`));
  }
});

test('the corpus program runtime_errors/empty_array_pop prints the reference line', (t) => {
  const source = 'let arr: number[] = [];\nlet _result = pop(arr);\n';
  t.is(runtimeError(source), 'Runtime error: TypeError { msg: "Cannot pop from empty array", span: Span { start: 38, end: 46 } }');
});

test('the corpus program stdlib/array_stdlib prints the reference output', (t) => {
  const source = [
    'let arr: number[] = [3, 1, 4, 1, 5, 9, 2, 6];', 'print(len(arr));', 'print(arr[0]);', '',
    'let arr2: number[] = [10, 20, 30];', 'print(len(arr2));', 'print(arr2[2]);', '',
  ].join('\n');
  t.deepEqual(printed(source), ['8', '3', '3', '30']);
});

test('slice truncates, clamps negatives to 0 and rejects start > end after clamping', (t) => {
  t.deepEqual(value('slice([0, 1, 2, 3, 4], 1, 3);'), [1, 2]);
  t.deepEqual(value('slice([0, 1, 2, 3, 4], -2, 3);'), [0, 1, 2]);
  t.deepEqual(value('slice([0, 1, 2], 1.7, 2.9);'), [1]);
  t.deepEqual(value('slice([0, 1, 2], 5, 9);'), []);
  t.deepEqual(value('slice([0, 1, 2], sqrt(-1), 1);'), [0], 'NaN converts to 0');
  t.deepEqual(value('slice([0, 1, 2], 1, 1 / 0.0000000000000000000000000000000000000000000000000000000000000000001);'), [1, 2]);
  let source = 'let r = slice([0, 1, 2], 2, 1);';
  t.is(runtimeError(source), expected('TypeError', 'Invalid slice range: start 2 > end 1', source, 'slice([0, 1, 2], 2, 1)'));
  source = 'let r = slice([0, 1, 2], 5, 1);';
  t.is(runtimeError(source), expected('TypeError', 'Invalid slice range: start 3 > end 1', source, 'slice([0, 1, 2], 5, 1)'));
});

test('the searches use deep ==: NaN is never found, 0 finds -0, no coercion', (t) => {
  t.is(value('arrayIndexOf([1, 2, 3, 2], 2);'), 1);
  t.is(value('arrayLastIndexOf([1, 2, 3, 2], 2);'), 3);
  t.is(value('arrayIndexOf([1, 2], 5);'), -1);
  t.is(value('arrayLastIndexOf([1, 2], 5);'), -1);
  t.is(value('arrayIncludes([[1, 2], [3]], [1, 2]);'), true);
  t.is(value('arrayIndexOf([[1], [1, 2]], [1, 2]);'), 1);
  t.is(value('arrayIndexOf([0], -0);'), 0);
  t.is(value('arrayIncludes([sqrt(-1)], sqrt(-1));'), false);
  t.is(value('arrayIncludes(arrayPush([1], "1"), "1");'), true);
  t.is(value('arrayIndexOf(arrayPush([1], "1"), "1");'), 1);
  t.is(value('arrayIncludes(arrayPush([Some(1)], Ok([2])), Ok([2]));'), true);
  t.is(value('arrayIncludes([Some(1)], Some(2));'), false);
  t.is(value('arrayIncludes([1], true);'), false);
});

test('arraySort: numbers by value, strings by code point, other kinds by their Debug text', (t) => {
  t.deepEqual(value('arraySort([10, 9, 1, -0.5]);'), [-0.5, 1, 9, 10]);
  // Code-point order (the reference's UTF-8 byte order), not JavaScript's UTF-16 order.
  t.deepEqual(value('arraySort(["😀", "～", "a"]);'), ['a', '～', '😀']);
  const mixed = 'arraySort(arrayPush(arrayPush(arrayPush(arrayPush(arrayPush(arrayPush(arrayPush(arrayPush([3], "b"), true), null), 1), "a"), false), [0]), -1));';
  t.deepEqual(value(mixed), [[0], false, true, null, -1, 1, 3, 'a', 'b']);
  // Arrays compare by Debug text: `Array([Number(1), …` < `Array([Number(1)])`.
  t.deepEqual(value('arraySort([[1], [1, 5]]);'), [[1, 5], [1]]);
  t.deepEqual(value('arraySort([[2], [10]]);'), [[10], [2]]);
  t.deepEqual(value('arraySort(arrayPush([Some(2)], None));'), ['None', { Some: 2 }]);
  t.deepEqual(value('arraySort(arrayPush([Ok(1)], Err(0)));'), [{ Err: 0 }, { Ok: 1 }]);
  t.deepEqual(value('arraySort([]);'), []);
});

test('arraySort is stable: equal Debug texts keep their order', (t) => {
  // -0 and 0 compare equal as numbers.
  const sorted = new Vm(compile('fn s(a: number[]) -> number[] { return arraySort(a); }', 't.atlas'), { stdout: () => {} });
  sorted.run();
  const result = plain(sorted.call('s', [0, -0, 0, -0])) as number[];
  t.deepEqual(result.map((x) => Object.is(x, -0)), [false, true, false, true]);
});

test('arraySort with NaN: the insertion sort the reference evidently intends, never an abort', (t) => {
  const run = new Vm(compile('fn s(a: number[]) -> number[] { return arraySort(a); }', 't.atlas'), { stdout: () => {} });
  run.run();
  // A NaN compares equal to everything, so it stops every element moving past it.
  t.deepEqual(plain(run.call('s', [3, Number.NaN, 1, 2, Number.NaN, 0])), [3, Number.NaN, 1, 2, Number.NaN, 0]);
  t.deepEqual(plain(run.call('s', [3, 1, Number.NaN, 2, 0])), [1, 3, Number.NaN, 0, 2]);
  // Long arrays with NaN (where the reference may abort the process) give the insertion sort too.
  const long = Array.from({ length: 60 }, (_, i) => (i % 7 === 3 ? Number.NaN : (i * 37) % 23));
  t.deepEqual(plain(run.call('s', long)), insertionSorted(long));
});

/** The reference's insertion sort with its natural number order (NaN equal to everything). */
function insertionSorted(xs: readonly number[]): number[] {
  const v = xs.slice();
  for (let i = 1; i < v.length; i++) {
    for (let j = i; j > 0 && v[j]! < v[j - 1]!; j--) [v[j], v[j - 1]] = [v[j - 1]!, v[j]!];
  }
  return v;
}

test('arity and argument errors are InvalidStdlibArgument at the call span, arity first', (t) => {
  const cases: [string, string, string][] = [
    ['arrayPush([1])', 'arrayPush(): expected 2 argument(s), got 1', 'arrayPush([1])'],
    ['arrayPop([1], 2)', 'arrayPop(): expected 1 argument(s), got 2', 'arrayPop([1], 2)'],
    ['arraySort(5)', 'arraySort(): expected array, got number', 'arraySort(5)'],
    ['arrayPush(Some(1), 2)', 'arrayPush(): expected array, got Option', 'arrayPush(Some(1), 2)'],
    ['arrayReverse(Ok(1))', 'arrayReverse(): expected array, got Result', 'arrayReverse(Ok(1))'],
    ['arrayIndexOf("ab", "a")', 'arrayIndexOf(): expected array, got string', 'arrayIndexOf("ab", "a")'],
    ['arrayShift(print)', 'arrayShift(): expected array, got builtin', 'arrayShift(print)'],
  ];
  // Compiled without the static checks, which reject the typed builtins' calls here
  // (arrayIndexOf takes an array): the builtins still check every call at run time.
  for (const [call, message, at] of cases) {
    const source = `let r = ${call};`;
    t.is(uncheckedRuntimeError(source), expected('InvalidStdlibArgument', message, source, at), call);
  }
});

test('typed builtins check their arguments at run time when the checker cannot see the types', (t) => {
  // `unwrap` has no prelude signature, so `x` and `y` have the unknown type `?`, which the
  // checker lets through as any argument: valid Atlas whose kinds only the builtin can check.
  const opaque = (call: string, x: string, y = '0') => `let x = unwrap(Some(${x})); let y = unwrap(Some(${y})); let r = ${call};`;
  let source = opaque('slice([1], x, 1)', '"0"');
  t.is(runtimeError(source), expected('InvalidStdlibArgument', 'slice(): expected number, got string', source, 'slice([1], x, 1)'));
  source = opaque('slice(x, y, 1)', 'null', 'true');
  t.is(runtimeError(source), expected('InvalidStdlibArgument', 'slice(): expected array, got null', source, 'slice(x, y, 1)'));
  source = opaque('concat([1], x)', '2');
  t.is(runtimeError(source), expected('InvalidStdlibArgument', 'concat(): expected array, got number', source, 'concat([1], x)'));
  source = opaque('flatten(x)', 'false');
  t.is(runtimeError(source), expected('InvalidStdlibArgument', 'flatten(): expected array, got bool', source, 'flatten(x)'));
});

/** Runs the one-line function body `fn f(<params>) -> <returns> { return <expr>; }` on host values. */
function hostFunction(params: string, expr: string, returns = 'number[]'): (...args: HostValue[]) => unknown {
  const vm = new Vm(compile(`fn f(${params}) -> ${returns} { return ${expr}; }`, 'p.atlas'), { stdout: () => {} });
  vm.run();
  return (...args) => plain(vm.call('f', ...args));
}

const numbers = fc.array(fc.double({ noNaN: true }), { maxLength: 40 });

test('property: arraySort of numbers without NaN is JavaScript\'s numeric sort', (t) => {
  const sort = hostFunction('a: number[]', 'arraySort(a)');
  fc.assert(fc.property(numbers, (a) => {
    t.deepEqual(sort(a), a.slice().sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  }));
});

test('property: arraySort of strings is code-point order', (t) => {
  const sort = hostFunction('a: string[]', 'arraySort(a)');
  fc.assert(fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 4 }), { maxLength: 20 }), (a) => {
    const byCodePoint = (x: string, y: string) => {
      const p = [...x].map((c) => c.codePointAt(0)!);
      const q = [...y].map((c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(p.length, q.length); i++) if (p[i] !== q[i]) return p[i]! - q[i]!;
      return p.length - q.length;
    };
    t.deepEqual(sort(a), a.slice().sort(byCodePoint));
  }));
});

test('property: the searches on numbers are JavaScript\'s indexOf / lastIndexOf (strict equality)', (t) => {
  const indexOf = hostFunction('a: number[], x: number', 'arrayIndexOf(a, x)', 'number');
  const lastIndexOf = hostFunction('a: number[], x: number', 'arrayLastIndexOf(a, x)', 'number');
  const small = fc.constantFrom(0, -0, 1, 2, Number.NaN, Number.POSITIVE_INFINITY);
  fc.assert(fc.property(fc.array(small, { maxLength: 12 }), small, (a, x) => {
    t.is(indexOf(a, x), a.indexOf(x));
    t.is(lastIndexOf(a, x), a.lastIndexOf(x));
  }));
});

test('property: push, unshift, reverse, concat and slice match JavaScript where they agree', (t) => {
  const ops = hostFunction('a: number[], b: number[], s: number, e: number',
    '[arrayPush(a, s), arrayUnshift(a, e), arrayReverse(a), concat(a, b), slice(a, min(s, e), max(s, e))]');
  const index = fc.integer({ min: 0, max: 45 });
  fc.assert(fc.property(numbers, numbers, index, index, (a, b, s, e) => {
    t.deepEqual(ops(a, b, s, e), [[...a, s], [e, ...a], a.slice().reverse(), a.concat(b), a.slice(Math.min(s, e), Math.max(s, e))]);
  }));
});

test('property: arraySort of numbers with NaN is the reference\'s insertion sort (NaN equal to every number)', (t) => {
  const sort = hostFunction('a: number[]', 'arraySort(a)');
  const withNaN = fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(Number.NaN), fc.double()), { maxLength: 60 });
  fc.assert(fc.property(withNaN, (a) => {
    t.deepEqual(sort(a), insertionSorted(a));
  }));
});

