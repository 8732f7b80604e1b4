/**
 * What the JIT needs to know about a function body, kept (by `ProgramAnalysis`) after the
 * body's flow analysis so that later questions cost a lookup instead of another analysis.
 */
import type { FunctionAnalysis, KnownCallee } from './flow-analysis.js';
import { Opcode } from './opcode.js';

/** A reachable `GetGlobal`: its offset and the constant index of the name it reads. */
export interface GlobalRead {
  readonly offset: number;
  readonly nameIndex: number;
}

export interface BodySummary {
  /** One past the last reachable instruction. */
  readonly end: number;
  /** Statically known callees by `Call` offset (with the program's function globals). */
  readonly callees: ReadonlyMap<number, KnownCallee>;
  /** Reachable `GetGlobal` instructions. */
  readonly globalReads: readonly GlobalRead[];
}

export function summarizeBody(analysis: FunctionAnalysis): BodySummary {
  const globalReads = analysis.instructions
    .filter(({ instruction }) => instruction.info.byte === Opcode.GetGlobal)
    .map(({ instruction }) => ({ offset: instruction.offset, nameIndex: instruction.operands[0]! }));
  return { end: analysis.end, callees: analysis.callees, globalReads };
}
