// The math builtins and constants through the public API: the spec's edge values
// (docs/math-builtins.md §2), compared bit for bit with the sign of zero, interpreted and in
// native code compiled at threshold 1; runtime and compile-time errors with the reference's
// messages and spans; shadowing; the golden program; interpreter and native code agreeing on
// the library functions for many inputs.
import test from 'ava';
import { readAtb, writeAtb } from '../src/bytecode/index.js';
import { compile, CompileError } from '../src/compiler/index.js';
import { compileUnchecked } from './helpers/unchecked.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { AtlasRuntimeError, type Value, Vm } from '../src/vm/index.js';
import { mathLibrary } from '../src/vm/math-library.js';

const NaN_ = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

/** [arguments, expected result] rows per builtin, from the spec's tables. */
const EDGES: Record<string, readonly (readonly [readonly number[], number])[]> = {
  abs: [[[-0], 0], [[0], 0], [[-INF], INF], [[NaN_], NaN_], [[-2.5], 2.5], [[5e-324], 5e-324]],
  floor: [[[-0.5], -1], [[-0], -0], [[INF], INF], [[-INF], -INF], [[NaN_], NaN_], [[3.7], 3]],
  ceil: [[[-0.5], -0], [[1.1], 2], [[-0], -0], [[INF], INF], [[NaN_], NaN_], [[3.2], 4]],
  round: [
    [[2.5], 2], [[3.5], 4], [[-2.5], -2], [[-1.5], -2], [[0.5], 0], [[-0.5], 0], [[-0.2], 0], [[-1e-7], 0], [[-0], -0],
    [[0.49999999999999994], 0], [[4503599627370495.5], 4503599627370496], [[-4503599627370495.5], -4503599627370496],
    [[INF], INF], [[-INF], -INF], [[NaN_], NaN_],
  ],
  min: [[[NaN_, 1], 1], [[1, NaN_], 1], [[NaN_, NaN_], NaN_], [[0, -0], 0], [[-0, 0], -0], [[-INF, NaN_], -INF], [[3, 7], 3]],
  max: [[[1, NaN_], 1], [[NaN_, 1], 1], [[-0, 0], -0], [[0, -0], 0], [[3, 7], 7]],
  sqrt: [[[-0], -0], [[-1], NaN_], [[INF], INF], [[16], 4], [[2], Math.SQRT2]],
  pow: [
    [[1, NaN_], 1], [[1, INF], 1], [[-1, INF], 1], [[-1, -INF], 1], [[NaN_, 0], 1], [[NaN_, -0], 1], [[NaN_, 1], NaN_],
    [[-1, NaN_], NaN_], [[-8, 1 / 3], NaN_], [[-8, 3], -512], [[-0, -1], -INF], [[-0, -2], INF], [[-0, 3], -0],
    [[0, -1], INF], [[2, 1024], INF], [[-2, -1075], -0], [[2, 10], 1024], [[10, 400], INF],
  ],
  log: [[[0], -INF], [[-0], -INF], [[-1], NaN_], [[INF], INF], [[1], 0], [[NaN_], NaN_]],
  sin: [[[0], 0], [[-0], -0], [[INF], NaN_], [[NaN_], NaN_]],
  cos: [[[0], 1], [[-0], 1], [[-INF], NaN_], [[NaN_], NaN_]],
  tan: [[[0], 0], [[-0], -0], [[INF], NaN_], [[NaN_], NaN_]],
  asin: [[[2], NaN_], [[1.0000000000000002], NaN_], [[0], 0], [[-0], -0], [[NaN_], NaN_]],
  acos: [[[1], 0], [[-1], Math.PI], [[2], NaN_], [[NaN_], NaN_]],
  atan: [[[0], 0], [[-0], -0], [[INF], 1.5707963267948966], [[-INF], -1.5707963267948966], [[NaN_], NaN_]],
  clamp: [
    [[5, 10, 0], NaN_], [[NaN_, 0, 10], 0], [[5, NaN_, 10], 5], [[5, 0, NaN_], 5], [[INF, 0, 10], 10], [[-0, 0, 10], -0],
    [[0, -0, 10], 0], [[5, 3, 1], NaN_], [[-3, 0, 10], 0], [[4, 0, 10], 4],
  ],
  sign: [[[0], 0], [[-0], -0], [[5e-324], 1], [[-INF], -1], [[INF], 1], [[NaN_], NaN_], [[-3], -1]],
};

/** The host library's values the spec lists (glibc with FMA, as on the machines that run these tests). */
const HOST_VALUES: readonly (readonly [string, readonly number[], number])[] = [
  ['pow', [2, -0.5], Math.SQRT1_2], // V8's Math.pow gives 1 ulp less
  ['log', [3], 1.0986122886681098],
  ['sin', [2.5], 0.5984721441039565],
  ['cos', [0.1], 0.9950041652780258],
  ['atan', [Math.PI], 1.2626272556789118],
  ['tan', [1e22], -1.6287782256068988],
  ['tan', [Math.PI / 2], 16331239353195370],
];

const ARITY: Record<string, number> = { min: 2, max: 2, pow: 2, clamp: 3 };
const params = (n: number) => Array.from({ length: n }, (_, i) => `x${i}`);

/** One wrapper function per builtin, `f_<name>(x0, …) -> number`, so that native code can be called on any input. */
const WRAPPERS = Object.keys(EDGES).map((name) => {
  const ps = params(ARITY[name] ?? 1);
  return `fn f_${name}(${ps.map((p) => `${p}: number`).join(', ')}) -> number { return ${name}(${ps.join(', ')}); }`;
}).join('\n');

const same = (a: Value | undefined, b: number) => Object.is(a, b);
const show = (x: number) => (Object.is(x, -0) ? '-0' : String(x));

test('the spec edge values, interpreted, bit for bit', (t) => {
  const vm = new Vm(compile(WRAPPERS, 'edges.atlas'));
  vm.run();
  for (const [name, rows] of Object.entries(EDGES)) {
    for (const [args, expected] of rows) {
      const got = vm.call(`f_${name}`, ...args);
      t.true(same(got, expected), `${name}(${args.map(show).join(', ')}) = ${show(got as number)}, expected ${show(expected)}`);
    }
  }
});

test('the library functions are the host C library\'s when the addon loads', (t) => {
  t.is(mathLibrary().source, 'host');
  const vm = new Vm(compile(WRAPPERS, 'edges.atlas'));
  vm.run();
  for (const [name, args, expected] of HOST_VALUES) t.true(same(vm.call(`f_${name}`, ...args), expected), `${name}(${args.join(', ')})`);
});

test('native code at threshold 1 gives the same bits as the spec for every edge value', async (t) => {
  const bytecode = compile(WRAPPERS, 'edges.atlas');
  const engine = await JitEngine.create({ compilationThreshold: 1, workers: 1 });
  try {
    const vm = new Vm(bytecode, { jit: engine });
    vm.run();
    for (const fn of bytecode.functions()) {
      t.is(engine.compileNowBlocking(bytecode, fn.offset), true, `${fn.name} compiles`);
    }
    const before = engine.stats();
    let calls = 0;
    for (const [name, rows] of Object.entries(EDGES)) {
      for (const [args, expected] of rows) {
        const got = vm.call(`f_${name}`, ...args);
        calls++;
        t.true(same(got, expected), `native ${name}(${args.map(show).join(', ')}) = ${show(got as number)}, expected ${show(expected)}`);
      }
    }
    for (const [name, args, expected] of HOST_VALUES) t.true(same(vm.call(`f_${name}`, ...args), expected), `native ${name}(${args.join(', ')})`);
    const after = engine.stats();
    t.is(after.jitExecutions - before.jitExecutions, calls + HOST_VALUES.length, 'every call ran natively');
    t.is(after.sideExits - before.sideExits, 0, 'and to its end');
  } finally {
    await engine.close();
  }
});

test('constants are the f64 constants and are numbers to the type checker', (t) => {
  const lines: string[] = [];
  new Vm(compile('print(PI); print(E); print(SQRT2); print(LN2); print(LN10); let x: number = PI * 2; print(x);', 'constants.atlas'), { stdout: (l) => lines.push(l) }).run();
  t.deepEqual(lines, ['3.141592653589793', '2.718281828459045', '1.4142135623730951', '0.6931471805599453', '2.302585092994046', '6.283185307179586']);
});

/** The golden program of the issue: ties-to-even, a NaN operand ignored, -0 kept, bounds the wrong way. */
const GOLDEN = `
let nan = sqrt(-1);
print(round(2.5));
print(round(-0.4));
print(min(nan, 1));
print(sign(-0));
print(clamp(5, 3, 1));
fn r(x: number) -> number { return round(x); }
fn mn(a: number, b: number) -> number { return min(a, b); }
fn sg(x: number) -> number { return sign(x); }
fn cl(v: number, lo: number, hi: number) -> number { return clamp(v, lo, hi); }
print(r(2.5));
print(r(-0.4));
print(mn(nan, 1));
print(sg(-0));
print(cl(5, 3, 1));
`;
const GOLDEN_OUTPUT = ['2', '0', '1', '-0', 'NaN', '2', '0', '1', '-0', 'NaN'];

test('the golden program prints the reference output, interpreted and at threshold 1', async (t) => {
  const bytecode = compile(GOLDEN, 'golden.atlas');
  const lines: string[] = [];
  new Vm(bytecode, { stdout: (l) => lines.push(l) }).run();
  t.deepEqual(lines, GOLDEN_OUTPUT);
  const engine = await JitEngine.create({ compilationThreshold: 1, workers: 1 });
  try {
    new Vm(bytecode, { jit: engine, stdout: () => {} }).run();
    await engine.whenIdle();
    const jitted: string[] = [];
    new Vm(bytecode, { jit: engine, stdout: (l) => jitted.push(l) }).run();
    t.deepEqual(jitted, GOLDEN_OUTPUT);
  } finally {
    await engine.close();
  }
});

/** The error `source` raises when run, as plain data. */
function runtimeError(source: string): { kind: string; message: string; span: unknown } {
  try {
    new Vm(compileUnchecked(source, 'err.atlas'), { stdout: () => {} }).run();
  } catch (error) {
    if (error instanceof AtlasRuntimeError) return { kind: error.kind, message: error.message, span: error.span };
    throw error;
  }
  throw new Error('no error');
}

test('a non-number argument the type checker cannot see is a runtime TypeError at the call span', (t) => {
  // `x` is declared after the function (the binder rejects that; compiled unchecked), so no static check sees its type.
  const err = runtimeError('fn h() -> number { return abs(x); } let x = "s"; print(h());');
  t.deepEqual(err, { kind: 'TypeError', message: 'Type error: abs() expects number argument', span: { start: 26, end: 32 } });
  const two = runtimeError('fn h() -> number { return pow(2, x); } let x = true; print(h());');
  t.is(two.message, 'Type error: pow() expects number arguments');
  const three = runtimeError('fn h() -> number { return clamp(x, 1, 0); } let x = null; print(h());');
  t.is(three.message, 'Type error: clamp() expects number arguments');
});

test('runtime arity errors come before type errors, with the reference messages', (t) => {
  // Through a global declared after the function (compiled unchecked), so no static check sees the call.
  const call = (name: string, args: string) => runtimeError(`fn h() -> number { return f(${args}); } let f = ${name}; print(h());`);
  t.is(call('sqrt', '').message, 'Type error: sqrt() expects 1 argument');
  t.is(call('min', '1').message, 'Type error: min() expects 2 arguments');
  t.is(call('clamp', '"a"').message, 'Type error: clamp() expects 3 arguments');
  t.is(call('random', '1').message, 'Type error: random() expects no arguments');
  t.is(call('floor', '"a"').message, 'Type error: floor() expects number argument');
});

function compileError(source: string): CompileError {
  try {
    compile(source, 'err.atlas');
  } catch (error) {
    if (error instanceof CompileError) return error;
    throw error;
  }
  throw new Error('compiled');
}

test('compile-time arity and type errors use the reference codes, messages and spans', (t) => {
  const arity = compileError('print(min(1));');
  t.is(arity.code, 'AT3005');
  t.is(arity.reason, 'Function expects 2 arguments, found 1');
  t.deepEqual(arity.span, { start: 6, end: 12 });
  t.is(compileError('print(abs());').reason, 'Function expects 1 argument, found 0');
  t.is(compileError('print(random(1));').reason, 'Function expects 0 arguments, found 1');
  const type = compileError('print(abs("x"));');
  t.is(type.code, 'AT3001');
  t.is(type.reason, 'Argument 1 type mismatch: expected number, found string');
  t.deepEqual(type.span, { start: 10, end: 13 });
  t.is(compileError('let s: string = sqrt(4);').code, 'AT3001');
  t.is(compileError('PI();').reason, 'Cannot call non-function type number');
});

test('prelude names: no top-level redeclaration, locals shadow them', (t) => {
  const fn = compileError('fn sqrt(x: number) -> number { return x; }');
  t.is(fn.code, 'AT1012');
  t.is(fn.reason, "Cannot shadow prelude builtin 'sqrt' in global scope");
  t.is(compileError('let abs = 1;').code, 'AT1012');
  const constant = compileError('var PI = 3;');
  t.is(constant.code, 'AT2003');
  t.is(constant.reason, "Symbol 'PI' is already defined in this scope");
  const assign = compileError('PI = 3;');
  t.is(assign.code, 'AT3003');
  t.is(assign.reason, "Cannot assign to immutable variable 'PI'");
  const lines: string[] = [];
  const source = 'fn f(x: number) -> number { let sqrt = x * 2; let PI = 3; return sqrt + PI; } print(f(2)); let g = sqrt; print(g(16));';
  new Vm(compile(source, 'shadow.atlas'), { stdout: (l) => lines.push(l) }).run();
  t.deepEqual(lines, ['7', '4']);
});

const SHADOWED = 'fn twice(x: number) -> number { return x * 2; } fn f(x: number) -> number { return sqrt(x) + PI; }';

test('a user global shadows a builtin at run time (bytecode the checker never saw)', (t) => {
  const vm = new Vm(compile(SHADOWED, 'shadowed.atlas'));
  vm.run();
  t.is(vm.call('f', 16), 4 + Math.PI);
  vm.setGlobal('sqrt', vm.getGlobal('twice')!);
  vm.setGlobal('PI', 1);
  t.is(vm.call('f', 16), 33);
});

test('an .atb program calls the builtins by name, as the source did', (t) => {
  const bytecode = readAtb(writeAtb(compile(GOLDEN, 'golden.atlas')));
  const lines: string[] = [];
  new Vm(bytecode, { stdout: (l) => lines.push(l) }).run();
  t.deepEqual(lines, GOLDEN_OUTPUT);
});
