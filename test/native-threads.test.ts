// The registry is process-wide: code compiled in a worker thread runs on the main thread
// (and the other way round), survives the worker's exit, and is never freed while running.
import test from 'ava';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import {
  type CompileOutcome, liveCodeCount, liveHandleCount, type NativeFunctionInput, NativeInvokeError, releaseHandle,
} from '../src/jit/native.js';
import { compileOk, declare, invokeNative } from './native-helpers.js';

const serial = test.serial;
const NATIVE_URL = new URL('../src/jit/native.js', import.meta.url).href;

/**
 * Worker tasks, run in a fresh worker thread that loads the addon through `native.js`:
 * - compile: compile `input`, post the outcome;
 * - invoke: invoke `handle` on `args`, post status and value;
 * - spin: post 'started', then invoke `handle` until it throws, post the tally.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const native = await import(workerData.nativeUrl);
  const { task, input, handle, args } = workerData;
  if (task === 'compile') {
    parentPort.postMessage(native.compileFunction(input, 1, { verify: true }));
  } else if (task === 'invoke') {
    const invoker = new native.NativeInvoker();
    invoker.args.set(args);
    const status = invoker.invoke(handle);
    parentPort.postMessage({ status, value: invoker.value });
  } else if (task === 'spin') {
    const invoker = new native.NativeInvoker();
    let calls = 0;
    let wrong = 0;
    parentPort.postMessage('started');
    for (;;) {
      invoker.args[0] = calls;
      invoker.args[1] = 1;
      try {
        if (invoker.invoke(handle) !== 0 || invoker.value !== calls + 1) wrong++;
      } catch (error) {
        parentPort.postMessage({ calls, wrong, error: error.name });
        return;
      }
      calls++;
    }
  }
})().catch((error) => parentPort.postMessage({ failure: String(error && error.stack || error) }));
`;

interface Task {
  readonly task: 'compile' | 'invoke' | 'spin';
  readonly input?: NativeFunctionInput;
  readonly handle?: number;
  readonly args?: readonly number[];
}

function startWorker(task: Task): Worker {
  return new Worker(WORKER_SOURCE, { eval: true, workerData: { nativeUrl: NATIVE_URL, ...task } });
}

/** Runs one task to completion: its single message, after the worker has exited. */
async function runInWorker<T>(task: Task): Promise<T> {
  const worker = startWorker(task);
  // Listen for both at once: the worker may exit right after posting.
  const [[message]] = (await Promise.all([once(worker, 'message'), once(worker, 'exit')])) as [[T & { failure?: string }], unknown];
  if (message.failure !== undefined) throw new Error(message.failure);
  return message;
}

const add = declare(2, 2, (b) => {
  b.emit('GetLocal', [0]);
  b.emit('GetLocal', [1]);
  b.emit('Add');
  b.emit('Return');
});

serial('compile in a worker, invoke on main, let the worker exit, invoke again', async (t) => {
  const code = liveCodeCount();
  const outcome = await runInWorker<CompileOutcome>({ task: 'compile', input: add.input });
  if (!outcome.ok) return t.fail(outcome.refusal.message);
  t.deepEqual(invokeNative(outcome.handle, [40, 2]), { kind: 'return', value: 42 }, 'after the worker exited');
  t.deepEqual(invokeNative(outcome.handle, [-1, 0.5]), { kind: 'return', value: -0.5 });
  t.true(releaseHandle(outcome.handle));
  t.is(liveCodeCount(), code);
  return undefined;
});

serial('compile on main, invoke in a worker; the worker\'s exit drops its cached reference', async (t) => {
  const code = liveCodeCount();
  const { handle } = compileOk(t, add.input);
  const result = await runInWorker<{ status: number; value: number }>({ task: 'invoke', handle, args: [1.5, 2] });
  t.deepEqual(result, { status: 0, value: 3.5 });
  t.deepEqual(invokeNative(handle, [1, 2]), { kind: 'return', value: 3 });
  t.true(releaseHandle(handle));
  t.is(liveCodeCount(), code, 'no thread holds the code any more');
});

serial('releasing code another thread is running defers the free until that thread lets go', async (t) => {
  const code = liveCodeCount();
  const handles = liveHandleCount();
  const { handle } = compileOk(t, add.input);
  const worker = startWorker({ task: 'spin', handle });
  const exited = once(worker, 'exit');
  const messages: unknown[] = [];
  worker.on('message', (message) => messages.push(message));
  while (messages.length === 0) await once(worker, 'message');
  t.is(messages[0], 'started');
  // Main runs it too, then releases it while the worker is spinning on it.
  t.deepEqual(invokeNative(handle, [2, 2]), { kind: 'return', value: 4 });
  t.true(releaseHandle(handle));
  t.is(liveHandleCount(), handles);
  t.throws(() => invokeNative(handle, [1, 1]), { instanceOf: NativeInvokeError });
  await exited;
  const tally = messages[1] as { calls: number; wrong: number; error: string };
  t.is(tally.error, 'NativeInvokeError', 'the worker sees the release at its next call');
  t.is(tally.wrong, 0);
  t.is(liveCodeCount(), code, 'freed once the worker let go');
});

serial('terminating a worker that is invoking leaves the code usable on main', async (t) => {
  const code = liveCodeCount();
  const { handle } = compileOk(t, add.input);
  const worker = startWorker({ task: 'spin', handle });
  await once(worker, 'message');
  await worker.terminate();
  t.deepEqual(invokeNative(handle, [0.25, 0.5]), { kind: 'return', value: 0.75 });
  t.true(releaseHandle(handle));
  t.is(liveCodeCount(), code);
});

serial('several workers compile at once; every handle is distinct and runs on main', async (t) => {
  const fns = [1, 2, 3, 4].map((k) => declare(1, 1, (b) => {
    b.emit('GetLocal', [0]);
    b.emitConstant(k);
    b.emit('Mul');
    b.emit('Return');
  }));
  const outcomes = await Promise.all(fns.map((fn) => runInWorker<CompileOutcome>({ task: 'compile', input: fn.input })));
  const handles = outcomes.map((outcome) => (outcome.ok ? outcome.handle : -1));
  t.is(new Set(handles).size, 4);
  handles.forEach((handle, i) => t.deepEqual(invokeNative(handle, [10]), { kind: 'return', value: 10 * (i + 1) }));
  for (const handle of handles) t.true(releaseHandle(handle));
});

/** Runs `lowerThreadPriority(priority)` in a fresh thread; posts that thread's policy and nice value. */
async function priorityInWorker(priority: string): Promise<{ policy?: number; nice?: number; error?: string }> {
  const source = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
(async () => {
  const native = await import(workerData.nativeUrl);
  try { native.lowerThreadPriority(workerData.priority); } catch (error) { parentPort.postMessage({ error: error.message }); return; }
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  parentPort.postMessage({ policy: Number(fields[38]), nice: Number(fields[16]) });
})();`;
  const worker = new Worker(source, { eval: true, workerData: { nativeUrl: NATIVE_URL, priority } });
  const [message] = (await once(worker, 'message')) as [{ policy?: number; nice?: number; error?: string }];
  await worker.terminate();
  return message;
}

const onLinux = process.platform === 'linux' ? serial : serial.skip;

onLinux('lowerThreadPriority: idle is SCHED_IDLE, low is nice 19, normal changes nothing, others are refused', async (t) => {
  t.like(await priorityInWorker('idle'), { policy: 5 });
  t.like(await priorityInWorker('low'), { policy: 0, nice: 19 });
  t.like(await priorityInWorker('normal'), { policy: 0, nice: 0 });
  t.regex((await priorityInWorker('realtime')).error ?? '', /unknown compile priority/);
});
