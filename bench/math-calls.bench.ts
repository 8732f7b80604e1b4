/**
 * What a math builtin call costs. (1) The library functions on their own: the host C
 * library's `sin` and `pow` through the addon (operands in a shared buffer, one argument-less
 * N-API crossing), beside V8's `Math.sin`/`Math.pow`, the fallback without the addon. (2) A
 * call in interpreted Atlas code: ns per loop iteration of `s = s + EXPR` for a few builtins,
 * less the same loop with `i * 0.5`, is the builtin call's cost (GetGlobal, the call, the
 * argument checks, the function). (3) The same loops compiled natively, for scale.
 *
 * Run: `node dist/bench/math-calls.bench.js [--quick]` (after `npm run build`).
 */
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { Vm } from '../src/vm/index.js';
import { JAVASCRIPT_MATH, mathLibrary } from '../src/vm/math-library.js';
import { fmt, medianMs, printTable, QUICK } from './harness.js';

const REPEATS = QUICK ? 3 : 7;
const CALLS = QUICK ? 200_000 : 2_000_000;
const ITERATIONS = QUICK ? 50_000 : 300_000;

const host = mathLibrary();
if (host.source !== 'host') throw new Error('the addon did not load: the host library cannot be measured');
let sink = 0;

/** ns per call of `f` on inputs spread over [0, 10). */
function perCall(f: (x: number) => number): number {
  const ms = medianMs(REPEATS, () => {
    let sum = 0;
    for (let i = 0; i < CALLS; i++) sum += f(i * 5e-6);
    sink += sum;
  });
  return (ms * 1e6) / CALLS;
}

const library: [string, (x: number) => number][] = [
  ['sin, host C library (addon)', host.sin],
  ['sin, Math.sin', JAVASCRIPT_MATH.sin],
  ['pow(x, 1.5), host C library (addon)', (x) => host.pow(x, 1.5)],
  ['pow(x, 1.5), Math.pow + C99 cases', (x) => JAVASCRIPT_MATH.pow(x, 1.5)],
];
printTable(`Library functions (${CALLS} calls, median of ${REPEATS})`, ['function', 'ns/call'],
  library.map(([name, f]) => [name, fmt(perCall(f))]));

const EXPRESSIONS = ['i * 0.5', 'abs(i)', 'min(i, 3)', 'round(i)', 'sqrt(i)', 'sin(i)', 'pow(i, 0.5)'];
const source = EXPRESSIONS.map((expr, k) =>
  `fn f${k}(n: number) -> number { var s = 0; var i = 0; while (i < n) { s = s + ${expr}; i = i + 1; } return s; }`).join('\n');
const bytecode = compile(source, 'math-calls.atlas');
const interpreter = new Vm(bytecode, { stdout: () => {} });
interpreter.run();
const engine = await JitEngine.create({ compilationThreshold: 1_000_000_000, workers: 1 });
const native = new Vm(bytecode, { jit: engine, stdout: () => {} });
native.run();
for (const fn of bytecode.functions()) engine.compileNowBlocking(bytecode, fn.offset);

const perIteration = (vm: Vm, k: number) => (medianMs(REPEATS, () => { sink += vm.call(`f${k}`, ITERATIONS) as number; }) * 1e6) / ITERATIONS;
const interpreted = EXPRESSIONS.map((_, k) => perIteration(interpreter, k));
const compiled = EXPRESSIONS.map((_, k) => perIteration(native, k));
printTable(`A builtin call in a loop (${ITERATIONS} iterations, median of ${REPEATS})`,
  ['s = s + …', 'interpreted ns/iter', 'call cost ns', 'native ns/iter'],
  EXPRESSIONS.map((expr, k) => [
    expr, fmt(interpreted[k]!), k === 0 ? '(baseline)' : fmt(interpreted[k]! - interpreted[0]!), fmt(compiled[k]!, 2),
  ]));
await engine.close();
if (sink === 42) console.log('');
