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
  /**
   * Every error found in the file, this one first (a compile stops at its first error
   * today, so this holds just this one until the front-end recovers and collects more).
   */
  readonly diagnostics: readonly CompileError[];

  constructor(details: CompileErrorDetails, more: readonly CompileError[] = []) {
    super(formatDiagnostic(details));
    this.name = 'CompileError';
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.reason = details.reason;
    this.code = details.code;
    this.span = details.span;
    this.sourceLine = details.sourceLine;
    this.stage = details.stage ?? 'parse';
    this.diagnostics = [this, ...more];
  }

  /** The reference CLI's one-line form, e.g. `Parse error: Expected '}'` (for conformance tooling). */
  get referenceLine(): string {
    return `${STAGE_PREFIX[this.stage]}: ${this.reason}`;
  }
}

/** Builds the CompileError for `span` of `source`. */
export function compileErrorAt(source: SourceText, span: Span, reason: string, code?: string, stage?: CompileStage): CompileError {
  const { line, column } = source.locate(span.start);
  return new CompileError({ file: source.file, line, column, reason, code, span, sourceLine: source.lineText(line), stage });
}

function formatDiagnostic(d: CompileErrorDetails): string {
  const head = `${d.file}:${d.line}:${d.column}: error: ${d.reason}${d.code === undefined ? '' : ` [${d.code}]`}`;
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
