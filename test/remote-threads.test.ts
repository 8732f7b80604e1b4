// close() leaves no thread behind: the process's OS threads (Linux /proc/self/task) come
// back to the count before the spawn, including the runtime worker's own compile workers,
// which the main thread cannot see otherwise. Serial, and alone in this file, so that no
// other test's threads come and go meanwhile.
import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { spawnRuntime } from '../src/remote/index.js';

const serial = existsSync('/proc/self/task') ? test.serial : test.serial.skip;

function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}

/** Threads end asynchronously after `terminate()` resolves; give them a moment. */
async function settlesAt(expected: number): Promise<number> {
  const deadline = Date.now() + 2000;
  while (threadCount() !== expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return threadCount();
}

function handles(): string[] {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'MessagePort' || kind === 'Worker');
}

const TWO_FUNCTIONS = `
fn inc(x: number) -> number { return x + 1; }
fn dbl(x: number) -> number { return x * 2; }
`;

serial('a runtime with compile workers leaves no thread after close()', async (t) => {
  const before = threadCount();
  const rt = await spawnRuntime({ jit: { interpretedLeafLimit: 0, workers: 2, compilationThreshold: 2 }, stdout: () => undefined });
  await rt.load(TWO_FUNCTIONS, 'two.atlas');
  await rt.run();
  for (let i = 0; i < 4; i++) {
    await rt.call('inc', i);
    await rt.call('dbl', i);
  }
  const deadline = Date.now() + 10_000;
  while ((await rt.stats()).jit!.compilations < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  const { jit } = await rt.stats();
  t.is(jit!.compilations, 2);
  t.true(jit!.workerThreads >= 1);
  t.true(threadCount() >= before + 1 + jit!.workerThreads, 'the runtime thread and its compile workers are OS threads of this process');
  await rt.close();
  t.is(await settlesAt(before), before);
  t.deepEqual(handles(), []);
});

serial('closing during a runaway script leaves no thread', async (t) => {
  const before = threadCount();
  const rt = await spawnRuntime({ jit: { interpretedLeafLimit: 0, workers: 1 }, stdout: () => undefined });
  await rt.load('while (true) { }', 'spin.atlas');
  const running = rt.run().catch((error: unknown) => error);
  await new Promise((resolve) => setTimeout(resolve, 30));
  await rt.close();
  t.is((await running as Error).name, 'AtlasInterrupted');
  t.is(await settlesAt(before), before);
  t.deepEqual(handles(), []);
});

serial('a failed spawn leaves no thread', async (t) => {
  const before = threadCount();
  await t.throwsAsync(spawnRuntime({ jit: { interpretedLeafLimit: 0, cacheSizeLimit: -1 } }), { instanceOf: RangeError });
  t.is(await settlesAt(before), before);
  t.deepEqual(handles(), []);
});

serial('many spawn/close cycles do not accumulate threads', async (t) => {
  const before = threadCount();
  for (let i = 0; i < 5; i++) {
    const rt = await spawnRuntime({ jit: i % 2 === 0 ? { workers: 1 } : false, stdout: () => undefined });
    await rt.load('1 + 1;', 'one.atlas');
    t.is(await rt.run(), 2);
    await rt.close();
  }
  t.is(await settlesAt(before), before);
});
