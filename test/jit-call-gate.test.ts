// The call gate: the VM runs calls the engine has nothing to do with (a cold function below
// its threshold, a function refused for good) without calling the hook, and the engine's
// counts stay exactly what they would be if every call had asked.
import test from 'ava';
import { compile } from '../src/compiler/index.js';
import type { Bytecode, FunctionRef } from '../src/bytecode/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { type HookAnswer, type Value, Vm, type VmJitHook } from '../src/vm/index.js';

/** One process-wide native registry: these tests run one at a time. */
const serial = test.serial;

/** The engine as the VM's hook, counting the calls the VM asks it about. */
function countingHook(engine: JitEngine): { hook: VmJitHook; asked: () => number } {
  let asked = 0;
  const hook: VmJitHook = {
    onCall: (fn: FunctionRef, program: Bytecode, stack: readonly Value[], ...rest): HookAnswer => {
      asked++;
      return engine.onCall(fn, program, stack, ...rest);
    },
    callGate: (program) => engine.callGate(program),
    onSafepoint: () => engine.onSafepoint(),
    onRunStart: (budget) => engine.onRunStart(budget),
    onRunEnd: () => engine.onRunEnd(),
  };
  return { hook, asked: () => asked };
}

// `label` builds a string: its first instruction is one native code does not handle, so it is refused.
const REFUSED = `
fn label(n: number) -> string { return "item-" + str(n); }
var i = 0;
var last = "";
while (i < 5000) { last = label(i); i = i + 1; }
print(last);
`;

serial('a function refused for good is not asked about again, and its calls still count as fallbacks', async (t) => {
  const engine = await JitEngine.create({ interpretedLeafLimit: 0, compilationThreshold: 10, workers: 1 });
  try {
    const bytecode = compile(REFUSED, 'gate.atlas');
    const { hook, asked } = countingHook(engine);
    new Vm(bytecode, { jit: hook, stdout: () => {} }).run();
    await engine.whenIdle();
    t.is(engine.stats().refusedCompilations, 1);
    const askedBefore = asked();
    const fallbacksBefore = engine.stats().interpreterFallbacks;
    new Vm(bytecode, { jit: hook, stdout: () => {} }).run();
    // Asked once more (the first call, which learns the refusal), not 5000 times.
    t.true(asked() - askedBefore <= 1, `asked ${asked() - askedBefore} times`);
    t.is(engine.stats().interpreterFallbacks - fallbacksBefore, 5000);
  } finally {
    await engine.close();
  }
});

serial('a cold function is asked about once on its way to the threshold, and becomes hot at exactly the threshold', async (t) => {
  const engine = await JitEngine.create({ interpretedLeafLimit: 0, compilationThreshold: 1000, workers: 1 });
  try {
    const source = 'fn sq(x: number) -> number { return x * x; }\nvar i = 0;\nwhile (i < 999) { sq(i); i = i + 1; }';
    const bytecode = compile(source, 'gate.atlas');
    const { hook, asked } = countingHook(engine);
    const vm = new Vm(bytecode, { jit: hook, stdout: () => {} });
    vm.run();
    t.true(asked() <= 2, `asked ${asked()} times`);
    t.is(engine.stats().queueDepth + engine.stats().inFlight + engine.stats().compilations, 0, '999 calls: not hot');
    vm.call('sq', 3);
    // The 1000th call makes it hot: queued or already compiled.
    const stats = engine.stats();
    t.is(stats.queueDepth + stats.inFlight + stats.compilations, 1);
  } finally {
    await engine.close();
  }
});

serial('code installed while a function runs quietly is used from its next call on', async (t) => {
  const engine = await JitEngine.create({ interpretedLeafLimit: 0, compilationThreshold: 5, workers: 1 });
  try {
    const bytecode = compile('fn sq(x: number) -> number { return x * x; }\nvar i = 0;\nwhile (i < 20) { sq(i); i = i + 1; }', 'gate.atlas');
    new Vm(bytecode, { jit: engine, stdout: () => {} }).run();
    await engine.whenIdle();
    const before = engine.stats().jitExecutions;
    new Vm(bytecode, { jit: engine, stdout: () => {} }).run();
    t.is(engine.stats().jitExecutions - before, 20);
  } finally {
    await engine.close();
  }
});

serial('changing the threshold applies from the next call on, whatever quiet calls were allowed', async (t) => {
  const engine = await JitEngine.create({ interpretedLeafLimit: 0, compilationThreshold: 1_000_000, workers: 1 });
  try {
    const bytecode = compile('fn sq(x: number) -> number { return x * x; }\nvar i = 0;\nwhile (i < 10) { sq(i); i = i + 1; }', 'gate.atlas');
    const vm = new Vm(bytecode, { jit: engine, stdout: () => {} });
    vm.run();
    engine.compilationThreshold = 12;
    vm.call('sq', 1);
    t.is(engine.stats().queueDepth + engine.stats().inFlight + engine.stats().compilations, 0, '11 calls');
    vm.call('sq', 2);
    t.is(engine.stats().queueDepth + engine.stats().inFlight + engine.stats().compilations, 1, '12 calls: hot');
  } finally {
    await engine.close();
  }
});
