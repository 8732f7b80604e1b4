// The VM's steady-state dispatch loop (src/vm/steady-dispatch.ts): once the JIT's compile work
// has settled with hot code left to the interpreter, the VM runs a second copy of its loop,
// which must mean exactly what the first means.
import test from 'ava';
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import type { Bytecode } from '../src/bytecode/index.js';
import { AtlasRuntimeError, Vm } from '../src/vm/index.js';
import { stringsOnly } from './helpers/programs.js';

// `label` is hot and refused (string constants); the loop around it is refused too.
const STRINGS = stringsOnly(20000);

const NUMERIC = `
fn step(x: number) -> number { return (x * 7 + 3) % 1009; }
var x = 0;
var i = 0;
while (i < 20000) { x = step(x); i = i + 1; }
print(x);
`;

function runWith(source: string | Bytecode, engine: JitEngine | undefined): { vm: Vm; output: string[] } {
  const output: string[] = [];
  const vm = new Vm(typeof source === 'string' ? compile(source, 'steady.atlas') : source, { ...(engine === undefined ? {} : { jit: engine }), stdout: (line) => output.push(line) });
  vm.run();
  return { vm, output };
}

/**
 * Runs `source` until the engine has settled its compiles, then once more in a new VM, on the
 * same program (a new one would start its own warm-up, which may outlast the short run).
 */
async function settledRun(source: string): Promise<{ vm: Vm; output: string[]; engine: JitEngine }> {
  const engine = await JitEngine.create({ interpretedLeafLimit: 0, compilationThreshold: 10, osrThreshold: 64, workers: 1 });
  const bytecode = compile(source, 'steady.atlas');
  runWith(bytecode, engine);
  await engine.whenIdle();
  return { ...runWith(bytecode, engine), engine };
}

test('a VM whose hot code was refused moves to the steady-state loop and prints what the interpreter prints', async (t) => {
  const { vm, output, engine } = await settledRun(STRINGS);
  try {
    t.true(engine.functions().some((f) => f.state === 'refused'));
    t.true(vm.steadyDispatch);
    t.deepEqual(output, runWith(STRINGS, undefined).output);
  } finally {
    await engine.close();
  }
});

test('a VM whose hot code all compiled keeps its first loop', async (t) => {
  const { vm, output, engine } = await settledRun(NUMERIC);
  try {
    t.false(engine.functions().some((f) => f.state === 'refused'));
    t.false(vm.steadyDispatch);
    t.deepEqual(output, runWith(NUMERIC, undefined).output);
  } finally {
    await engine.close();
  }
});

test('without a JIT the VM keeps its first loop', (t) => {
  t.false(runWith(STRINGS, undefined).vm.steadyDispatch);
});

test('a runtime error raised in the steady-state loop has the interpreter\'s offset, message and frames', async (t) => {
  const failing = `${STRINGS}\nfn divide(a: number, b: number) -> number { return a / b; }\nprint(divide(1, n - n));\n`;
  const expected = t.throws(() => runWith(failing, undefined), { instanceOf: AtlasRuntimeError })!;
  const engine = await JitEngine.create({ interpretedLeafLimit: 0, compilationThreshold: 10, osrThreshold: 64, workers: 1 });
  try {
    const bytecode = compile(failing, 'steady.atlas');
    t.throws(() => runWith(bytecode, engine), { instanceOf: AtlasRuntimeError });
    await engine.whenIdle();
    const output: string[] = [];
    const vm = new Vm(bytecode, { jit: engine, stdout: (line) => output.push(line) });
    const error = t.throws(() => vm.run(), { instanceOf: AtlasRuntimeError })!;
    t.true(vm.steadyDispatch);
    t.is(error.offset, expected.offset);
    t.is(error.message, expected.message);
    t.deepEqual(error.frames, expected.frames);
  } finally {
    await engine.close();
  }
});
