// Statistics of a busy remote runtime: the shared-memory board on its own (publish, read,
// requests answered or timed out), and `stats()` of a runtime whose worker is stuck in a long
// call, which must answer before the call ends, with figures from inside it.
import test from 'ava';
import { spawnRuntime, type RemoteRuntime, AtlasInterrupted } from '../src/remote/index.js';
import type { RuntimeStats } from '../src/remote/runtime-api.js';
import { StatsBoard } from '../src/remote/stats-board.js';

const spawned: RemoteRuntime[] = [];
test.after.always(() => Promise.all(spawned.map((rt) => rt.close())));

function figures(calls: number): RuntimeStats {
  return { jit: null, runtime: { loads: 1, runs: 1, calls, errors: 0, interrupted: 0 } };
}

test('the board: nothing before the first snapshot, then the last one published, intact', (t) => {
  const board = new StatsBoard();
  t.is(board.read(), undefined);
  t.true(board.publish(figures(1)));
  t.true(board.publish(figures(2)));
  const reader = new StatsBoard(board.buffer);
  t.deepEqual(reader.read(), figures(2));
  t.false(new StatsBoard(new SharedArrayBuffer(64)).publish(figures(3)), 'a snapshot that does not fit is not published');
  t.throws(() => new StatsBoard(new ArrayBuffer(1024) as never), { instanceOf: TypeError });
});

test('the board: a request is seen by the runtime side, and answered; unanswered, it times out with the last snapshot', async (t) => {
  const runtimeSide = new StatsBoard();
  const readerSide = new StatsBoard(runtimeSide.buffer);
  runtimeSide.publish(figures(1));
  t.false(runtimeSide.requested);
  const started = performance.now();
  t.deepEqual(await readerSide.request(30), figures(1), 'nobody answered: the last snapshot');
  t.true(performance.now() - started >= 25);
  t.true(runtimeSide.requested);
  const answered = readerSide.request(60_000);
  runtimeSide.publish(figures(2));
  t.deepEqual(await answered, figures(2));
  t.false(runtimeSide.requested);
});

test('the board: a runtime waiting for requests wakes on one', async (t) => {
  const runtimeSide = new StatsBoard();
  const seen = runtimeSide.requests;
  const woken = runtimeSide.nextRequest(seen);
  const answer = new StatsBoard(runtimeSide.buffer).request(60_000);
  await woken;
  t.true(runtimeSide.requested);
  runtimeSide.publish(figures(7));
  t.deepEqual(await answer, figures(7));
});

const BUSY = `
fn step(n: number) -> number { return n + 1; }
var i = 0;
fn spin() -> number { while (true) { i = step(i); } return i; }
`;

test('stats() answers while a long call runs, with live figures; interrupt() ends the call', async (t) => {
  // The loop stays interpreted (no OSR): it reaches safepoints, where the worker publishes.
  const rt = await spawnRuntime({ jit: { interpretedLeafLimit: 0, workers: 1, compilationThreshold: 100, osrThreshold: 1_000_000_000 }, stdout: () => undefined });
  spawned.push(rt);
  await rt.load(BUSY, 'busy.atlas');
  await rt.run();
  let callEnded = false;
  const running = rt.call('spin');
  running.then(
    () => {
      callEnded = true;
    },
    () => {
      callEnded = true;
    },
  );
  // The call never ends by itself: every answer below came while it ran (or before the
  // worker started it: then the call is not counted yet).
  let stats = await rt.stats();
  const deadline = Date.now() + 30_000;
  while (stats.jit!.jitExecutions === 0) {
    if (Date.now() > deadline) throw new Error('step never ran natively according to stats()');
    await new Promise((resolve) => setTimeout(resolve, 5));
    stats = await rt.stats();
  }
  t.false(callEnded);
  t.is(stats.runtime.calls, 1, 'the running call is counted');
  t.is(stats.jit!.compilations, 1, 'step was compiled and installed during the call, and stats() saw it');
  const later = await rt.stats();
  t.true(later.jit!.jitExecutions >= stats.jit!.jitExecutions, 'the figures move on');
  await rt.interrupt();
  await t.throwsAsync(running, { instanceOf: AtlasInterrupted });
  const after = await rt.stats();
  t.is(after.runtime.interrupted, 1, 'once idle, stats() is exact again');
  await rt.close();
});

test('stats() of a busy runtime without a JIT', async (t) => {
  const rt = await spawnRuntime({ jit: false, stdout: () => undefined });
  spawned.push(rt);
  await rt.load('var i = 0; while (true) { i = i + 1; }', 'loop.atlas');
  const running = rt.run();
  const first = await Promise.race([running.then(() => 'run', () => 'run'), rt.stats().then(() => 'stats')]);
  t.is(first, 'stats');
  let stats = await rt.stats();
  const deadline = Date.now() + 30_000;
  while (stats.runtime.runs === 0) {
    if (Date.now() > deadline) throw new Error('the run never started according to stats()');
    await new Promise((resolve) => setTimeout(resolve, 5));
    stats = await rt.stats();
  }
  t.like(stats, { jit: null, runtime: { loads: 1, runs: 1 } });
  await rt.interrupt();
  await t.throwsAsync(running, { instanceOf: AtlasInterrupted });
  await rt.close();
});
