import test from 'ava';
import diagnostics from 'node:diagnostics_channel';
import { JitEngine } from '../src/jit/jit-engine.js';
import type { JitConfig } from '../src/jit/jit-config.js';
import { liveHandleCount } from '../src/jit/native.js';
import { fnOf, manyFunctions } from './helpers/programs.js';

// Engines share one process-wide native registry, so these tests run one at a time.
const serial = test.serial;

const FUNCTIONS = 12;

function listen(channel: string): { events: Array<Record<string, unknown>>; stop: () => void } {
  const events: Array<Record<string, unknown>> = [];
  const handler = (m: unknown) => events.push(m as Record<string, unknown>);
  diagnostics.subscribe(channel, handler);
  return { events, stop: () => diagnostics.unsubscribe(channel, handler) };
}

/**
 * Makes f0..f{FUNCTIONS-1} hot in one synchronous turn on a one-worker engine whose worker
 * stalls on f0, so that every other function waits and they go together in the next batch;
 * f5 is the one the fault injection makes misbehave. Returns what happened.
 */
async function batchWithOneBadFunction(config: JitConfig) {
  const handlesBefore = liveHandleCount();
  const failed = listen('atlas-jit:failed');
  const queued = listen('atlas-jit:queued');
  const e = await JitEngine.create({ interpretedLeafLimit: 0, workers: 1, compilationThreshold: 1, ...config });
  const bc = manyFunctions(FUNCTIONS);
  const fns = Array.from({ length: FUNCTIONS }, (_, i) => fnOf(bc, `f${i}`));
  for (const f of fns) e.notifyCall(f.offset, bc, f.end, [1, 1]);
  await e.whenIdle();
  const results = fns.map((f) => e.notifyCall(f.offset, bc, f.end, [3, 2]));
  const stats = e.stats();
  await e.close();
  failed.stop();
  queued.stop();
  return { stats, results, failed: failed.events, retried: queued.events.filter((ev) => ev.reason !== undefined), handlesLeft: liveHandleCount() - handlesBefore };
}

/** Everything but f5 compiled and runs natively; f5 alone failed, and the trace says why. */
function assertOnlyF5Blamed(t: import('ava').ExecutionContext, outcome: Awaited<ReturnType<typeof batchWithOneBadFunction>>, cause: RegExp): void {
  const { stats, results, failed, retried, handlesLeft } = outcome;
  t.is(stats.failedCompilations, 1, 'only the culprit failed');
  t.is(stats.compilations, FUNCTIONS - 1, 'every batch-mate was compiled');
  t.deepEqual(results, results.map((_, i) => (i === 5 ? undefined : 6 + i)), 'batch-mates run natively, the culprit is interpreted');
  t.deepEqual(failed.map((ev) => ev.name), ['f5']);
  t.regex(String(failed[0]!.reason), /while compiling this function/);
  t.regex(String(failed[0]!.reason), cause);
  t.true(stats.retriedJobs >= 1, 'the batch-mates after it were retried');
  t.is(retried.length, stats.retriedJobs);
  for (const ev of retried) t.regex(String(ev.reason), /retried: compile worker failed while compiling f5/);
  t.false(retried.some((ev) => ev.name === 'f5'), 'the culprit is not retried');
  t.is(handlesLeft, 0);
}

serial('a worker that exits in the middle of a batch fails only the function it was compiling', async (t) => {
  const outcome = await batchWithOneBadFunction({ faultInjection: { stallMs: 200, stallFunction: 'f0', crash: 'exit', onlyFunction: 'f5' } });
  assertOnlyF5Blamed(t, outcome, /exited with code: 70/);
});

serial('a worker that throws in the middle of a batch fails only the function it was compiling', async (t) => {
  const outcome = await batchWithOneBadFunction({ faultInjection: { stallMs: 200, stallFunction: 'f0', crash: 'throw', onlyFunction: 'f5' } });
  assertOnlyF5Blamed(t, outcome, /injected compile worker fault/);
});

serial('a compile that hangs past the timeout fails only its function; its batch-mates compile on a new worker', async (t) => {
  const outcome = await batchWithOneBadFunction({ compileTimeoutMs: 1000, faultInjection: { stallMs: 200, stallFunction: 'f0', crash: 'hang', onlyFunction: 'f5' } });
  assertOnlyF5Blamed(t, outcome, /timed out/);
});

serial('a worker that dies at every function fails each function once, as it compiles it', async (t) => {
  const { stats, failed } = await batchWithOneBadFunction({ faultInjection: { crash: 'exit' } });
  t.is(stats.compilations, 0);
  t.is(stats.failedCompilations, FUNCTIONS, 'each function fails once, none goes round for ever');
  t.is(failed.length, FUNCTIONS);
});
