// The engine's counters agree with each other and with what the program did: every call of a
// tracked function (the call gate's quiet calls included) and every OSR attempt counts once,
// as a native execution or as an interpreter fallback, and the per-function view adds up to
// the same totals.
import test, { type ExecutionContext } from 'ava';
import { JitEngine, type JitFunctionStats, type JitStats } from '../src/jit/jit-engine.js';
import { Vm } from '../src/vm/index.js';
import { program } from './helpers/programs.js';
import { waitWithoutYielding } from './helpers/sync-wait.js';

const serial = test.serial;

function sum(functions: readonly JitFunctionStats[], field: 'calls' | 'nativeCalls'): number {
  return functions.reduce((n, f) => n + f[field], 0);
}

function assertIdentities(t: ExecutionContext, s: JitStats, functions: readonly JitFunctionStats[]): void {
  t.is(s.jitExecutions + s.interpreterFallbacks, s.trackedCalls + s.osrAttempts, 'native + fallbacks = calls + OSR attempts');
  t.true(s.nonNumericArgCalls + s.guardFallbacks + s.bailouts <= s.interpreterFallbacks, 'fallback reasons are fallbacks');
  t.true(s.osrEntries <= s.osrAttempts);
  t.is(sum(functions, 'calls'), s.trackedCalls + s.osrAttempts, 'the per-function calls add up');
  t.is(sum(functions, 'nativeCalls'), s.jitExecutions, 'the per-function native calls add up');
  t.is(s.nativeRate, s.jitExecutions / (s.jitExecutions + s.interpreterFallbacks));
}

const N = 3000;
const CALLS = program(`
fn sq(x: number) -> number { return x * x; }
fn greet(n: number) -> string { return "hi"; }
var i = 0;
while (i < ${N}) { sq(i); greet(i); i = i + 1; }
`);

serial('every call of a tracked function counts once: native, or a fallback with its reason', async (t) => {
  const engine = await JitEngine.create({ interpretedLeafLimit: 0, workers: 1, compilationThreshold: 10, osrThreshold: 1e9 });
  const runs = 3;
  let vm = new Vm(CALLS, { jit: engine });
  for (let r = 0; r < runs; r++) {
    vm = new Vm(CALLS, { jit: engine });
    vm.run();
    await engine.whenIdle();
  }
  t.throws(() => vm.call('sq', 'a string'), undefined, 'a string argument: the call falls back, then the interpreter raises');
  const s = engine.stats();
  const functions = engine.functions();
  t.is(s.trackedCalls, 2 * N * runs + 1, 'exactly the calls the program made');
  t.is(s.osrAttempts, 0);
  t.true(s.jitExecutions >= N, `${s.jitExecutions} native runs: sq ran natively after the first run`);
  t.is(s.nonNumericArgCalls, 1);
  t.is(s.refusedCompilations, 1);
  t.like(functions.find((f) => f.name === 'greet'), { calls: N * runs, nativeCalls: 0, state: 'refused' });
  t.like(functions.find((f) => f.name === 'sq'), { calls: N * runs + 1, state: 'compiled', tier: 'function' });
  t.regex(functions.find((f) => f.name === 'greet')!.reason ?? '', /string constant/);
  t.true(functions.find((f) => f.name === 'sq')!.codeBytes > 0);
  assertIdentities(t, s, functions);
  // A refused function's calls are fallbacks but not cache lookups: the hit rate is about code found.
  t.true(s.cacheHitRate > s.nativeRate, `hit rate ${s.cacheHitRate} counts lookups of compilable code only; native rate ${s.nativeRate}`);
  await engine.close();
});

const LOOP = program(`
fn work(n: number) -> number {
  var s = 0;
  var i = 0;
  while (i < n) { s = s + i * 2; i = i + 1; }
  return s;
}
var k = 0;
while (k < 40) { work(20000); k = k + 1; }
`);

serial('OSR attempts count like calls: entries that ran natively, and the ones that fell back', async (t) => {
  const engine = await JitEngine.create({ interpretedLeafLimit: 0, workers: 1, compilationThreshold: 1e9, osrThreshold: 1 });
  for (let r = 0; r < 3; r++) {
    new Vm(LOOP, { jit: engine }).run();
    await engine.whenIdle();
  }
  const s = engine.stats();
  const functions = engine.functions();
  t.true(s.osrAttempts > 0 && s.osrEntries > 0, `${s.osrAttempts} attempts, ${s.osrEntries} entries`);
  t.is(s.trackedCalls, 3 * 40, 'work is called 40 times a run');
  t.true(functions.some((f) => f.tier === 'osr' && f.state === 'compiled' && f.nativeCalls > 0));
  assertIdentities(t, s, functions);
  await engine.close();
});

serial('the counts stay exact across a reset and with the engine disabled', async (t) => {
  const engine = await JitEngine.create({ interpretedLeafLimit: 0, workers: 1, compilationThreshold: 10, osrThreshold: 1e9 });
  new Vm(CALLS, { jit: engine }).run();
  await engine.whenIdle();
  engine.reset();
  engine.disable();
  new Vm(CALLS, { jit: engine }).run();
  t.is(engine.stats().trackedCalls, 0, 'calls while disabled are not tracked');
  engine.enable();
  new Vm(CALLS, { jit: engine }).run();
  const s = engine.stats();
  t.is(s.trackedCalls, 2 * N);
  assertIdentities(t, s, engine.functions());
  await engine.close();
});

serial('functions() follows each function from interpreted through queued or compiling to compiled', async (t) => {
  // No warm-up: the worker boots at the first hot function, so jobs are still pending right after the run.
  const engine = await JitEngine.create({ interpretedLeafLimit: 0, workers: 1, warmUp: false, compilationThreshold: 10, osrThreshold: 1e9 });
  new Vm(CALLS, { jit: engine }).run();
  // The top-level loop is tracked too (cold: its OSR threshold is out of reach).
  t.like(engine.functions().find((f) => f.tier === 'osr'), { name: '<main>', state: 'interpreted' });
  const pending = engine.functions().filter((f) => f.tier === 'function');
  t.deepEqual(pending.map((f) => f.name).sort(), ['greet', 'sq']);
  const sq = pending.find((f) => f.name === 'sq')!;
  t.true(sq.state === 'queued' || sq.state === 'compiling', `sq is ${sq.state}`);
  // greet starts with a string constant: refused when it got hot, on the main thread (static-triage.ts).
  t.like(pending.find((f) => f.name === 'greet'), { state: 'refused' });
  t.true(pending.every((f) => f.calls === N && f.nativeCalls === 0 && f.codeBytes === 0));
  await engine.whenIdle();
  const settled = new Map(engine.functions().map((f) => [f.name, f]));
  t.like(settled.get('sq'), { state: 'compiled', tier: 'function' });
  t.true(settled.get('sq')!.compileMicros > 0 && settled.get('sq')!.codeBytes > 0);
  t.like(settled.get('greet'), { state: 'refused', codeBytes: 0 });
  await engine.close();
});

serial('startWorkers boots the compile threads without waiting; an engine without it has none until work comes', async (t) => {
  const lazy = await JitEngine.create({ interpretedLeafLimit: 0, workers: 1, warmUp: false });
  t.is(lazy.stats().workerThreads, 0);
  await lazy.close();
  const early = await JitEngine.create({ interpretedLeafLimit: 0, workers: 1, warmUp: false });
  early.startWorkers();
  t.is(early.stats().workerThreads, 1, 'started at once, booting off this thread');
  new Vm(CALLS, { jit: early }).run();
  await early.whenIdle();
  t.like(early.functions().find((f) => f.name === 'sq'), { state: 'compiled' });
  await early.close();
  t.throws(() => early.startWorkers());
});

serial('workersReady turns true once the started workers have booted, seen without yielding to the event loop', async (t) => {
  const engine = await JitEngine.create({ workers: 1, warmUp: false });
  t.false(engine.workersReady, 'no worker started yet');
  engine.startWorkers();
  t.false(engine.workersReady, 'a worker takes tens of milliseconds to boot');
  t.true(waitWithoutYielding(() => engine.workersReady));
  await engine.close();
});
