/**
 * Invoke overhead: ns per call of a 2-argument function compiled natively (arguments and
 * results through the thread's shared buffer, one argument-less N-API crossing), beside the
 * interpreter running the same bytecode function (`vm.call`) and the same function in plain
 * JS, measured in one run. An empty N-API call shows what the crossing alone costs here.
 *
 * Run: `node dist/bench/native-invoke.bench.js [--quick]` (after `npm run build`).
 */
import { BytecodeBuilder } from '../src/bytecode/index.js';
import { compileFunction, emptyNativeCall, NativeInvoker, releaseHandle } from '../src/jit/native.js';
import { Vm } from '../src/vm/index.js';
import { fmt, medianMs, printTable, QUICK } from './harness.js';

const REPEATS = QUICK ? 3 : 9;
const CALLS = QUICK ? 200_000 : 2_000_000;

/** `fn f(a, b) { return a * b + a; }` */
function program() {
  const b = new BytecodeBuilder();
  const ref = b.declareFunction('f', 2, 2, (b) => {
    b.emit('GetLocal', [0]);
    b.emit('GetLocal', [1]);
    b.emit('Mul');
    b.emit('GetLocal', [0]);
    b.emit('Add');
    b.emit('Return');
  });
  const end = b.offset;
  b.emit('Halt');
  const bytecode = b.build();
  return { bytecode, input: { code: bytecode.code, start: ref.offset, end, arity: 2, localCount: 2, constants: bytecode.constants } };
}

const { bytecode, input } = program();
const outcome = compileFunction(input, 1);
if (!outcome.ok) throw new Error(`refused: ${outcome.refusal.message}`);
const handle = outcome.handle;
const invoker = new NativeInvoker();
const args = invoker.args;
const vm = new Vm(bytecode, { stdout: () => undefined });
vm.run();
const plain = (a: number, b: number) => a * b + a;
const emptyCall = emptyNativeCall();

// Each loop keeps its sum local (a module-level accumulator costs more than the calls).
let sink = 0;
const variants: [string, () => void][] = [
  ['native invoke (args + call + value)', () => {
    let sum = 0;
    for (let i = 0; i < CALLS; i++) {
      args[0] = i;
      args[1] = 0.5;
      invoker.invoke(handle);
      sum += invoker.value;
    }
    sink += sum;
  }],
  ['native invoke (call only)', () => {
    for (let i = 0; i < CALLS; i++) invoker.invoke(handle);
    sink += invoker.value;
  }],
  ['empty N-API call (the crossing alone)', () => {
    for (let i = 0; i < CALLS; i++) emptyCall();
  }],
  ['interpreter vm.call', () => {
    let sum = 0;
    for (let i = 0; i < CALLS; i++) sum += vm.call('f', i, 0.5) as number;
    sink += sum;
  }],
  ['plain JS function', () => {
    let sum = 0;
    for (let i = 0; i < CALLS; i++) sum += plain(i, 0.5);
    sink += sum;
  }],
];

const results = variants.map(([name, run]) => [name, (medianMs(REPEATS, run) * 1e6) / CALLS] as const);
const native = results[0]![1];
printTable(
  `ns per call of f(a, b) = a * b + a, ${CALLS} calls, median of ${REPEATS} (sink ${sink > 0 ? 'ok' : '?'})`,
  ['variant', 'ns/call', 'vs native'],
  results.map(([name, ns]) => [name, fmt(ns, 1), `${fmt(ns / native, 2)}x`]),
);
releaseHandle(handle);
