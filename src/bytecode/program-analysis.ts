/**
 * The analysis of one program: the facts about its code that both the validator and the JIT
 * ask for — its function constants, its linear scan, the globals that statically hold one
 * function, and for each function body its end, known callees and global reads.
 *
 * It is reached as `bytecode.analysis`, built on first use and kept on the Bytecode object.
 * That is where it belongs because its consumers meet only there: the validator analyses every
 * frame when a program is loaded, and the JIT later asks about single hot functions on the main
 * thread; keeping the answers on the program lets the first pay for the second, with nothing
 * hidden in module state, and the answers die with the program. Built lazily because not every
 * Bytecode is validated or compiled (the `.atb` writer, the disassembler, `validate: false`).
 * A Bytecode is immutable, so nothing here is ever invalidated.
 */
import { type BodySummary, summarizeBody } from './body-summary.js';
import type { Bytecode, FunctionRef } from './bytecode.js';
import { type FunctionAnalysis, analyzeFunction } from './flow-analysis.js';
import { type Instruction, isBackEdge, jumpTarget } from './decoder.js';
import { findFunctionGlobals } from './function-globals.js';
import { Opcode } from './opcode.js';
import { type ScannedInstruction, linearScan } from './linear-scan.js';

export class ProgramAnalysis {
  #functions: readonly FunctionRef[] | undefined;
  #scan: readonly ScannedInstruction[] | undefined;
  #functionGlobals: ReadonlyMap<string, number> | undefined;
  #loopHeaders: readonly number[] | undefined;
  #writtenGlobals: ReadonlySet<string> | undefined;
  /** Body summaries by frame (`entry/entryDepth`): every body the validator or the JIT analysed. */
  readonly #summaries = new Map<string, BodySummary>();
  readonly #work = { frames: 0, steps: 0 };

  constructor(readonly bytecode: Bytecode) {}

  /** Every function constant, in pool order. */
  get functions(): readonly FunctionRef[] {
    this.#functions ??= this.bytecode.functions();
    return this.#functions;
  }

  /** The code decoded front to back (docs/bytecode.md §5, pass 1). */
  get scan(): readonly ScannedInstruction[] {
    this.#scan ??= linearScan(this.bytecode.code);
    return this.#scan;
  }

  /** Globals that statically hold one function constant: name → constant index (see `findFunctionGlobals`). */
  get functionGlobals(): ReadonlyMap<string, number> {
    this.#functionGlobals ??= findFunctionGlobals(this.bytecode, this.scan);
    return this.#functionGlobals;
  }

  /** The targets of backward jumps (loop headers), in code order, each once: where OSR can enter. */
  get loopHeaders(): readonly number[] {
    this.#loopHeaders ??= [...new Set(this.decoded().filter(isBackEdge).map(jumpTarget))].sort((a, b) => a - b);
    return this.#loopHeaders;
  }

  /** The names some `SetGlobal` of the code writes (a string constant operand). */
  get writtenGlobals(): ReadonlySet<string> {
    this.#writtenGlobals ??= new Set(this.decoded().filter((ins) => ins.info.byte === Opcode.SetGlobal).flatMap((ins) => {
      const name = this.bytecode.constants[ins.operands[0]!];
      return name?.kind === 'string' ? [name.value] : [];
    }));
    return this.#writtenGlobals;
  }

  /** The instructions of the linear scan that decoded. */
  private decoded(): Instruction[] {
    return this.scan.flatMap((entry) => (entry.instruction === undefined ? [] : [entry.instruction]));
  }

  /**
   * The flow analysis of the frame entered at `entry` with `entryDepth` values, with the
   * program's function globals. Its body summary is kept, so the validator's pass answers the
   * JIT's later questions. `sharing`: see `AnalysisOptions.sharing` (the validator's count of
   * frames per instruction).
   */
  analyzeFrame(entry: number, entryDepth: number, sharing?: Uint8Array): FunctionAnalysis {
    return this.#analyze(entry, entryDepth, sharing).analysis;
  }

  /** Flow analyses run for this program so far, and the instructions they stepped in all. */
  get work(): { readonly frames: number; readonly steps: number } {
    return { ...this.#work };
  }

  /** The summary of `fn`'s body: kept from an earlier analysis, or analysed now. */
  bodySummary(fn: FunctionRef): BodySummary {
    return this.#summaries.get(frameKey(fn.offset, fn.arity)) ?? this.#analyze(fn.offset, fn.arity).summary;
  }

  /** One past the last reachable instruction of `fn`'s body: the `end` the JIT compiles up to. */
  functionEnd(fn: FunctionRef): number {
    return this.bodySummary(fn).end;
  }

  #analyze(entry: number, entryDepth: number, sharing?: Uint8Array): { analysis: FunctionAnalysis; summary: BodySummary } {
    const options = sharing === undefined ? { knownGlobals: this.functionGlobals } : { knownGlobals: this.functionGlobals, sharing };
    const analysis = analyzeFunction(this.bytecode, entry, entryDepth, options);
    this.#work.frames++;
    this.#work.steps += analysis.steps;
    const summary = summarizeBody(analysis);
    // An analysis the sharing limit cut short describes part of the body: not for the JIT.
    if (!analysis.problems.some((p) => p.rule === 'SharedCodeLimit')) this.#summaries.set(frameKey(entry, entryDepth), summary);
    return { analysis, summary };
  }
}

const frameKey = (entry: number, entryDepth: number): string => `${entry}/${entryDepth}`;

/** `bytecode.analysis.functionEnd(fn)`, for callers that hold the two apart. */
export function functionEnd(bytecode: Bytecode, fn: FunctionRef): number {
  return bytecode.analysis.functionEnd(fn);
}

/** `bytecode.analysis.functionGlobals`, for callers that hold only the program. */
export function functionGlobals(bytecode: Bytecode): ReadonlyMap<string, number> {
  return bytecode.analysis.functionGlobals;
}
