// Native direct calls: recursion, mutual recursion, the global guard, traps
// deep in nested native calls, the interpreter's limits, and non-number arguments.
import test from 'ava';
import type { Bytecode } from '../src/bytecode/index.js';
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { AtlasRuntimeError, type Value, Vm, type VmOptions } from '../src/vm/index.js';

const PROGRAM = `
fn fib(n: number) -> number { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }
fn even(n: number) -> bool { if (n == 0) { return true; } return odd(n - 1); }
fn odd(n: number) -> bool { if (n == 0) { return false; } return even(n - 1); }
fn twice(n: number) -> number { return double(n) + 1; }
fn double(n: number) -> number { return n * 2; }
fn triple(n: number) -> number { return n * 3; }
fn outer(n: number) -> number { return middle(n) + 1; }
fn middle(n: number) -> number { return inner(n) * 2; }
fn inner(n: number) -> number { return 1 / n; }
fn deep(n: number) -> number { if (n == 0) { return 0; } return 1 + deep(n - 1); }
fn sum(n: number) -> number { var s = 0; var i = 0; while (i < n) { s = s + i * i; i = i + 1; } return s; }
`;

interface Setup {
  readonly bytecode: Bytecode;
  readonly engine: JitEngine;
  readonly jit: Vm;
  readonly interpreter: Vm;
}

async function setup(source = PROGRAM, options: VmOptions = {}): Promise<Setup> {
  const bytecode = compile(source, 'calls.atlas');
  const engine = await JitEngine.create({ compilationThreshold: 1_000_000_000, workers: 1 });
  const jit = new Vm(bytecode, { ...options, jit: engine, stdout: () => {} });
  const interpreter = new Vm(bytecode, { ...options, stdout: () => {} });
  return { bytecode, engine, jit, interpreter };
}

function compileAll({ bytecode, engine }: Setup): string[] {
  return bytecode.functions().filter((fn) => !engine.compileNowBlocking(bytecode, fn.offset)).map((fn) => fn.name);
}

/** What `action` returns, or the AtlasRuntimeError it throws as plain data, for comparison. */
function settled(action: () => Value | undefined): Value | undefined | Record<string, unknown> {
  try {
    return action();
  } catch (error) {
    if (!(error instanceof AtlasRuntimeError)) throw error;
    return { kind: error.kind, offset: error.offset, span: error.span, detail: error.detail };
  }
}

function outcome(vm: Vm, name: string, ...args: number[]): Value | undefined | Record<string, unknown> {
  return settled(() => vm.call(name, ...args));
}

/**
 * Runs `body` on a fresh setup whose VMs ran their top level and whose functions were all
 * compiled (`refused` names those the translator refused), then closes the engine.
 */
async function withCompiled(body: (s: Setup, refused: string[]) => void, source = PROGRAM, options: VmOptions = {}): Promise<void> {
  const s = await setup(source, options);
  try {
    s.jit.run();
    s.interpreter.run();
    body(s, compileAll(s));
  } finally {
    await s.engine.close();
  }
}

test('recursion and mutual recursion run natively with the interpreter\'s results', async (t) => {
  await withCompiled((s, refused) => {
    t.deepEqual(refused, []);
    for (const [name, arg] of [['fib', 20], ['even', 301], ['odd', 301], ['even', 0], ['twice', 4], ['sum', 1000]] as const) {
      const before = s.engine.stats().jitExecutions;
      t.deepEqual(outcome(s.jit, name, arg), outcome(s.interpreter, name, arg), `${name}(${arg})`);
      t.is(s.engine.stats().jitExecutions, before + 1, `${name} ran natively, in one native call`);
    }
    t.is(typeof s.jit.call('even', 10), 'boolean');
  });
});

test('reassigning a global the native code calls through falls back to the interpreter', async (t) => {
  await withCompiled((s) => {
    t.is(s.jit.call('twice', 5), 11);
    for (const vm of [s.jit, s.interpreter]) vm.setGlobal('double', vm.getGlobal('triple')!);
    const before = s.engine.stats();
    t.is(s.jit.call('twice', 5), 16);
    t.is(s.interpreter.call('twice', 5), 16);
    t.is(s.engine.stats().guardFallbacks, before.guardFallbacks + 1);
    // A global that no longer holds a function: the same TypeError as the interpreter.
    for (const vm of [s.jit, s.interpreter]) vm.setGlobal('double', 42);
    t.deepEqual(outcome(s.jit, 'twice', 5), outcome(s.interpreter, 'twice', 5));
    // Restored: native again.
    for (const vm of [s.jit, s.interpreter]) vm.setGlobal('double', vm.getGlobal('fib')!);
    const native = s.engine.stats().jitExecutions;
    t.is(s.jit.call('twice', 10), s.interpreter.call('twice', 10));
    t.true(s.engine.stats().jitExecutions > native);
  });
});

test('a call before the callee is declared raises UndefinedVariable exactly', async (t) => {
  const source = `fn g(n: number) -> number { return h(n) + 1; }\nlet r = g(1);\nfn h(n: number) -> number { return n; }`;
  const s = await setup(source);
  try {
    // g is compiled with h in its call tree before any prologue has run.
    t.deepEqual(compileAll(s), []);
    const expected = settled(() => s.interpreter.run());
    t.like(expected, { kind: 'UndefinedVariable', detail: 'h' });
    t.deepEqual(settled(() => s.jit.run()), expected);
    t.is(s.engine.stats().guardFallbacks, 1);
  } finally {
    await s.engine.close();
  }
});

test('a trap deep in nested native calls unwinds with the interpreter\'s error', async (t) => {
  await withCompiled((s) => {
    const expected = outcome(s.interpreter, 'outer', 0);
    t.like(expected, { kind: 'DivideByZero' });
    t.deepEqual(outcome(s.jit, 'outer', 0), expected);
    t.is(s.jit.call('outer', 4), s.interpreter.call('outer', 4));
  });
});

test('native recursion stops exactly where the interpreter\'s limits raise StackOverflow', async (t) => {
  for (const options of [{ maxCallDepth: 50 }, { maxStackSize: 100 }] as VmOptions[]) {
    await withCompiled((s) => {
      for (const n of [0, 10, 20, 30, 40, 48, 49, 50, 60, 200]) {
        t.deepEqual(outcome(s.jit, 'deep', n), outcome(s.interpreter, 'deep', n), `deep(${n}) ${JSON.stringify(options)}`);
      }
      t.true(s.engine.stats().bailouts > 0);
    }, PROGRAM, options);
  }
});

test('recursion deeper than the native stack budget bails out to the interpreter', async (t) => {
  await withCompiled((s) => {
    t.is(s.jit.call('deep', 90_000), 90_000);
    t.deepEqual(outcome(s.jit, 'deep', 150_000), outcome(s.interpreter, 'deep', 150_000));
    t.true(s.engine.stats().bailouts >= 1);
  });
});

test('calls with non-number arguments run interpreted and are counted', async (t) => {
  await withCompiled((s) => {
    const before = s.engine.stats().nonNumericArgCalls;
    t.deepEqual(outcome(s.jit, 'sum', 'x' as unknown as number), outcome(s.interpreter, 'sum', 'x' as unknown as number));
    t.is(s.engine.stats().nonNumericArgCalls, before + 1);
  });
});
