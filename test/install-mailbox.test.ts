import test from 'ava';
import { Worker } from 'node:worker_threads';
import { InstallMailbox, type MailboxEntry } from '../src/jit/install-mailbox.js';
import type { NativeType } from '../src/jit/native.js';

const entry = (jobId: number, returnType: NativeType = 'bool'): MailboxEntry => ({
  jobId, outcome: { kind: 'compiled', handle: jobId * 10, codeSize: 64, returnType, compileMicros: 12.5 }, postedAt: 1e12 + jobId,
});

test('entries come out in order with every field intact', (t) => {
  const box = new InstallMailbox(8);
  t.false(box.hasMail());
  t.true(box.post(entry(1)));
  t.true(box.post(entry(2, 'null')));
  t.true(box.hasMail());
  t.deepEqual(box.take(), entry(1));
  t.deepEqual(box.take(), entry(2, 'null'));
  t.is(box.take(), undefined);
});

test('a full ring refuses the post instead of blocking, and frees slots as they are taken', (t) => {
  const box = new InstallMailbox(4);
  for (let i = 0; i < 4; i++) t.true(box.post(entry(i)));
  t.false(box.post(entry(99)));
  t.is(box.take()?.jobId, 0);
  t.true(box.post(entry(4)));
  const ids: number[] = [];
  for (let e = box.take(); e !== undefined; e = box.take()) ids.push(e.jobId);
  t.deepEqual(ids, [1, 2, 3, 4]);
});

test('the ring wraps around many times', (t) => {
  const box = new InstallMailbox(2);
  for (let i = 0; i < 1000; i++) {
    t.true(box.post(entry(i)));
    if (box.take()?.jobId !== i) return t.fail(`lost entry ${i}`);
  }
  t.pass();
});

test('the capacity must be a power of two', (t) => {
  t.throws(() => new InstallMailbox(3), { instanceOf: RangeError });
  t.throws(() => new InstallMailbox(0), { instanceOf: RangeError });
});

test('two worker threads posting at once lose and duplicate nothing', async (t) => {
  const box = new InstallMailbox(16);
  const perWorker = 5000;
  const url = new URL('./helpers/mailbox-producer.js', import.meta.url);
  const workers = [0, 100_000].map((base) => new Worker(url, { workerData: { buffer: box.buffer, base, count: perWorker } }));
  const exited = workers.map((w) => new Promise<void>((resolve, reject) => { w.on('exit', () => resolve()); w.on('error', reject); }));
  const seen = new Set<number>();
  const lastOf = new Map<number, number>();
  let done = false;
  void Promise.all(exited).then(() => { done = true; });
  while (seen.size < 2 * perWorker) {
    const e = box.take();
    if (e === undefined) {
      if (done && !box.hasMail()) break;
      await new Promise((r) => setImmediate(r));
      continue;
    }
    t.false(seen.has(e.jobId), `duplicate ${e.jobId}`);
    seen.add(e.jobId);
    const producer = e.jobId >= 100_000 ? 1 : 0;
    const i = e.jobId - producer * 100_000;
    t.true(i > (lastOf.get(producer) ?? -1), 'each producer is seen in order');
    lastOf.set(producer, i);
    if (e.outcome.handle !== e.jobId || e.outcome.codeSize !== i || e.outcome.compileMicros !== i / 2) t.fail(`torn entry ${e.jobId}`);
  }
  await Promise.all(exited);
  t.is(seen.size, 2 * perWorker);
});
