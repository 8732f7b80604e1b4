/**
 * The load path: validating a program (every `new Vm` does, once), and what that buys the JIT —
 * the call trees of all functions resolved after validation (summaries kept in
 * `bytecode.analysis`) against the same on a program nobody validated (one analysis each).
 * Each round uses a fresh Bytecode, so nothing carries over from the previous one.
 * Run: `node dist/bench/validator.bench.js [--quick]`.
 */
import { Bytecode, validate } from '../src/bytecode/index.js';
import { compile } from '../src/compiler/index.js';
import { resolveCallTree } from '../src/jit/call-tree.js';
import { QUICK, fmt, median, printTable } from './harness.js';

const FUNCTIONS = QUICK ? 300 : 1500;
const REPEATS = QUICK ? 5 : 21;

/** `FUNCTIONS` loop-and-branch functions that call a few small helpers. */
function program(): Bytecode {
  const helpers = Array.from({ length: 7 }, (_, i) => `fn g${i}(x: number) -> number { return x * ${i + 1}; }`);
  const fns = Array.from({ length: FUNCTIONS }, (_, i) =>
    `fn f${i}(a: number, b: number) -> number { var s = 0; var j = 0; while (j < a) { if (j % 2 == 0) { s = s + g${i % 7}(j); } else { s = s - b; } j = j + 1; } return s; }`);
  return compile([...helpers, ...fns].join('\n'), 'validator-bench.atlas');
}

const base = program();
const fresh = (): Bytecode => new Bytecode(base.code, base.constants, base.debug, base.topLevelLocalCount);
const allTrees = (bytecode: Bytecode): void => {
  for (const fn of bytecode.functions()) resolveCallTree(bytecode, fn);
};

/** Median ms of `measure` on a fresh program prepared by `prepare` (untimed), after one warm-up. */
function timed(prepare: (bytecode: Bytecode) => void, measure: (bytecode: Bytecode) => void): number {
  const times: number[] = [];
  for (let i = 0; i <= REPEATS; i++) {
    const bytecode = fresh();
    prepare(bytecode);
    const t0 = performance.now();
    measure(bytecode);
    if (i > 0) times.push(performance.now() - t0);
  }
  return median(times);
}

const nothing = (): void => {};
const validateMs = timed(nothing, (bytecode) => {
  if (validate(bytecode).length > 0) throw new Error('the benchmark program is invalid');
});
const treesAfterValidationMs = timed((bytecode) => validate(bytecode), allTrees);
const treesAloneMs = timed(nothing, allTrees);

printTable(`validation and call trees: ${base.code.length} bytes of code, ${base.functions().length} functions (median of ${REPEATS}, ms)`,
  ['step', 'ms'], [
    ['validate', fmt(validateMs, 2)],
    ['every call tree, after validation', fmt(treesAfterValidationMs, 2)],
    ['every call tree, without validation', fmt(treesAloneMs, 2)],
  ]);
