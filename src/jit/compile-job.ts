/**
 * The messages between the engine and a compile worker. A request carries everything the
 * translator needs for one function; the program's code travels in a SharedArrayBuffer so
 * that many jobs of one program share a single copy.
 */
import type { Constant } from '../bytecode/bytecode.js';
import type { NativeType, OptLevel, RefusalReason } from './native.js';

/** Test and diagnostics aid: makes a worker misbehave on purpose. Never set in production. */
export interface FaultInjection {
  /** Sleep this long before compiling (so a test can catch a job mid-compile). */
  readonly stallMs?: number;
  /** Kill the worker thread (`exit`) or throw from the task (`throw`) instead of compiling. */
  readonly crash?: 'exit' | 'throw';
  /** Only misbehave for the function of this name (all functions when absent). */
  readonly onlyFunction?: string;
}

export interface CompileRequest {
  readonly jobId: number;
  readonly code: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly arity: number;
  readonly localCount: number;
  readonly constants: readonly Constant[];
  readonly optLevel: OptLevel;
  /** The install mailbox's buffer; the worker posts its outcome there first. */
  readonly mailbox: SharedArrayBuffer;
  readonly fault?: FaultInjection;
}

/** Starts a worker and loads the compiler without compiling anything. */
export interface WarmUpRequest {
  readonly warmUp: true;
}

export type WorkerTask = CompileRequest | WarmUpRequest;

export interface Refusal {
  readonly reason: RefusalReason;
  readonly opcode: string;
  readonly offset: number;
  readonly message: string;
}

export type CompileResponse =
  | {
      readonly jobId: number;
      readonly outcome: 'compiled';
      readonly handle: number;
      readonly codeSize: number;
      readonly returnType: NativeType;
      readonly compileMicros: number;
    }
  | { readonly jobId: number; readonly outcome: 'refused'; readonly refusal: Refusal; readonly compileMicros: number }
  | { readonly jobId: number; readonly outcome: 'error'; readonly message: string };

export const RETURN_TYPE_CODES: readonly NativeType[] = ['number', 'bool', 'null'];
