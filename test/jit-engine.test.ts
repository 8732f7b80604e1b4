import test, { type ExecutionContext } from 'ava';
import diagnostics from 'node:diagnostics_channel';
import { readdirSync, readFileSync } from 'node:fs';
import { JitEngine, type JitStats } from '../src/jit/jit-engine.js';
import type { JitConfig } from '../src/jit/jit-config.js';
import { liveHandleCount } from '../src/jit/native.js';
import { AtlasRuntimeError, Vm } from '../src/vm/index.js';
import { BytecodeBuilder } from '../src/bytecode/index.js';
import { fnOf, manyFunctions, program, threeHotLoops } from './helpers/programs.js';

// Engines share one process-wide native registry, so these tests run one at a time.
const serial = test.serial;

const ADD = program(`
fn add(a: number, b: number) -> number { return a + b; }
fn less(a: number, b: number) -> bool { return a < b; }
fn div(a: number, b: number) -> number { return a / b; }
fn greet(name: string) -> string { return "hi " + name; }
`);

async function engine(config: JitConfig = {}): Promise<JitEngine> {
  return JitEngine.create({ interpretedLeafLimit: 0, workers: 1, ...config });
}

function callN(e: JitEngine, name: string, n: number, args: unknown[] = [2, 3]): unknown {
  const { offset, bytecode, end } = fnOf(ADD, name);
  let last: unknown;
  for (let i = 0; i < n; i++) last = e.notifyCall(offset, bytecode, end, args);
  return last;
}

function listen(channel: string): { events: Array<Record<string, unknown>>; stop: () => void } {
  const events: Array<Record<string, unknown>> = [];
  const handler = (m: unknown) => events.push(m as Record<string, unknown>);
  diagnostics.subscribe(channel, handler);
  return { events, stop: () => diagnostics.unsubscribe(channel, handler) };
}

type Listener = ReturnType<typeof listen>;

/** One refusal, nothing compiled, and one `refused` event with its reason; stops listening. */
function assertRefusedOnce(t: ExecutionContext, stats: JitStats, failed: Listener): void {
  t.is(stats.refusedCompilations, 1);
  t.is(stats.compilations, 0);
  t.is(failed.events.length, 1);
  t.regex(String(failed.events[0]!.reason), /refused/);
  failed.stop();
}

serial('below the threshold calls are interpreted; after it they run natively', async (t) => {
  const e = await engine({ compilationThreshold: 5 });
  t.is(callN(e, 'add', 4), undefined);
  t.is(e.stats().queueDepth + e.stats().inFlight, 0, 'nothing queued below the threshold');
  t.is(callN(e, 'add', 1), undefined, 'the call that makes it hot is still interpreted');
  await e.whenIdle();
  t.is(callN(e, 'add', 1, [2, 3]), 5);
  t.is(callN(e, 'add', 1, [0.1, 0.2]), 0.1 + 0.2);
  const s = e.stats();
  t.is(s.compilations, 1);
  t.is(s.jitExecutions, 2);
  t.is(s.interpreterFallbacks, 5);
  t.is(s.cachedFunctions, 1);
  t.true(s.cacheBytes > 0);
  t.is(s.cacheHitRate, 2 / 7);
  t.is(s.trackedFunctions, 1);
  t.is(s.compiledFunctions, 1);
  await e.close();
});

serial('the default threshold is 100 and can be changed at run time', async (t) => {
  const e = await engine();
  t.is(e.compilationThreshold, 100);
  callN(e, 'add', 99);
  await e.whenIdle();
  t.is(e.stats().compilations, 0);
  e.compilationThreshold = 50;
  callN(e, 'add', 1);
  await e.whenIdle();
  t.is(callN(e, 'add', 1), 5);
  await e.close();
});

serial('a disabled engine returns undefined and counts nothing', async (t) => {
  const e = await engine({ compilationThreshold: 1, enabled: false });
  t.false(e.enabled);
  t.is(callN(e, 'add', 10), undefined);
  t.is(e.stats().trackedFunctions, 0);
  e.enable();
  callN(e, 'add', 1);
  await e.whenIdle();
  t.is(callN(e, 'add', 1), 5);
  e.disable();
  t.is(callN(e, 'add', 1), undefined);
  await e.close();
});

serial('results keep their type: a comparison returns a bool', async (t) => {
  const e = await engine({ compilationThreshold: 1 });
  callN(e, 'less', 1);
  await e.whenIdle();
  t.is(callN(e, 'less', 1, [1, 2]), true);
  t.is(callN(e, 'less', 1, [2, 1]), false);
  await e.close();
});

serial('a native trap raises the interpreter error at the same offset', async (t) => {
  const e = await engine({ compilationThreshold: 1 });
  callN(e, 'div', 1, [1, 2]);
  await e.whenIdle();
  t.is(callN(e, 'div', 1, [1, 4]), 0.25);
  const error = t.throws(() => callN(e, 'div', 1, [1, 0]), { instanceOf: AtlasRuntimeError });
  const vm = new Vm(ADD, { stdout: () => {} });
  vm.run();
  const expected = t.throws(() => vm.call('div', 1, 0), { instanceOf: AtlasRuntimeError });
  t.is(error?.kind, 'DivideByZero');
  t.is(error?.offset, expected?.offset);
  t.deepEqual(error?.span, expected?.span);
  await e.close();
});

serial('unsupported code is refused once and falls back for good', async (t) => {
  const e = await engine({ compilationThreshold: 2 });
  const failed = listen('atlas-jit:refused');
  callN(e, 'greet', 2, ['x']);
  await e.whenIdle();
  t.is(callN(e, 'greet', 50, ['x']), undefined);
  await e.whenIdle();
  assertRefusedOnce(t, e.stats(), failed);
  await e.close();
});

serial('non-number arguments to a compiled function run interpreted and are counted', async (t) => {
  const e = await engine({ compilationThreshold: 1 });
  callN(e, 'add', 1);
  await e.whenIdle();
  t.is(callN(e, 'add', 1, ['a', 'b']), undefined);
  t.is(e.stats().nonNumericArgCalls, 1);
  await e.close();
});

serial('several functions compile at once, each exactly once', async (t) => {
  const e = await engine({ compilationThreshold: 3, workers: 2 });
  const queued = listen('atlas-jit:queued');
  const bc = manyFunctions(8);
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 8; i++) {
      const f = fnOf(bc, `f${i}`);
      e.notifyCall(f.offset, bc, f.end, [round, 2]);
    }
  }
  await e.whenIdle();
  t.is(queued.events.length, 8, 'one job per hot function, never two');
  t.is(e.stats().compilations, 8);
  for (let i = 0; i < 8; i++) {
    const f = fnOf(bc, `f${i}`);
    t.is(e.notifyCall(f.offset, bc, f.end, [3, 2]), 6 + i);
  }
  queued.stop();
  await e.close();
});

serial('a full install mailbox loses nothing: the outcome port carries what the ring turned away', async (t) => {
  // A ring of 1 slot that nobody drains while the batch compiles: all but the first
  // outcome must come back on the session's outcome port, and each is installed exactly once.
  const e = await engine({ compilationThreshold: 1, mailboxCapacity: 1 });
  const installed = listen('atlas-jit:installed');
  const bc = manyFunctions(12);
  const fns = Array.from({ length: 12 }, (_, i) => fnOf(bc, `f${i}`));
  const handlesBefore = e.stats().nativeHandles;
  for (const f of fns) e.notifyCall(f.offset, bc, f.end, [1, 1]);
  await e.whenIdle();
  t.is(e.stats().compilations, 12);
  t.is(installed.events.length, 12, 'each function installed once');
  t.is(e.stats().nativeHandles - handlesBefore, 12, 'no handle leaked or installed twice');
  for (const [i, f] of fns.entries()) t.is(e.notifyCall(f.offset, bc, f.end, [3, 2]), 6 + i);
  installed.stop();
  await e.close();
});

serial('priority under contention: with 1 worker, functions compile in order of call count', async (t) => {
  // The first function's compile stalls, so the only worker stays busy while the others are
  // called (compiles no longer wait for the event loop, so nothing else would hold it).
  const e = await engine({ compilationThreshold: 1, workers: 1, faultInjection: { stallMs: 300, onlyFunction: 'f0' } });
  const compiled = listen('atlas-jit:compiled');
  const bc = manyFunctions(50);
  const fns = Array.from({ length: 50 }, (_, i) => fnOf(bc, `f${i}`));
  // All 50 become hot in one synchronous turn; the first occupies the only worker.
  for (const f of fns) e.notifyCall(f.offset, bc, f.end, [1, 1]);
  // Then keep calling: function i ends with a count that is a multiple of 32, shuffled.
  const order = fns.map((_, i) => (i * 37) % 50);
  for (const [rank, i] of order.entries()) {
    const f = fns[i]!;
    for (let k = 1; k < (rank + 1) * 32; k++) e.notifyCall(f.offset, bc, f.end, [1, 1]);
  }
  await e.whenIdle();
  const names = compiled.events.map((ev) => String(ev.name));
  t.is(names.length, 50);
  const calls = compiled.events.slice(1).map((ev) => Number(ev.calls));
  t.deepEqual(calls, [...calls].sort((a, b) => b - a), 'after the first, hottest first');
  compiled.stop();
  await e.close();
});

serial('the queue bound holds and dropped jobs are counted', async (t) => {
  // The first compile stalls, so the only worker stays busy while the others become hot.
  const e = await engine({ compilationThreshold: 1, workers: 1, maxQueue: 4, faultInjection: { stallMs: 300, onlyFunction: 'f0' } });
  const bc = manyFunctions(20);
  let maxDepth = 0;
  for (let i = 0; i < 20; i++) {
    const f = fnOf(bc, `f${i}`);
    e.notifyCall(f.offset, bc, f.end, [1, 1]);
    maxDepth = Math.max(maxDepth, e.stats().queueDepth);
  }
  t.true(maxDepth <= 4);
  t.is(e.stats().droppedJobs, 20 - 1 - 4);
  await e.whenIdle();
  t.is(e.stats().compilations, 5);
  await e.close();
});

serial('install happens inside a synchronous loop, without yielding to the event loop', async (t) => {
  const e = await engine({ compilationThreshold: 100 });
  const installed = listen('atlas-jit:installed');
  const { offset, bytecode, end } = fnOf(ADD, 'add');
  let firstNative = -1;
  for (let i = 0; i < 10_000_000; i++) {
    const r = e.notifyCall(offset, bytecode, end, [i, 1]);
    if (r !== undefined) {
      firstNative = i;
      break;
    }
  }
  t.true(firstNative > 0, 'native code ran before the loop ever yielded');
  t.is(installed.events.length, 1);
  const delay = e.stats().latency.installDelay;
  t.is(delay.count, 1, 'installed from the mailbox');
  await e.whenIdle(); // now Piscina's promise resolves too
  const s = e.stats();
  t.is(s.compilations, 1, 'the promise did nothing twice');
  t.is(installed.events.length, 1);
  t.is(s.cachedFunctions, 1);
  t.log(`first native call at iteration ${firstNative}; mailbox→install ${delay.p50Micros.toFixed(0)}µs`);
  installed.stop();
  await e.close();
});

serial('a VM top-level loop picks up native code at safepoints and calls', async (t) => {
  const bc = program(`
fn sq(x: number) -> number { return x * x; }
var i = 0;
var s = 0;
while (i < 300000) { s = s + sq(i); i = i + 1; }
print(s);`);
  const e = await engine({ compilationThreshold: 100 });
  const lines: string[] = [];
  new Vm(bc, { jit: e, stdout: (l) => lines.push(l) }).run();
  const reference: string[] = [];
  new Vm(bc, { stdout: (l) => reference.push(l) }).run();
  t.deepEqual(lines, reference);
  t.true(e.stats().jitExecutions > 0, 'the same run switched to native code');
  await e.close();
});

serial('host calls through vm.call are counted and run natively', async (t) => {
  const e = await engine({ compilationThreshold: 10 });
  const vm = new Vm(ADD, { jit: e, stdout: () => {} });
  vm.run();
  for (let i = 0; i < 10; i++) t.is(vm.call('add', i, 1), i + 1);
  await e.whenIdle();
  t.is(vm.call('add', 40, 2), 42);
  t.is(e.stats().jitExecutions, 1);
  await e.close();
});

serial('a worker that dies mid-compile causes a fallback, and the engine recovers', async (t) => {
  const e = await engine({ compilationThreshold: 1, faultInjection: { stallMs: 50, crash: 'exit', onlyFunction: 'div' } });
  callN(e, 'div', 1, [1, 2]);
  await e.whenIdle();
  let s = e.stats();
  t.is(s.failedCompilations, 1);
  t.is(callN(e, 'div', 5, [1, 2]), undefined, 'falls back to the interpreter for good');
  callN(e, 'add', 1);
  await e.whenIdle();
  t.is(callN(e, 'add', 1), 5, 'a replacement worker compiles the next function');
  s = e.stats();
  t.is(s.compilations, 1);
  await e.close();
});

serial('a worker that throws rejects only its job', async (t) => {
  const e = await engine({ compilationThreshold: 1, faultInjection: { crash: 'throw', onlyFunction: 'less' } });
  callN(e, 'less', 1);
  callN(e, 'add', 1);
  await e.whenIdle();
  t.is(e.stats().failedCompilations, 1);
  t.is(callN(e, 'add', 1), 5);
  await e.close();
});

serial('eviction under a tiny budget releases native handles', async (t) => {
  const before = liveHandleCount();
  const e = await engine({ compilationThreshold: 1, workers: 1 });
  const bc = manyFunctions(6);
  const first = fnOf(bc, 'f0');
  e.notifyCall(first.offset, bc, first.end, [1, 1]);
  await e.whenIdle();
  const size = e.stats().cacheBytes;
  t.true(size > 0);
  e.cacheSizeLimit = size * 2; // room for two functions
  const evicted = listen('atlas-jit:evicted');
  for (let i = 1; i < 6; i++) {
    const f = fnOf(bc, `f${i}`);
    e.notifyCall(f.offset, bc, f.end, [1, 1]);
    await e.whenIdle();
  }
  const s = e.stats();
  t.true(s.cachedFunctions <= 2);
  t.true(s.cacheBytes <= size * 2);
  t.true(s.evictions >= 4);
  t.is(evicted.events.length, s.evictions);
  t.is(liveHandleCount() - before, s.cachedFunctions, 'evicted code was released');
  evicted.stop();
  await e.close();
  t.is(liveHandleCount(), before);
});

serial('invalidate drops one program; invalidateCache and reset drop everything', async (t) => {
  const before = liveHandleCount();
  const e = await engine({ compilationThreshold: 1 });
  const other = manyFunctions(1);
  const f0 = fnOf(other, 'f0');
  callN(e, 'add', 1);
  e.notifyCall(f0.offset, other, f0.end, [1, 1]);
  await e.whenIdle();
  t.is(e.stats().cachedFunctions, 2);
  e.invalidate(ADD);
  t.is(e.stats().cachedFunctions, 1);
  t.is(callN(e, 'add', 1), undefined, 'interpreted again after invalidation');
  await e.whenIdle();
  t.is(callN(e, 'add', 1), 5, 'and compiled again once hot');
  e.invalidateCache();
  t.is(e.stats().cachedFunctions, 0);
  t.is(liveHandleCount(), before);
  callN(e, 'add', 1);
  await e.whenIdle();
  e.reset();
  const s = e.stats();
  t.is(s.cachedFunctions, 0);
  t.is(s.compilations, 0);
  t.is(s.trackedFunctions, 0);
  t.is(liveHandleCount(), before);
  await e.close();
});

serial('invalidating a program while its job runs discards the result and releases it', async (t) => {
  const before = liveHandleCount();
  const e = await engine({ compilationThreshold: 1, faultInjection: { stallMs: 100 } });
  callN(e, 'add', 1);
  await new Promise((r) => setTimeout(r, 20));
  t.is(e.stats().inFlight, 1);
  e.invalidate(ADD);
  await e.whenIdle();
  t.is(e.stats().cachedFunctions, 0);
  t.is(liveHandleCount(), before);
  await e.close();
});

serial('the worker count can change at run time', async (t) => {
  const e = await engine({ compilationThreshold: 1, workers: 1 });
  e.workers = 2;
  t.is(e.stats().workers, 2);
  callN(e, 'add', 1);
  await e.whenIdle();
  t.is(callN(e, 'add', 1), 5);
  t.throws(() => { e.workers = 0; }, { instanceOf: RangeError });
  await e.close();
});

serial('close leaves no worker and no handle behind', async (t) => {
  const before = liveHandleCount();
  const e = await engine({ compilationThreshold: 1, workers: 2 });
  const bc = manyFunctions(4);
  for (let i = 0; i < 4; i++) {
    const f = fnOf(bc, `f${i}`);
    e.notifyCall(f.offset, bc, f.end, [1, 1]);
  }
  await e.close();
  const s = e.stats();
  t.is(s.workerThreads, 0);
  t.is(s.queueDepth, 0);
  t.is(s.inFlight, 0);
  t.is(liveHandleCount(), before);
  t.is(e.notifyCall(0, bc, 1, []), undefined);
});

serial('end to end: interpreted → hot → queued → compiled → installed → cached native calls', async (t) => {
  const seen: string[] = [];
  const channels = ['queued', 'compiled', 'installed'].map((n) => listen(`atlas-jit:${n}`));
  const e = await engine({ compilationThreshold: 10 });
  t.is(callN(e, 'add', 10), undefined);
  await e.whenIdle();
  for (const [i, c] of channels.entries()) if (c.events.length === 1) seen.push(['queued', 'compiled', 'installed'][i]!);
  t.deepEqual(seen, ['queued', 'compiled', 'installed']);
  for (let i = 0; i < 100; i++) callN(e, 'add', 1);
  const s = e.stats();
  t.is(s.jitExecutions, 100);
  t.true(s.latency.hotToInstalled.count === 1 && s.latency.hotToInstalled.p50Micros > 0);
  t.true(s.latency.compile.p50Micros > 0);
  t.true(s.latency.queueWait.count === 1);
  channels.forEach((c) => c.stop());
  await e.close();
});

serial('invalid configuration is rejected', async (t) => {
  await t.throwsAsync(() => JitEngine.create({ interpretedLeafLimit: 0, workers: 0 }), { instanceOf: RangeError });
  await t.throwsAsync(() => JitEngine.create({ interpretedLeafLimit: 0, optLevel: 3 as 0 }), { instanceOf: RangeError });
  await t.throwsAsync(() => JitEngine.create({ interpretedLeafLimit: 0, compilationThreshold: -1 }), { instanceOf: RangeError });
  await t.throwsAsync(() => JitEngine.create({ interpretedLeafLimit: 0, compileThreadPriority: 'high' as 'idle' }), { instanceOf: RangeError, message: /compileThreadPriority/ });
});

/** Scheduling policies of this process's threads (Linux: field 41 of /proc/self/task/<tid>/stat). */
function threadPolicies(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
  });
}

const SCHED_IDLE = 5;
const onLinux = process.platform === 'linux' ? serial : serial.skip;

/** Threads take a moment to leave /proc after their pool closed. */
async function settledPolicies(): Promise<number[]> {
  for (let waited = 0; threadPolicies().includes(SCHED_IDLE) && waited < 2000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  return threadPolicies();
}

onLinux('compile workers run at normal priority by default, at idle priority on request', async (t) => {
  t.false((await settledPolicies()).includes(SCHED_IDLE), 'no idle thread before');
  const normal = await engine();
  t.false(threadPolicies().includes(SCHED_IDLE));
  await normal.close();
  const idle = await engine({ compileThreadPriority: 'idle' });
  t.true(threadPolicies().includes(SCHED_IDLE), 'the warmed-up compile worker runs SCHED_IDLE');
  const bc = manyFunctions(2);
  const f = fnOf(bc, 'f1');
  idle.compilationThreshold = 1;
  idle.notifyCall(f.offset, bc, f.end, [1, 1]);
  await idle.whenIdle();
  t.is(idle.notifyCall(f.offset, bc, f.end, [3, 2]), 7, 'and it compiles');
  await idle.close();
  t.false((await settledPolicies()).includes(SCHED_IDLE), 'gone with the engine');
});

serial('a function that reads a number global runs natively and follows the global', async (t) => {
  const e = await engine({ compilationThreshold: 2 });
  const source = 'let k = 3;\nfn addk(a: number) -> number { return a + k; }';
  const vm = new Vm(program(source), { jit: e, stdout: () => {} });
  const interpreter = new Vm(program(source), { stdout: () => {} });
  vm.run();
  interpreter.run();
  for (let i = 0; i < 3; i++) t.is(vm.call('addk', i), i + 3);
  await e.whenIdle();
  t.is(e.stats().compilations, 1);
  const native = e.stats().jitExecutions;
  t.is(vm.call('addk', 10), 13);
  vm.setGlobal('k', 5);
  t.is(vm.call('addk', 10), 15, 'the code reads the global as it is now');
  t.is(e.stats().jitExecutions, native + 2);
  // A global that changes kind sends the call to the interpreter, which raises its error.
  for (const v of [vm, interpreter]) v.setGlobal('k', 'text');
  const error = (v: Vm) => t.throws(() => v.call('addk', 1));
  t.deepEqual({ ...error(vm) }, { ...error(interpreter) });
  t.is(e.stats().jitExecutions, native + 2);
  t.is(e.stats().guardFallbacks, 1);
  await e.close();
});

serial('every call counts once, by what happened to it', async (t) => {
  const e = await engine({ compilationThreshold: 1 });
  const bc = program(`
fn twice(n: number) -> number { return double(n) + 1; }
fn double(n: number) -> number { return n * 2; }
fn add(a: number, b: number) -> number { return a + b; }
`);
  const add = fnOf(bc, 'add');
  const twice = fnOf(bc, 'twice');
  t.is(e.notifyCall(add.offset, bc, add.end, [1, 2]), undefined, 'interpreted: it becomes hot');
  await e.whenIdle();
  t.is(e.notifyCall(add.offset, bc, add.end, [1, 2]), 3, 'native');
  t.is(e.notifyCall(add.offset, bc, add.end, ['a', 2]), undefined, 'non-numeric');
  t.true(e.compileNowBlocking(bc, twice.offset));
  // Without a VM the global `double` cannot be checked: the call runs interpreted.
  t.is(e.notifyCall(twice.offset, bc, twice.end, [4]), undefined, 'guard fallback');
  const s = e.stats();
  t.like(s, { jitExecutions: 1, interpreterFallbacks: 3, nonNumericArgCalls: 1, guardFallbacks: 1, bailouts: 0 });
  t.is(s.cacheHitRate, 3 / 4, 'three of the four calls found installed code');
  await e.close();
});

serial('a synchronous run with three loops in turn moves into native code at the first and stays there (OSR)', async (t) => {
  // Long loops: even on a loaded machine the first one's code arrives while it still runs.
  const source = threeHotLoops(2_000_000);
  const e = await engine({ compilationThreshold: 1_000_000_000 });
  const lines: string[] = [];
  const expected: string[] = [];
  new Vm(program(source), { jit: e, stdout: (line) => lines.push(line) }).run();
  new Vm(program(source), { stdout: (line) => expected.push(line) }).run();
  // No await since the run started: the three loops were compiled and entered inside it.
  const s = e.stats();
  t.deepEqual(lines, expected);
  // The first loop's code enters at its header and runs on to the script's end: the later
  // loops, with their calls, are native code already.
  t.is(s.compilations, 1);
  t.is(s.osrEntries, 1);
  t.true(s.interpreterFallbacks < 2_000_000, `${s.interpreterFallbacks} calls interpreted: only the first loop's, before its code came`);
  t.like(s, { queueDepth: 0, inFlight: 0 });
  await e.close();
});

serial('a synchronous run makes three functions hot one after another and runs each natively before it ends', async (t) => {
  const bc = program(threeHotLoops(2_000_000));
  const e = await engine({ compilationThreshold: 100, osrThreshold: 1_000_000_000 });
  // Native executions when each function was installed: each must have run natively after.
  const atInstall: number[] = [];
  const installed = listen('atlas-jit:installed');
  const onInstalled = () => atInstall.push(e.stats().jitExecutions);
  diagnostics.subscribe('atlas-jit:installed', onInstalled);
  new Vm(bc, { jit: e, stdout: () => {} }).run();
  // No await since the run started: everything below happened inside it.
  const s = e.stats();
  diagnostics.unsubscribe('atlas-jit:installed', onInstalled);
  t.deepEqual(installed.events.map((ev) => ev.name), ['f', 'g', 'h']);
  t.is(s.compilations, 3);
  t.like(s, { queueDepth: 0, inFlight: 0 });
  const marks = [...atInstall, s.jitExecutions];
  for (let k = 1; k < marks.length; k++) t.true(marks[k]! > marks[k - 1]!, `native calls after install ${k}: ${marks.join(', ')}`);
  installed.stop();
  await e.close();
});

serial('inFlight is 0 right after an install, before any promise settled, and after whenIdle', async (t) => {
  const e = await engine({ compilationThreshold: 100 });
  const { offset, bytecode, end } = fnOf(ADD, 'add');
  let native: unknown;
  for (let i = 0; i < 10_000_000 && native === undefined; i++) native = e.notifyCall(offset, bytecode, end, [i, 1]);
  t.not(native, undefined, 'installed inside the synchronous loop');
  t.like(e.stats(), { compilations: 1, queueDepth: 0, inFlight: 0 });
  callN(e, 'less', 100);
  callN(e, 'div', 100, [1, 2]);
  await e.whenIdle();
  t.like(e.stats(), { compilations: 3, queueDepth: 0, inFlight: 0 });
  await e.close();
});

serial('a refused function is no longer counted: each call costs one fallback and nothing else', async (t) => {
  const e = await engine({ compilationThreshold: 2 });
  const failed = listen('atlas-jit:refused');
  callN(e, 'greet', 2, ['x']);
  callN(e, 'add', 2);
  await e.whenIdle();
  t.is(callN(e, 'add', 1), 5);
  const before = e.stats();
  t.is(before.refusedCompilations, 1);
  callN(e, 'greet', 50, ['x']);
  await e.whenIdle();
  const after = e.stats();
  t.is(failed.events.length, 1, 'refused once, never queued again');
  failed.stop();
  t.is(after.interpreterFallbacks, before.interpreterFallbacks + 50);
  t.is(after.cacheHitRate, before.cacheHitRate, 'no cache lookups counted for it');
  t.is(after.trackedFunctions, before.trackedFunctions);
  await e.close();
});

serial('while the program waits on the event loop, finished batches free their worker for the next one', async (t) => {
  const e = await engine({ compilationThreshold: 1, workers: 1, compileBatchSize: 1 });
  const bc = manyFunctions(3);
  const handles = liveHandleCount();
  for (let i = 0; i < 3; i++) {
    const f = fnOf(bc, `f${i}`);
    e.notifyCall(f.offset, bc, f.end, [1, 1]);
  }
  // No call, no stats, no whenIdle: only the event loop runs (as in a server between requests).
  // The worker registers each function's code as it compiles it: wait for all three (reading
  // the registry polls nothing), as long as a loaded machine needs.
  const deadline = performance.now() + 20_000;
  while (liveHandleCount() < handles + 3 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  t.like(e.stats(), { compilations: 3, queueDepth: 0, inFlight: 0 });
  await e.close();
});

serial('two functions sharing a body with different arities each run code compiled for their own frame', async (t) => {
  // A(x) and B(x, y) share the body `Return`: A returns x, B returns y.
  const b = new BytecodeBuilder();
  const a = b.declareFunction('A', 1, 1, (body) => body.emit('Return'));
  const k = b.addConstant({ kind: 'function', value: { ...a, name: 'B', arity: 2, localCount: 2 } });
  b.emit('Constant', [k]);
  b.emit('SetGlobal', [b.string('B')]);
  b.emit('Pop');
  b.emit('Halt');
  const e = await engine({ compilationThreshold: 2 });
  const vm = new Vm(b.build(), { jit: e, stdout: () => {} });
  vm.run();
  for (let i = 0; i < 5; i++) t.is(vm.call('A', 5), 5);
  await e.whenIdle();
  t.is(vm.call('A', 5), 5);
  for (let i = 0; i < 5; i++) t.is(vm.call('B', 5, 7), 7, 'B is not run by A\'s code');
  await e.whenIdle();
  t.is(vm.call('B', 5, 7), 7);
  t.is(e.stats().compilations, 2, 'one compilation per function constant');
  await e.close();
});

serial('after close(), what would start workers or install code is rejected and leaves nothing behind', async (t) => {
  const e = await engine({ compilationThreshold: 1 });
  const bc = manyFunctions(1);
  const f = fnOf(bc, 'f0');
  await e.close();
  const handles = liveHandleCount();
  t.throws(() => e.compileNowBlocking(bc, f.offset), { message: /closed/ });
  t.throws(() => {
    e.workers = 2;
  }, { message: /closed/ });
  t.throws(() => e.enable(), { message: /closed/ });
  t.is(e.notifyCall(f.offset, bc, f.end, [1, 1]), undefined, 'calls still answer: interpret');
  t.is(liveHandleCount(), handles);
  t.like(e.stats(), { workerThreads: 0, queueDepth: 0, inFlight: 0 });
});
