// Native recursion never overflows the machine stack of the thread that calls it: its budget
// is what the thread really has left, and running out bails out to the interpreter (whose
// frames live on the heap), which gives the result.
import test from 'ava';
import { Worker } from 'node:worker_threads';

interface Answer {
  readonly compiled: boolean;
  readonly result: unknown;
  readonly bailouts: number;
  readonly jitExecutions: number;
}

function runInWorker(depth: number, stackSizeMb: number): Promise<{ answer: Answer | undefined; exitCode: number }> {
  const worker = new Worker(new URL('./helpers/deep-recursion-worker.js', import.meta.url), { workerData: { depth }, resourceLimits: { stackSizeMb } });
  let answer: Answer | undefined;
  worker.on('message', (message: Answer) => {
    answer = message;
  });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (exitCode) => resolve({ answer, exitCode }));
  });
}

test('a worker with half a megabyte of stack runs a deep native recursion without crashing', async (t) => {
  const { answer, exitCode } = await runInWorker(50_000, 0.5);
  t.is(exitCode, 0);
  t.like(answer, { compiled: true, result: 50_000 });
  t.true((answer?.bailouts ?? 0) >= 1, 'the native run bailed out where the stack ran short');
});
