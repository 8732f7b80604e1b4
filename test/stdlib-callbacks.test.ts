// The array and Result callback intrinsics through the public API: results, the order and
// arguments of callback calls, the checks and their messages and spans, errors inside callbacks
// keeping their own span, closures and builtins as callbacks, the reference VM's stack defect
// not reproduced, callbacks seen by the JIT hook (and compiled), safepoints and limits inside
// long or deep callback runs, and properties against JavaScript equivalents.
import test from 'ava';
import fc from 'fast-check';
import { type BytecodeBuilder, functionRef } from '../src/bytecode/index.js';
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { AtlasInterrupted, AtlasRuntimeError, HaltSignal, type HostValue, Vm, type VmJitHook } from '../src/vm/index.js';
import { evaluate, expected, plain, printed, runtimeError, uncheckedRuntimeError } from './source-run-helpers.js';
import { build } from './vm-helpers.js';

const value = (source: string) => evaluate(source).value;

const DBL = 'fn dbl(x: number) -> number { return x * 2; }';
const BIG = 'fn big(x: number) -> bool { return x > 1; }';

/**
 * `name` with the unknown type `?` (`unwrap` has no prelude signature): valid Atlas passing a
 * callback whose declared type does not fit the intrinsic's signature, which only the
 * intrinsic's run-time behaviour then decides.
 */
const untyped = (name: string) => `unwrap(Some(${name}))`;

test('map, filter, reduce, forEach, find, findIndex, flatMap, some and every', (t) => {
  t.deepEqual(value(`${DBL} map([1, 2, 3], dbl);`), [2, 4, 6]);
  t.deepEqual(value(`${BIG} filter([1, 2, 3, 0, 5], big);`), [2, 3, 5]);
  t.is(value('fn cat(a: string, b: number) -> string { return a + str(b); } reduce([1, 2, 3], cat, ">");'), '>123');
  t.deepEqual(evaluate('forEach([1, 2], print);'), { output: ['1', '2'], value: null });
  t.is(value(`${BIG} find([1, 2, 3], big);`), 2);
  t.is(value(`${BIG} find([1, 0], big);`), null);
  t.is(value(`${BIG} findIndex([1, 2, 3], big);`), 1);
  t.is(value(`${BIG} findIndex([1], big);`), -1);
  t.deepEqual(value(`${DBL} flatMap([1, 2], ${untyped('dbl')});`), [2, 4], 'a non-array result is appended');
  t.deepEqual(value('fn pair(x: number) -> number[] { return [x, x]; } flatMap([1, 2], pair);'), [1, 1, 2, 2]);
  t.deepEqual(value('fn nest(x: number) -> number[][] { return [[x]]; } flatMap([1], nest);'), [[1]], 'one level only');
  t.is(value(`${BIG} some([0, 1, 2], big);`), true);
  t.is(value(`${BIG} some([0, 1], big);`), false);
  t.is(value(`${BIG} every([2, 3], big);`), true);
  t.is(value(`${BIG} every([2, 0, 3], big);`), false);
});

test('empty arrays: no callback calls, and each function\'s empty result', (t) => {
  // One predicate for every function, whatever the callback type each one declares.
  const noisy = 'fn pred(x: number) -> bool { print("called"); return true; } fn q(a: number, b: number) -> number { print("called"); return 0; }'
    + ` let p = ${untyped('pred')};`;
  const cases: [string, unknown][] = [
    ['map(e, p)', []], ['filter(e, p)', []], ['reduce(e, q, 7)', 7], ['forEach(e, p)', null], ['find(e, p)', null],
    ['findIndex(e, p)', -1], ['flatMap(e, p)', []], ['some(e, p)', false], ['every(e, p)', true], ['sort(e, q)', []], ['sortBy(e, p)', []],
  ];
  for (const [call, result] of cases) {
    t.deepEqual(evaluate(`${noisy} let e: number[] = []; ${call};`), { output: [], value: result }, call);
  }
});

test('callbacks see a snapshot in index order, and short-circuiting functions stop early', (t) => {
  const trace = 'fn p(x: number) -> bool { print(str(x)); return x == 2; }';
  t.deepEqual(evaluate(`${trace} some([1, 2, 3], p);`), { output: ['1', '2'], value: true });
  t.deepEqual(evaluate(`${trace} find([1, 2, 3], p);`), { output: ['1', '2'], value: 2 });
  t.deepEqual(evaluate(`${trace} findIndex([1, 2, 3], p);`), { output: ['1', '2'], value: 1 });
  t.deepEqual(evaluate(`${trace} every([2, 1, 3], p);`), { output: ['2', '1'], value: false });
  t.deepEqual(evaluate(`${trace} filter([1, 2, 3], p);`), { output: ['1', '2', '3'], value: [2] });
  // The callback's array is a copy: the argument variable is unchanged by the call.
  t.deepEqual(value(`${DBL} let a = [1, 2]; let b = map(a, dbl); a;`), [1, 2]);
});

test('sort: a stable insertion sort asking cmp(later, earlier); returns a copy', (t) => {
  const traced = 'fn cmp(a: number, b: number) -> number { print(str(a) + "," + str(b)); return a - b; }';
  t.deepEqual(evaluate(`${traced} sort([3, 1, 2], cmp);`), { output: ['1,3', '2,3', '2,1'], value: [1, 2, 3] });
  t.deepEqual(value('fn m(a: number, b: number) -> number { return -1; } sort([1, 2, 3, 4], m);'), [4, 3, 2, 1]);
  t.deepEqual(value('fn m(a: number, b: number) -> number { return -0.0001; } sort([1, 2, 3, 4], m);'), [4, 3, 2, 1]);
  for (const r of ['1', '0', 'sqrt(-1)']) {
    t.deepEqual(value(`fn c(a: number, b: number) -> number { return ${r}; } sort([3, 1, 2], c);`), [3, 1, 2], `cmp ≡ ${r}`);
  }
  t.deepEqual(value('fn c(a: number, b: number) -> number { return a - b; } let a = [2, 1]; let s = sort(a, c); a;'), [2, 1]);
});

test('sortBy: every key first, in order, then a stable sort on number or string keys', (t) => {
  t.deepEqual(value('fn k(x: number) -> number { return x % 2; } sortBy([5, 4, 3, 2, 1], k);'), [4, 2, 5, 3, 1]);
  t.deepEqual(value('fn k(x: number) -> number { if (x == 2) { return sqrt(-1); } return x; } sortBy([3, 2, 1, 0], k);'), [3, 2, 0, 1]);
  t.deepEqual(evaluate('fn k(x: number) -> number { print(str(x)); return -x; } sortBy([1, 2, 3], k);'), { output: ['1', '2', '3'], value: [3, 2, 1] });
  // String keys in code-point order (the key function returns `?` through an untyped builtin).
  t.deepEqual(value('fn k(x: string) -> number { return arrayPop([x])[0]; } sortBy(["10", "9", "100", "1", "～", "😀"], k);'),
    ['1', '10', '100', '9', '～', '😀']);
  // Mixed kinds and bools are never "less": the order stays.
  t.deepEqual(value('fn k(x: number) -> number { return arrayPop(arrayPush([true], x))[0]; } sortBy([2, 1], k);'), [1, 2]);
  t.deepEqual(value('fn k(x: number) -> number { return arrayPop([x > 1])[0]; } sortBy([2, 1], k);'), [2, 1]);
});

test('builtins are callbacks too, called with the intrinsic\'s span for their errors', (t) => {
  t.deepEqual(value('map([1, 2], str);'), ['1', '2']);
  t.deepEqual(value('map([-1.5, 2], abs);'), [1.5, 2]);
  t.deepEqual(evaluate('map([1, 2], print);'), { output: ['1', '2'], value: [null, null] });
  // Compiled without the static checks, which reject these callbacks' types (and `map` as a
  // value): the intrinsics still check every call at run time.
  let source = 'let r = reduce([1], print, 0);';
  t.is(uncheckedRuntimeError(source), expected('InvalidStdlibArgument', 'print(): expected 1 argument(s), got 2', source, 'reduce([1], print, 0)'));
  source = 'let r = map([1], len);';
  t.is(uncheckedRuntimeError(source), expected('InvalidStdlibArgument', 'len(): expected string or array, got number', source, 'map([1], len)'));
  // An intrinsic is not a registry builtin: as a callback it is an unknown function.
  source = 'let f = map; let r = map([1], f);';
  t.is(uncheckedRuntimeError(source), expected('UnknownFunction', 'map', source, 'map([1], f)', 10));
  source = 'let f = result_map; let r = filter([1], f);';
  t.is(uncheckedRuntimeError(source), expected('UnknownFunction', 'result_map', source, 'filter([1], f)'));
});

test('the checks, in order: argument count, array, callable — TypeErrors at the call span', (t) => {
  const cases: [string, string][] = [
    ['map([1])', 'map() expects 2 arguments'],
    ['reduce([1], dbl)', 'reduce() expects 3 arguments'],
    ['filter(1)', 'filter() expects 2 arguments'],
    ['forEach(1, 2, 3)', 'forEach() expects 2 arguments'],
    ['find(1, dbl)', 'find() first argument must be array'],
    ['some(Some([1]), dbl)', 'some() first argument must be array'],
    ['every([1], 5)', 'every() second argument must be function'],
    ['sortBy([1], "dbl")', 'sortBy() second argument must be function'],
    ['sort("x", 5)', 'sort() first argument must be array'],
    ['flatMap([1], None)', 'flatMap() second argument must be function'],
    ['findIndex([], [])', 'findIndex() second argument must be function'],
  ];
  // Compiled without the static checks, which reject these calls: the intrinsics still check
  // every call at run time.
  for (const [call, message] of cases) {
    const source = `${DBL} let r = ${call};`;
    t.is(uncheckedRuntimeError(source), expected('TypeError', message, source, call), call);
  }
});

test('callback results are checked after every call: exact bools, numbers for sort', (t) => {
  // The predicate returns a number through `?` (an untyped builtin's result), as in the cases below.
  for (const name of ['filter', 'find', 'findIndex', 'some', 'every']) {
    const source = `fn one(x: number) -> bool { return arrayPop([1])[0]; } let r = ${name}([1], one);`;
    t.is(runtimeError(source), expected('TypeError', `${name}() predicate must return bool`, source, `${name}([1], one)`), name);
  }
  // Even when an earlier element already decided the answer's value.
  const source = 'fn p(x: number) -> bool { return arrayPop(arrayPush([true], x))[0]; } let r = every([1, 2], p);';
  t.is(runtimeError(source), expected('TypeError', 'every() predicate must return bool', source, 'every([1, 2], p)'));
  const sortSource = 'fn c(a: number, b: number) -> number { return arrayPop(["x"])[0]; } let r = sort([1, 2], c);';
  t.is(runtimeError(sortSource), expected('TypeError', 'sort() comparator must return number', sortSource, 'sort([1, 2], c)'));
  // One element: no comparator call, no check.
  t.deepEqual(value('fn c(a: number, b: number) -> number { return arrayPop(["x"])[0]; } sort([1], c);'), [1]);
});

test('a user callback of the wrong arity fails at the intrinsic\'s span', (t) => {
  // Compiled without the static checks, which reject a callback of the wrong arity: the
  // intrinsics still check it at run time.
  let source = 'fn k(x: number) -> number { return 1; } let r = sort([2, 1], k);';
  t.is(uncheckedRuntimeError(source), expected('TypeError', 'Function k expects 1 arguments, got 2', source, 'sort([2, 1], k)'));
  source = 'fn k(x: number, y: number) -> number { return 1; } let r = map([1], k);';
  t.is(uncheckedRuntimeError(source), expected('TypeError', 'Function k expects 2 arguments, got 1', source, 'map([1], k)'));
});

test('errors inside a callback keep their own span', (t) => {
  let source = 'fn bad(x: number) -> number { return x / 0; } let r = map([1], bad);';
  t.is(runtimeError(source), 'Runtime error: DivideByZero { span: Span { start: 37, end: 42 } }');
  source = 'fn bad2(acc: number, x: number) -> number { let a = [1]; return a[x]; } let r = reduce([5], bad2, 0);';
  t.is(runtimeError(source), expected('OutOfBounds', undefined, source, 'a[x]'));
});

test('the reference VM\'s stack defect is not reproduced: callbacks leave the caller\'s stack alone', (t) => {
  const s = 'fn s(x: number) -> string { return str(x); }';
  t.deepEqual(printed(`${DBL} print(len(map([1, 2, 3], dbl)));`), ['3']);
  t.deepEqual(printed(`${DBL} let n = 1 + len(map([1, 2, 3], dbl)); print(n);`), ['4']);
  t.deepEqual(printed('fn add(a: number, b: number) -> number { return a + b; } print(add(5, reduce([1, 2], add, 0)));'), ['8']);
  t.deepEqual(value(`${s} [map([1, 2], s), map([3], s)];`), [['1', '2'], ['3']]);
  t.deepEqual(printed(`${DBL} fn f(a: number, b: number) -> number { let r = map([1], dbl); return a * 10 + b; } print(f(1, 7));`), ['17']);
  t.deepEqual(value('fn inc(x: number) -> number { return x + 1; } [0, result_map(Ok(1), inc)];'), [0, { Ok: 2 }]);
});

test('Result callbacks: result_map, result_map_err, result_and_then, result_or_else', (t) => {
  const inc = 'fn inc(x: number) -> number { return x + 1; } fn noisy(x: number) -> number { print("called"); return x; }';
  t.deepEqual(value(`${inc} result_map(Ok(1), inc);`), { Ok: 2 });
  t.deepEqual(evaluate(`${inc} result_map(Err(1), noisy);`), { output: [], value: { Err: 1 } });
  t.deepEqual(value(`${inc} result_map_err(Err(1), inc);`), { Err: 2 });
  t.deepEqual(evaluate(`${inc} result_map_err(Ok(1), noisy);`), { output: [], value: { Ok: 1 } });
  // and_then / or_else return the callback's result as it is, Result or not.
  t.is(value(`${inc} result_and_then(Ok(1), inc);`), 2);
  t.deepEqual(value('fn f(x: number) -> number { return arrayPop([Err(x)])[0]; } result_and_then(Ok(3), f);'), { Err: 3 });
  t.deepEqual(evaluate(`${inc} result_and_then(Err(1), noisy);`), { output: [], value: { Err: 1 } });
  t.is(value('fn rec(x: number) -> number { return x * 10; } result_or_else(Err(2), rec);'), 20);
  t.deepEqual(evaluate(`${inc} result_or_else(Ok(1), noisy);`), { output: [], value: { Ok: 1 } });
  t.deepEqual(value('result_map(Ok("a"), len);'), { Ok: 1 });
});

test('Result callbacks check the count, then the callback, then the Result', (t) => {
  const cases: [string, string][] = [
    ['result_map(Ok(1))', 'result_map() expects 2 arguments (result, transform_fn)'],
    ['result_map_err(Ok(1), inc, 3)', 'result_map_err() expects 2 arguments (result, transform_fn)'],
    ['result_and_then()', 'result_and_then() expects 2 arguments (result, next_fn)'],
    ['result_or_else(1)', 'result_or_else() expects 2 arguments (result, recovery_fn)'],
    ['result_map(Err(1), 5)', 'result_map() second argument must be function'],
    ['result_or_else(7, 5)', 'result_or_else() second argument must be function'],
    ['result_map(1, inc)', 'result_map() first argument must be Result'],
    ['result_and_then(Some(1), inc)', 'result_and_then() first argument must be Result'],
  ];
  for (const [call, message] of cases) {
    const source = `fn inc(x: number) -> number { return x + 1; } let r = ${call};`;
    t.is(runtimeError(source), expected('TypeError', message, source, call), call);
  }
});

/** `map([1, 2], <closure adding 10>)` built by hand: the front-end has no nested functions. */
function closureProgram(intrinsic: string): ReturnType<typeof build> {
  return build((b: BytecodeBuilder) => {
    const skip = b.emitJump('Jump');
    const body = b.offset;
    b.emit('GetLocal', [0]);
    b.emit('GetUpvalue', [0]);
    b.emit('Add');
    b.emit('Return');
    b.patchJump(skip + 1);
    const k = b.addConstant({ kind: 'function', value: functionRef({ name: 'add_k', arity: 1, offset: body, localCount: 1 }) });
    b.emit('GetGlobal', [b.string(intrinsic)]);
    if (intrinsic === 'map') {
      b.emitConstant(1);
      b.emitConstant(2);
      b.emit('Array', [2]);
    } else {
      b.emit('GetGlobal', [b.string('Ok')]);
      b.emitConstant(1);
      b.emit('Call', [1]);
    }
    b.emitConstant(10);
    b.emit('MakeClosure', [k, 1]);
    b.emit('Call', [2]);
    b.emit('Halt');
  });
}

test('closures are accepted as callbacks (the reference VM rejects them), with their captures', (t) => {
  t.deepEqual(plain(new Vm(closureProgram('map'), { stdout: () => {} }).run()), [11, 12]);
  t.deepEqual(plain(new Vm(closureProgram('result_map'), { stdout: () => {} }).run()), { Ok: 11 });
});

test('Halt inside a callback stops the whole run with the top of the stack', (t) => {
  const bytecode = build((b) => {
    b.declareFunction('stop', 1, 1, (b) => {
      b.emitConstant('halted');
      b.emit('Halt');
    });
    b.emit('GetGlobal', [b.string('map')]);
    b.emitConstant(1);
    b.emit('Array', [1]);
    b.emit('GetGlobal', [b.string('stop')]);
    b.emit('Call', [2]);
    b.emit('GetGlobal', [b.string('print')]);
    b.emitConstant('after');
    b.emit('Call', [1]);
    b.emit('Halt');
  });
  const output: string[] = [];
  t.is(new Vm(bytecode, { stdout: (l) => output.push(l) }).run(), 'halted');
  t.deepEqual(output, []);
});

const MAP_F = 'fn f(x: number) -> number { return x + 1; } fn go(a: number[]) -> number[] { return map(a, f); }';

test('the JIT hook is asked for every user-function callback, and callbacks count towards safepoints', (t) => {
  const asked: string[] = [];
  let safepoints = 0;
  const hook: VmJitHook = { onCall: (fn) => { asked.push(fn.name); return undefined; }, onSafepoint: () => { safepoints++; } };
  const vm = new Vm(compile(MAP_F, 'm.atlas'), { jit: hook, stdout: () => {} });
  vm.run();
  const input = Array.from({ length: 640 }, (_, i) => i);
  t.deepEqual(plain(vm.call('go', input)), input.map((x) => x + 1));
  t.is(asked.filter((name) => name === 'f').length, 640);
  t.is(safepoints, 10);
});

test('a hook answer replaces the callback call, as for a bytecode call', (t) => {
  const hook: VmJitHook = { onCall: (fn, _program, stack, argBase) => (fn.name === 'f' ? (stack[argBase] as number) * 100 : undefined) };
  const vm = new Vm(compile(MAP_F, 'm.atlas'), { jit: hook, stdout: () => {} });
  vm.run();
  t.deepEqual(plain(vm.call('go', [1, 2])), [100, 200]);
});

test('a safepoint inside a long callback run can stop it (HaltSignal), and the time budget applies', (t) => {
  const halting: VmJitHook = { onCall: () => undefined, onSafepoint: () => { throw new HaltSignal('stopped'); } };
  const vm = new Vm(compile(MAP_F, 'm.atlas'), { jit: halting, stdout: () => {} });
  vm.run();
  t.is(vm.call('go', Array.from({ length: 100 }, (_, i) => i)), 'stopped');
  // Millions of short callbacks: only the callback safepoints can see the deadline.
  const budgeted = new Vm(compile(MAP_F, 'm.atlas'), { timeBudgetMs: 20, stdout: () => {} });
  budgeted.run();
  const huge: HostValue[] = Array.from({ length: 3_000_000 }, () => 1);
  t.throws(() => budgeted.call('go', huge), { instanceOf: AtlasInterrupted });
});

test('callbacks nested past the host stack are a StackOverflow runtime error, not a crash', (t) => {
  const source = 'fn f(n: number) -> number { if (n == 0) { return 0; } let r = map([n - 1], f); return r[0] + 1; }';
  const vm = new Vm(compile(source, 'deep.atlas'), { stdout: () => {} });
  vm.run();
  t.is(vm.call('f', 100), 100);
  const error = t.throws(() => vm.call('f', 1_000_000), { instanceOf: AtlasRuntimeError }) as AtlasRuntimeError;
  t.is(error.kind, 'StackOverflow');
  t.is(error.message, 'Stack overflow: callbacks nested too deeply for the host stack');
  t.is(vm.call('f', 50), 50, 'the VM stays usable');
  // The interpreter's own call-depth limit applies to callback frames as well.
  const shallow = new Vm(compile(source, 'deep.atlas'), { stdout: () => {}, maxCallDepth: 10 });
  shallow.run();
  t.is((t.throws(() => shallow.call('f', 20), { instanceOf: AtlasRuntimeError }) as AtlasRuntimeError).kind, 'StackOverflow');
});

test('a hot callback is compiled and then runs natively (JitEngine at threshold 1)', async (t) => {
  const source = 'fn sq(x: number) -> number { return x * x; } fn add(a: number, b: number) -> number { return a + b; } let r = map([1, 2, 3, 4], sq); print(r[3]); print(reduce(r, add, 0));';
  const bytecode = compile(source, 'hot.atlas');
  const engine = await JitEngine.create({ interpretedLeafLimit: 0, compilationThreshold: 1, workers: 1 });
  try {
    const first: string[] = [];
    new Vm(bytecode, { jit: engine, stdout: (l) => first.push(l) }).run();
    await engine.whenIdle();
    const native = (name: string) => engine.functions().find((f) => f.name === name && f.tier === 'function')?.nativeCalls ?? 0;
    const before = [native('sq'), native('add')];
    const second: string[] = [];
    new Vm(bytecode, { jit: engine, stdout: (l) => second.push(l) }).run();
    t.deepEqual(first, ['16', '30']);
    t.deepEqual(second, first);
    t.is(native('sq') - before[0]!, 4);
    t.is(native('add') - before[1]!, 4);
  } finally {
    await engine.close();
  }
});

/** `fn f(<params>) -> <returns> { return <expr>; }` plus helpers, called with host values. */
function hostFunction(declarations: string, params: string, returns: string, expr: string): (...args: HostValue[]) => unknown {
  const vm = new Vm(compile(`${declarations} fn f(${params}) -> ${returns} { return ${expr}; }`, 'p.atlas'), { stdout: () => {} });
  vm.run();
  return (...args) => plain(vm.call('f', ...args));
}

const numbers = fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { maxLength: 30 });

test('property: map, filter and reduce on numbers are JavaScript\'s', (t) => {
  const ops = hostFunction(
    'fn g(x: number) -> number { return x * 3 - 1; } fn p(x: number) -> bool { return x > 0.5; } fn s(a: number, x: number) -> number { return a - x; }',
    'a: number[]', 'number[][]', '[map(a, g), filter(a, p), [reduce(a, s, 7)]]');
  fc.assert(fc.property(numbers, (a) => {
    t.deepEqual(ops(a), [a.map((x) => x * 3 - 1), a.filter((x) => x > 0.5), [a.reduce((acc, x) => acc - x, 7)]]);
  }));
});

test('property: sort and sortBy are stable sorts (JavaScript\'s stable sort with the same order)', (t) => {
  const ops = hostFunction(
    'fn c(a: number[], b: number[]) -> number { return a[0] - b[0]; } fn k(p: number[]) -> number { return p[0]; }',
    'a: number[][]', 'number[][][]', '[sort(a, c), sortBy(a, k)]');
  const pairs = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer()), { maxLength: 25 });
  fc.assert(fc.property(pairs, (a) => {
    const sorted = a.slice().sort((x, y) => x[0] - y[0]);
    t.deepEqual(ops(a), [sorted, sorted]);
  }));
});

/** The reference VM's sortBy on (key, tag) pairs: insertion sort, "less" only within numbers or within strings. */
function referenceSortBy(pairs: readonly (readonly [HostValue, number])[]): (readonly [HostValue, number])[] {
  const codePoints = (s: string) => [...s].map((c) => c.codePointAt(0)!);
  const stringLess = (x: string, y: string) => {
    const p = codePoints(x);
    const q = codePoints(y);
    for (let i = 0; i < Math.min(p.length, q.length); i++) if (p[i] !== q[i]) return p[i]! < q[i]!;
    return p.length < q.length;
  };
  const less = (k: HostValue, e: HostValue) =>
    (typeof k === 'number' && typeof e === 'number' && k < e) || (typeof k === 'string' && typeof e === 'string' && stringLess(k, e));
  const v = pairs.slice();
  for (let i = 1; i < v.length; i++) {
    for (let j = i; j > 0 && less(v[j]![0], v[j - 1]![0]); j--) [v[j], v[j - 1]] = [v[j - 1]!, v[j]!];
  }
  return v;
}

test('property: sortBy with keys of mixed kinds (NaN, strings, bools, null) is the reference VM\'s insertion sort', (t) => {
  const sortBy = hostFunction('fn k(p: number[]) -> number { return p[0]; }', 'a: number[][]', 'number[][]', 'sortBy(a, k)');
  const key = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(Number.NaN), fc.constantFrom('a', 'b', '～', '😀', ''), fc.boolean(), fc.constant(null));
  fc.assert(fc.property(fc.array(key, { maxLength: 40 }), (keys) => {
    const pairs = keys.map((k, i) => [k, i] as const);
    t.deepEqual(sortBy(pairs), referenceSortBy(pairs).map(([k, i]) => [k, i]));
  }));
});

