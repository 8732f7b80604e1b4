// Global reads in code sent to the JIT: the translator alone decides what compiles (a global
// read as a value or called without a known callee is refused with a typed reason), and
// whatever does compile behaves exactly like the interpreter, also when a global is missing.
import test from 'ava';
import type { Bytecode, FunctionRef } from '../src/bytecode/index.js';
import { compile } from '../src/compiler/index.js';
import { compileUnchecked } from './helpers/unchecked.js';
import { resolveCallTree } from '../src/jit/call-tree.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { compileFunction, releaseHandle, type CompileOutcome } from '../src/jit/native.js';
import { AtlasRuntimeError, type Value, Vm } from '../src/vm/index.js';

function fnNamed(bytecode: Bytecode, name: string): FunctionRef {
  const fn = bytecode.functions().find((f) => f.name === name);
  if (fn === undefined) throw new Error(`no fn ${name}`);
  return fn;
}

/** What the translator answers for `name` given exactly the call tree the engine would send. */
function translate(bytecode: Bytecode, name: string): CompileOutcome {
  const fn = fnNamed(bytecode, name);
  const tree = resolveCallTree(bytecode, fn);
  const outcome = compileFunction({
    code: bytecode.code, constants: bytecode.constants, start: fn.offset, end: bytecode.analysis.functionEnd(fn),
    arity: fn.arity, localCount: fn.localCount, callees: tree.callees, calls: tree.calls,
  }, 1, { verify: true });
  if (outcome.ok) releaseHandle(outcome.handle);
  return outcome;
}

function settled(action: () => Value | undefined): Value | undefined | Record<string, unknown> {
  try {
    return action();
  } catch (error) {
    if (!(error instanceof AtlasRuntimeError)) throw error;
    return { kind: error.kind, offset: error.offset, detail: error.detail };
  }
}

test('a global read as a value is refused by the translator, with its reason', (t) => {
  const bytecode = compile('let scale = 3;\nfn f(n: number) -> number { return n * scale; }\nfn g(n: number) -> number { return n + PI; }', 'value.atlas');
  for (const name of ['f', 'g']) {
    const outcome = translate(bytecode, name);
    t.false(outcome.ok, name);
    if (!outcome.ok) t.like(outcome.refusal, { reason: 'UntypedValue', opcode: name === 'f' ? 'Mul' : 'Add' }, name);
  }
});

test('a call through a global that is not a known function is refused by the translator, with its reason', (t) => {
  // `h` is assigned twice, so no call through it is statically known.
  const bytecode = compile('fn a(n: number) -> number { return n; }\nvar h = a;\nh = a;\nfn f(n: number) -> number { return h(n); }', 'callee.atlas');
  const outcome = translate(bytecode, 'f');
  t.false(outcome.ok);
  if (!outcome.ok) t.like(outcome.refusal, { reason: 'UnknownCallee', opcode: 'Call' });
});

test('a discarded global read runs like the interpreter: defined or not, compiled or not', async (t) => {
  // Each function keeps a path without the read: code whose every path leaves to the
  // interpreter is refused (AlwaysExits), and this test is about code that compiles.
  const source = 'fn f(n: number) -> number { let m = n + 1; if (n > 0) { x; } return m; }\n'
    + 'fn g(n: number) -> number { let m = n * 2; if (n > 0) { let y = x; } return m; }\nlet early = f(1);\nlet x = 2;';
  // The binder rejects reading x before its declaration; the runtime must still get it right.
  const bytecode = compileUnchecked(source, 'discard.atlas');
  const engine = await JitEngine.create({ compilationThreshold: 1_000_000_000, workers: 1 });
  try {
    const jit = new Vm(bytecode, { jit: engine, stdout: () => {} });
    const interpreter = new Vm(bytecode, { stdout: () => {} });
    // The translator accepts a read whose value is only discarded (it leaves there).
    t.deepEqual(bytecode.functions().filter((fn) => !engine.compileNowBlocking(bytecode, fn.offset)), []);
    // The top level calls f before `x` exists: the interpreter raises UndefinedVariable there,
    // and native code leaves at the read (a side exit), where the interpreter raises it.
    const expected = settled(() => interpreter.run());
    t.like(expected, { kind: 'UndefinedVariable', detail: 'x' });
    t.deepEqual(settled(() => jit.run()), expected);
    t.is(engine.stats().sideExits, 1);
    for (const vm of [jit, interpreter]) vm.setGlobal('x', 2);
    for (const name of ['f', 'g']) {
      const native = engine.stats().jitExecutions;
      t.deepEqual(settled(() => jit.call(name, 5)), settled(() => interpreter.call(name, 5)), name);
      t.is(engine.stats().jitExecutions, native + 1, `${name} ran natively once x exists`);
    }
  } finally {
    await engine.close();
  }
});

test('globalVersion: writes of plain values leave it; a new global, a reference value and setGlobal move it', (t) => {
  const versions: number[] = [];
  const source = `
var n = 0;
n = n + 1;
print("plain");
var xs = [1];
print("new global");
xs = [2];
print("reference");
n = 5;
print("plain again");
`;
  const vm: Vm = new Vm(compile(source, 'version.atlas'), { jit: { onCall: () => undefined }, stdout: () => versions.push(vm.globalVersion) });
  vm.run();
  const [plain, added, reference, plainAgain] = versions as [number, number, number, number];
  t.true(added > plain, 'a new global');
  t.true(reference > added, 'an array over an array');
  t.is(plainAgain, reference, 'a number over a number');
  vm.setGlobal('n', 6);
  t.true(vm.globalVersion > plainAgain, 'setGlobal');
});
