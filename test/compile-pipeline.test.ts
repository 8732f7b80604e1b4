import test from 'ava';
import type { JobOutcome } from '../src/jit/compile-outcome.js';
import { CompilePipeline, type PipelineJob } from '../src/jit/compile-pipeline.js';
import { resolveConfig } from '../src/jit/jit-config.js';
import { LatencyRecorder } from '../src/jit/latency-recorder.js';
import { liveHandleCount, releaseHandle } from '../src/jit/native.js';
import { ProgramRegistry, type FunctionRecord } from '../src/jit/program-registry.js';
import { fnOf, manyFunctions } from './helpers/programs.js';

// One process-wide native registry: handle counts are only meaningful one test at a time.
const serial = test.serial;

function setup(functions: number) {
  const bc = manyFunctions(functions);
  const program = new ProgramRegistry().get(bc);
  const records = Array.from({ length: functions }, (_, i) => program.track(fnOf(bc, `f${i}`).fn));
  const settled: Array<[PipelineJob, JobOutcome]> = [];
  const pipeline = new CompilePipeline(resolveConfig({ workers: 1, compileBatchSize: 1 }), new LatencyRecorder(), {
    prepare: (fn: FunctionRecord, jobId: number) => ({
      jobId, name: fn.fn.name, code: bc.code, constants: bc.constants, start: fn.fn.offset, end: fn.end,
      arity: fn.fn.arity, localCount: fn.fn.localCount, callees: [], calls: new Map(),
      entry: fn.fn.offset, entryKinds: Array(fn.fn.arity).fill('number'), sideExits: false, globals: { kinds: [], slots: new Map() }, calleeGlobals: [], builtinGlobals: new Map(),
    }),
    settled: (job, sent) => {
      settled.push([job, sent]);
      if (sent.outcome.kind === 'compiled') releaseHandle(sent.outcome.handle);
    },
    dropped: () => {},
    retried: () => {},
  });
  return { pipeline, records, settled };
}

serial('a job goes waiting → running → settled, and reports its outcome once', async (t) => {
  const { pipeline, records: [a, b], settled } = setup(2);
  pipeline.enqueue(a!);
  pipeline.enqueue(b!);
  const jobA = a!.job!;
  const jobB = b!.job!;
  t.is(jobA.state, 'running', 'the free worker took the first job at once');
  t.is(jobB.state, 'waiting', 'the second waits for the only worker');
  await pipeline.whenIdle();
  t.is(jobA.state, 'settled');
  t.is(jobB.state, 'settled');
  t.is(a!.job, undefined, 'a settled job leaves its function');
  t.deepEqual(settled.map(([job, sent]) => [job.id, sent.jobId, sent.outcome.kind]), [[jobA.id, jobA.id, 'compiled'], [jobB.id, jobB.id, 'compiled']]);
  await pipeline.close();
});

serial('cancelling settles a waiting job at once; a running one settles when its code comes, which is released', async (t) => {
  const { pipeline, records: [a, b], settled } = setup(2);
  const handlesBefore = liveHandleCount();
  pipeline.enqueue(a!);
  pipeline.enqueue(b!);
  const running = a!.job!;
  const waiting = b!.job!;
  pipeline.cancel(a!);
  pipeline.cancel(b!);
  t.is(waiting.state, 'settled');
  t.is(running.state, 'running', 'a worker is not interrupted');
  await pipeline.whenIdle();
  t.is(running.state, 'settled');
  t.deepEqual(settled, [], 'a cancelled job reports nothing');
  t.is(liveHandleCount(), handlesBefore, 'the cancelled job\'s code was released');
  await pipeline.close();
});
