/**
 * The Piscina task module: compiles a batch of functions with the native addon. Each outcome
 * is posted to the install mailbox the moment it exists, so the main thread can install it
 * without waiting for its event loop (or for the rest of the batch); the task result adds
 * what the mailbox cannot carry (refusal reasons, outcomes a full ring turned away).
 */
import { workerData } from 'node:worker_threads';
import { compileFunction, lowerThreadPriority } from '../src/jit/native.js';
import { InstallMailbox } from '../src/jit/install-mailbox.js';
import { decodeJobs } from '../src/jit/batch-codec.js';
import { type BatchAnswer, type CompileBatch, type CompileResponse, type CompileWorkerData, type FaultInjection, type FunctionJob, type WorkerTask, RETURN_TYPE_CODES } from '../src/jit/compile-job.js';

const mailboxes = new WeakMap<SharedArrayBuffer, InstallMailbox>();

lowerPriority((workerData as Partial<CompileWorkerData> | undefined)?.threadPriority ?? 'normal');

/** Before any compile: this thread only competes for CPU time as configured. */
function lowerPriority(priority: CompileWorkerData['threadPriority']): void {
  try {
    lowerThreadPriority(priority);
  } catch {
    // The OS refused (no such policy here, or a sandbox): compile at normal priority.
  }
}

export default function compileTask(task: WorkerTask): BatchAnswer | null {
  // Importing this module already loaded the addon; a warm-up only proves the worker is up.
  if ('warmUp' in task) return null;
  const mailbox = mailboxFor(task.mailbox);
  const answer: CompileResponse[] = [];
  for (const job of decodeJobs(task.jobs)) {
    injectFault(task.fault, job);
    const response = compile(job, task);
    if (!post(mailbox, response) || response.outcome !== 'compiled') answer.push(response);
  }
  return answer;
}

function compile(job: FunctionJob, batch: CompileBatch): CompileResponse {
  const { jobId } = job;
  try {
    const outcome = compileFunction(job, batch.optLevel);
    if (outcome.ok) {
      const { handle, codeSize, returnType, compileMicros } = outcome;
      return { jobId, outcome: 'compiled', handle, codeSize, returnType, compileMicros };
    }
    return { jobId, outcome: 'refused', refusal: outcome.refusal, compileMicros: 0 };
  } catch (error) {
    // Malformed input or an addon failure: the function falls back to the interpreter.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { jobId, outcome: 'error', message };
  }
}

function mailboxFor(buffer: SharedArrayBuffer): InstallMailbox {
  let mailbox = mailboxes.get(buffer);
  if (mailbox === undefined) {
    mailbox = new InstallMailbox(buffer);
    mailboxes.set(buffer, mailbox);
  }
  return mailbox;
}

/** Posts to the mailbox; false when the ring is full (the task result then carries it). */
function post(mailbox: InstallMailbox, response: CompileResponse): boolean {
  const compiled = response.outcome === 'compiled' ? response : undefined;
  return mailbox.post({
    jobId: response.jobId,
    outcome: response.outcome,
    handle: compiled?.handle ?? 0,
    codeSize: compiled?.codeSize ?? 0,
    returnTypeCode: compiled === undefined ? 0 : RETURN_TYPE_CODES.indexOf(compiled.returnType),
    compileMicros: response.outcome === 'error' ? 0 : response.compileMicros,
    postedAt: performance.timeOrigin + performance.now(),
  });
}

function injectFault(fault: FaultInjection | undefined, job: FunctionJob): void {
  if (fault === undefined || (fault.onlyFunction !== undefined && fault.onlyFunction !== job.name)) return;
  if (fault.stallMs !== undefined) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, fault.stallMs);
  if (fault.crash === 'exit') process.exit(70);
  if (fault.crash === 'throw') throw new Error('injected compile worker fault');
}
