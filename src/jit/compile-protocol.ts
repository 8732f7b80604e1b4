/**
 * The messages between the engine and a compile worker. One task carries a batch of
 * functions: a Piscina task costs the main thread a message round trip, so sending the
 * hottest waiting functions together divides that cost among them. The batch travels as one
 * binary buffer (`batch-codec.ts`), and the answer lists only what the install mailbox could
 * not carry, so both messages stay cheap to clone however many functions they cover.
 */
import type { Constant } from '../bytecode/bytecode.js';
import type { CompileThreadPriority, MarshalledPool, NativeCallee, NativeGlobals, NativeType, OptLevel } from './native.js';
import type { JobOutcome } from './compile-outcome.js';

/** Test and diagnostics aid: makes a worker misbehave on purpose. Never set in production. */
export interface FaultInjection {
  /** Sleep this long before compiling (so a test can catch a job mid-compile). */
  readonly stallMs?: number;
  /** Kill the worker thread (`exit`) or throw from the task (`throw`) instead of compiling. */
  readonly crash?: 'exit' | 'throw';
  /** Only misbehave for the function of this name (all functions when absent). */
  readonly onlyFunction?: string;
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
}

/** A job as the engine hands it to `encodeJobs`: the program's pool still as constants. */
export interface FunctionJobSource extends Omit<FunctionJob, 'constants'> {
  readonly constants: readonly Constant[];
}

export interface CompileBatch {
  /** The jobs, packed by `encodeJobs` (and transferred, not copied). */
  readonly jobs: ArrayBuffer;
  readonly optLevel: OptLevel;
  /** The install mailbox's buffer; the worker posts each outcome there as soon as it has it. */
  readonly mailbox: SharedArrayBuffer;
  readonly fault?: FaultInjection;
}

/** What every compile worker is started with (Piscina's `workerData`). */
export interface CompileWorkerData {
  readonly threadPriority: CompileThreadPriority;
}

/** Starts a worker and loads the compiler without compiling anything. */
export interface WarmUpRequest {
  readonly warmUp: true;
}

export type WorkerTask = CompileBatch | WarmUpRequest;

/**
 * A worker's answer to a batch: the outcomes the mailbox did not deliver. The mailbox carries
 * compiled code only (it has no room for reasons), so refusals and errors come here, and so
 * does compiled code the full ring turned away. Each job's outcome arrives by exactly one path.
 */
export type BatchAnswer = readonly JobOutcome[];
