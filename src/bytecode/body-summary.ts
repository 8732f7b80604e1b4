/**
 * What the JIT needs to know about a function body, kept (by `ProgramAnalysis`) after the
 * body's flow analysis so that later questions cost a lookup instead of another analysis.
 */
import { isBackEdge } from './decoder.js';
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
  /** Reachable instructions: with no back-edge, the most a call of the body can run. */
  readonly instructionCount: number;
  /** Reachable `Call`s, whatever they call. */
  readonly callCount: number;
  /** Whether a reachable jump goes backwards (a loop). */
  readonly loops: boolean;
}

export function summarizeBody(analysis: FunctionAnalysis): BodySummary {
  const instructions = analysis.instructions.map(({ instruction }) => instruction);
  const globalReads = instructions
    .filter((ins) => ins.info.byte === Opcode.GetGlobal)
    .map((ins) => ({ offset: ins.offset, nameIndex: ins.operands[0]! }));
  return {
    end: analysis.end, callees: analysis.callees, globalReads,
    instructionCount: instructions.length,
    callCount: instructions.filter((ins) => ins.info.byte === Opcode.Call).length,
    loops: instructions.some(isBackEdge),
  };
}
