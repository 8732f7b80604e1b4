/**
 * The load path: validating a program (every `new Vm` does, once), and what that buys the JIT —
 * the call trees of all functions resolved after validation (summaries kept in
 * `bytecode.analysis`) against the same on a program nobody validated (one analysis each).
 * Each round uses a fresh Bytecode, so nothing carries over from the previous one.
 * Then the shapes that once cost (function constants × code length): reading and validating
 * 1000 function constants entering one 30 000-instruction body, at one offset with many
 * arities and at many offsets (refused with SharedCodeLimit, in linear time).
 * Run: `node dist/bench/validator.bench.js [--quick]`.
 */
import { Bytecode, readAtb, validate, writeAtb } from '../src/bytecode/index.js';
import { compile } from '../src/compiler/index.js';
import { resolveCallTree } from '../src/jit/call-tree.js';
import { sharedBody } from '../test/helpers/shared-bodies.js';
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

/** Median ms of reading, then of validating, the `.atb` of a shared-body program. */
function sharedBodyMs(shape: 'entries' | 'arities'): [number, number] {
  const bytes = writeAtb(sharedBody(1000, 30_000, shape).bytecode);
  const reads: number[] = [];
  const validations: number[] = [];
  for (let i = 0; i <= Math.min(REPEATS, 7); i++) {
    const t0 = performance.now();
    const bytecode = readAtb(bytes);
    const t1 = performance.now();
    validate(bytecode);
    const t2 = performance.now();
    if (i > 0) {
      reads.push(t1 - t0);
      validations.push(t2 - t1);
    }
  }
  return [median(reads), median(validations)];
}

const shapes = (['arities', 'entries'] as const).map((shape) => [shape, ...sharedBodyMs(shape)] as const);
printTable('1000 function constants entering one 30 000-instruction body (median, ms; was 39 s + 45 s)',
  ['shape', 'readAtb', 'validate'],
  shapes.map(([shape, read, check]) => [
    shape === 'arities' ? 'one offset, arities 1..255' : 'a different offset each',
    fmt(read, 1), fmt(check, 1),
  ]));
