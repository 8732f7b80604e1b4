import test from 'ava';
import { CompileQueue, type CompileJob } from '../src/jit/compile-queue.js';

let nextId = 1;
const job = (priority: number, programId = 1): CompileJob => ({
  id: nextId++, key: `${programId}:${nextId}`, programId, priority, enqueuedAt: performance.now(),
  startedAt: 0, started: false, cancelled: false, controller: new AbortController(),
});

/** A run function that records the order and can be held open. */
function recorder() {
  const order: number[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => { release = r; });
  const run = async (j: CompileJob) => { order.push(j.priority); if (j.priority === -1) await gate; };
  return { order, run, release: () => release() };
}

test('waiting jobs start in priority order, one per worker slot', async (t) => {
  const q = new CompileQueue({ concurrency: 1, maxQueue: 100, onDrop: () => t.fail() });
  const r = recorder();
  q.add(job(-1), r.run); // occupies the only slot
  for (const p of [5, 50, 20, 1, 30]) q.add(job(p), r.run);
  t.is(q.depth, 5);
  t.is(q.inFlight, 1);
  r.release();
  await q.onIdle();
  t.deepEqual(r.order, [-1, 50, 30, 20, 5, 1]);
});

test('setPriority reorders a waiting job', async (t) => {
  const q = new CompileQueue({ concurrency: 1, maxQueue: 100, onDrop: () => t.fail() });
  const r = recorder();
  q.add(job(-1), r.run);
  const low = job(2);
  q.add(job(10), r.run);
  q.add(low, r.run);
  q.setPriority(low, 99);
  r.release();
  await q.onIdle();
  t.deepEqual(r.order, [-1, 99, 10]);
});

test('a full queue drops the coldest job, counts it, and reports it', async (t) => {
  const dropped: number[] = [];
  const q = new CompileQueue({ concurrency: 1, maxQueue: 3, onDrop: (j) => dropped.push(j.priority) });
  const r = recorder();
  q.add(job(-1), r.run);
  q.add(job(10), r.run);
  q.add(job(3), r.run);
  q.add(job(7), r.run);
  t.true(q.add(job(8), r.run), 'the newcomer displaces the coldest');
  t.false(q.add(job(1), r.run), 'a newcomer colder than all waiting jobs is dropped itself');
  t.is(q.depth, 3);
  t.deepEqual(dropped, [3, 1]);
  t.is(q.dropped, 2);
  r.release();
  await q.onIdle();
  t.deepEqual(r.order, [-1, 10, 8, 7]);
});

test('cancel aborts a waiting job and flags a running one', async (t) => {
  const q = new CompileQueue({ concurrency: 1, maxQueue: 10, onDrop: () => t.fail() });
  const r = recorder();
  const running = job(-1);
  const waiting = job(5);
  q.add(running, r.run);
  q.add(waiting, r.run);
  q.cancel(waiting);
  q.cancel(running);
  t.true(waiting.controller.signal.aborted);
  t.false(running.controller.signal.aborted, 'a running job is not torn from its worker');
  t.true(running.cancelled);
  t.is(q.depth, 0);
  r.release();
  await q.onIdle();
  t.deepEqual(r.order, [-1]);
});

test('concurrency follows the worker count', async (t) => {
  const q = new CompileQueue({ concurrency: 1, maxQueue: 10, onDrop: () => t.fail() });
  q.concurrency = 2;
  const r = recorder();
  q.add(job(-1), r.run);
  q.add(job(-1), r.run);
  t.is(q.inFlight, 2);
  r.release();
  await q.onIdle();
  t.throws(() => { q.concurrency = 0; }, { instanceOf: RangeError });
});
