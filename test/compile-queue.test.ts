import test from 'ava';
import { CompileQueue, type CompileJob, type CompileQueueOptions } from '../src/jit/compile-queue.js';

let nextId = 1;
const job = (priority: number): CompileJob => ({
  id: nextId++, priority, enqueuedAt: performance.now(), startedAt: 0, state: 'waiting', cancelled: false,
});

/**
 * A queue whose runner records each batch's priorities; a batch holding a job of priority
 * -1 stays open until `release()`, so the tests can build up a backlog behind it.
 */
function setup(options: Partial<Omit<CompileQueueOptions, 'run'>> = {}) {
  const batches: number[][] = [];
  const dropped: number[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => { release = r; });
  const q = new CompileQueue({
    concurrency: 1, maxQueue: 100, batchSize: 1, onDrop: (j) => dropped.push(j.priority), ...options,
    run: async (batch) => {
      batches.push(batch.map((j) => j.priority));
      if (batch.some((j) => j.priority === -1)) await gate;
    },
  });
  return { q, batches, dropped, order: () => batches.flat(), release: () => release() };
}

test('waiting jobs start hottest first, one batch per worker slot', async (t) => {
  const { q, order, release } = setup();
  q.add(job(-1)); // occupies the only slot
  for (const p of [5, 50, 20, 1, 30]) q.add(job(p));
  t.is(q.depth, 5);
  t.is(q.inFlight, 1);
  release();
  await q.onIdle();
  t.deepEqual(order(), [-1, 50, 30, 20, 5, 1]);
  t.is(q.depth, 0);
  t.is(q.inFlight, 0);
});

test('setPriority reorders a waiting job; a started job keeps its priority', async (t) => {
  const { q, order, release } = setup();
  const blocker = job(-1);
  q.add(blocker);
  const low = job(2);
  q.add(job(10));
  q.add(low);
  q.setPriority(low, 99);
  q.setPriority(blocker, 1000);
  t.is(blocker.priority, -1);
  release();
  await q.onIdle();
  t.deepEqual(order(), [-1, 99, 10]);
});

test('a full queue drops the coldest job, counts it, and reports it', async (t) => {
  const { q, order, dropped, release } = setup({ maxQueue: 3 });
  q.add(job(-1));
  q.add(job(10));
  q.add(job(3));
  q.add(job(7));
  t.true(q.add(job(8)), 'the newcomer displaces the coldest');
  t.false(q.add(job(1)), 'a newcomer colder than all waiting jobs is dropped itself');
  t.is(q.depth, 3);
  t.deepEqual(dropped, [3, 1]);
  t.is(q.dropped, 2);
  release();
  await q.onIdle();
  t.deepEqual(order(), [-1, 10, 8, 7]);
});

test('cancel removes a waiting job and flags a running one', async (t) => {
  const { q, order, release } = setup();
  const running = job(-1);
  const waiting = job(5);
  q.add(running);
  q.add(waiting);
  q.cancel(waiting);
  q.cancel(running);
  t.true(running.cancelled, 'a running job is not torn from its worker, only flagged');
  t.is(q.depth, 0);
  release();
  await q.onIdle();
  t.deepEqual(order(), [-1]);
});

test('a started job takes the hottest waiting jobs along, up to the batch size', async (t) => {
  const { q, batches, release } = setup({ batchSize: 3 });
  q.add(job(-1));
  const cancelled = job(90);
  for (const p of [5, 50, 20, 1, 30, 40]) q.add(job(p));
  q.add(cancelled);
  q.cancel(cancelled);
  t.is(q.depth, 6);
  release();
  await q.onIdle();
  t.deepEqual(batches, [[-1], [50, 40, 30], [20, 5, 1]]);
});

test('with two workers a batch takes its share of what waits, not all of it', async (t) => {
  const { q, batches, release } = setup({ concurrency: 2, batchSize: 64 });
  q.add(job(-1));
  q.add(job(-1));
  for (let p = 1; p <= 10; p++) q.add(job(p));
  release();
  await q.onIdle();
  t.deepEqual(batches.slice(0, 2), [[-1], [-1]]);
  t.deepEqual(batches[2], [10, 9, 8, 7, 6], 'half of the 10 waiting, hottest first');
  t.deepEqual(batches[3], [5, 4, 3], 'the other worker takes half of the rest');
  t.deepEqual(batches.slice(4).flat().sort((a, b) => b - a), [2, 1]);
});

test('concurrency follows the worker count, also when raised with work waiting', async (t) => {
  const { q, release } = setup();
  q.add(job(-1));
  q.add(job(-1));
  t.is(q.inFlight, 1);
  q.concurrency = 2;
  t.is(q.inFlight, 2);
  release();
  await q.onIdle();
  t.throws(() => { q.concurrency = 0; }, { instanceOf: RangeError });
  t.throws(() => { q.maxQueue = 0; }, { instanceOf: RangeError });
});
