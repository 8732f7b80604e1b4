/**
 * A source file as the compiler sees it: its code points (spans count characters, not
 * UTF-16 units, quirk Q22) and a line index for turning offsets into line:column.
 */

export interface Location {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, in code points. */
  readonly column: number;
}

export class SourceText {
  /** One entry per code point. */
  readonly chars: readonly string[];
  /** Code point offset where each line starts; line N (1-based) starts at lineStarts[N-1]. */
  private readonly lineStarts: readonly number[];

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.chars = Array.from(text);
    const starts = [0];
    this.chars.forEach((c, i) => {
      if (c === '\n') starts.push(i + 1);
    });
    this.lineStarts = starts;
  }

  get length(): number {
    return this.chars.length;
  }

  /** Line and column of a code point offset (an offset past the end maps to the last line). */
  locate(offset: number): Location {
    const clamped = Math.max(0, offset);
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.lineStarts[mid]! <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: clamped - this.lineStarts[lo]! + 1 };
  }

  /** Number of lines (a file ending in a newline has an empty last line). */
  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** Code point offset where a 1-based line starts (clamped to the first and last line). */
  lineStart(line: number): number {
    return this.lineStarts[Math.min(Math.max(line, 1), this.lineStarts.length) - 1]!;
  }

  /** Where a span starts and ends (`end` is the position of its exclusive end offset). */
  locateSpan(span: { readonly start: number; readonly end: number }): { readonly start: Location; readonly end: Location } {
    return { start: this.locate(span.start), end: this.locate(span.end) };
  }

  /** The text of a 1-based line, without its line terminator. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[line];
    const end = next === undefined ? this.chars.length : next - 1;
    return this.chars.slice(start, end).join('').replace(/\r$/, '');
  }

  /** The code points in [start, end) as a string. */
  slice(start: number, end: number): string {
    // Without astral characters, code point offsets are UTF-16 offsets.
    if (this.chars.length === this.text.length) return this.text.slice(start, end);
    return this.chars.slice(start, end).join('');
  }
}
