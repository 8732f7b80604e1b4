import test from 'ava';
import { HotspotTracker } from '../src/jit/hotspot-tracker.js';

test('a function becomes hot exactly once, at the threshold', (t) => {
  const tracker = new HotspotTracker(3);
  const rec = tracker.track('1:10');
  t.false(tracker.recordCall(rec));
  t.false(tracker.recordCall(rec));
  t.false(tracker.isHot('1:10'));
  t.true(tracker.recordCall(rec));
  t.true(tracker.isHot('1:10'));
  t.is(rec.state, 'queued');
  t.false(tracker.recordCall(rec), 'never enqueued twice');
  t.is(rec.calls, 4, 'counts keep growing while queued');
});

test('the threshold can change at run time and is validated', (t) => {
  const tracker = new HotspotTracker();
  t.is(tracker.threshold, 100);
  const rec = tracker.track('k');
  for (let i = 0; i < 5; i++) tracker.recordCall(rec);
  tracker.threshold = 6;
  t.true(tracker.recordCall(rec));
  t.throws(() => { tracker.threshold = 0; }, { instanceOf: RangeError });
  t.throws(() => new HotspotTracker(1.5), { instanceOf: RangeError });
});

test('markFailed is a permanent fallback; markCompiled stops counting towards a job', (t) => {
  const tracker = new HotspotTracker(1);
  const a = tracker.track('a');
  const b = tracker.track('b');
  tracker.markFailed('a');
  t.false(tracker.recordCall(a));
  t.false(tracker.recordCall(a));
  t.is(a.state, 'failed');
  t.true(tracker.recordCall(b));
  tracker.markCompiled('b');
  t.false(tracker.recordCall(b));
  t.is(tracker.countIn('compiled'), 1);
  t.is(tracker.countIn('failed'), 1);
});

test('pendingCompilations lists queued functions hottest first', (t) => {
  const tracker = new HotspotTracker(1);
  const counts = { a: 5, b: 50, c: 20, d: 1 };
  for (const [key, n] of Object.entries(counts)) {
    const rec = tracker.track(key);
    for (let i = 0; i < n; i++) tracker.recordCall(rec);
  }
  tracker.markCompiled('d');
  t.deepEqual(tracker.pendingCompilations().map((r) => r.key), ['b', 'c', 'a']);
  tracker.markCold('c');
  t.deepEqual(tracker.pendingCompilations().map((r) => r.key), ['b', 'a']);
});

test('forget and reset drop records', (t) => {
  const tracker = new HotspotTracker(1);
  tracker.track('1:3');
  tracker.track('1:9');
  tracker.track('2:3');
  tracker.forget((k) => k.startsWith('1:'));
  t.is(tracker.size, 1);
  tracker.reset();
  t.is(tracker.size, 0);
});
