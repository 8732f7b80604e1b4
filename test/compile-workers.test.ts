// Compile workers started ahead of their engine (src/jit/compile-workers.ts): what `atlas-jit
// run` does for a program still running after its first slice. They boot without the event
// loop, the engine created later adopts them (no second pool), settings must match, and
// workers no engine adopted can be stopped.
import test from 'ava';
import { CompileWorkers } from '../src/jit/compile-workers.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { Vm } from '../src/vm/index.js';
import { callsFromLoop, program } from './helpers/programs.js';
import { waitWithoutYielding } from './helpers/sync-wait.js';

const serial = test.serial;

const CALLS = program(callsFromLoop(20_000));

serial('workers started ahead boot without the event loop, and the engine created then adopts them', async (t) => {
  const config = { workers: 1, warmUp: false, interpretedLeafLimit: 0, osrThreshold: 1e9 };
  const workers = CompileWorkers.start(config);
  t.false(workers.ready, 'a worker takes tens of milliseconds to boot');
  t.true(waitWithoutYielding(() => workers.ready));
  const engine = await JitEngine.create(config, { workers });
  try {
    t.true(engine.workersReady);
    const lines: string[] = [];
    new Vm(CALLS, { jit: engine, stdout: (line) => lines.push(line) }).run();
    await engine.whenIdle();
    t.like(engine.functions().find((f) => f.name === 'step'), { state: 'compiled' });
    // The compile ran on the adopted workers: still the one thread, no second pool.
    t.is(engine.stats().workerThreads, 1);
    const expected: string[] = [];
    new Vm(CALLS, { stdout: (line) => expected.push(line) }).run();
    t.deepEqual(lines, expected);
    t.throws(() => workers.close(), { message: /belong to an engine/ });
  } finally {
    await engine.close();
  }
  t.is(workers.pool.threadCount, 0, "the engine's close stopped them");
});

serial('an engine refuses workers started with other worker settings, and workers serve one engine', async (t) => {
  const workers = CompileWorkers.start({ workers: 1, warmUp: false });
  await t.throwsAsync(JitEngine.create({ workers: 2, warmUp: false }, { workers }), { instanceOf: RangeError, message: /other worker settings/ });
  await t.throwsAsync(JitEngine.create({ workers: 1, warmUp: false, mailboxCapacity: 512 }, { workers }), { instanceOf: RangeError });
  const engine = await JitEngine.create({ workers: 1, warmUp: false, compilationThreshold: 5 }, { workers });
  try {
    await t.throwsAsync(JitEngine.create({ workers: 1, warmUp: false }, { workers }), { message: /already belong to an engine/ });
  } finally {
    await engine.close();
  }
});

serial('workers no engine adopted stop when closed', async (t) => {
  const workers = CompileWorkers.start({ workers: 1, warmUp: false });
  t.is(workers.pool.threadCount, 1);
  await workers.close();
  t.is(workers.pool.threadCount, 0);
});
