// Value kinds, type names, equality and number/display formatting (docs/bytecode.md §2.1, §2.5, docs/bytecode.md §6.6).
import test from 'ava';
import fc from 'fast-check';
import { functionRef } from '../src/bytecode/index.js';
import {
  AtlasArray, AtlasBuiltin, AtlasClosure, AtlasFunction, AtlasOption, AtlasResult, type TypeName, type Value,
  charCount, display, formatNumber, typeName, valuesEqual,
} from '../src/vm/index.js';

const fn = (name: string, arity = 0, offset = 10) => new AtlasFunction(functionRef({ name, arity, offset, localCount: arity }));

test('print formatting of numbers follows the reference table (§6.6, Q18)', (t) => {
  const table: Array<[number, string]> = [
    [3, '3'],
    [-0, '-0'],
    [0, '0'],
    [-5, '-5'],
    [42, '42'],
    [100, '100'],
    [3.14, '3.14'],
    [1.5, '1.5'],
    [0.001, '0.001'],
    [2.5, '2.5'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e21, '1000000000000000000000'],
    [2 ** 53 + 2, '9007199254740994'],
    [1e-7, '0.0000001'],
    [1.5e-7, '0.00000015'],
    [-1.5e-7, '-0.00000015'],
    [123.456e-10, '0.0000000123456'],
    [5e-324, `0.${'0'.repeat(323)}5`],
    [NaN, 'NaN'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ];
  for (const [n, text] of table) t.is(formatNumber(n), text, String(n));
});

test('large integral numbers print as their exact decimal value', (t) => {
  t.is(formatNumber(1e300), BigInt(1e300).toString());
  t.is(formatNumber(-1.7976931348623157e308).length, 310);
  t.false(formatNumber(1e300).includes('e'));
});

test('integral numbers print their exact digits on both sides of 2^53 (property)', (t) => {
  // Around the safe-integer edge, where the short path (String) hands over to BigInt.
  const near = fc.integer({ min: -4096, max: 4096 }).chain((d) => fc.constantFrom(2 ** 53 + d * 2, -(2 ** 53) + d * 2, 2 ** 60 + d * 256));
  const integral = fc.oneof(fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true }).map(Math.trunc), near);
  fc.assert(fc.property(integral, (n) => formatNumber(n) === (Object.is(n, -0) ? '-0' : BigInt(n).toString())));
  t.pass();
});

test('non-integral numbers keep JS shortest round-trip digits and round-trip', (t) => {
  for (const n of [0.1, 1 / 3, 2 / 3, 123456.789, 1e-5, 9.999999e-8, 4.35, Math.PI]) {
    const s = formatNumber(n);
    t.false(s.includes('e'), s);
    t.is(Number(s), n, s);
  }
});

test('typeName gives the reference names; a closure reports "function"', (t) => {
  const ref = functionRef({ name: 'f', arity: 0, offset: 3, localCount: 0 });
  const cases: Array<[Value, TypeName]> = [
    [1, 'number'], ['s', 'string'], [true, 'bool'], [null, 'null'], [new AtlasArray([]), 'array'],
    [new AtlasFunction(ref), 'function'], [new AtlasClosure(ref, []), 'function'], [new AtlasBuiltin('print'), 'builtin'],
    [AtlasOption.None, 'Option'], [AtlasOption.some(1), 'Option'], [AtlasResult.ok(1), 'Result'],
  ];
  for (const [v, name] of cases) t.is(typeName(v), name);
});

test('equality: no coercion across kinds; IEEE numbers; deep arrays', (t) => {
  t.true(valuesEqual(0, -0));
  t.false(valuesEqual(NaN, NaN));
  t.false(valuesEqual(1, '1'));
  t.false(valuesEqual(null, false));
  t.true(valuesEqual(null, null));
  const a = new AtlasArray([1, new AtlasArray(['x', null]), true]);
  const b = new AtlasArray([1, new AtlasArray(['x', null]), true]);
  t.true(valuesEqual(a, b));
  t.false(valuesEqual(a, new AtlasArray([1, new AtlasArray(['x', false]), true])));
  t.false(valuesEqual(a, new AtlasArray([1])));
  t.false(valuesEqual(new AtlasArray([NaN]), new AtlasArray([NaN])));
  t.false(valuesEqual(a, 1));
  t.false(valuesEqual(1, a));
});

test('functions compare by name only (Q20); builtins by name; closures by function name', (t) => {
  t.true(valuesEqual(fn('f', 0, 10), fn('f', 2, 99)));
  t.false(valuesEqual(fn('f'), fn('g')));
  t.true(valuesEqual(new AtlasBuiltin('len'), new AtlasBuiltin('len')));
  t.false(valuesEqual(new AtlasBuiltin('len'), new AtlasBuiltin('str')));
  const ref = functionRef({ name: 'c', arity: 0, offset: 3, localCount: 0 });
  t.true(valuesEqual(new AtlasClosure(ref, [1]), new AtlasClosure(ref, [2])));
  t.false(valuesEqual(new AtlasClosure(ref, []), new AtlasFunction(ref)), 'a closure is not a plain function');
});

test('Option and Result compare by variant and inner value', (t) => {
  t.true(valuesEqual(AtlasOption.some(1), AtlasOption.some(1)));
  t.false(valuesEqual(AtlasOption.some(1), AtlasOption.some(2)));
  t.false(valuesEqual(AtlasOption.some(null), AtlasOption.None));
  t.true(valuesEqual(AtlasOption.None, AtlasOption.None));
  t.true(valuesEqual(AtlasResult.ok('x'), AtlasResult.ok('x')));
  t.false(valuesEqual(AtlasResult.ok('x'), AtlasResult.err('x')));
  t.false(valuesEqual(AtlasResult.ok(1), AtlasOption.some(1)));
});

test('display: raw strings, true/false/null, and readable forms for the other kinds', (t) => {
  t.is(display('a "b"'), 'a "b"');
  t.is(display(true), 'true');
  t.is(display(false), 'false');
  t.is(display(null), 'null');
  t.is(display(-0), '-0');
  t.is(display(new AtlasArray([1, 'x', new AtlasArray([2.5])])), '[1, x, [2.5]]');
  t.is(display(fn('f')), '<fn f>');
  t.is(display(new AtlasBuiltin('len')), '<builtin len>');
  t.is(display(AtlasOption.some(1)), 'Some(1)');
  t.is(display(AtlasOption.None), 'None');
  t.is(display(AtlasResult.err('bad')), 'Err(bad)');
});

test('AtlasArray.with copies on write', (t) => {
  const a = new AtlasArray([1, 2, 3]);
  const b = a.with(1, 'x');
  t.deepEqual(a.elements, [1, 2, 3]);
  t.deepEqual(b.elements, [1, 'x', 3]);
  t.is(b.length, 3);
});

test('charCount counts Unicode scalar values, not UTF-16 units', (t) => {
  t.is(charCount(''), 0);
  t.is(charCount('hello'), 5);
  t.is(charCount('héllo'), 5);
  t.is(charCount('你好'), 2);
  t.is(charCount('🎉'), 1);
  t.is(charCount('a🎉b🎉'), 4);
  t.is(charCount('\ud800x'), 2, 'a lone surrogate counts as one');
});

test('== on arrays that share structure takes time linear in the distinct pairs, not exponential in the depth', (t) => {
  // a = [a, a] forty times over: 2^40 paths, 40 distinct arrays on each side.
  const dag = (depth: number, leaf: Value): AtlasArray => {
    let a = new AtlasArray([leaf]);
    for (let i = 0; i < depth; i++) a = new AtlasArray([a, a]);
    return a;
  };
  const started = performance.now();
  t.true(valuesEqual(dag(40, 1), dag(40, 1)));
  t.false(valuesEqual(dag(40, 1), dag(40, 2)));
  t.false(valuesEqual(new AtlasArray([dag(40, 1), dag(3, 1)]), new AtlasArray([dag(40, 1), dag(3, 2)])));
  t.true(performance.now() - started < 5000);
});
