/**
 * Token kinds of the Atlas lexer (docs/bytecode.md §6.2). Spans are in character (code point)
 * offsets, end exclusive, like the reference lexer which indexes a `Vec<char>`.
 */
import type { Span } from '../bytecode/bytecode.js';

/** Reserved words (docs/bytecode.md §6.2); every one of them lexes as its own token kind. */
export const KEYWORDS = [
  'let', 'var', 'fn', 'type', 'if', 'else', 'while', 'for', 'in', 'return', 'break',
  'continue', 'true', 'false', 'null', 'import', 'export', 'from', 'extern', 'match', 'as',
  'extends', 'is', 'own', 'borrow', 'shared', 'trait', 'impl',
] as const;

export type Keyword = (typeof KEYWORDS)[number];

/** Punctuation and operators (docs/bytecode.md §6.2), longest spelling first where they share a prefix. */
export const PUNCTUATION = [
  '++', '+=', '+', '--', '-=', '->', '-', '*=', '*', '/=', '/', '%=', '%',
  '==', '=>', '=', '!=', '!', '<=', '<', '>=', '>', '&&', '||',
  '(', ')', '{', '}', '[', ']', ';', ',', ':', '?', '.',
] as const;

export type Punctuation = (typeof PUNCTUATION)[number];

export type TokenKind = Keyword | Punctuation | 'number' | 'string' | 'identifier' | '_' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier name, keyword or operator spelling, the number's digits, or a string's unescaped value. */
  readonly text: string;
  readonly span: Span;
}

const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);

export function keywordKind(word: string): Keyword | undefined {
  return KEYWORD_SET.has(word) ? (word as Keyword) : undefined;
}

/** How a token kind reads in an error message: `';'`, `identifier`, `end of input`. */
export function describeKind(kind: TokenKind): string {
  switch (kind) {
    case 'eof': return 'end of input';
    case 'number': return 'number literal';
    case 'string': return 'string literal';
    case 'identifier': return 'identifier';
    default: return `'${kind}'`;
  }
}
