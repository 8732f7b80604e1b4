// Function handles (`vm.function(name)`): the same meaning as `vm.call`, the guard that follows
// a redefined global (from the host and from the program), errors, halts, limits, and calls
// through the JIT (native runs counted, traps, a handle whose global changes under installed code).
import test from 'ava';
import { compile } from '../src/compiler/index.js';
import { compileUnchecked } from './helpers/unchecked.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { AtlasInterrupted, AtlasRuntimeError, type Value, Vm, type VmOptions } from '../src/vm/index.js';

const PROGRAM = `
fn add(a: number, b: number) -> number { return a + b; }
fn mul(a: number, b: number) -> number { return a * b; }
fn neg(a: number) -> number { return 0 - a; }
fn poly(a: number, b: number) -> number { return (a + b) * (a - b) / 2 + a * 3; }
fn div(a: number, b: number) -> number { return a / b; }
fn greet(name: string) -> string { return "hi " + name; }
fn total(xs: number[]) -> number { var s = 0; var i = 0; while (i < len(xs)) { s = s + xs[i]; i = i + 1; } return s; }
fn spin() -> number { var i = 0; while (true) { i = i + 1; } return i; }
var op = add;
fn useMul() -> number { op = mul; return 0; }
var count = 3;
`;

function vmOf(options: VmOptions = {}): Vm {
  const vm = new Vm(compile(PROGRAM, 'handles.atlas'), { stdout: () => undefined, ...options });
  vm.run();
  return vm;
}

/** What `action` returns, or the AtlasRuntimeError it throws as plain data. */
function settled(action: () => Value): Value | Record<string, unknown> {
  try {
    return action();
  } catch (error) {
    if (!(error instanceof AtlasRuntimeError)) throw error;
    return { kind: error.kind, message: error.message, offset: error.offset, span: error.span };
  }
}

test('a handle returns what vm.call returns, for every kind of argument', (t) => {
  const vm = vmOf();
  const add = vm.function<[number, number], number>('add');
  t.is(add(2, 3), 5);
  t.is<Value, Value>(add(0.1, 0.2), vm.call('add', 0.1, 0.2));
  t.is(vm.function('greet')('you'), 'hi you');
  t.is(vm.function('total')([1, 2, 3.5]), 6.5);
  t.is(add.name, 'add');
  t.is(add.arity, 2);
});

test('a handle raises the errors vm.call raises, with the same fields', (t) => {
  const vm = vmOf();
  const cases: [string, unknown[]][] = [
    ['div', [1, 0]],
    ['add', [1]],
    ['add', [1, 'x']],
    ['add', [1, undefined]],
    ['total', [[1, {}]]],
    ['neg', [[]]],
  ];
  for (const [name, args] of cases) {
    const handle = vm.function(name);
    const viaHandle = settled(() => handle(...(args as never[])));
    t.deepEqual(viaHandle, settled(() => vm.call(name, ...(args as never[]))), `${name}(${String(args)})`);
    t.like(viaHandle, { kind: name === 'div' ? 'DivideByZero' : 'TypeError' });
  }
});

test('binding checks the global: undefined and non-function globals are the errors vm.call raises', (t) => {
  const vm = vmOf();
  const missing = t.throws(() => vm.function('nope'), { instanceOf: AtlasRuntimeError });
  t.like(missing, { kind: 'UndefinedVariable', detail: 'nope' });
  const notFunction = t.throws(() => vm.function('count'), { instanceOf: AtlasRuntimeError });
  t.like(notFunction, { kind: 'TypeError', message: 'Type error: Cannot call non-function value' });
});

test('the guard: a handle follows its global when the host redefines it', (t) => {
  const vm = vmOf();
  const op = vm.function('op');
  t.is(op(6, 7), 13);
  vm.setGlobal('op', vm.getGlobal('mul')!);
  t.is(op(6, 7), 42);
  vm.setGlobal('op', vm.getGlobal('neg')!);
  t.is(op.arity, 1);
  t.is(op(6), -6);
  t.like(settled(() => op(6, 7)), { kind: 'TypeError', message: 'Type error: Function neg expects 1 arguments, got 2' });
  vm.setGlobal('op', 12);
  t.like(settled(() => op(6)), { kind: 'TypeError', message: 'Type error: Cannot call non-function value' });
  vm.setGlobal('op', vm.getGlobal('add')!);
  t.is(op(6, 7), 13, 'bound again once the global holds a function');
});

test('the guard: a handle follows its global when the program redefines it', (t) => {
  const vm = vmOf();
  const op = vm.function('op');
  t.is(op(3, 4), 7);
  vm.function('useMul')();
  t.is(op(3, 4), 12);
});

test('a handle called while its VM runs is refused like vm.call', (t) => {
  const source = 'fn echo(a: number) -> number { print("x"); return a; }';
  let inner: unknown;
  const vm = new Vm(compile(source, 'reenter.atlas'), {
    stdout: () => {
      inner = t.throws(() => handle(1));
    },
  });
  vm.run();
  const handle = vm.function('echo');
  t.is(handle(2), 2);
  t.regex((inner as Error).message, /not re-entrant/);
});

test('a handle call keeps the time budget of the VM', (t) => {
  const vm = vmOf({ timeBudgetMs: 30 });
  const spin = vm.function('spin');
  const stopped = t.throws(() => spin(), { instanceOf: AtlasInterrupted });
  t.true(stopped?.started);
  t.is(vm.function('add')(1, 2), 3, 'the next call runs normally');
});

test('arguments are converted per call: an array argument is read as it is at the call', (t) => {
  const vm = vmOf();
  const input = [1, 2];
  const total = vm.function<[number[]], number>('total');
  t.is(total(input), 3);
  input.push(4);
  t.is(total(input), 7);
});

// ── through the JIT ──────────────────────────────────────────────────────────────────────

async function jitVm(): Promise<{ vm: Vm; engine: JitEngine }> {
  const engine = await JitEngine.create({ compilationThreshold: 1_000_000_000, workers: 1 });
  const bytecode = compile(PROGRAM, 'handles.atlas');
  const vm = new Vm(bytecode, { jit: engine, stdout: () => undefined });
  vm.run();
  for (const fn of bytecode.functions()) engine.compileNowBlocking(bytecode, fn.offset);
  return { vm, engine };
}

test('a handle runs installed native code, with the interpreter\'s results and traps', async (t) => {
  const { vm, engine } = await jitVm();
  const interpreter = vmOf();
  try {
    const poly = vm.function<[number, number], number>('poly');
    const before = engine.stats().jitExecutions;
    for (let i = 0; i < 100; i++) t.is<Value, Value>(poly(i * 0.75, 3), interpreter.call('poly', i * 0.75, 3));
    t.is(engine.stats().jitExecutions, before + 100, 'every call ran natively');
    const div = vm.function('div');
    t.is(div(1, 4), 0.25);
    t.deepEqual(settled(() => div(1, 0)), settled(() => interpreter.call('div', 1, 0)));
    t.is(engine.stats().jitExecutions, before + 102, 'the trap came from native code');
    // A non-number argument runs interpreted and raises the interpreter's error.
    t.deepEqual(settled(() => poly(1, 'x' as never)), settled(() => interpreter.call('poly', 1, 'x' as never)));
  } finally {
    await engine.close();
  }
});

test('a handle whose global is redefined under installed code calls the new function natively', async (t) => {
  const { vm, engine } = await jitVm();
  try {
    const op = vm.function('op');
    const nativeRuns = (call: () => Value): [Value, number] => {
      const before = engine.stats().jitExecutions;
      const result = call();
      return [result, engine.stats().jitExecutions - before];
    };
    t.deepEqual(nativeRuns(() => op(2, 5)), [7, 1]);
    vm.call('useMul');
    t.deepEqual(nativeRuns(() => op(2, 5)), [10, 1]);
    vm.setGlobal('op', vm.getGlobal('neg')!);
    t.deepEqual(nativeRuns(() => op(2)), [-2, 1], 'each function it was bound to ran its own code');
  } finally {
    await engine.close();
  }
});

test('a handle takes the engine\'s other paths exactly: bool arguments, a side exit, a bail-out at the depth limit', async (t) => {
  const source = `
fn pick(c: bool, a: number, b: number) -> number { if (c) { return a; } return b; }
fn late(n: number) -> number { let m = n + 1; if (n > 0) { let y = x; return m + y; } return m; }
fn deep(n: number) -> number { if (n == 0) { return 0; } return 1 + deep(n - 1); }
`;
  // `late` reads a global that is never declared: the binder rejects it, the runtime raises it.
  // It keeps a path without the read, since code whose every path leaves is refused (AlwaysExits).
  const bytecode = compileUnchecked(source, 'paths.atlas');
  const engine = await JitEngine.create({ compilationThreshold: 1_000_000_000, workers: 1 });
  try {
    const jit = new Vm(bytecode, { jit: engine, maxCallDepth: 50, stdout: () => undefined });
    const interpreter = new Vm(bytecode, { maxCallDepth: 50, stdout: () => undefined });
    for (const vm of [jit, interpreter]) vm.run();
    for (const fn of bytecode.functions()) t.true(engine.compileNowBlocking(bytecode, fn.offset), `${fn.name} compiled`);
    const handles = { pick: jit.function('pick'), late: jit.function('late'), deep: jit.function('deep') };
    const same = (name: keyof typeof handles, ...args: (number | boolean)[]) =>
      t.deepEqual(settled(() => handles[name](...args)), settled(() => interpreter.call(name, ...args)), `${name}(${args.join(', ')})`);
    // Code compiled for numbers: a bool argument makes the call an interpreted one, counted once.
    const before = engine.stats();
    same('pick', true, 1, 2);
    same('pick', false, 1, 2);
    const after = engine.stats();
    t.is(after.nonNumericArgCalls - before.nonNumericArgCalls, 2);
    t.is(after.jitExecutions + after.interpreterFallbacks - before.jitExecutions - before.interpreterFallbacks, 2);
    const exits = engine.stats().sideExits;
    same('late', 1);
    t.is(engine.stats().sideExits, exits + 1, 'late left native code at the read of x');
    for (const vm of [jit, interpreter]) vm.setGlobal('x', 10);
    same('late', 1);
    for (const n of [10, 48, 49, 50, 60]) same('deep', n);
    t.true(engine.stats().bailouts > 0, 'deep bailed out where the interpreter overflows');
  } finally {
    await engine.close();
  }
});
