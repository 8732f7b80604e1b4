/**
 * The messages between the engine and a compile worker. One task carries a batch of
 * functions: a Piscina task costs the main thread a message round trip, so sending the
 * hottest waiting functions together divides that cost among them. The batch travels as one
 * binary buffer (`batch-codec.ts`), so the message stays cheap to clone however many functions
 * it covers. Batches and outcomes travel on ports and through shared memory that both ends
 * read synchronously (see `CompileSessionRequest`), never through a Piscina answer.
 */
import type { Constant } from '../bytecode/bytecode.js';
import type { CompileThreadPriority, MarshalledPool, NativeCallee, NativeGlobals, NativeType, OptLevel } from './native.js';
import type { MessagePort } from 'node:worker_threads';

/** Test and diagnostics aid: makes a worker misbehave on purpose. Never set in production. */
export interface FaultInjection {
  /** Sleep this long before compiling (so a test can catch a job mid-compile). */
  readonly stallMs?: number;
  /**
   * Instead of compiling: kill the worker thread (`exit`), throw from the task (`throw`), or
   * block for good (`hang`, until the compile timeout terminates the worker).
   */
  readonly crash?: 'exit' | 'throw' | 'hang';
  /** Only misbehave for the function of this name (all functions when absent). */
  readonly onlyFunction?: string;
  /** Stall for this function only, whatever `onlyFunction` says (so a test can hold a worker busy with one function and crash on another). */
  readonly stallFunction?: string;
}

/** One function to compile. */
export interface FunctionJob {
  readonly jobId: number;
  /** The function's name (for diagnostics and targeted fault injection). */
  readonly name: string;
  /** The whole program's code. */
  readonly code: Uint8Array;
  /** The program's constant pool as kind codes and number values. */
  readonly constants: MarshalledPool;
  readonly start: number;
  readonly end: number;
  readonly arity: number;
  readonly localCount: number;
  /** The functions its statically known calls reach, compiled into the same module. */
  readonly callees: readonly NativeCallee[];
  /** `Call` offset → index of the called function (0 is this one, then `callees`). */
  readonly calls: ReadonlyMap<number, number>;
  /** Where the code is entered (the start for calls, a loop header for OSR) and the entry frame's kinds. */
  readonly entry: number;
  readonly entryKinds: readonly NativeType[];
  /** Whether the root may leave to the interpreter at what it cannot translate. */
  readonly sideExits: boolean;
  /** The globals held in the invoke area's slots, and the guarded names of called functions. */
  readonly globals: NativeGlobals;
  readonly calleeGlobals: readonly number[];
  /** String constants of the globals that resolve to math builtins → builtin code (`NativeFunctionInput.builtinGlobals`). */
  readonly builtinGlobals: ReadonlyMap<number, number>;
}

/** A job as the engine hands it to `encodeJobs`: the program's pool still as constants. */
export interface FunctionJobSource extends Omit<FunctionJob, 'constants'> {
  readonly constants: readonly Constant[];
}

/**
 * The control words of a compile session, an `Int32Array` over `CompileSessionRequest.control`.
 * The main thread writes `POSTED` and `STOP` and rings `BELL`; the worker writes `STARTED`,
 * `DONE` and `CURRENT`.
 */
export const SessionWord = {
  /** Bumped (and notified) by the main thread whenever `POSTED` or `STOP` changed. */
  BELL: 0,
  /** Batches the main thread has put on the session's job port so far. */
  POSTED: 1,
  /** 1 once the main thread wants the session to end after the batches posted. */
  STOP: 2,
  /** 1 once the worker runs the session (its thread is up and has loaded the compiler). */
  STARTED: 3,
  /** Batches the worker has finished, every outcome of them sent (stored after the last one). */
  DONE: 4,
  /**
   * The id of the job the worker is compiling, 0 between jobs: when the worker dies, this is
   * the job to blame, and its batch-mates are compiled again.
   */
  CURRENT: 5,
} as const;
export const SESSION_WORDS = 6;

/**
 * A compile session: the one long-lived task a compile worker runs. It takes batches from
 * `jobs` as the main thread posts them (reading the port synchronously, woken through
 * `control`), so dispatching a batch needs no turn of the main thread's event loop, and
 * leaves every outcome for the main thread in shared memory or on `outcomes`, which the main
 * thread also reads synchronously.
 */
export interface CompileSessionRequest {
  readonly control: SharedArrayBuffer;
  /** The worker's end of the port batches (`CompileBatch`) arrive on. */
  readonly jobs: MessagePort;
  /** The worker's end of the port for outcomes the install mailbox cannot carry (`JobOutcome`). */
  readonly outcomes: MessagePort;
  /** The install mailbox's buffer: compiled code goes there, and its doorbell rings for everything. */
  readonly mailbox: SharedArrayBuffer;
  readonly fault?: FaultInjection;
}

/** One batch, as posted on a session's job port. */
export interface CompileBatch {
  /** The jobs, packed by `encodeJobs` (and transferred, not copied). */
  readonly jobs: ArrayBuffer;
  readonly optLevel: OptLevel;
}

/** What every compile worker is started with (Piscina's `workerData`). */
export interface CompileWorkerData {
  readonly threadPriority: CompileThreadPriority;
}
