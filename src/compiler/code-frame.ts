/**
 * Code frames: the lines of a span of Atlas source, with a line or two around them, a gutter of
 * line numbers, a `>` at each line the span covers and carets under every character it covers
 * on that line:
 *
 *       2 | fn f(x: number) -> number {
 *     > 3 |     return x / 0;
 *         |            ^^^^^
 *       4 | }
 *
 * Tabs are expanded to the next tab stop in the text and under it alike, so the carets stand
 * under their characters whatever width a terminal would give a tab. Columns count code points
 * (as spans do). An empty span gets one caret where it points (past a line's end, too).
 */
import type { Span } from '../bytecode/bytecode.js';
import type { SourceText } from './source-text.js';

export interface CodeFrameOptions {
  /** Lines shown before and after the span's lines (default 1). */
  readonly linesAround?: number;
  /** Columns between tab stops (default 4). */
  readonly tabWidth?: number;
}

export function codeFrame(source: SourceText, span: Span, options: CodeFrameOptions = {}): string {
  const around = Math.max(0, options.linesAround ?? 1);
  const tabWidth = Math.max(1, options.tabWidth ?? 4);
  const start = Math.min(Math.max(0, span.start), source.length);
  const end = Math.min(Math.max(start, span.end), source.length);
  const firstLine = source.locate(start).line;
  // The end is exclusive: the last line is the one of the last character covered.
  const lastLine = end > start ? source.locate(end - 1).line : firstLine;
  const fromLine = Math.max(1, firstLine - around);
  const toLine = Math.min(source.lineCount, lastLine + around);
  const numberWidth = String(toLine).length;
  const out: string[] = [];
  for (let line = fromLine; line <= toLine; line++) {
    const chars = Array.from(source.lineText(line));
    const columns = displayColumns(chars, tabWidth);
    const covered = line >= firstLine && line <= lastLine;
    const text = chars.map((c, i) => (c === '\t' ? ' '.repeat(columns[i + 1]! - columns[i]!) : c)).join('');
    out.push(`${covered ? '>' : ' '} ${String(line).padStart(numberWidth)} |${text === '' ? '' : ` ${text}`}`);
    if (!covered) continue;
    const lineStart = source.lineStart(line);
    const from = Math.min(Math.max(0, start - lineStart), chars.length);
    const until = Math.min(Math.max(0, end - lineStart), chars.length);
    // A line inside a multi-line span with nothing of it covered (an empty line) gets no carets.
    if (until <= from && end > start) continue;
    const caretStart = columns[from]!;
    const carets = Math.max(1, columns[until]! - caretStart);
    out.push(`  ${' '.repeat(numberWidth)} | ${' '.repeat(caretStart)}${'^'.repeat(carets)}`);
  }
  return out.join('\n');
}

/** The display column (0-based) where each character starts, and one past the last at the end. */
function displayColumns(chars: readonly string[], tabWidth: number): number[] {
  const columns = [0];
  let column = 0;
  for (const c of chars) {
    column = c === '\t' ? (Math.floor(column / tabWidth) + 1) * tabWidth : column + 1;
    columns.push(column);
  }
  return columns;
}
