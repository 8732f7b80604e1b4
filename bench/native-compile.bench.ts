/**
 * Compile latency per function at each Cranelift opt level: p50/p99 in µs of the addon's
 * own measure (translate + compile + finalize) and of the whole JS call (marshalling and
 * registering included), for a small, a medium and a large straight-line function, with
 * the real code size. Then how compile time grows with the body's length (it should grow
 * linearly, and a body past the size budget is refused as TooLarge at once).
 *
 * Run: `node dist/bench/native-compile.bench.js [--quick]` (after `npm run build`).
 */
import { BytecodeBuilder } from '../src/bytecode/index.js';
import { compileFunction, type NativeFunctionInput, type OptLevel, releaseHandle } from '../src/jit/native.js';
import { fmt, percentile, printTable, QUICK } from './harness.js';
import { increments } from '../test/helpers/long-bodies.js';

const SAMPLES = QUICK ? 200 : 2_000;
const WARM_UP = QUICK ? 20 : 200;

/** f(a, b, c) folding `ops` arithmetic/compare steps over its parameters. */
function straightLine(ops: number): NativeFunctionInput {
  const b = new BytecodeBuilder();
  const ref = b.declareFunction('f', 3, 3, (b) => {
    b.emit('GetLocal', [0]);
    for (let i = 0; i < ops; i++) {
      b.emit('GetLocal', [(i % 2) + 1]);
      b.emit((['Add', 'Mul', 'Sub', 'Div', 'Mod'] as const)[i % 5]!);
      if (i % 7 === 6) {
        b.emit('Dup');
        b.emitConstant(i);
        b.emit('Less');
        b.emit('Pop');
      }
    }
    b.emit('Return');
  });
  const end = b.offset;
  const bytecode = b.build();
  return { code: bytecode.code, start: ref.offset, end, arity: 3, localCount: 3, constants: bytecode.constants };
}

const sizes: [string, NativeFunctionInput][] = [['small (1 op)', straightLine(1)], ['medium (20 ops)', straightLine(20)], ['large (200 ops)', straightLine(200)]];
const rows: string[][] = [];
for (const [name, input] of sizes) {
  for (const level of [0, 1, 2] as OptLevel[]) {
    const native: number[] = [];
    const wall: number[] = [];
    let codeSize = 0;
    for (let i = 0; i < WARM_UP + SAMPLES; i++) {
      const t0 = performance.now();
      const outcome = compileFunction(input, level, { verify: false });
      const elapsed = (performance.now() - t0) * 1000;
      if (!outcome.ok) throw new Error(`refused: ${outcome.refusal.message}`);
      releaseHandle(outcome.handle);
      if (i < WARM_UP) continue;
      native.push(outcome.compileMicros);
      wall.push(elapsed);
      codeSize = outcome.codeSize;
    }
    rows.push([name, String(level), fmt(percentile(native, 0.5)), fmt(percentile(native, 0.99)), fmt(percentile(wall, 0.5)), fmt(percentile(wall, 0.99)), String(codeSize)]);
  }
}
printTable(
  `compile time per function, ${SAMPLES} samples each (verifier off)`,
  ['function', 'opt', 'addon p50 µs', 'addon p99 µs', 'call p50 µs', 'call p99 µs', 'code bytes'],
  rows,
);

const lengths = QUICK ? [1_000, 5_000, 15_000] : [1_000, 5_000, 15_000, 25_000, 40_000];
const growth: string[][] = [];
for (const ops of lengths) {
  const input = increments(ops);
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const outcome = compileFunction(input, 1, { verify: false });
  const wallMs = performance.now() - t0;
  const cpuMs = process.cpuUsage(cpu).user / 1000;
  if (outcome.ok) releaseHandle(outcome.handle);
  const result = outcome.ok ? `compiled, ${outcome.codeSize} code bytes` : `refused: ${outcome.refusal.reason}`;
  growth.push([String(ops), String(input.end), fmt(wallMs), fmt(cpuMs), fmt((cpuMs / ops) * 1000), result]);
}
printTable(
  'compile time by body length: x = x + 1, n times (opt 1, verifier off, one compile each)',
  ['n', 'bytes', 'wall ms', 'cpu ms', 'cpu µs/op', 'outcome'],
  growth,
);
