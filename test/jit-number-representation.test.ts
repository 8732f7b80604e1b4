// Numbers native code hands back to interpreted code (results, side-exit frames, globals) come
// back in the representation the interpreter's own arithmetic gives them: an int32 as a V8
// small integer. A heap number holding an integer is the same Atlas value, but once one
// reaches the dispatch loop's arithmetic, V8 turns that code from integer to double operations
// for the rest of the run (`%` becomes a call to fmod), and the run slows down by a fifth.
// Checked with V8's own %IsSmi, through the public API.
import { setFlagsFromString } from 'node:v8';
import test from 'ava';
import fc from 'fast-check';
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { interpreterNumber } from '../src/jit/native.js';
import { Vm } from '../src/vm/index.js';

setFlagsFromString('--allow-natives-syntax');
// Compiled after the flag is set, so the native syntax parses.
const isSmi = new Function('value', 'return %IsSmi(value);') as (value: unknown) => boolean;

const serial = test.serial;

async function withEngine(run: (engine: JitEngine) => Promise<void> | void): Promise<void> {
  const engine = await JitEngine.create({ osrThreshold: 64, compilationThreshold: 2, workers: 1, interpretedLeafLimit: 0 });
  try {
    await run(engine);
  } finally {
    await engine.close();
  }
}

test('interpreterNumber keeps every double exactly, and makes int32s small integers', (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, 0, 2 ** 31, -(2 ** 31), 2 ** 53)), (raw) => {
      const value = interpreterNumber(new Float64Array([raw])[0]!);
      return Object.is(value, raw) && isSmi(value) === (Number.isInteger(raw) && raw === (raw | 0) && !Object.is(raw, -0));
    }),
  );
  t.false(isSmi(new Float64Array([42])[0]), 'a typed array element reads as a heap number: the case this is for');
});

serial('a native result reaches the host and interpreted code as a small integer', async (t) => {
  await withEngine(async (engine) => {
    const bytecode = compile(
      `fn sum(n: number) -> number {
          var s = 0;
          var i = 0;
          while (i < n) { s = s + i; i = i + 1; }
          return s;
      }
      fn negativeZero(x: number) -> number { return x * -1; }
      var r = 0;
      var k = 0;
      while (k < 5) { r = sum(100); k = k + 1; }`,
      'numbers.atlas',
    );
    const warm = new Vm(bytecode, { jit: engine, stdout: () => {} });
    warm.run();
    warm.call('negativeZero', 0);
    warm.call('negativeZero', 0);
    await engine.whenIdle();
    const vm = new Vm(bytecode, { jit: engine, stdout: () => {} });
    vm.run();
    t.true(engine.stats().jitExecutions > 0, 'sum ran natively');
    t.is(vm.getGlobal('r'), 4950);
    t.true(isSmi(vm.getGlobal('r')), 'the result interpreted code stored');
    const fromHost = vm.call('sum', 100);
    t.is(fromHost, 4950);
    t.true(isSmi(fromHost), 'the result a host call returned');
    t.true(Object.is(vm.call('negativeZero', 0), -0), '-0 stays a double');
  });
});

serial('globals and frames a side exit hands back hold small integers', async (t) => {
  await withEngine(async (engine) => {
    // The loop runs natively to its end and leaves at print: `acc` comes back through the
    // global slots, `local` through the exit frame of main's loop.
    const bytecode = compile(
      `var acc = 0;
      var seen = 0;
      fn main() {
          var local = 0;
          var i = 0;
          while (i < 5000) { acc = (acc * 31 + i) % 1000003; local = local + 2; i = i + 1; }
          print("done");
          seen = local;
      }
      main();`,
      'exits.atlas',
    );
    const vm = new Vm(bytecode, { jit: engine, stdout: () => {} });
    vm.run();
    await engine.whenIdle();
    const again = new Vm(bytecode, { jit: engine, stdout: () => {} });
    again.run();
    t.true(engine.stats().osrEntries > 0 || engine.stats().jitExecutions > 0, 'the loop ran natively');
    t.true(engine.stats().sideExits > 0, 'it left at print');
    t.is(again.getGlobal('seen'), 10000);
    t.true(isSmi(again.getGlobal('acc')), 'a global native code wrote');
    t.true(isSmi(again.getGlobal('seen')), 'a local handed back in the exit frame');
  });
});
