import test from 'ava';
import type { Expr, FnDecl, Program, Stmt, TypeNode } from '../src/compiler/ast.js';
import { CompileError } from '../src/compiler/compile-error.js';
import { terminateProgram, tokenize } from '../src/compiler/lexer.js';
import { parse } from '../src/compiler/parser.js';
import { SourceText } from '../src/compiler/source-text.js';

function parseProgram(text: string): Program {
  const source = new SourceText(text, 'parse.atlas');
  return parse(terminateProgram(tokenize(source)), source);
}

function firstStmt(text: string): Stmt {
  const item = parseProgram(text).items[0];
  if (item === undefined || item.kind === 'fn') throw new Error('expected a statement');
  return item;
}

function parseExpr(text: string): Expr {
  const stmt = firstStmt(`${text};`);
  if (stmt.kind !== 'expr') throw new Error(`expected an expression statement, got ${stmt.kind}`);
  return stmt.expr;
}

/** Fully parenthesised prefix form, so precedence and associativity are visible. */
function sexpr(e: Expr): string {
  switch (e.kind) {
    case 'number': return String(e.value);
    case 'string': return JSON.stringify(e.value);
    case 'bool': return String(e.value);
    case 'null': return 'null';
    case 'identifier': return e.name;
    case 'group': return `(group ${sexpr(e.inner)})`;
    case 'unary': return `(${e.op} ${sexpr(e.operand)})`;
    case 'binary': return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'call': return `(call ${[e.callee, ...e.args].map(sexpr).join(' ')})`;
    case 'array': return `[${e.elements.map(sexpr).join(' ')}]`;
    case 'index': return `(index ${sexpr(e.target)} ${sexpr(e.index)})`;
    case 'member': return `(.${e.name.name} ${[e.target, ...(e.args ?? [])].map(sexpr).join(' ')})`;
  }
}

function typeText(node: TypeNode): string {
  switch (node.kind) {
    case 'named': return node.name;
    case 'array': return `${typeText(node.element)}[]`;
    case 'function': return `(${node.params.map(typeText).join(', ')}) -> ${typeText(node.returns)}`;
    case 'generic': return `${node.name}<${node.args.map(typeText).join(', ')}>`;
  }
}

test('precedence follows spec §6.3 (|| < && < equality < comparison < term < factor < unary < postfix)', (t) => {
  const cases: [string, string][] = [
    ['1 + 2 * 3', '(+ 1 (* 2 3))'],
    ['1 * 2 + 3', '(+ (* 1 2) 3)'],
    ['1 + 2 % 3 - 4 / 5', '(- (+ 1 (% 2 3)) (/ 4 5))'],
    ['a || b && c', '(|| a (&& b c))'],
    ['a && b || c && d', '(|| (&& a b) (&& c d))'],
    ['a == b < c', '(== a (< b c))'],
    ['a < b + 1', '(< a (+ b 1))'],
    ['a != b && c >= d', '(&& (!= a b) (>= c d))'],
    ['-a * b', '(* (- a) b)'],
    ['!a == b', '(== (! a) b)'],
    ['- - a', '(- (- a))'],
    ['-f(x)[0]', '(- (index (call f x) 0))'],
    ['f(1, g(2) + 3)[i + 1]', '(index (call f 1 (+ (call g 2) 3)) (+ i 1))'],
    ['[1, 2 + 3, [4]][0]', '(index [1 (+ 2 3) [4]] 0)'],
  ];
  for (const [source, expected] of cases) t.is(sexpr(parseExpr(source)), expected, source);
});

test('every binary operator is left-associative', (t) => {
  for (const op of ['+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=', '&&', '||']) {
    t.is(sexpr(parseExpr(`a ${op} b ${op} c`)), `(${op} (${op} a b) c)`, op);
  }
});

test('parentheses override precedence and keep their own node', (t) => {
  t.is(sexpr(parseExpr('(1 + 2) * 3')), '(* (group (+ 1 2)) 3)');
  t.is(sexpr(parseExpr('a - (b - c)')), '(- a (group (- b c)))');
});

test('spans: binary a..b, group with parentheses, unary op..e, call f..), index t..], array [..]', (t) => {
  const e = parseExpr('(2 + 3) * 4');
  t.deepEqual(e.span, { start: 0, end: 11 });
  if (e.kind !== 'binary') throw new Error('binary expected');
  t.deepEqual(e.left.span, { start: 0, end: 7 }, 'the group includes its parentheses');
  t.deepEqual(parseExpr('-  x').span, { start: 0, end: 4 });
  t.deepEqual(parseExpr('f(a, b)').span, { start: 0, end: 7 });
  t.deepEqual(parseExpr('xs[ 1 ]').span, { start: 0, end: 7 });
  t.deepEqual(parseExpr('[1, 2]').span, { start: 0, end: 6 });
  t.deepEqual(parseExpr('"str"').span, { start: 0, end: 5 });
});

test('statement spans end at ; or }, and a for step keeps only its target span', (t) => {
  t.deepEqual(firstStmt('let x: number = 1 ;').span, { start: 0, end: 19 });
  t.deepEqual(firstStmt('x = 1;').span, { start: 0, end: 6 });
  t.deepEqual(firstStmt('a[0] += 2;').span, { start: 0, end: 10 });
  t.deepEqual(firstStmt('i++;').span, { start: 0, end: 4 });
  t.deepEqual(firstStmt('if (c) { } else { x; }').span, { start: 0, end: 22 });
  t.deepEqual(firstStmt('while (c) { }').span, { start: 0, end: 13 });
  const loop = firstStmt('for (var i = 0; i < 3; i += 1) { }');
  if (loop.kind !== 'for') throw new Error('for expected');
  t.deepEqual(loop.span, { start: 0, end: 34 });
  t.deepEqual(loop.init.span, { start: 5, end: 15 });
  t.deepEqual(loop.step.span, { start: 23, end: 24 }, 'x only');
  t.is(loop.step.kind, 'compound');
  const exprStep = firstStmt('for (f(); ; g(1)) { }');
  if (exprStep.kind !== 'for') throw new Error('for expected');
  t.deepEqual(exprStep.init.span, { start: 5, end: 8 }, 'an expression initializer has no ;');
  t.deepEqual(exprStep.step.span, { start: 12, end: 16 });
});

test('missing for clauses become null / true / null with span (0,0)', (t) => {
  const loop = firstStmt('for (;;) { break; }');
  if (loop.kind !== 'for') throw new Error('for expected');
  t.deepEqual(loop.init, { kind: 'expr', expr: { kind: 'null', span: { start: 0, end: 0 } }, span: { start: 0, end: 0 } });
  t.deepEqual(loop.cond, { kind: 'bool', value: true, span: { start: 0, end: 0 } });
  t.deepEqual(loop.step, { kind: 'expr', expr: { kind: 'null', span: { start: 0, end: 0 } }, span: { start: 0, end: 0 } });
});

test('simple statements: assignment, compound assignment, ++ and -- on names and elements', (t) => {
  t.is(firstStmt('x = 1;').kind, 'assign');
  t.is(firstStmt('a[i] = 1;').kind, 'assign');
  for (const op of ['+', '-', '*', '/', '%']) {
    const s = firstStmt(`x ${op}= 2;`);
    t.true(s.kind === 'compound' && s.op === op);
  }
  const inc = firstStmt('x--;');
  t.true(inc.kind === 'increment' && inc.op === '--');
  t.is(firstStmt('f(1);').kind, 'expr');
});

test('functions: parameters with types, optional return type, trailing comma in parameters', (t) => {
  const fn = parseProgram('fn f(a: number, b: string[], g: (number, bool) -> null,) -> number[][] { return a; }').items[0] as FnDecl;
  t.is(fn.kind, 'fn');
  t.is(fn.name.name, 'f');
  t.deepEqual(fn.params.map((p) => `${p.name.name}: ${typeText(p.type)}`), ['a: number', 'b: string[]', 'g: (number, bool) -> null']);
  t.is(typeText(fn.returnType!), 'number[][]');
  t.deepEqual(fn.span, { start: 0, end: fn.body.span.end });
  const noReturn = parseProgram('fn g() {}').items[0] as FnDecl;
  t.is(noReturn.returnType, undefined);
  t.deepEqual(noReturn.params, []);
});

test('if / else, while, for, return, break, continue, standalone block', (t) => {
  const items = parseProgram('if (a) { b; } else { if (c) { d; } } while (x) { break; continue; } return; return 1; {}').items;
  t.deepEqual(items.map((i) => i.kind), ['if', 'while', 'return', 'return', 'block']);
  const ifStmt = items[0] as Extract<Stmt, { kind: 'if' }>;
  t.is(ifStmt.otherwise!.statements[0]!.kind, 'if');
});

test('the final statement may omit its ; (spec §6.1)', (t) => {
  const stmt = firstStmt('print(1)');
  t.is(stmt.kind, 'expr');
  t.deepEqual(stmt.span, { start: 0, end: 9 });
});

function parseError(t: import('ava').ExecutionContext, text: string): CompileError {
  const err = t.throws(() => parseProgram(text), { instanceOf: CompileError });
  if (err === undefined) throw new Error('expected a CompileError');
  t.is(err.code, 'AT1000');
  return err;
}

test('syntax errors name what was expected and what was found, at that token (a missing ; right after the previous one)', (t) => {
  const missing = parseError(t, 'let x = 1\nlet y = 2;');
  t.is(missing.reason, "Expected ';' after variable declaration, found 'let'");
  t.deepEqual([missing.line, missing.column], [1, 10], 'just after the 1, not at the next line');
  t.is(missing.referenceLine, "Parse error: Expected ';' after variable declaration", 'the reference names only what was expected');
  t.is(parseError(t, 'x = ;').reason, "Expected expression, found ';'");
  t.is(parseError(t, 'f(1,);').reason, "Expected expression, found ')'");
  t.is(parseError(t, 'if x { }').reason, "Expected '(' after 'if', found identifier");
  t.is(parseError(t, 'fn f( { }').reason, "Expected a parameter name but found '{'");
  t.is(parseError(t, 'let if = 1;').reason, "Cannot use reserved keyword 'if' as a variable name");
  t.is(parseError(t, 'f() = 1;').reason, 'Invalid assignment target');
  t.is(parseError(t, 'fn f() { return 1; ').reason, "Expected '}', found end of input");
  t.is(parseError(t, 'let x = 1e999;').reason, 'Invalid number literal');
  t.regex(parseError(t, 'if (a) { } else if (b) { }').reason, /no 'else if'/);
});

test('constructs outside the compiled subset are rejected by name', (t) => {
  t.regex(parseError(t, 'fn f() { fn g() {} }').reason, /only allowed at top level/);
  t.regex(parseError(t, 'import { x } from "m";').reason, /'import' declarations are not supported/);
  t.regex(parseError(t, 'let y = match x { _ => 1 };').reason, /match expressions are not supported/);
  t.regex(parseError(t, 'f()?;').reason, /'\?' operator/);
  t.regex(parseError(t, 'fn f(own x: number) {}').reason, /Ownership annotations/);
  t.regex(parseError(t, 'fn f<T extends number>(x: T) {}').reason, /bounds are not supported/);
});

test('for-in loops, method calls, generic functions and generic types parse with the reference spans', (t) => {
  const loop = firstStmt('for x in xs { print(x); }');
  if (loop.kind !== 'forIn') throw new Error(loop.kind);
  t.is(loop.variable.name, 'x');
  t.deepEqual(loop.span, { start: 0, end: 25 });
  t.is(sexpr(parseExpr('a.push(1 + 2)')), '(.push a (+ 1 2))');
  t.is(sexpr(parseExpr('d["k"].as_string()')), '(.as_string (index d "k"))');
  t.deepEqual(parseExpr('a.b.c()').span, { start: 0, end: 7 });
  const fn = parseProgram('fn id<T, U>(x: T, y: Result<T, U>) -> Option<T[]> { return x; }').items[0] as FnDecl;
  t.deepEqual(fn.typeParams.map((p) => p.name), ['T', 'U']);
  t.is(typeText(fn.params[1]!.type), 'Result<T, U>');
  t.is(typeText(fn.returnType!), 'Option<T[]>');
  t.deepEqual(fn.returnType!.span, { start: 38, end: 49 });
});

test('absurd nesting is a CompileError, not a stack overflow', (t) => {
  const deep = `${'('.repeat(2000)}1${')'.repeat(2000)};`;
  t.regex(parseError(t, deep).reason, /nested too deeply/);
  const chain = `${Array.from({ length: 1500 }, () => '1').join(' + ')};`;
  t.regex(parseError(t, chain).reason, /nested too deeply/);
  t.notThrows(() => parseProgram(`${'('.repeat(300)}1${')'.repeat(300)};`));
  t.notThrows(() => parseProgram(`${Array.from({ length: 900 }, () => '1').join(' + ')};`));
});
