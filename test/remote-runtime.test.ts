// The remote runtime end to end: a real worker thread with a Vm and a JitEngine behind
// comlink. Lifecycle, values, errors (interpreted and native) with kind and span,
// interrupts, stats across the thread, and misuse.
import test from 'ava';
import { threeHotLoops } from './helpers/programs.js';
import { writeAtb } from '../src/bytecode/atb.js';
import { compile, CompileError } from '../src/compiler/index.js';
import { AtlasInterrupted, RemoteRuntimeError, spawnRuntime, type RemoteRuntime, type RuntimeOptions } from '../src/remote/index.js';
import { AtlasRuntimeError, Vm } from '../src/vm/index.js';
import { AtlasArray, AtlasOption } from '../src/vm/values.js';

const MATH = `
fn add(a: number, b: number) -> number { return a + b; }
fn div(a: number, b: number) -> number { return a / b; }
fn less(a: number, b: number) -> bool { return a < b; }
fn pair(a: number) -> number[] { return [a, a * 2]; }
print("ready");
1 + 1;
`;

const RUNAWAY = `
fn id(a: number) -> number { return a; }
var i = 0;
while (true) { i++; }
`;

// Closed after all tests even when one fails, so a failure cannot keep the process alive.
const spawned: RemoteRuntime[] = [];
test.after.always(() => Promise.all(spawned.map((rt) => rt.close())));

/** A runtime with a small JIT (one compile worker) whose printed lines are collected. */
async function spawn(options: RuntimeOptions = {}): Promise<{ rt: RemoteRuntime; lines: string[] }> {
  const lines: string[] = [];
  const rt = await spawnRuntime({ jit: { interpretedLeafLimit: 0, workers: 1, compilationThreshold: 5 }, stdout: (line) => lines.push(line), ...options });
  spawned.push(rt);
  return { rt, lines };
}

/** The error the in-thread interpreter raises, to compare the remote one against. */
function localError(source: string, name: string, ...args: number[]): AtlasRuntimeError {
  const vm = new Vm(compile(source, 'math.atlas'), { stdout: () => undefined });
  vm.run();
  try {
    vm.call(name, ...args);
  } catch (error) {
    if (error instanceof AtlasRuntimeError) return error;
  }
  throw new Error('expected an AtlasRuntimeError');
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('lifecycle: spawn, load, run, call, close', async (t) => {
  const { rt, lines } = await spawn();
  const summary = await rt.load(MATH, 'math.atlas');
  t.deepEqual(summary.functions.map((f) => f.name), ['add', 'div', 'less', 'pair']);
  t.is(await rt.run(), 2);
  t.deepEqual(lines, ['ready'], 'printed lines arrive before the result');
  t.is(await rt.call('add', 2, 3), 5);
  t.is(await rt.call('less', 1, 2), true);
  const pair = await rt.call('pair', 4);
  t.true(pair instanceof AtlasArray);
  t.deepEqual((pair as AtlasArray).elements, [4, 8]);
  await rt.close();
  await rt.close(); // idempotent
  const after = await t.throwsAsync(rt.call('add', 1, 2), { instanceOf: RemoteRuntimeError });
  t.is(after?.code, 'closed');
  t.is(await rt.interrupt(), undefined, 'interrupting a closed runtime is harmless');
});

test('load accepts .atb bytes and replaces the previous program', async (t) => {
  const { rt } = await spawn({ jit: false });
  await rt.load(MATH, 'math.atlas');
  await rt.run();
  const summary = await rt.load(writeAtb(compile('fn twice(a: number) -> number { return a * 2; }', 'twice.atlas')));
  t.is(summary.name, '<atb>');
  await rt.run();
  t.is(await rt.call('twice', 21), 42);
  const gone = await t.throwsAsync(rt.call('add', 1, 2), { instanceOf: AtlasRuntimeError });
  t.is(gone?.kind, 'UndefinedVariable');
  await rt.load('Some([1, 2]);', 'option.atlas');
  const option = await rt.run();
  t.true(option instanceof AtlasOption && option.isSome && option.value instanceof AtlasArray, 'nested values keep their classes');
  await rt.close();
});

test('hot functions get compiled in the worker, and stats() crosses the thread', async (t) => {
  const { rt } = await spawn();
  await rt.load(MATH, 'math.atlas');
  await rt.run();
  for (let i = 0; i < 5; i++) t.is(await rt.call('add', i, 1), i + 1);
  await until(async () => (await rt.stats()).jit!.compilations === 1, 'add to be compiled');
  t.is(await rt.call('add', 0.1, 0.2), 0.1 + 0.2);
  const { jit, runtime } = await rt.stats();
  t.truthy(jit);
  t.is(jit!.jitExecutions, 1, 'the call after install ran native code');
  t.is(jit!.workers, 1);
  t.true(jit!.cacheBytes > 0);
  t.is(jit!.latency.compile.count, 1);
  t.true(jit!.latency.compile.p50Micros > 0);
  t.deepEqual(runtime, { loads: 1, runs: 1, calls: 6, errors: 0, interrupted: 0 });
  await rt.close();
});

test('runtime errors cross with kind, message, offset and span, interpreted and native', async (t) => {
  const { rt } = await spawn();
  await rt.load(MATH, 'math.atlas');
  await rt.run();
  const expected = localError(MATH, 'div', 1, 0);
  const interpreted = await t.throwsAsync(rt.call('div', 1, 0), { instanceOf: AtlasRuntimeError });
  for (let i = 0; i < 5; i++) await rt.call('div', 1, 2);
  await until(async () => (await rt.stats()).jit!.compilations === 1, 'div to be compiled');
  // A warm-up call may already have run natively once the install won the race; count from here.
  const before = (await rt.stats()).jit!.jitExecutions;
  const native = await t.throwsAsync(rt.call('div', 1, 0), { instanceOf: AtlasRuntimeError });
  t.is((await rt.stats()).jit!.jitExecutions, before + 1, 'the second error came from native code');
  for (const error of [interpreted!, native!]) {
    t.is(error.kind, 'DivideByZero');
    t.is(error.message, 'Division by zero');
    t.is(error.offset, expected.offset);
    t.deepEqual(error.span, expected.span);
    t.is(error.debugString(), expected.debugString());
  }
  const typeError = await t.throwsAsync(rt.call('add', 1, 'x' as never), { instanceOf: AtlasRuntimeError });
  t.is(typeError?.kind, localError(MATH, 'add', 1, 'x' as never).kind);
  const arity = await t.throwsAsync(rt.call('add', 1), { instanceOf: AtlasRuntimeError });
  t.is(arity?.kind, 'TypeError');
  await rt.close();
});

test('compile errors cross with file, line, column, code and span', async (t) => {
  const { rt } = await spawn({ jit: false });
  const error = await t.throwsAsync(rt.load('let a = 1;\nlet b = a +;\n', 'broken.atlas'), { instanceOf: CompileError });
  t.is(error?.file, 'broken.atlas');
  t.is(error?.line, 2);
  t.is(error?.column, 12);
  t.is(error?.sourceLine, 'let b = a +;');
  t.deepEqual(error?.span, { start: 22, end: 23 });
  t.regex(error?.message ?? '', /^broken\.atlas:2:12: error: /);
  const misuse = await t.throwsAsync(rt.run(), { instanceOf: RemoteRuntimeError });
  t.is(misuse?.code, 'not-loaded', 'a failed load leaves no program');
  await rt.close();
});

test('interrupt() stops a runaway interpreted loop in the worker; the runtime stays usable', async (t) => {
  const { rt } = await spawn();
  await rt.load(RUNAWAY, 'runaway.atlas');
  const running = rt.run();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const queued = rt.call('id', 1);
  await rt.interrupt();
  const stopped = await t.throwsAsync(running, { instanceOf: AtlasInterrupted });
  t.true(stopped?.started);
  const waiting = await t.throwsAsync(queued, { instanceOf: AtlasInterrupted });
  t.false(waiting?.started, 'the operation queued behind it was stopped too');
  t.is(await rt.call('id', 7), 7, 'operations after the interrupt run normally');
  t.is((await rt.stats()).runtime.interrupted, 2);
  await rt.close();
});

test('an interrupt that overtakes its operation still stops it', async (t) => {
  const { rt } = await spawn({ jit: false });
  await rt.load(RUNAWAY, 'runaway.atlas');
  const running = rt.run();
  await rt.interrupt(); // very likely before the worker has even received the run
  await t.throwsAsync(running, { instanceOf: AtlasInterrupted });
  await rt.load('fn id(a: number) -> number { return a; }', 'id.atlas');
  await rt.run();
  t.is(await rt.call('id', 3), 3, 'the interrupt did not outlive the operations it was meant for');
  await rt.close();
});

test('close() stops a runaway script and resolves', async (t) => {
  const { rt } = await spawn();
  await rt.load(RUNAWAY, 'runaway.atlas');
  const running = rt.run();
  await new Promise((resolve) => setTimeout(resolve, 30));
  const started = Date.now();
  await rt.close();
  t.true(Date.now() - started < 4000, 'closed cleanly, before the terminate timeout');
  await t.throwsAsync(running, { instanceOf: AtlasInterrupted });
});

test('bad options are rejected with typed errors and leave no worker behind', async (t) => {
  await t.throwsAsync(spawnRuntime({ jit: { interpretedLeafLimit: 0, workers: 0 } }), { instanceOf: RangeError, message: /workers/ });
  await t.throwsAsync(spawnRuntime({ stdout: 'no' as never }), { instanceOf: TypeError });
  await t.throwsAsync(spawnRuntime({ maxCallDepth: -1 }), { instanceOf: RangeError });
  await t.throwsAsync(spawnRuntime(null as never), { instanceOf: TypeError });
  await t.throwsAsync(spawnRuntime({ jit: { interpretedLeafLimit: 0, workers: 1, hook: () => 1 } as never }), { instanceOf: TypeError, message: /cannot be sent/ });
});

test('one long call makes three functions hot in turn and compiles all three before it returns', async (t) => {
  const { rt } = await spawn({ jit: { interpretedLeafLimit: 0, workers: 1, compilationThreshold: 100, osrThreshold: 1_000_000_000 } });
  await rt.load(threeHotLoops(2_000_000, true), 'three.atlas');
  await rt.run();
  const before = (await rt.stats()).jit!;
  t.is(before.compilations, 0);
  // The runtime thread runs the call without returning to its event loop until it is done.
  await rt.call('main');
  const jit = (await rt.stats()).jit!;
  t.is(jit.compilations, 3);
  t.is(jit.compiledFunctions, 3);
  t.like(jit, { queueDepth: 0, inFlight: 0 });
  t.true(jit.jitExecutions > 0);
});

test('an argument that cannot be sent is a RemoteRuntimeError, and a later interrupt stops no unrelated call', async (t) => {
  const { rt } = await spawn();
  await rt.load('fn twice(n: number) -> number { return n * 2; }', 'twice.atlas');
  await rt.run();
  const error = await t.throwsAsync(rt.call('twice', (() => 1) as unknown as number), { instanceOf: RemoteRuntimeError });
  t.is(error?.code, 'invalid-argument');
  // Nothing runs now: this interrupt must not reach the next call.
  await rt.interrupt();
  t.is(await rt.call('twice', 21), 42);
});
