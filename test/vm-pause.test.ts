// A run that pauses at a safepoint and resumes (`Vm.start`/`resume`), and a JIT engine attached
// to a paused run (`Vm.attachJit`): what `atlas-jit run` uses to load the JIT only for a program
// still running after its first milliseconds. A paused and resumed run means exactly what one
// `run()` means: output, result, globals, errors at their offsets.
import test from 'ava';
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { AtlasRuntimeError, type RunProgress, type Value, Vm } from '../src/vm/index.js';

const LOOP = `fn step(x: number, i: number) -> number { return (x * 31 + i) % 1000003; }
var acc = 0;
var i = 0;
while (i < 200000) {
    acc = step(acc, i);
    if (i % 50000 == 0) { print(acc); }
    i = i + 1;
}
acc;`;

interface Run {
  readonly vm: Vm;
  readonly lines: string[];
}

function vmFor(source: string, jit?: JitEngine): Run {
  const lines: string[] = [];
  const vm = new Vm(compile(source, 'pause.atlas'), { stdout: (line) => lines.push(line), ...(jit === undefined ? {} : { jit }) });
  return { vm, lines };
}

/** Resumes `vm` with slices of `sliceMs` until it finishes; how many pauses it took. */
function resumeToEnd(vm: Vm, first: RunProgress, sliceMs: number): { value: Value | undefined; pauses: number } {
  let progress = first;
  let pauses = 0;
  while (!progress.done) {
    pauses++;
    progress = vm.resume(sliceMs);
  }
  return { value: progress.value, pauses };
}

test('a run paused at every safepoint and resumed means what one run() means', (t) => {
  const whole = vmFor(LOOP);
  const expected = whole.vm.run();
  const paused = vmFor(LOOP);
  const { value, pauses } = resumeToEnd(paused.vm, paused.vm.start(0), 0);
  t.true(pauses > 100, `paused ${pauses} times`);
  t.is(value, expected);
  t.deepEqual(paused.lines, whole.lines);
  t.is(paused.vm.getGlobal('i'), 200000);
});

test('a run that ends within its slice is done at once', (t) => {
  const { vm, lines } = vmFor('print(1 + 2);\n40 + 2;');
  t.deepEqual(vm.start(1000), { done: true, value: 42 });
  t.deepEqual(lines, ['3']);
});

test('a paused run holds the VM; resume needs a paused run', (t) => {
  const { vm } = vmFor(LOOP);
  t.throws(() => vm.resume(), { message: /no paused run/ });
  t.false(vm.start(0).done);
  t.throws(() => vm.run(), { message: /not re-entrant/ });
  t.throws(() => vm.call('step', 1, 2), { message: /not re-entrant/ });
  t.true(resumeToEnd(vm, vm.resume(), Infinity).value !== undefined);
  // Finished: the VM is free again.
  t.is(vm.call('step', 1, 2), 33);
});

test('an error after a pause is the error run() raises, at the same offset', (t) => {
  const failing = `var i = 0;\nwhile (i < 100000) { i = i + 1; }\nvar items = [1, 2];\nvar s = items[i];`;
  const expected = t.throws(() => vmFor(failing).vm.run(), { instanceOf: AtlasRuntimeError });
  const { vm } = vmFor(failing);
  const first = vm.start(0);
  t.false(first.done);
  const error = t.throws(() => resumeToEnd(vm, first, 0), { instanceOf: AtlasRuntimeError });
  t.is(error?.kind, expected?.kind);
  t.is(error?.offset, expected?.offset);
  t.is(error?.message, expected?.message);
  t.is(vm.getGlobal('i'), 100000);
  // The failed run released the VM: running again fails the program's way, not as re-entry.
  t.throws(() => vm.run(), { instanceOf: AtlasRuntimeError });
});

test('attaching a JIT hook: between runs or while paused, once, never from inside a run', async (t) => {
  const engine = await JitEngine.create({ warmUp: false, workers: 1 });
  try {
    const { vm } = vmFor(LOOP);
    t.false(vm.start(0).done);
    vm.attachJit(engine);
    t.throws(() => vm.attachJit(engine), { message: /already has a JIT hook/ });
    resumeToEnd(vm, vm.resume(), Infinity);
    let inside: unknown;
    const nested = new Vm(compile('print(1);', 'nested.atlas'), {
      stdout: () => {
        try {
          nested.attachJit(engine);
        } catch (error) {
          inside = error;
        }
      },
    });
    nested.run();
    t.regex(String(inside), /Vm is running/);
  } finally {
    await engine.close();
  }
});

test.serial('a JIT engine attached to a paused run compiles and runs the rest natively', async (t) => {
  const engine = await JitEngine.create({ warmUp: false, workers: 1, interpretedLeafLimit: 0, osrThreshold: 64, compilationThreshold: 2 });
  try {
    const expected = vmFor(LOOP).vm.run();
    const { vm, lines } = vmFor(LOOP);
    t.false(vm.start(0).done);
    vm.attachJit(engine);
    // Compile work in flight finishes while the run is paused, as `atlas-jit run` would let it.
    let progress = vm.resume(5);
    while (!progress.done) {
      await engine.whenIdle();
      progress = vm.resume(5);
    }
    t.is(progress.value, expected);
    t.is(lines.length, 4);
    const stats = engine.stats();
    t.true(stats.jitExecutions + stats.osrEntries > 0, JSON.stringify(stats));
  } finally {
    await engine.close();
  }
});
