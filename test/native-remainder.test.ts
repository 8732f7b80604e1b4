// `%` off its integer fast path calls fmod through a wrapper that clobbers no register, so
// the values a loop keeps in registers around it must come through every such call intact.
import test from 'ava';
import fc from 'fast-check';
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { Vm } from '../src/vm/index.js';

// Many values live across the `%` (fractional operands: the fmod call every iteration).
const PROGRAM = `
fn mix(n: number, step: number, m: number) -> number {
  var a = 0.5;
  var b = 1.25;
  var c = -3.75;
  var d = 7;
  var i = 0;
  while (i < n) {
    a = (a + step) % m;
    b = b * 1.5 % (m + 0.25) + a;
    c = c - b % 2.5;
    d = d + i % 3;
    i = i + 1;
  }
  return a + b * 3 + c * 5 + d * 7;
}
`;

test('a loop whose % calls fmod keeps every other value it holds, bit for bit', async (t) => {
  const bytecode = compile(PROGRAM, 'remainder.atlas');
  const engine = await JitEngine.create({ compilationThreshold: 1_000_000_000, workers: 1 });
  try {
    const jit = new Vm(bytecode, { jit: engine });
    const interpreter = new Vm(bytecode);
    jit.run();
    interpreter.run();
    t.true(engine.compileNowBlocking(bytecode, bytecode.functions().find((f) => f.name === 'mix')!.offset));
    const before = engine.stats().jitExecutions;
    let runs = 0;
    fc.assert(fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: 0.5, max: 40, noNaN: true }), (n, step, m) => {
      runs++;
      const native = jit.call('mix', n, step, m);
      const interpreted = interpreter.call('mix', n, step, m);
      return Object.is(native, interpreted);
    }), { numRuns: 500 });
    t.is(engine.stats().jitExecutions - before, runs, 'every call ran natively');
  } finally {
    await engine.close();
  }
});
