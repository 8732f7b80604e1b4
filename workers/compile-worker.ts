/**
 * The Piscina task module: compiles a batch of functions with the native addon. Compiled code
 * is posted to the install mailbox the moment it exists, so the main thread can install it
 * without waiting for its event loop (or for the rest of the batch); the task result carries
 * every other outcome (refusals and errors with their reasons, code a full ring turned away).
 */
import { workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../src/jit/native.js';
import { compileOutcome, crossThreadNow, type Compiled, type JobOutcome } from '../src/jit/compile-outcome.js';
import { InstallMailbox } from '../src/jit/install-mailbox.js';
import { decodeJobs } from '../src/jit/batch-codec.js';
import type { BatchAnswer, CompileWorkerData, FaultInjection, FunctionJob, WorkerTask } from '../src/jit/compile-protocol.js';

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
  const answer: JobOutcome[] = [];
  for (const job of decodeJobs(task.jobs)) {
    injectFault(task.fault, job);
    const sent: JobOutcome = { jobId: job.jobId, outcome: compileOutcome(job, task.optLevel), postedAt: crossThreadNow() };
    // Compiled code goes to the mailbox, to be installed without waiting for this answer.
    if (!(isCompiled(sent) && mailbox.post(sent))) answer.push(sent);
  }
  return answer;
}

function isCompiled(sent: JobOutcome): sent is JobOutcome<Compiled> {
  return sent.outcome.kind === 'compiled';
}

function mailboxFor(buffer: SharedArrayBuffer): InstallMailbox {
  let mailbox = mailboxes.get(buffer);
  if (mailbox === undefined) {
    mailbox = new InstallMailbox(buffer);
    mailboxes.set(buffer, mailbox);
  }
  return mailbox;
}

function injectFault(fault: FaultInjection | undefined, job: FunctionJob): void {
  if (fault === undefined || (fault.onlyFunction !== undefined && fault.onlyFunction !== job.name)) return;
  if (fault.stallMs !== undefined) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, fault.stallMs);
  if (fault.crash === 'exit') process.exit(70);
  if (fault.crash === 'throw') throw new Error('injected compile worker fault');
}
