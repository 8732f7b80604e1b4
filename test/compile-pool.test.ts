import test from 'ava';
import diagnostics from 'node:diagnostics_channel';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { JitEngine } from '../src/jit/jit-engine.js';
import { liveHandleCount } from '../src/jit/native.js';
import { fnOf, manyFunctions } from './helpers/programs.js';

// Engines share one process-wide native registry, so these tests run one at a time.
const serial = test.serial;

/** A full garbage collection (the test process is not started with --expose-gc). */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

serial('resizing the pool while jobs run and wait lets every one of them finish', async (t) => {
  const failed: unknown[] = [];
  const onFailed = (m: unknown) => failed.push(m);
  diagnostics.subscribe('atlas-jit:failed', onFailed);
  const count = 24;
  const bc = manyFunctions(count);
  const fns = Array.from({ length: count }, (_, i) => fnOf(bc, `f${i}`));
  for (let run = 0; run < 2; run++) {
    // Each compile takes 20 ms, so the resizes land while batches run on the old workers and
    // others wait in the queue.
    const e = await JitEngine.create({ interpretedLeafLimit: 0, workers: 2, compilationThreshold: 1, compileBatchSize: 4, faultInjection: { stallMs: 20 } });
    for (const [i, f] of fns.entries()) {
      e.notifyCall(f.offset, bc, f.end, [1, 1]);
      if (i % 6 === 5) e.workers = 1 + (Math.floor(i / 6) % 3);
    }
    await e.whenIdle();
    const s = e.stats();
    t.is(s.failedCompilations, 0, `run ${run}: no job was lost to a resize`);
    t.is(s.compilations, count);
    t.deepEqual(fns.map((f) => e.notifyCall(f.offset, bc, f.end, [3, 2])), fns.map((_, i) => 6 + i));
    await e.close();
    t.is(e.stats().workerThreads, 0, 'the old pools and the new one are all gone');
  }
  diagnostics.unsubscribe('atlas-jit:failed', onFailed);
  t.deepEqual(failed, []);
});

serial('an engine created and closed over and over leaves nothing behind (memory, threads, handles)', async (t) => {
  const gc = collectGarbage();
  const handles = liveHandleCount();
  let collected = 0;
  const finalized = new FinalizationRegistry(() => collected++);
  const cycle = async () => {
    const e = await JitEngine.create({ interpretedLeafLimit: 0, workers: 1 });
    await e.close();
    finalized.register(e, undefined);
  };
  for (let i = 0; i < 10; i++) await cycle();
  // A leak grows RSS in every batch; the allocator's arenas grow in occasional steps of a few MB
  // (more so while other test files run beside this one). So the smallest batch's growth is
  // what a leak cannot hide from.
  const batches = 4;
  const perBatch = 25;
  const grownMb: number[] = [];
  for (let b = 0; b < batches; b++) {
    gc();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < perBatch; i++) await cycle();
    for (let i = 0; i < 3; i++) {
      await tick(20);
      gc();
    }
    grownMb.push((process.memoryUsage().rss - before) / 2 ** 20);
  }
  const cycles = batches * perBatch;
  const least = Math.min(...grownMb);
  t.log(`RSS growth per batch of ${perBatch} engines: ${grownMb.map((m) => m.toFixed(1)).join(', ')} MB`);
  t.true(collected >= cycles, `${collected} of ${cycles + 10} closed engines collected`);
  // About 0.35 MB per engine while a timer Piscina's close() leaves behind held each pool (its
  // threads' records, its histograms) for 30 s; under 0.02 MB in the quietest batch since.
  t.true(least < perBatch * 0.06, `RSS grew at least ${least.toFixed(1)} MB in every batch`);
  t.is(liveHandleCount(), handles);
});
