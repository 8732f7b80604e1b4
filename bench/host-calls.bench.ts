/**
 * Host calls: ns per call from JavaScript into an Atlas function, through a function handle
 * (`vm.function(name)`) and through `vm.call(name, ...)`, beside the same function in plain
 * JS, in one run. Two functions: a 12-instruction numeric one (`(a + b) * (a - b) / 2 + a`,
 * with its Return), installed as native code, and a trivial one (`return a`), interpreted.
 *
 * Each figure is the median of several timed loops; "on-CPU" counts the main thread's own
 * time on a CPU (Linux schedstat), which other work on a shared machine does not inflate.
 *
 * Run: `node dist/bench/host-calls.bench.js [--quick]` (after `npm run build`).
 */
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { Vm } from '../src/vm/index.js';
import { fmt, mainThreadSchedstat, median, printTable, QUICK } from './harness.js';

const REPEATS = QUICK ? 3 : 9;
const CALLS = QUICK ? 200_000 : 2_000_000;

const SOURCE = `
fn poly(a: number, b: number) -> number { return (a + b) * (a - b) / 2 + a; }
fn id(a: number) -> number { return a; }
`;

const bytecode = compile(SOURCE, 'host-calls.atlas');
const engine = await JitEngine.create({ workers: 1, compilationThreshold: 1_000_000_000 });
const jitVm = new Vm(bytecode, { jit: engine, stdout: () => undefined });
jitVm.run();
const poly = bytecode.functions().find((fn) => fn.name === 'poly');
if (poly === undefined || !engine.compileNowBlocking(bytecode, poly.offset)) throw new Error('poly was not compiled');
const interpreterVm = new Vm(bytecode, { stdout: () => undefined });
interpreterVm.run();

const polyHandle = jitVm.function<[number, number], number>('poly');
const idHandle = interpreterVm.function<[number], number>('id');
const plainPoly = (a: number, b: number) => ((a + b) * (a - b)) / 2 + a;
const plainId = (a: number) => a;

// Each loop keeps its sum local and adds it to the sink, so no call can be dropped.
let sink = 0;
const variants: [string, () => void][] = [
  ['poly: plain JS', () => {
    let sum = 0;
    for (let i = 0; i < CALLS; i++) sum += plainPoly(i, 0.5);
    sink += sum;
  }],
  ['poly: handle (native)', () => {
    let sum = 0;
    for (let i = 0; i < CALLS; i++) sum += polyHandle(i, 0.5);
    sink += sum;
  }],
  ['poly: vm.call (native)', () => {
    let sum = 0;
    for (let i = 0; i < CALLS; i++) sum += jitVm.call('poly', i, 0.5) as number;
    sink += sum;
  }],
  ['id: plain JS', () => {
    let sum = 0;
    for (let i = 0; i < CALLS; i++) sum += plainId(i);
    sink += sum;
  }],
  ['id: handle (interpreted)', () => {
    let sum = 0;
    for (let i = 0; i < CALLS; i++) sum += idHandle(i);
    sink += sum;
  }],
  ['id: vm.call (interpreted)', () => {
    let sum = 0;
    for (let i = 0; i < CALLS; i++) sum += interpreterVm.call('id', i) as number;
    sink += sum;
  }],
];

/** Median ns per call, by the wall clock and by the main thread's on-CPU time (NaN where unknown). */
function measure(run: () => void): { wall: number; cpu: number } {
  run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const cpu0 = mainThreadSchedstat();
    const t0 = performance.now();
    run();
    wall.push(((performance.now() - t0) * 1e6) / CALLS);
    const cpu1 = mainThreadSchedstat();
    cpu.push(cpu0 === null || cpu1 === null ? Number.NaN : (cpu1.onCpuNs - cpu0.onCpuNs) / CALLS);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const nativeBefore = engine.stats().jitExecutions;
const results = variants.map(([name, run]) => [name, measure(run)] as const);
const nativeRuns = engine.stats().jitExecutions - nativeBefore;
printTable(
  `ns per host call, ${CALLS} calls per loop, median of ${REPEATS} (sink ${sink > 0 ? 'ok' : '?'}; native runs ${nativeRuns})`,
  ['variant', 'wall ns/call', 'on-CPU ns/call'],
  results.map(([name, { wall, cpu }]) => [name, fmt(wall, 1), Number.isNaN(cpu) ? '-' : fmt(cpu, 1)]),
);
console.log('targets: handle (native) <= 60 ns, handle (interpreted) <= 150 ns');
await engine.close();
