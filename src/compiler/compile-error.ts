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
}

export class CompileError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
  readonly code: string | undefined;
  readonly span: Span;
  readonly sourceLine: string;

  constructor(details: CompileErrorDetails) {
    super(formatDiagnostic(details));
    this.name = 'CompileError';
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.reason = details.reason;
    this.code = details.code;
    this.span = details.span;
    this.sourceLine = details.sourceLine;
  }
}

/** Builds the CompileError for `span` of `source`. */
export function compileErrorAt(source: SourceText, span: Span, reason: string, code?: string): CompileError {
  const { line, column } = source.locate(span.start);
  return new CompileError({ file: source.file, line, column, reason, code, span, sourceLine: source.lineText(line) });
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
