/**
 * `CompileError`: a syntax or static error in Atlas source, located by file, line and
 * column, and rendered like a C compiler's diagnostic:
 *
 *     score.atlas:3:13: error: Unterminated string literal [AT1002]
 *         let s = "abc
 *                 ^~~~
 *
 * The message never contains a stack trace; it is meant to be printed as is.
 */
import type { Span } from '../bytecode/bytecode.js';
import type { SourceText } from './source-text.js';

export interface CompileErrorDetails {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in code points. */
  readonly column: number;
  /** What is wrong, without location (e.g. "Expected ';' after expression"). */
  readonly reason: string;
  /** The reference's diagnostic code (AT1002, AT3011, …) when there is one. */
  readonly code?: string | undefined;
  /** Character offsets of the offending source. */
  readonly span: Span;
  /** The offending source line, without its terminator. */
  readonly sourceLine: string;
  /**
   * Which reference stage reports this error, for its one-line form (`Parse error: …`,
   * `Type error: …`): the reference's CLI names the stage, not the code. Default `parse`.
   */
  readonly stage?: CompileStage | undefined;
  /**
   * The reference's own message when it differs from `reason` (ours may add what was found,
   * e.g. "Expected '}', found end of input" where the reference says "Expected '}'").
   */
  readonly referenceReason?: string | undefined;
  /** A warning (the reference counts it in its one-line form), not an error. */
  readonly warning?: boolean | undefined;
}

/** The reference front-end stage an error belongs to, as its CLI prints it. */
export type CompileStage = 'parse' | 'bind' | 'type';

const STAGE_PREFIX: Readonly<Record<CompileStage, string>> = { parse: 'Parse error', bind: 'Parse error', type: 'Type error' };

export class CompileError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
  readonly code: string | undefined;
  readonly span: Span;
  readonly sourceLine: string;
  readonly stage: CompileStage;
  /** The reference's message for this diagnostic alone (`reason` when they agree). */
  readonly referenceReason: string;
  /** Whether this diagnostic is a warning (only ever present next to an error). */
  readonly warning: boolean;
  /**
   * Every error found in the file, this one first (at most `MAX_DIAGNOSTICS`), with the
   * warnings of the same stage, which the reference prints along with its errors.
   */
  readonly diagnostics: readonly CompileError[];

  /** The reference's messages of this stage in the order they were found, when `diagnostics` has another order. */
  private readonly foundOrder: readonly string[] | undefined;

  /**
   * `more`: the file's other diagnostics; `foundOrder`: the reference messages of this
   * error's stage in the order they were found (default: `diagnostics`' order).
   */
  constructor(details: CompileErrorDetails, more: readonly CompileError[] = [], foundOrder?: readonly string[]) {
    // The message shows every error of the file, each with its location and caret line.
    super([formatDiagnostic(details), ...more.filter((d) => !d.warning).map((d) => d.message)].join('\n'));
    this.name = 'CompileError';
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.reason = details.reason;
    this.code = details.code;
    this.span = details.span;
    this.sourceLine = details.sourceLine;
    this.stage = details.stage ?? 'parse';
    this.referenceReason = details.referenceReason ?? details.reason;
    this.warning = details.warning ?? false;
    this.diagnostics = [this, ...more];
    this.foundOrder = foundOrder;
  }

  /** The details this error was built from (to rebuild it with other diagnostics attached). */
  details(): CompileErrorDetails {
    return {
      file: this.file, line: this.line, column: this.column, reason: this.reason, code: this.code, span: this.span,
      sourceLine: this.sourceLine, stage: this.stage, referenceReason: this.referenceReason, warning: this.warning,
    };
  }

  /**
   * The reference's one-line form, e.g. `Parse error: Expected '}'` (for conformance
   * tooling): its stage, then the messages of every diagnostic of that stage run together
   * without a separator, warnings included, as the reference's `EvalError` prints them.
   */
  get referenceLine(): string {
    const messages = this.foundOrder ?? this.diagnostics.filter((d) => d.stage === this.stage).map((d) => d.referenceReason);
    return `${STAGE_PREFIX[this.stage]}: ${messages.join('')}`;
  }
}

/** How many errors one compile reports at most. */
export const MAX_DIAGNOSTICS = 20;

/**
 * The CompileError for a list of diagnostics in source order: the first error, carrying
 * the rest (errors first, capped, then warnings) in `diagnostics`.
 */
export function combineDiagnostics(all: readonly CompileError[]): CompileError {
  const errors = all.filter((d) => !d.warning).slice(0, MAX_DIAGNOSTICS);
  const first = errors[0];
  if (first === undefined) throw new Error('combineDiagnostics needs at least one error');
  // The rest in the order found (a warning may come before the first error).
  const kept = all.filter((d) => (d.warning ? d.stage === first.stage : errors.includes(d)));
  const foundOrder = kept.filter((d) => d.stage === first.stage).map((d) => d.referenceReason);
  return new CompileError(first.details(), kept.filter((d) => d !== first), foundOrder);
}

/** Builds the CompileError for `span` of `source`. */
export function compileErrorAt(
  source: SourceText, span: Span, reason: string, code?: string, stage?: CompileStage,
  extra: { readonly referenceReason?: string; readonly warning?: boolean } = {},
): CompileError {
  const { line, column } = source.locate(span.start);
  return new CompileError({ file: source.file, line, column, reason, code, span, sourceLine: source.lineText(line), stage, ...extra });
}

function formatDiagnostic(d: CompileErrorDetails): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.warning === true ? 'warning' : 'error'}: ${d.reason}${d.code === undefined ? '' : ` [${d.code}]`}`;
  return `${head}\n${d.sourceLine}\n${caretLine(d)}`;
}

/** `^` under the column, `~` under the rest of the span on that line; tabs kept so it lines up. */
function caretLine(d: CompileErrorDetails): string {
  const chars = Array.from(d.sourceLine);
  const before = chars.slice(0, d.column - 1).map((c) => (c === '\t' ? '\t' : ' ')).join('');
  const room = Math.max(1, chars.length - (d.column - 1));
  const width = Math.max(1, Math.min(d.span.end - d.span.start, room));
  return `${before}^${'~'.repeat(width - 1)}`;
}
