/**
 * The Atlas lexer (docs/bytecode.md §6.2): source code points → tokens with character-offset spans.
 * Lexical errors carry the reference's code (AT1001 bad character or number, AT1002
 * unterminated string, AT1003 bad escape, AT1004 unterminated block comment). Like the
 * reference's lexer, it goes on after one (past the bad character, or to the end of the bad
 * string) and reports them all in one CompileError.
 */
import type { Span } from '../bytecode/bytecode.js';
import { type CompileError, MAX_DIAGNOSTICS, combineDiagnostics, compileErrorAt } from './compile-error.js';
import type { SourceText } from './source-text.js';
import { type Token, type TokenKind, PUNCTUATION, keywordKind } from './tokens.js';

const PUNCTUATION_SET: ReadonlySet<string> = new Set(PUNCTUATION);
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"' };

// Rust's char::is_alphabetic / is_alphanumeric (Alphabetic, plus Numeric = Nd|Nl|No).
const IDENT_START = /^[\p{Alphabetic}_]$/u;
const IDENT_PART = /^[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}_]$/u;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isAsciiLetter(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

// ASCII first: the Unicode property tests are only needed for the rare other characters.
function isIdentStart(c: string): boolean {
  return isAsciiLetter(c) || (c > '\x7f' && IDENT_START.test(c));
}

function isIdentPart(c: string): boolean {
  return isAsciiLetter(c) || isDigit(c) || (c > '\x7f' && IDENT_PART.test(c));
}

/** Tokenizes the whole source; the last token is always `eof`. */
export function tokenize(source: SourceText): Token[] {
  return new Lexer(source).run();
}

/** Tokens after which an appended `;` can complete a statement. */
const CAN_END_STATEMENT: ReadonlySet<TokenKind> = new Set<TokenKind>([
  'identifier', 'number', 'string', 'true', 'false', 'null', ')', ']', '++', '--', 'return', 'break', 'continue',
]);

/**
 * The reference reads a program as its trimmed text with `;` appended unless it ends in
 * `;` or `}` (docs/bytecode.md §6.1), so a final statement may omit its semicolon. We add that `;`
 * as a token right after the last real token, which gives the reference's spans for
 * every program the reference accepts (a trailing comment does not swallow it here).
 * After a token that cannot end a statement (`{`, `+`, …) the program is broken either
 * way, and leaving the `;` out keeps the syntax error about the real problem.
 */
export function terminateProgram(tokens: readonly Token[]): Token[] {
  const out = tokens.slice();
  const last = out.length >= 2 ? out[out.length - 2]! : undefined;
  if (last === undefined || !CAN_END_STATEMENT.has(last.kind)) return out;
  const at = last.span.end;
  out.splice(out.length - 1, 0, { kind: ';', text: ';', span: { start: at, end: at + 1 } });
  return out;
}

class Lexer {
  private pos = 0;
  private readonly chars: readonly string[];
  private readonly errors: CompileError[] = [];

  constructor(private readonly source: SourceText) {
    this.chars = source.chars;
  }

  run(): Token[] {
    const tokens: Token[] = [];
    for (;;) {
      this.skipTrivia();
      if (this.pos >= this.chars.length || this.errors.length >= MAX_DIAGNOSTICS) {
        if (this.errors.length > 0) throw combineDiagnostics(this.errors);
        tokens.push({ kind: 'eof', text: '', span: { start: this.pos, end: this.pos } });
        return tokens;
      }
      const token = this.next();
      if (token !== undefined) tokens.push(token);
    }
  }

  /** The next token, or undefined after recording a lexical error in its place. */
  private next(): Token | undefined {
    const start = this.pos;
    const c = this.chars[start]!;
    if (c === '"') return this.string(start);
    if (isDigit(c)) return this.number(start);
    if (isIdentStart(c)) return this.identifier(start);
    const two = c + (this.chars[start + 1] ?? '');
    if (PUNCTUATION_SET.has(two)) return this.punct(two, start);
    if (PUNCTUATION_SET.has(c)) return this.punct(c, start);
    const hint = c === '&' || c === '|' ? `, did you mean '${c}${c}'?` : '';
    this.pos = start + 1;
    return this.error({ start, end: start + 1 }, `Unexpected character '${c}'${hint}`, 'AT1001', `Unexpected character '${c}'`);
  }

  private punct(text: string, start: number): Token {
    this.pos = start + text.length;
    return { kind: text as TokenKind, text, span: { start, end: this.pos } };
  }

  private identifier(start: number): Token {
    this.pos = start + 1;
    while (this.pos < this.chars.length && isIdentPart(this.chars[this.pos]!)) this.pos++;
    const text = this.source.slice(start, this.pos);
    const kind: TokenKind = text === '_' ? '_' : keywordKind(text) ?? 'identifier';
    return { kind, text, span: { start, end: this.pos } };
  }

  /** digits ('.' digits)? ([eE] [+-]? digits)?; `1.` is `1` then `.` (docs/bytecode.md §6.2). */
  private number(start: number): Token | undefined {
    this.pos = start;
    this.skipDigits();
    if (this.chars[this.pos] === '.' && isDigit(this.chars[this.pos + 1])) {
      this.pos++;
      this.skipDigits();
    }
    const e = this.chars[this.pos];
    if (e === 'e' || e === 'E') {
      this.pos++;
      const sign = this.chars[this.pos];
      if (sign === '+' || sign === '-') this.pos++;
      if (!isDigit(this.chars[this.pos])) {
        return this.error({ start, end: this.pos }, 'Invalid number: exponent requires digits', 'AT1001');
      }
      this.skipDigits();
    }
    return { kind: 'number', text: this.source.slice(start, this.pos), span: { start, end: this.pos } };
  }

  private skipDigits(): void {
    while (isDigit(this.chars[this.pos])) this.pos++;
  }

  /** A string literal may span lines; its value is unescaped, its span includes the quotes. */
  private string(start: number): Token | undefined {
    this.pos = start + 1;
    let value = '';
    let invalid = false;
    while (this.pos < this.chars.length && this.chars[this.pos] !== '"') {
      const c = this.chars[this.pos]!;
      if (c !== '\\') {
        value += c;
        this.pos++;
        continue;
      }
      const escaped = this.chars[this.pos + 1];
      if (escaped === undefined) break; // a backslash at the very end: unterminated
      const replacement = ESCAPES[escaped];
      if (replacement === undefined) {
        // Reported once per string, which is then read to its end (as the reference does).
        if (!invalid) this.error({ start: this.pos, end: this.pos + 2 }, `Invalid escape sequence '\\${escaped}'`, 'AT1003');
        invalid = true;
        this.pos += 2;
        continue;
      }
      value += replacement;
      this.pos += 2;
    }
    if (this.chars[this.pos] !== '"') {
      this.pos = this.chars.length;
      return this.error({ start, end: this.chars.length }, 'Unterminated string literal', 'AT1002');
    }
    this.pos++; // closing quote
    if (invalid) return undefined;
    return { kind: 'string', text: value, span: { start, end: this.pos } };
  }

  /** Whitespace is space, tab, CR, LF only; comments are `//…` and non-nesting `/*…*\/`. */
  private skipTrivia(): void {
    for (;;) {
      const c = this.chars[this.pos];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
        this.pos++;
      } else if (c === '/' && this.chars[this.pos + 1] === '/') {
        while (this.pos < this.chars.length && this.chars[this.pos] !== '\n') this.pos++;
      } else if (c === '/' && this.chars[this.pos + 1] === '*') {
        this.skipBlockComment();
      } else {
        return;
      }
    }
  }

  private skipBlockComment(): void {
    const start = this.pos;
    this.pos += 2;
    while (this.pos < this.chars.length) {
      if (this.chars[this.pos] === '*' && this.chars[this.pos + 1] === '/') {
        this.pos += 2;
        return;
      }
      this.pos++;
    }
    this.error({ start, end: start + 2 }, 'Unterminated multi-line comment', 'AT1004');
  }

  /** Records a lexical error; the caller goes on lexing after it. */
  private error(span: Span, reason: string, code: string, referenceReason?: string): undefined {
    this.errors.push(compileErrorAt(this.source, span, reason, code, 'parse', referenceReason === undefined ? {} : { referenceReason }));
    return undefined;
  }
}
