import test from 'ava';
import { CompileError } from '../src/compiler/compile-error.js';
import { terminateProgram, tokenize } from '../src/compiler/lexer.js';
import { SourceText } from '../src/compiler/source-text.js';
import type { Token } from '../src/compiler/tokens.js';

function lex(text: string): Token[] {
  return tokenize(new SourceText(text, 'lex.atlas'));
}

function kinds(text: string): string[] {
  return lex(text).map((t) => t.kind);
}

function lexError(t: import('ava').ExecutionContext, text: string): CompileError {
  const err = t.throws(() => lex(text), { instanceOf: CompileError });
  if (err === undefined) throw new Error('expected a CompileError');
  return err;
}

test('punctuation takes the longest spelling', (t) => {
  t.deepEqual(kinds('++ += + -- -= -> - *= * /= / %= % == => = != ! <= < >= > && ||'), [
    '++', '+=', '+', '--', '-=', '->', '-', '*=', '*', '/=', '/', '%=', '%', '==', '=>', '=', '!=', '!',
    '<=', '<', '>=', '>', '&&', '||', 'eof',
  ]);
  t.deepEqual(kinds('(){}[];,:?.'), ['(', ')', '{', '}', '[', ']', ';', ',', ':', '?', '.', 'eof']);
  t.deepEqual(kinds('a+++b'), ['identifier', '++', '+', 'identifier', 'eof']);
  t.deepEqual(kinds('x<=-1'), ['identifier', '<=', '-', 'number', 'eof']);
});

test('keywords, identifiers and the wildcard', (t) => {
  t.deepEqual(kinds('let var fn if else while for return break continue true false null'),
    ['let', 'var', 'fn', 'if', 'else', 'while', 'for', 'return', 'break', 'continue', 'true', 'false', 'null', 'eof']);
  t.deepEqual(kinds('import match in own _ _x x_1 letter'),
    ['import', 'match', 'in', 'own', '_', 'identifier', 'identifier', 'identifier', 'eof']);
  const ids = lex('café 日本語 x2 ñ_9');
  t.deepEqual(ids.slice(0, 4).map((tok) => tok.text), ['café', '日本語', 'x2', 'ñ_9']);
  t.true(ids.slice(0, 4).every((tok) => tok.kind === 'identifier'));
});

test('numbers: fraction needs a digit after the dot, exponent with sign', (t) => {
  const toks = lex('42 3.14 1. 1e10 2E-3 7e+2 0.001');
  t.deepEqual(toks.map((tok) => [tok.kind, tok.text]), [
    ['number', '42'], ['number', '3.14'], ['number', '1'], ['.', '.'], ['number', '1e10'],
    ['number', '2E-3'], ['number', '7e+2'], ['number', '0.001'], ['eof', ''],
  ]);
  t.deepEqual(kinds('-5'), ['-', 'number', 'eof'], 'literals are never negative');
});

test('strings: escapes are decoded, spans include the quotes, newlines allowed', (t) => {
  const [s] = lex('"a\\n\\t\\r\\\\\\"b"');
  t.is(s!.kind, 'string');
  t.is(s!.text, 'a\n\t\r\\"b');
  t.deepEqual(s!.span, { start: 0, end: 14 });
  const [multi] = lex('"line1\nline2"');
  t.is(multi!.text, 'line1\nline2');
});

test('spans count code points, not UTF-16 units', (t) => {
  const toks = lex('"🌍é" x');
  t.deepEqual(toks[0]!.span, { start: 0, end: 4 });
  t.deepEqual(toks[1]!.span, { start: 5, end: 6 });
});

test('comments and whitespace are skipped; block comments do not nest', (t) => {
  t.deepEqual(kinds('a // c1 ; b\n/* x /* y */ c \t\r\n'), ['identifier', 'identifier', 'eof']);
  t.deepEqual(lex('a /* x */ b')[1]!.span, { start: 10, end: 11 });
  t.deepEqual(kinds(''), ['eof']);
});

test('AT1001: unexpected characters, with a hint for single & and |', (t) => {
  const at = lexError(t, 'let x = 1;\nlet y = @;');
  t.is(at.code, 'AT1001');
  t.is(at.reason, "Unexpected character '@'");
  t.is(at.line, 2);
  t.is(at.column, 9);
  t.is(lexError(t, 'a & b').reason, "Unexpected character '&', did you mean '&&'?");
  t.is(lexError(t, 'a | b').reason, "Unexpected character '|', did you mean '||'?");
  t.is(lexError(t, 'x\u00a0y').code, 'AT1001', 'only space, tab, CR and LF are whitespace');
});

test('AT1001: an exponent without digits is an invalid number', (t) => {
  const err = lexError(t, 'let x = 1e+;');
  t.is(err.code, 'AT1001');
  t.is(err.reason, 'Invalid number: exponent requires digits');
  t.is(err.column, 9);
});

test('AT1002 / AT1003 / AT1004', (t) => {
  const unterminated = lexError(t, 'print("abc);\n');
  t.is(unterminated.code, 'AT1002');
  t.is(unterminated.reason, 'Unterminated string literal');
  t.is(unterminated.column, 7);
  const badEscape = lexError(t, 'let s = "a\\qb";');
  t.is(badEscape.code, 'AT1003');
  t.is(badEscape.reason, "Invalid escape sequence '\\q'");
  t.is(badEscape.column, 11, 'points at the backslash');
  t.is(lexError(t, '"abc\\').code, 'AT1002');
  const comment = lexError(t, 'x;\n  /* never closed');
  t.is(comment.code, 'AT1004');
  t.is(comment.reason, 'Unterminated multi-line comment');
  t.deepEqual([comment.line, comment.column], [2, 3]);
});

test('terminateProgram appends the ; of spec §6.1 only when the program does not end in ; or }', (t) => {
  const withSemi = terminateProgram(lex('print(1)  \n'));
  t.deepEqual(withSemi.map((tok) => tok.kind), ['identifier', '(', 'number', ')', ';', 'eof']);
  t.deepEqual(withSemi[4]!.span, { start: 8, end: 9 });
  t.deepEqual(terminateProgram(lex('f();')).map((tok) => tok.kind), ['identifier', '(', ')', ';', 'eof']);
  t.is(terminateProgram(lex('fn f() {}')).length, 7, 'no ; after a closing brace');
  t.deepEqual(terminateProgram(lex('  ')).map((tok) => tok.kind), ['eof']);
  t.deepEqual(terminateProgram(lex('f() /* trailing */')).map((tok) => tok.kind), ['identifier', '(', ')', ';', 'eof']);
  t.deepEqual(terminateProgram(lex('x = 1 +')).map((tok) => tok.kind), ['identifier', '=', 'number', '+', 'eof'],
    'nothing after a token that cannot end a statement');
  t.deepEqual(terminateProgram(lex('while (c) { break')).map((tok) => tok.kind), ['while', '(', 'identifier', ')', '{', 'break', ';', 'eof']);
});
