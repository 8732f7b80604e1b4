// On-stack replacement and side exits through the public API: a loop in a function called
// once and a script's top-level loop move into native code at a back-edge; native code hands
// frames back at what it does not handle; the guards keep every change of a global exact.
import test from 'ava';
import type { Bytecode } from '../src/bytecode/index.js';
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { AtlasInterrupted, AtlasRuntimeError, type Value, Vm } from '../src/vm/index.js';
import { leavesEvery } from './helpers/programs.js';

/** One process-wide native registry and interrupt flag: these tests run one at a time. */
const serial = test.serial;

interface Outcome {
  readonly lines: readonly string[];
  readonly result: string;
}

/**
 * Runs `source` in a VM (with `jit`, or interpreted) whose print callback also calls
 * `onPrint(vm, line)`; the outcome is the printed lines and the run's value or error.
 */
function runScript(source: string | Bytecode, jit: JitEngine | undefined, onPrint: (vm: Vm, line: string) => void = () => {}): Outcome {
  const lines: string[] = [];
  const vm: Vm = new Vm(typeof source === 'string' ? compile(source, 'osr.atlas') : source, {
    stdout: (line) => {
      lines.push(line);
      onPrint(vm, line);
    },
    ...(jit === undefined ? {} : { jit }),
  });
  let result: string;
  try {
    result = describe(vm.run());
  } catch (error) {
    if (!(error instanceof AtlasRuntimeError)) throw error;
    result = JSON.stringify({ kind: error.kind, detail: error.detail, offset: error.offset, span: error.span });
  }
  return { lines, result };
}

function describe(value: Value | undefined): string {
  return `${typeof value}:${String(value)}`;
}

async function withEngine(run: (engine: JitEngine) => Promise<void> | void, compilationThreshold = 2): Promise<void> {
  const engine = await JitEngine.create({ osrThreshold: 64, compilationThreshold, workers: 1 });
  try {
    await run(engine);
  } finally {
    await engine.close();
  }
}

/** Runs once to get the code compiled (warm-up), then again on the same program: the measured run enters it. */
async function warmThenRun(engine: JitEngine, source: string, onPrint?: (vm: Vm, line: string) => void): Promise<Outcome> {
  const bytecode = compile(source, 'osr.atlas');
  runScript(bytecode, engine, onPrint);
  await engine.whenIdle();
  return runScript(bytecode, engine, onPrint);
}

const CALLED_ONCE = `
fn main() -> number {
  var s = 0;
  var i = 0;
  while (i < 200000) {
    s = (s + i * i) % 1000003;
    i = i + 1;
  }
  return s;
}
print(main());
`;

serial('a loop in a function called once moves into native code and returns through the interpreter', async (t) => {
  await withEngine(async (engine) => {
    const expected = runScript(CALLED_ONCE, undefined);
    t.deepEqual(await warmThenRun(engine, CALLED_ONCE), expected);
    const stats = engine.stats();
    t.true(stats.osrEntries >= 1, `${stats.osrEntries} OSR entries`);
    t.is(stats.compilations, 1, 'the loop, not the function, was compiled');
  }, 100);
});

const SCRIPT = `
var total = 0;
var i = 0;
while (i < 100000) {
  total = (total + i * 3 + 1) % 999983;
  if (i % 25000 == 0) {
    print(total);
  }
  i = i + 1;
}
total;
`;

serial('a top-level loop over globals runs natively, leaving at each print', async (t) => {
  await withEngine(async (engine) => {
    const expected = runScript(SCRIPT, undefined);
    const before = engine.stats();
    t.deepEqual(await warmThenRun(engine, SCRIPT), expected);
    const stats = engine.stats();
    t.true(stats.osrEntries - before.osrEntries >= 2);
    t.true(stats.sideExits >= 4, 'each print is the interpreter\'s');
  });
});

serial('a global that changes kind mid-loop sends the loop back to the interpreter, which raises its error', async (t) => {
  // The host turns `total` into a string at the second print: the next `total + …` is a TypeError.
  const toText = (vm: Vm, line: string) => {
    if (line !== '1') vm.setGlobal('total', 'text');
  };
  await withEngine(async (engine) => {
    const expected = runScript(SCRIPT, undefined, toText);
    t.regex(expected.result, /TypeError/);
    t.deepEqual(await warmThenRun(engine, SCRIPT, toText), expected);
  });
});

const REDEFINED = `
fn step(x: number) -> number { return x + 1; }
fn other(x: number) -> number { return x * 2 + 1; }
var acc = 0;
var i = 0;
while (i < 60000) {
  acc = step(acc) % 1000003;
  if (i == 30000) {
    print(acc);
  }
  i = i + 1;
}
acc;
`;

serial('a global function redefined while an OSR\'d loop runs is honoured at once', async (t) => {
  const redefine = (vm: Vm) => vm.setGlobal('step', vm.getGlobal('other')!);
  await withEngine(async (engine) => {
    const expected = runScript(REDEFINED, undefined, redefine);
    t.deepEqual(await warmThenRun(engine, REDEFINED, redefine), expected);
    t.true(engine.stats().osrEntries >= 1);
  });
});

const NESTED_EXIT = `
fn inner(x: number) -> number {
  if (x % 5000 == 0) {
    print("rare");
  }
  return x * 2;
}
fn outer(x: number) -> number { return inner(x) + 1; }
var s = 0;
var i = 0;
while (i < 30000) {
  s = (s + outer(i)) % 1000003;
  i = i + 1;
}
s;
`;

serial('a side exit in the middle of a native call tree continues every frame in the interpreter exactly', async (t) => {
  await withEngine(async (engine) => {
    const expected = runScript(NESTED_EXIT, undefined);
    t.deepEqual(await warmThenRun(engine, NESTED_EXIT), expected);
    t.true(engine.stats().sideExits >= 1, 'the rare print inside the tree left with both frames');
  });
});

serial('an interrupt (time budget) stops an OSR\'d infinite loop', async (t) => {
  await withEngine(async (engine) => {
    const spin = compile('var i = 0;\nwhile (true) { i = i + 1; }', 'spin.atlas');
    const vm = new Vm(spin, { jit: engine, timeBudgetMs: 300 });
    t.throws(() => vm.run(), { instanceOf: AtlasInterrupted });
    await engine.whenIdle();
    const again = new Vm(spin, { jit: engine, timeBudgetMs: 100 });
    const started = performance.now();
    t.throws(() => again.run(), { instanceOf: AtlasInterrupted });
    t.log(`stopped after ${(performance.now() - started).toFixed(1)} ms`);
    t.true(engine.stats().osrEntries >= 1, 'the loop ran natively when the budget ran out');
  });
});

serial('after its program is invalidated, a loop is counted and compiled afresh', async (t) => {
  await withEngine(async (engine) => {
    const bytecode = compile(SCRIPT, 'osr.atlas');
    const expected = runScript(SCRIPT, undefined);
    runScript(bytecode, engine);
    await engine.whenIdle();
    engine.invalidate(bytecode);
    const compiled = engine.stats().compilations;
    runScript(bytecode, engine);
    await engine.whenIdle();
    t.true(engine.stats().compilations > compiled, 'the loop was compiled again');
    const entries = engine.stats().osrEntries;
    t.deepEqual(runScript(bytecode, engine), expected);
    t.true(engine.stats().osrEntries > entries, 'and entered');
  });
});

// Every iteration of this loop calls `label`, which cannot compile (string work): an OSR
// entry would leave at that call on its first iteration, every time it is entered.
const ALWAYS_LEAVES = `
fn label(n: number) -> string {
    return "item-" + str(n);
}
var n = 0;
var total = 0;
while (n < 3000) {
    total = total + len(label(n));
    n = n + 1;
}
print(str(total));
`;

serial('a loop that would leave on every iteration is refused, not entered, and runs interpreted exactly', async (t) => {
  await withEngine(async (engine) => {
    const expected = runScript(ALWAYS_LEAVES, undefined);
    t.deepEqual(await warmThenRun(engine, ALWAYS_LEAVES), expected);
    const loop = engine.functions().find((f) => f.tier === 'osr' && f.name === '<main>');
    t.is(loop?.state, 'refused');
    t.regex(loop?.reason ?? '', /leaves to the interpreter before it returns or loops/);
    t.is(engine.stats().sideExits, 0);
  });
});

// The outer loop leaves at its print on every iteration, but only after its inner loop ran
// natively: such an entry is worth having.
const LEAVES_AFTER_WORK = `
var i = 0;
var total = 0;
while (i < 40) {
    var j = 0;
    while (j < 500) {
        total = total + j * i;
        j = j + 1;
    }
    print(str(total));
    i = i + 1;
}
`;

serial('a loop that leaves only after native work keeps its code', async (t) => {
  await withEngine(async (engine) => {
    const expected = runScript(LEAVES_AFTER_WORK, undefined);
    t.deepEqual(await warmThenRun(engine, LEAVES_AFTER_WORK), expected);
    const refused = engine.functions().filter((f) => f.state === 'refused');
    t.deepEqual(refused, []);
    t.true(engine.stats().osrEntries > 0);
  });
});

// `calls` is written by the callee and read by the caller's loop around each call, and the
// callee leaves (prints) right after writing it: the loop's globals live in registers, so
// each call must hand its values over and take the callee's writes back on every path.
const GLOBALS_ACROSS_CALLS = `
var total = 0;
var calls = 0;
fn bump(x: number) -> number {
    calls = calls + 1;
    if (calls % 500 == 0) {
        print(calls);
    }
    return x * 2;
}
var i = 0;
while (i < 3000) {
    total = total + bump(i) + calls;
    i = i + 1;
}
print(total);
print(calls);
`;

serial('globals a loop keeps in registers meet a callee that writes them and leaves', async (t) => {
  await withEngine(async (engine) => {
    const expected = runScript(GLOBALS_ACROSS_CALLS, undefined);
    t.deepEqual(await warmThenRun(engine, GLOBALS_ACROSS_CALLS), expected);
    const stats = engine.stats();
    t.true(stats.osrEntries > 0 && stats.sideExits > 0, 'the loop ran natively and the callee left at its prints');
  });
});

serial('a loop that leaves at a rare call goes back to native code at its next back-edge, and keeps its code', async (t) => {
  await withEngine(async (engine) => {
    const source = leavesEvery(10, 30_000);
    t.deepEqual(await warmThenRun(engine, source), runScript(source, undefined));
    const loop = engine.functions().find((f) => f.tier === 'osr' && f.name === '<main>');
    // Nine iterations in ten run natively: the loop leaves at each tag call and is entered again
    // one iteration later (not a whole interpreter slice of 64 back-edges later).
    t.is(loop?.state, 'compiled', loop?.reason);
    t.true(engine.stats().sideExits > 2000, `${engine.stats().sideExits} side exits`);
    t.true((loop?.nativeCalls ?? 0) > 1000, 'more runs than the policy needs to judge them');
  });
});

serial('a loop that leaves after too little native work is deoptimized, and the interpreter finishes it exactly', async (t) => {
  await withEngine(async (engine) => {
    const source = leavesEvery(2, 30_000);
    t.deepEqual(await warmThenRun(engine, source), runScript(source, undefined));
    const loop = engine.functions().find((f) => f.tier === 'osr' && f.name === '<main>');
    t.is(loop?.state, 'deoptimized');
    t.regex(loop?.reason ?? '', /most runs leave early/);
  });
});

// The loop calls `step` every iteration, and `step` is a short leaf that stays interpreted, so
// every interpreter slice ends at a call: the loop's back-edges must still add up to a safepoint
// at its header, where it is counted and entered.
const CALLS_EVERY_ITERATION = `
fn step(x: number) -> number {
    return x * 3 + 1;
}
var total = 0;
var i = 0;
while (i < 20000) {
    total = (total + step(i)) % 1000003;
    i = i + 1;
}
print(total);
`;

serial('a loop that makes an interpreted call every iteration still reaches its header and runs natively', async (t) => {
  await withEngine(async (engine) => {
    t.deepEqual(await warmThenRun(engine, CALLS_EVERY_ITERATION), runScript(CALLS_EVERY_ITERATION, undefined));
    t.like(engine.functions().find((f) => f.name === 'step'), { state: 'interpreted' });
    t.like(engine.functions().find((f) => f.tier === 'osr'), { state: 'compiled' });
    t.true(engine.stats().osrEntries > 0);
  });
});
