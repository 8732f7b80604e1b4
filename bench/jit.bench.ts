/**
 * The JIT on whole kernels: the interpreter, the JIT (every function compiled
 * natively up front, called through `vm.call`) and hand-written plain JS, in one run, as
 * ratios. Kernels: the sum of i*i for i < n inside a function, recursive fib, and a triple
 * nested loop over locals. Then the cost of the interrupt polls: the sum kernel compiled with
 * and without them, invoked directly.
 *
 * Targets: sum ≥ 25× the interpreter and within 1.5× of plain JS; fib(27) ≥ 15×.
 * Run: `npm run bench:jit` (build the release addon first: `npm run build:native`), or
 * `node dist/bench/jit.bench.js --quick`.
 */
import { compile } from '../src/compiler/index.js';
import { functionEnd } from '../src/bytecode/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { addonProfile, compileFunction, NativeInvoker, releaseHandle } from '../src/jit/native.js';
import { Vm } from '../src/vm/index.js';
import { fmt, medianMs, printTable, QUICK } from './harness.js';

const SUM_N = QUICK ? 1_000_000 : 10_000_000;
const FIB_N = QUICK ? 22 : 27;
const NEST_N = QUICK ? 60 : 200;

const SOURCE = `
fn sum(n: number) -> number {
  var s = 0;
  var i = 0;
  while (i < n) { s = s + i * i; i = i + 1; }
  return s;
}
fn fib(n: number) -> number { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }
fn nest(n: number) -> number {
  var s = 0;
  var i = 0;
  var j = 0;
  var k = 0;
  while (i < n) {
    j = 0;
    while (j < n) {
      k = 0;
      while (k < n) { s = s + i * j - k; k = k + 1; }
      j = j + 1;
    }
    i = i + 1;
  }
  return s;
}
`;

function jsSum(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += i * i;
  return s;
}

function jsFib(n: number): number {
  return n < 2 ? n : jsFib(n - 1) + jsFib(n - 2);
}

function jsNest(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) s = s + i * j - k;
  return s;
}

interface Kernel {
  readonly name: string;
  readonly fn: string;
  readonly arg: number;
  readonly js: (n: number) => number;
  readonly target: string;
}

const KERNELS: readonly Kernel[] = [
  { name: `sum of i*i, n=${SUM_N}`, fn: 'sum', arg: SUM_N, js: jsSum, target: '≥25× interp, ≤1.5× JS' },
  { name: `fib(${FIB_N})`, fn: 'fib', arg: FIB_N, js: jsFib, target: '≥15× interp' },
  { name: `triple loop, n=${NEST_N}`, fn: 'nest', arg: NEST_N, js: jsNest, target: 'report' },
];

async function main(): Promise<void> {
  const bytecode = compile(SOURCE, 'jit-bench.atlas');
  const engine = await JitEngine.create({ compilationThreshold: 1_000_000_000, workers: 1 });
  const interpreter = new Vm(bytecode, { stdout: () => {} });
  const jit = new Vm(bytecode, { jit: engine, stdout: () => {} });
  interpreter.run();
  jit.run();
  for (const fn of bytecode.functions()) {
    if (!engine.compileNowBlocking(bytecode, fn.offset)) throw new Error(`${fn.name} was refused`);
  }
  const rows: string[][] = [];
  for (const k of KERNELS) {
    const expected = interpreter.call(k.fn, k.arg);
    if (jit.call(k.fn, k.arg) !== expected || k.js(k.arg) !== expected) throw new Error(`${k.fn}: results differ`);
    const interp = medianMs(QUICK ? 1 : 3, () => interpreter.call(k.fn, k.arg));
    const native = medianMs(QUICK ? 3 : 9, () => jit.call(k.fn, k.arg));
    const js = medianMs(QUICK ? 3 : 9, () => k.js(k.arg));
    rows.push([k.name, fmt(interp), fmt(native, 2), fmt(js, 2), `${fmt(interp / native)}×`, `${fmt(native / js, 2)}×`, k.target]);
  }
  printTable(
    `JIT kernels (addon: ${addonProfile()}; ms, median)`,
    ['kernel', 'interpreter', 'JIT', 'plain JS', 'JIT vs interp', 'JIT / JS', 'target'],
    rows,
  );
  const stats = engine.stats();
  console.log(`native runs ${stats.jitExecutions}, bail-outs ${stats.bailouts}, guard fallbacks ${stats.guardFallbacks}`);
  await engine.close();
  interruptPollCost(bytecode);
}

/** The sum kernel with and without the interrupt polls (function entry and back edges). */
function interruptPollCost(bytecode: ReturnType<typeof compile>): void {
  const fn = bytecode.functions().find((f) => f.name === 'sum')!;
  const input = {
    code: bytecode.code, start: fn.offset, end: functionEnd(bytecode, fn),
    arity: fn.arity, localCount: fn.localCount, constants: bytecode.constants,
  };
  const invoker = new NativeInvoker();
  const rows: string[][] = [];
  let base = 0;
  for (const interruptChecks of [false, true]) {
    const outcome = compileFunction(input, 1, { interruptChecks });
    if (!outcome.ok) throw new Error(outcome.refusal.message);
    invoker.args[0] = SUM_N;
    const ms = medianMs(QUICK ? 5 : 15, () => invoker.invoke(outcome.handle));
    if (!interruptChecks) base = ms;
    rows.push([interruptChecks ? 'with polls' : 'without polls', fmt(ms, 3), `${fmt((ms / SUM_N) * 1e6, 3)}`, `${fmt((ms / base - 1) * 100, 1)}%`]);
    releaseHandle(outcome.handle);
  }
  printTable(`Interrupt polls on the sum kernel (n=${SUM_N})`, ['code', 'ms', 'ns/iteration', 'overhead'], rows);
}

await main();
