/**
 * The Piscina task module of a compile worker. Its one task is a compile session (see
 * `CompileSessionRequest`): it sleeps on the session's control words until the main thread
 * posts a batch, takes the batch from its port synchronously, compiles each function with the
 * addon and leaves each outcome for the main thread the moment it exists — compiled code in
 * the install mailbox, anything else (refusals and errors with their reasons, code a full ring
 * turned away) on the outcome port — and rings the mailbox's doorbell; after a batch it counts
 * it done and rings the done bell. No step waits for the
 * main thread's event loop, so a program that never yields keeps its compiles flowing.
 */
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { lowerThreadPriority } from '../src/jit/native.js';
import { compileOutcome, crossThreadNow, type Compiled, type JobOutcome } from '../src/jit/compile-outcome.js';
import { InstallMailbox } from '../src/jit/install-mailbox.js';
import { decodeJobs } from '../src/jit/batch-codec.js';
import { SessionWord, type CompileBatch, type CompileSessionRequest, type CompileWorkerData, type FaultInjection, type FunctionJob } from '../src/jit/compile-protocol.js';

lowerPriority((workerData as Partial<CompileWorkerData> | undefined)?.threadPriority ?? 'normal');

/** Before any compile: this thread only competes for CPU time as configured. */
function lowerPriority(priority: CompileWorkerData['threadPriority']): void {
  try {
    lowerThreadPriority(priority);
  } catch {
    // The OS refused (no such policy here, or a sandbox): compile at normal priority.
  }
}

/** Runs a session until the main thread stops it; batches posted before the stop are compiled. */
export default function compileSession(session: CompileSessionRequest): null {
  const control = new Int32Array(session.control);
  const mailbox = new InstallMailbox(session.mailbox);
  Atomics.store(control, SessionWord.STARTED, 1);
  mailbox.ringDone();
  for (let done = 0; ; ) {
    // Read the bell before the words it guards: a change after this read ends the wait at once.
    const bell = Atomics.load(control, SessionWord.BELL);
    if (Atomics.load(control, SessionWord.POSTED) > done) {
      compileBatch(nextBatch(session.jobs), session, control, mailbox);
      // After every outcome of the batch: the main thread may take the next batch now.
      Atomics.store(control, SessionWord.DONE, ++done);
      mailbox.ringDone();
    } else if (Atomics.load(control, SessionWord.STOP) !== 0) {
      return null;
    } else {
      Atomics.wait(control, SessionWord.BELL, bell);
    }
  }
}

/** The batch the main thread posted before it counted it in `POSTED` (so it is already there). */
function nextBatch(port: MessagePort): CompileBatch {
  const received = receiveMessageOnPort(port);
  if (received === undefined) throw new Error('compile session: a batch was counted but not posted');
  return received.message as CompileBatch;
}

function compileBatch(batch: CompileBatch, session: CompileSessionRequest, control: Int32Array, mailbox: InstallMailbox): void {
  for (const job of decodeJobs(batch.jobs)) {
    // Should this thread die before the outcome is sent, the main thread blames this job alone.
    Atomics.store(control, SessionWord.CURRENT, job.jobId);
    injectFault(session.fault, job);
    send({ jobId: job.jobId, outcome: compileOutcome(job, batch.optLevel), postedAt: crossThreadNow() }, session, mailbox);
    Atomics.store(control, SessionWord.CURRENT, 0);
  }
}

function send(sent: JobOutcome, session: CompileSessionRequest, mailbox: InstallMailbox): void {
  // Compiled code goes to the ring (which rings the bell); the rest needs room for reasons.
  if (isCompiled(sent) && mailbox.post(sent)) return;
  session.outcomes.postMessage(sent);
  mailbox.ring();
}

function isCompiled(sent: JobOutcome): sent is JobOutcome<Compiled> {
  return sent.outcome.kind === 'compiled';
}

function injectFault(fault: FaultInjection | undefined, job: FunctionJob): void {
  if (fault === undefined) return;
  const targeted = fault.onlyFunction === undefined || fault.onlyFunction === job.name;
  const stalls = fault.stallFunction === undefined ? targeted : fault.stallFunction === job.name;
  if (stalls && fault.stallMs !== undefined) sleep(fault.stallMs);
  if (!targeted) return;
  if (fault.crash === 'exit') process.exit(70);
  if (fault.crash === 'throw') throw new Error('injected compile worker fault');
  if (fault.crash === 'hang') sleep(Infinity);
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
