// Math builtins in native code, against the interpreter: bit-identical results for many
// inputs (the library functions included, which both take from the addon), a user global that
// shadows a builtin, a builtin's TypeError, a builtin used as a value, and a side exit with a
// builtin about to be called on the frame.
import test from 'ava';
import fc from 'fast-check';
import type { Bytecode } from '../src/bytecode/index.js';
import { compileUnchecked } from './helpers/unchecked.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { AtlasRuntimeError, type Value, Vm } from '../src/vm/index.js';

const PROGRAM = `
fn f1(x: number) -> number { return abs(x) + 0 * floor(x); }
fn unary(op: number, x: number) -> number {
  if (op == 0) { return abs(x); }
  if (op == 1) { return floor(x); }
  if (op == 2) { return ceil(x); }
  if (op == 3) { return round(x); }
  if (op == 4) { return sqrt(x); }
  if (op == 5) { return log(x); }
  if (op == 6) { return sin(x); }
  if (op == 7) { return cos(x); }
  if (op == 8) { return tan(x); }
  if (op == 9) { return asin(x); }
  if (op == 10) { return acos(x); }
  if (op == 11) { return atan(x); }
  return sign(x);
}
fn binary(op: number, a: number, b: number) -> number {
  if (op == 0) { return min(a, b); }
  if (op == 1) { return max(a, b); }
  return pow(a, b);
}
fn clamped(v: number, lo: number, hi: number) -> number { return clamp(v, lo, hi); }
fn hyp(x: number, y: number) -> number { return sqrt(x * x + y * y) + PI - PI; }
fn draw() -> number { return random(); }
fn twice(x: number) -> number { return x * 2; }
fn aliased(x: number) -> number { let f = sqrt; return f(x); }
fn noisy(x: number) -> number { var y = x * 2; if (x > 5) { print("left"); } return y; }
fn outer(x: number) -> number { return sqrt(noisy(x)); }
// Reads a global declared after it (rejected by the binder, hence compiled unchecked): a bool at run time.
fn absOfLater(n: number) -> number { if (n > 0) { return abs(later); } return n; }
let later = true;
`;
const UNARY_OPS = 13;
const BINARY_OPS = 3;

interface Setup {
  readonly bytecode: Bytecode;
  readonly engine: JitEngine;
  readonly jit: Vm;
  readonly interpreter: Vm;
}

async function withCompiled(body: (s: Setup) => void): Promise<void> {
  const bytecode = compileUnchecked(PROGRAM, 'math.atlas');
  const engine = await JitEngine.create({ compilationThreshold: 1_000_000_000, workers: 1 });
  try {
    const jit = new Vm(bytecode, { jit: engine, stdout: () => {} });
    const interpreter = new Vm(bytecode, { stdout: () => {} });
    jit.run();
    interpreter.run();
    for (const fn of bytecode.functions()) engine.compileNowBlocking(bytecode, fn.offset);
    body({ bytecode, engine, jit, interpreter });
  } finally {
    await engine.close();
  }
}

/** What `name(args)` gives, or its AtlasRuntimeError as plain data. */
function outcome(vm: Vm, name: string, ...args: number[]): Value | Record<string, unknown> {
  try {
    return vm.call(name, ...args);
  } catch (error) {
    if (!(error instanceof AtlasRuntimeError)) throw error;
    return { kind: error.kind, offset: error.offset, span: error.span, detail: error.detail };
  }
}

/** Doubles that matter here: special values, half-integers, near-limits and any bit pattern. */
const double = fc.oneof(
  fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 0.5, -0.5, 1.5, -2.5, 1, -1, 5e-324, -5e-324, 1.7976931348623157e308, 4503599627370495.5),
  fc.double(),
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.integer({ min: -2000, max: 2000 }).map((n) => n / 2),
);

test('native math gives the interpreter\'s bits for every input (the library functions too)', async (t) => {
  await withCompiled((s) => {
    const before = s.engine.stats();
    let calls = 0;
    const same = (name: string, args: number[]) => {
      calls++;
      const native = s.jit.call(name, ...args);
      const interpreted = s.interpreter.call(name, ...args);
      if (!Object.is(native, interpreted)) t.fail(`${name}(${args.join(', ')}): native ${String(native)}, interpreted ${String(interpreted)}`);
    };
    fc.assert(fc.property(fc.integer({ min: 0, max: UNARY_OPS - 1 }), double, (op, x) => same('unary', [op, x])), { numRuns: 4000 });
    fc.assert(fc.property(fc.integer({ min: 0, max: BINARY_OPS - 1 }), double, double, (op, a, b) => same('binary', [op, a, b])), { numRuns: 3000 });
    fc.assert(fc.property(double, double, double, (v, lo, hi) => same('clamped', [v, lo, hi])), { numRuns: 1000 });
    const after = s.engine.stats();
    t.is(after.jitExecutions - before.jitExecutions, calls, 'every call ran natively');
    t.is(after.sideExits - before.sideExits, 0);
    t.pass();
  });
});

test('constants, random and a builtin read into a local run natively', async (t) => {
  await withCompiled((s) => {
    const before = s.engine.stats().jitExecutions;
    t.is(s.jit.call('hyp', 3, 4), 5);
    t.is(s.jit.call('aliased', 16), 4);
    for (let i = 0; i < 100; i++) {
      const r = s.jit.call('draw') as number;
      t.true(r >= 0 && r < 1);
    }
    t.is(s.engine.stats().jitExecutions - before, 102);
    t.is(s.engine.stats().sideExits, 0);
  });
});

test('a user global that shadows a builtin is honoured: the guard sends the call to the interpreter', async (t) => {
  await withCompiled((s) => {
    t.is(s.jit.call('hyp', 3, 4), 5);
    for (const vm of [s.jit, s.interpreter]) vm.setGlobal('sqrt', vm.getGlobal('twice')!);
    const before = s.engine.stats();
    t.is(s.jit.call('hyp', 3, 4), 50);
    t.is(s.interpreter.call('hyp', 3, 4), 50);
    t.is(s.engine.stats().guardFallbacks, before.guardFallbacks + 1);
    for (const vm of [s.jit, s.interpreter]) vm.setGlobal('PI', 1);
    t.is(s.jit.call('hyp', 3, 4), 50);
    t.is(s.jit.call('f1', -3), 3, 'functions that use other builtins still run natively');
  });
});

test('a non-number argument leaves to the interpreter, which raises the builtin\'s TypeError at the call', async (t) => {
  const bytecode = compileUnchecked(PROGRAM, 'math.atlas');
  const engine = await JitEngine.create({ compilationThreshold: 1, workers: 1 });
  try {
    const jit = new Vm(bytecode, { jit: engine, stdout: () => {} });
    jit.run();
    const interpreter = new Vm(bytecode, { stdout: () => {} });
    interpreter.run();
    const interpreted = outcome(interpreter, 'absOfLater', 1);
    // The first call makes it hot with `later` a bool: compiled with a bool global slot.
    t.deepEqual(outcome(jit, 'absOfLater', 1), interpreted);
    await engine.whenIdle();
    const before = engine.stats();
    const native = outcome(jit, 'absOfLater', 1);
    t.deepEqual(native, interpreted);
    t.like(native as Record<string, unknown>, { kind: 'TypeError', detail: 'abs() expects number argument' });
    t.is(engine.stats().sideExits, before.sideExits + 1, 'native code ran up to the call and left there');
  } finally {
    await engine.close();
  }
});

test('a side exit with a builtin about to be called hands the interpreter the builtin', async (t) => {
  await withCompiled((s) => {
    const before = s.engine.stats().sideExits;
    t.is(s.jit.call('outer', 8), 4);
    t.is(s.interpreter.call('outer', 8), 4);
    t.true(s.engine.stats().sideExits > before, 'the code left at print');
  });
});
