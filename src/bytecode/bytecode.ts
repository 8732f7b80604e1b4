/**
 * The `Bytecode` container: instruction bytes, the constant pool and optional debug spans,
 * mirroring the reference's `Bytecode` struct (docs/bytecode.md §1, §3.1, docs/bytecode.md §4).
 */
import type { SourceText } from '../compiler/source-text.js';
import { ProgramAnalysis } from './program-analysis.js';

/** Parameter/return ownership annotation, coded as in `.atb` files (docs/bytecode.md §4.2). */
export type Ownership = 'none' | 'own' | 'borrow' | 'shared';

export interface FunctionRef {
  readonly name: string;
  readonly arity: number;
  /** Absolute offset of the first body instruction; it is the function's identity in code. */
  readonly offset: number;
  /** Parameters plus body locals (high-water mark, docs/bytecode.md §3.3). */
  readonly localCount: number;
  readonly paramOwnership: readonly Ownership[];
  readonly paramNames: readonly string[];
  readonly returnOwnership: Ownership;
}

export type Constant =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'function'; readonly value: FunctionRef }
  | { readonly kind: 'builtin'; readonly name: string };

export type ConstantKind = Constant['kind'];

/** A source span in character (code point) offsets, end exclusive (docs/bytecode.md §4.1). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** One debug entry per emitted instruction: the opcode's offset and its source span. */
export interface DebugEntry extends Span {
  readonly offset: number;
}

export class Bytecode {
  #analysis: ProgramAnalysis | undefined;
  #source: SourceText | undefined;

  constructor(
    readonly code: Uint8Array,
    readonly constants: readonly Constant[],
    readonly debug: readonly DebugEntry[] = [],
    /** Local slots of the main frame (docs/bytecode.md §3.3); 0 unless top-level code uses SetLocal. */
    readonly topLevelLocalCount = 0,
  ) {}

  /**
   * The source text the spans point into: `compile` records it, so that runtime errors get a
   * file, line and column. Undefined for bytecode read from `.atb` or built by hand.
   */
  get source(): SourceText | undefined {
    return this.#source;
  }

  /** Records the source this program was compiled from (the first one recorded stays). */
  attachSource(source: SourceText): this {
    this.#source ??= source;
    return this;
  }

  /** The span of the instruction at `offset`, when debug info covers it. */
  spanAt(offset: number): Span | undefined {
    // Entries are in increasing offset order (docs/bytecode.md §1.1), so binary search.
    let lo = 0;
    let hi = this.debug.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const entry = this.debug[mid]!;
      if (entry.offset === offset) return { start: entry.start, end: entry.end };
      if (entry.offset < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Every function constant, in pool order. */
  functions(): FunctionRef[] {
    const out: FunctionRef[] = [];
    for (const c of this.constants) if (c.kind === 'function') out.push(c.value);
    return out;
  }

  /** Constant `k`'s text when it is a string (what a GetGlobal/SetGlobal operand names). */
  stringAt(k: number): string | undefined {
    const c = this.constants[k];
    return c?.kind === 'string' ? c.value : undefined;
  }

  /**
   * The program's analysis (see `ProgramAnalysis`), built on first use and kept: validation
   * fills it, the JIT reads it. It is never recomputed, so the code bytes must not change once
   * the program is in use. A private field, so copies and comparisons never see it.
   */
  get analysis(): ProgramAnalysis {
    this.#analysis ??= new ProgramAnalysis(this);
    return this.#analysis;
  }
}

export function functionRef(
  fields: Pick<FunctionRef, 'name' | 'arity' | 'offset' | 'localCount'> & Partial<FunctionRef>,
): FunctionRef {
  return {
    paramOwnership: Array.from({ length: fields.arity }, () => 'none' as const),
    paramNames: Array.from({ length: fields.arity }, (_, i) => `p${i}`),
    returnOwnership: 'none',
    ...fields,
  };
}
