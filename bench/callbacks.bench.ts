/**
 * What a callback call costs: ns per element of `map`, `filter` and `reduce` with a one-line
 * user-function callback, beside a `while` loop that calls the same function directly, with
 * the callback interpreted and compiled natively. Each callback call is a nested run of the
 * dispatch loop (interpreted) or a call through the JIT hook (native).
 *
 * Run: `node dist/bench/callbacks.bench.js [--quick]` (after `npm run build`).
 */
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { Vm } from '../src/vm/index.js';
import { fmt, medianMs, printTable, QUICK } from './harness.js';

const REPEATS = QUICK ? 3 : 7;
const LENGTH = QUICK ? 20_000 : 200_000;

const source = `
fn inc(x: number) -> number { return x + 1; }
fn odd(x: number) -> bool { return x % 2 == 1; }
fn add(a: number, x: number) -> number { return a + x; }
fn viaMap(a: number[]) -> number { let r = map(a, inc); return len(r); }
fn viaFilter(a: number[]) -> number { let r = filter(a, odd); return len(r); }
fn viaReduce(a: number[]) -> number { return reduce(a, add, 0); }
fn viaLoop(a: number[]) -> number { var s = 0; var i = 0; let n = len(a); while (i < n) { s = add(s, a[i]); i = i + 1; } return s; }
`;
const bytecode = compile(source, 'callbacks.atlas');
const input = Array.from({ length: LENGTH }, (_, i) => i);
const CASES = ['viaLoop', 'viaMap', 'viaFilter', 'viaReduce'];
let sink = 0;

const interpreter = new Vm(bytecode, { stdout: () => {} });
interpreter.run();
const engine = await JitEngine.create({ compilationThreshold: 1_000_000_000, workers: 1 });
const native = new Vm(bytecode, { jit: engine, stdout: () => {} });
native.run();
for (const fn of bytecode.functions()) if (['inc', 'odd', 'add'].includes(fn.name)) engine.compileNowBlocking(bytecode, fn.offset);

const perElement = (vm: Vm, name: string) => (medianMs(REPEATS, () => { sink += vm.call(name, input) as number; }) * 1e6) / LENGTH;
printTable(`ns per element (${LENGTH} elements, median of ${REPEATS}; host argument conversion included)`,
  ['function', 'callback interpreted', 'callback native'],
  CASES.map((name) => [name, fmt(perElement(interpreter, name)), fmt(perElement(native, name))]));
await engine.close();
if (sink === 42) console.log('');
