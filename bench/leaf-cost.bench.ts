/**
 * The leaf cost model (`src/jit/leaf-cost.ts`): what a call from interpreted code into a
 * short leaf (no loop, no call) costs with the leaf native and with it interpreted, for leaf
 * bodies of growing size. The caller is a top-level loop that cannot compile (it builds a
 * string every iteration), so every call crosses from the interpreter. The engine's default
 * `interpretedLeafLimit` should sit where native stops losing.
 *
 * Each figure: ns per loop iteration, median of several timed runs of the warmed-up program
 * (the leaf's compile is done before timing), the two settings side by side.
 *
 * Run: `node dist/bench/leaf-cost.bench.js [--quick]` (after `npm run build`).
 */
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { Vm } from '../src/vm/index.js';
import { fmt, medianMs, printTable, QUICK } from './harness.js';

const ITERATIONS = QUICK ? 100_000 : 400_000;
const REPEATS = QUICK ? 3 : 7;
/** Leaf sizes in `x * k` terms: each is four instructions (GetLocal, Constant, Mul, Add). */
const TERMS = [2, 3, 4, 5, 8, 14];

function program(terms: number): string {
  const sum = Array.from({ length: terms }, (_, k) => `x * ${k + 2}`).join(' + ');
  return `fn leaf(x: number) -> number { return ${sum}; }
var acc = 0;
var text = "";
var i = 0;
while (i < ${ITERATIONS}) {
    acc = acc + leaf(i);
    text = str(i);
    i = i + 1;
}
print(acc);`;
}

/** ns per iteration of `source` run again and again on one VM whose engine keeps leaves interpreted up to `limit`. */
async function nsPerIteration(source: string, limit: number): Promise<{ ns: number; leaf: string }> {
  const bytecode = compile(source, 'leaf.atlas');
  const engine = await JitEngine.create({ workers: 1, interpretedLeafLimit: limit });
  const vm = new Vm(bytecode, { jit: engine, stdout: () => undefined });
  vm.run();
  await engine.whenIdle();
  const ms = medianMs(REPEATS, () => vm.run());
  const leaf = engine.functions().find((f) => f.name === 'leaf')?.state ?? 'cold';
  await engine.close();
  return { ns: (ms * 1e6) / ITERATIONS, leaf };
}

const rows: string[][] = [];
for (const terms of TERMS) {
  const source = program(terms);
  const bytecode = compile(source, 'leaf.atlas');
  const instructions = bytecode.analysis.bodySummary(bytecode.functions()[0]!).instructionCount;
  const native = await nsPerIteration(source, 0);
  const interpreted = await nsPerIteration(source, 1_000_000);
  rows.push([String(instructions), fmt(native.ns), fmt(interpreted.ns), fmt(native.ns / interpreted.ns, 2), native.leaf, interpreted.leaf]);
}
printTable(`Leaf called from interpreted code: ns per iteration (${ITERATIONS} iterations, median of ${REPEATS})`,
  ['leaf instructions', 'leaf native', 'leaf interpreted', 'native / interpreted', 'state (limit 0)', 'state (no limit)'], rows);
