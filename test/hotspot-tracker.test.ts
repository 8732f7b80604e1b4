import test from 'ava';
import { coldRecord, countIn, HotspotTracker, pendingCompilations } from '../src/jit/hotspot-tracker.js';

test('a function becomes hot exactly once, at the threshold', (t) => {
  const tracker = new HotspotTracker(3);
  const rec = coldRecord();
  t.false(tracker.recordCall(rec));
  t.false(tracker.recordCall(rec));
  t.false(tracker.isHot(rec));
  t.true(tracker.recordCall(rec));
  t.true(tracker.isHot(rec));
  t.is(rec.state, 'queued');
  t.false(tracker.recordCall(rec), 'never enqueued twice');
  t.is(rec.calls, 4, 'counts keep growing while queued');
});

test('the threshold can change at run time and is validated', (t) => {
  const tracker = new HotspotTracker();
  t.is(tracker.threshold, 100);
  const rec = coldRecord();
  for (let i = 0; i < 5; i++) tracker.recordCall(rec);
  tracker.threshold = 6;
  t.true(tracker.recordCall(rec));
  t.throws(() => { tracker.threshold = 0; }, { instanceOf: RangeError });
  t.throws(() => new HotspotTracker(1.5), { instanceOf: RangeError });
});

test('markFailed is a permanent fallback; markCompiled stops counting towards a job', (t) => {
  const tracker = new HotspotTracker(1);
  const a = coldRecord();
  const b = coldRecord();
  tracker.markFailed(a);
  t.false(tracker.recordCall(a));
  t.false(tracker.recordCall(a));
  t.is(a.state, 'failed');
  t.true(tracker.recordCall(b));
  tracker.markCompiled(b);
  t.false(tracker.recordCall(b));
  t.is(countIn([a, b], 'compiled'), 1);
  t.is(countIn([a, b], 'failed'), 1);
});

test('pendingCompilations lists queued functions hottest first', (t) => {
  const tracker = new HotspotTracker(1);
  const counts = { a: 5, b: 50, c: 20, d: 1 };
  const records = new Map(Object.keys(counts).map((key) => [key, { key, ...coldRecord() }]));
  for (const [key, n] of Object.entries(counts)) {
    const rec = records.get(key)!;
    for (let i = 0; i < n; i++) tracker.recordCall(rec);
  }
  tracker.markCompiled(records.get('d')!);
  t.deepEqual(pendingCompilations(records.values()).map((r) => r.key), ['b', 'c', 'a']);
  tracker.markCold(records.get('c')!);
  t.deepEqual(pendingCompilations(records.values()).map((r) => r.key), ['b', 'a']);
});

test('markCold only returns a queued function to cold; an eviction starts the count over', (t) => {
  const tracker = new HotspotTracker(2);
  const rec = coldRecord();
  tracker.recordCall(rec);
  tracker.recordCall(rec);
  tracker.markCompiled(rec);
  tracker.markCold(rec);
  t.is(rec.state, 'compiled', 'compiled code is not taken back by markCold');
  tracker.markEvicted(rec);
  t.is(rec.state, 'cold');
  t.is(rec.calls, 0);
  t.false(tracker.recordCall(rec));
  t.true(tracker.recordCall(rec), 'hot again after another threshold of calls');
});
