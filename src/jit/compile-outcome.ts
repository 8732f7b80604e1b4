/**
 * What compiling one function came to, in the one shape every stage after the addon uses:
 * the worker produces it (`compileOutcome`), the install mailbox or the session's outcome port
 * carries it, and the engine applies it. Nothing converts it on the way.
 */
import { compileFunction, type NativeFunctionInput, type NativeType, type OptLevel, type Refusal } from './native.js';

/** Machine code registered in the addon under `handle`, ready to install. */
export interface Compiled {
  readonly kind: 'compiled';
  readonly handle: number;
  /** Machine-code bytes as reported by Cranelift. */
  readonly codeSize: number;
  readonly returnType: NativeType;
  readonly compileMicros: number;
}

/** The translator declined the function (a normal outcome: it stays interpreted). */
export interface Refused {
  readonly kind: 'refused';
  readonly refusal: Refusal;
}

/** Compiling failed (malformed input, an addon failure, a crashed worker). */
export interface Failed {
  readonly kind: 'error';
  readonly message: string;
}

export type CompileOutcome = Compiled | Refused | Failed;

/** An outcome on its way from a worker to the engine. */
export interface JobOutcome<Outcome extends CompileOutcome = CompileOutcome> {
  readonly jobId: number;
  readonly outcome: Outcome;
  /** `performance.timeOrigin + performance.now()` on the worker when it sent the outcome. */
  readonly postedAt: number;
}

/** Compiles `input` on the calling thread; malformed input and addon failures throw (see `compileFunction`). */
export function compileOrRefuse(input: NativeFunctionInput, optLevel: OptLevel): Compiled | Refused {
  const result = compileFunction(input, optLevel);
  if (!result.ok) return { kind: 'refused', refusal: result.refusal };
  const { handle, codeSize, returnType, compileMicros } = result;
  return { kind: 'compiled', handle, codeSize, returnType, compileMicros };
}

/** `compileOrRefuse` for a worker: every failure becomes an outcome, never a throw. */
export function compileOutcome(input: NativeFunctionInput, optLevel: OptLevel): CompileOutcome {
  try {
    return compileOrRefuse(input, optLevel);
  } catch (error) {
    // Malformed input or an addon failure: the function falls back to the interpreter.
    return { kind: 'error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** The reason a failed outcome gives in events. */
export function failureReason(outcome: Refused | Failed): string {
  return outcome.kind === 'refused' ? `refused: ${outcome.refusal.message}` : outcome.message;
}

/** A wall-clock time comparable across threads (see `JobOutcome.postedAt`). */
export function crossThreadNow(): number {
  return performance.timeOrigin + performance.now();
}
