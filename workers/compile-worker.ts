/**
 * The Piscina task module: compiles one function with the native addon, posts the outcome
 * to the install mailbox at once (so the main thread can install it without waiting for
 * its event loop), then returns the same outcome as the task result.
 */
import { compileFunction } from '../src/jit/native.js';
import { InstallMailbox } from '../src/jit/install-mailbox.js';
import { type CompileRequest, type CompileResponse, type WorkerTask, RETURN_TYPE_CODES } from '../src/jit/compile-job.js';

const mailboxes = new WeakMap<SharedArrayBuffer, InstallMailbox>();

export default function compileTask(task: WorkerTask): CompileResponse | null {
  // Importing this module already loaded the addon; a warm-up only proves the worker is up.
  if ('warmUp' in task) return null;
  const request = task;
  injectFault(request);
  const response = compile(request);
  post(request, response);
  return response;
}

function compile(request: CompileRequest): CompileResponse {
  const { jobId } = request;
  try {
    const outcome = compileFunction(request, request.optLevel);
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

function post(request: CompileRequest, response: CompileResponse): void {
  let mailbox = mailboxes.get(request.mailbox);
  if (mailbox === undefined) {
    mailbox = new InstallMailbox(request.mailbox);
    mailboxes.set(request.mailbox, mailbox);
  }
  // A full ring is fine: the task result below still reaches the engine.
  mailbox.post({
    jobId: response.jobId,
    outcome: response.outcome,
    handle: response.outcome === 'compiled' ? response.handle : 0,
    codeSize: response.outcome === 'compiled' ? response.codeSize : 0,
    returnTypeCode: response.outcome === 'compiled' ? RETURN_TYPE_CODES.indexOf(response.returnType) : 0,
    compileMicros: response.outcome === 'error' ? 0 : response.compileMicros,
    postedAt: performance.timeOrigin + performance.now(),
  });
}

function injectFault(request: CompileRequest): void {
  const fault = request.fault;
  if (fault === undefined) return;
  if (fault.stallMs !== undefined) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, fault.stallMs);
  if (fault.crash === 'exit') process.exit(70);
  if (fault.crash === 'throw') throw new Error('injected compile worker fault');
}
