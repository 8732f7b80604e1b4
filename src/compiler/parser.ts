/**
 * The Atlas parser (docs/bytecode.md §6.3): recursive descent for items and statements, Pratt parsing
 * for expressions with the reference's precedence table; every binary operator is
 * left-associative. Spans follow the reference parser exactly, since they end up in the
 * debug table. Syntax errors are CompileErrors with code AT1000 located at the token
 * where parsing failed, like the reference's.
 *
 * Constructs of full Atlas outside the compiled subset (imports, match, the `?` operator,
 * ownership annotations, nested functions) are recognised and rejected with a message
 * saying so, rather than a confusing "Expected ';'".
 *
 * After a syntax error the parser recovers like the reference's, in a block as at top
 * level: it skips to the end of the statement (past a `;`, or up to a keyword that starts a
 * statement) and goes on, so one compile reports every syntax error of the file (at most
 * `MAX_DIAGNOSTICS`).
 */
import type { Span } from '../bytecode/bytecode.js';
import {
  type ArithmeticOp, type AssignTarget, type BinaryOp, type Block, type Expr, type FnDecl, type Item,
  type Param, type Program, type Stmt, type TypeNode, type VarDecl, DUMMY_SPAN, mergeSpans,
} from './ast.js';
import { CompileError, MAX_DIAGNOSTICS, combineDiagnostics, compileErrorAt } from './compile-error.js';
import type { SourceText } from './source-text.js';
import { type Token, type TokenKind, describeKind } from './tokens.js';

/** Binding powers, low → high (docs/bytecode.md §6.3). */
const enum Prec {
  Lowest = 0,
  Or = 1,
  And = 2,
  Equality = 3,
  Comparison = 4,
  Term = 5,
  Factor = 6,
  Unary = 7,
  Postfix = 8,
}

const BINARY_PRECEDENCE: Partial<Record<TokenKind, Prec>> = {
  '||': Prec.Or,
  '&&': Prec.And,
  '==': Prec.Equality, '!=': Prec.Equality,
  '<': Prec.Comparison, '<=': Prec.Comparison, '>': Prec.Comparison, '>=': Prec.Comparison,
  '+': Prec.Term, '-': Prec.Term,
  '*': Prec.Factor, '/': Prec.Factor, '%': Prec.Factor,
};

const COMPOUND_OPS: Partial<Record<TokenKind, ArithmeticOp>> = {
  '+=': '+', '-=': '-', '*=': '*', '/=': '/', '%=': '%',
};

/** Keywords reserved by full Atlas that start constructs this compiler does not handle. */
const UNSUPPORTED_ITEMS: ReadonlySet<TokenKind> = new Set(['import', 'export', 'extern', 'type', 'trait', 'impl']);

/** Keywords that can never name a variable, parameter or function (reference `is_reserved_keyword`). */
const RESERVED: ReadonlySet<TokenKind> = new Set([
  'let', 'var', 'fn', 'type', 'if', 'else', 'while', 'for', 'in', 'return', 'break', 'continue',
  'true', 'false', 'null', 'import', 'export', 'from', 'extern', 'match', 'as', 'extends', 'is',
  'own', 'borrow', 'shared', 'trait', 'impl',
]);

/**
 * How deep expressions and blocks may nest. The later passes recurse over the tree, so
 * this keeps them far from the JS stack limit and turns absurd input into a CompileError.
 */
export const MAX_NESTING = 1000;

/** Keywords where the reference's recovery stops skipping: a new statement starts there. */
const STATEMENT_STARTS: ReadonlySet<TokenKind> = new Set(['fn', 'type', 'let', 'var', 'if', 'while', 'for', 'return']);

/** Parses a whole program; throws a CompileError holding every syntax error found. */
export function parse(tokens: readonly Token[], source: SourceText): Program {
  return new Parser(tokens, source).program();
}

/** Thrown once `MAX_DIAGNOSTICS` syntax errors are recorded: parsing stops there. */
class TooManyErrors extends Error {}

class Parser {
  private pos = 0;
  private depth = 0;
  /**
   * Height of the expression tree the last expression-parsing method returned. Left-
   * associative chains grow the tree without recursing here, so depth alone is no bound;
   * each method sets this right before returning and callers read it right after.
   */
  private lastHeight = 0;
  /** The syntax errors recorded so far, in source order. */
  private readonly errors: CompileError[] = [];

  constructor(
    private readonly tokens: readonly Token[],
    private readonly source: SourceText,
  ) {}

  program(): Program {
    const items: Item[] = [];
    try {
      while (!this.check('eof')) {
        const item = this.recovering(0, () => this.item());
        if (item !== undefined) items.push(item);
      }
    } catch (err) {
      if (!(err instanceof TooManyErrors)) throw err;
    }
    if (this.errors.length > 0) throw combineDiagnostics(this.errors);
    return { items };
  }

  /**
   * Runs `parse`; on a syntax error records it, restores the nesting depth the caller was at
   * and skips past the statement that failed, returning undefined.
   */
  private recovering<R>(depth: number, parse: () => R): R | undefined {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof CompileError)) throw err;
      this.errors.push(err);
      if (this.errors.length >= MAX_DIAGNOSTICS) throw new TooManyErrors();
      this.depth = depth;
      this.synchronize();
      return undefined;
    }
  }

  /** Skips past the statement that failed: up to just after a `;` or to a statement keyword. */
  private synchronize(): void {
    this.advance();
    while (!this.check('eof')) {
      if (this.tokens[this.pos - 1]?.kind === ';') return;
      if (STATEMENT_STARTS.has(this.peek().kind)) return;
      this.advance();
    }
  }

  // ---- items -----------------------------------------------------------------------

  private item(): Item {
    const token = this.peek();
    if (token.kind === 'fn') return this.fnDecl();
    if (UNSUPPORTED_ITEMS.has(token.kind)) {
      throw this.errorAt(token, `'${token.kind}' declarations are not supported by this compiler`);
    }
    return this.statement();
  }

  private fnDecl(): FnDecl {
    const fnToken = this.expect('fn', "Expected 'fn'");
    const name = this.identifier('a function name');
    const typeParams = this.typeParams();
    this.expect('(', "Expected '(' after function name");
    const params: Param[] = [];
    while (!this.check(')')) {
      params.push(this.param());
      if (!this.match(',')) break;
    }
    this.expect(')', "Expected ')' after parameters");
    let returnType: TypeNode | undefined;
    if (this.match('->')) {
      this.rejectOwnership();
      returnType = this.type();
    }
    const body = this.block();
    return { kind: 'fn', name, typeParams, params, returnType, body, span: mergeSpans(fnToken.span, body.span) };
  }

  /** `<T, U>` after a function name (bounds are not supported). */
  private typeParams(): { kind: 'identifier'; name: string; span: Span }[] {
    const params: { kind: 'identifier'; name: string; span: Span }[] = [];
    if (!this.match('<')) return params;
    do {
      params.push(this.identifier('a type parameter name'));
      if (this.check('extends') || this.check(':')) throw this.errorAt(this.peek(), 'Type parameter bounds are not supported by this compiler');
    } while (this.match(','));
    this.expect('>', "Expected '>' after type parameters");
    return params;
  }

  private param(): Param {
    this.rejectOwnership();
    const name = this.identifier('a parameter name');
    this.expect(':', "Expected ':' after parameter name");
    const type = this.type();
    return { name, type, span: mergeSpans(name.span, type.span) };
  }

  private rejectOwnership(): void {
    const token = this.peek();
    if (token.kind === 'own' || token.kind === 'borrow' || token.kind === 'shared') {
      throw this.errorAt(token, `Ownership annotations ('${token.kind}') are not supported by this compiler`);
    }
  }

  /** IDENT | `null`, then any number of `[]`; or a function type `(T, …) -> R`. */
  private type(): TypeNode {
    let node: TypeNode;
    const start = this.peek();
    // Types nest too (function types recurse here, array types are checked recursively later).
    this.enter(start);
    if (start.kind === '(') {
      node = this.functionType();
    } else if (start.kind === 'null') {
      this.advance();
      node = { kind: 'named', name: 'null', span: start.span };
    } else {
      const name = this.identifier('a type name');
      node = { kind: 'named', name: name.name, span: name.span };
      if (this.match('<')) {
        const args: TypeNode[] = [];
        do args.push(this.type()); while (this.match(','));
        const close = this.expect('>', "Expected '>' after type arguments");
        node = { kind: 'generic', name: name.name, args, span: mergeSpans(name.span, close.span) };
      }
    }
    let levels = 0;
    while (this.match('[')) {
      const close = this.expect(']', "Expected ']' after '[' in array type");
      if (++levels + this.depth > MAX_NESTING) throw this.errorAt(close, `Program is nested too deeply (more than ${MAX_NESTING} levels)`);
      node = { kind: 'array', element: node, span: mergeSpans(node.span, close.span) };
    }
    this.depth--;
    return node;
  }

  private functionType(): TypeNode {
    const open = this.expect('(', "Expected '(' at start of function type");
    const params: TypeNode[] = [];
    while (!this.check(')')) {
      params.push(this.type());
      if (!this.match(',')) break;
    }
    this.expect(')', "Expected ')' after function parameter types");
    this.expect('->', "Expected '->' in function type");
    const returns = this.type();
    return { kind: 'function', params, returns, span: mergeSpans(open.span, returns.span) };
  }

  // ---- statements ------------------------------------------------------------------

  private statement(): Stmt {
    const token = this.peek();
    switch (token.kind) {
      case 'let': case 'var': return this.varDecl();
      case 'if': return this.ifStmt();
      case 'while': return this.whileStmt();
      case 'for': return this.forStmt();
      case 'return': return this.returnStmt();
      case 'break': case 'continue': return this.jumpStmt(token.kind);
      case '{': {
        const block = this.block();
        return { kind: 'block', block, span: block.span };
      }
      case 'fn':
        throw this.errorAt(token, 'Function declarations are only allowed at top level');
      default:
        if (UNSUPPORTED_ITEMS.has(token.kind)) {
          throw this.errorAt(token, `'${token.kind}' declarations are only allowed at top level and are not supported by this compiler`);
        }
        return this.simpleStmt();
    }
  }

  private varDecl(): VarDecl {
    const keyword = this.advance();
    const name = this.identifier('a variable name');
    const type = this.match(':') ? this.type() : undefined;
    this.expect('=', "Expected '=' in variable declaration");
    const init = this.expression();
    const end = this.expect(';', "Expected ';' after variable declaration");
    return { kind: 'var', mutable: keyword.kind === 'var', name, type, init, span: mergeSpans(keyword.span, end.span) };
  }

  /** expr (`=` expr | op= expr | `++` | `--`)? `;` */
  private simpleStmt(): Stmt {
    const expr = this.expression();
    const next = this.peek();
    const compound = COMPOUND_OPS[next.kind];
    if (next.kind === '=') {
      this.advance();
      const target = this.assignTarget(expr);
      const value = this.expression();
      const end = this.expect(';', "Expected ';' after assignment");
      return { kind: 'assign', target, value, span: mergeSpans(expr.span, end.span) };
    }
    if (compound !== undefined) {
      this.advance();
      const target = this.assignTarget(expr);
      const value = this.expression();
      const end = this.expect(';', "Expected ';' after compound assignment");
      return { kind: 'compound', op: compound, target, value, span: mergeSpans(expr.span, end.span) };
    }
    if (next.kind === '++' || next.kind === '--') {
      this.advance();
      const target = this.assignTarget(expr);
      const end = this.expect(';', `Expected ';' after ${next.kind === '++' ? 'increment' : 'decrement'}`);
      return { kind: 'increment', op: next.kind, target, span: mergeSpans(expr.span, end.span) };
    }
    const end = this.expect(';', "Expected ';' after expression");
    return { kind: 'expr', expr, span: mergeSpans(expr.span, end.span) };
  }

  private assignTarget(expr: Expr): AssignTarget {
    if (expr.kind === 'identifier' || expr.kind === 'index') return expr;
    throw this.error(expr.span, 'Invalid assignment target');
  }

  private ifStmt(): Stmt {
    const ifToken = this.advance();
    this.expect('(', "Expected '(' after 'if'");
    const cond = this.expression();
    this.expect(')', "Expected ')' after if condition");
    const then = this.block();
    let otherwise: Block | undefined;
    if (this.match('else')) {
      if (this.check('if')) {
        throw this.errorAt(this.peek(), "Expected '{' after 'else' (there is no 'else if': write 'else { if … }')");
      }
      otherwise = this.block();
    }
    return { kind: 'if', cond, then, otherwise, span: mergeSpans(ifToken.span, (otherwise ?? then).span) };
  }

  private whileStmt(): Stmt {
    const whileToken = this.advance();
    this.expect('(', "Expected '(' after 'while'");
    const cond = this.expression();
    this.expect(')', "Expected ')' after while condition");
    const body = this.block();
    return { kind: 'while', cond, body, span: mergeSpans(whileToken.span, body.span) };
  }

  /**
   * `for (init; cond; step) block`. Missing clauses become the reference's dummies with
   * span (0,0): `null` for init and step, `true` for the condition. An expression used as
   * init or step, and a step of any kind, gets the span of its first expression only
   * (no `;`), as in the reference parser.
   */
  private forStmt(): Stmt {
    // Like the reference: anything but `(` after `for` is a for-in loop.
    if (this.peekAt(1).kind !== '(') return this.forInStmt();
    const forToken = this.advance();
    this.expect('(', "Expected '(' after 'for'");
    let init: Stmt;
    if (this.check('let') || this.check('var')) {
      init = this.varDecl();
    } else if (this.check(';')) {
      this.advance();
      init = { kind: 'expr', expr: { kind: 'null', span: DUMMY_SPAN }, span: DUMMY_SPAN };
    } else {
      const expr = this.expression();
      this.expect(';', "Expected ';' after for initializer");
      init = { kind: 'expr', expr, span: expr.span };
    }
    const cond: Expr = this.check(';') ? { kind: 'bool', value: true, span: DUMMY_SPAN } : this.expression();
    this.expect(';', "Expected ';' after for condition");
    const step = this.check(')')
      ? { kind: 'expr' as const, expr: { kind: 'null' as const, span: DUMMY_SPAN }, span: DUMMY_SPAN }
      : this.forStep();
    this.expect(')', "Expected ')' after for clauses");
    const body = this.block();
    return { kind: 'for', init, cond, step, body, span: mergeSpans(forToken.span, body.span) };
  }

  /** `for x in iterable { … }` */
  private forInStmt(): Stmt {
    const forToken = this.advance();
    const variable = this.identifier("variable name after 'for'");
    this.expect('in', "Expected 'in' after variable name");
    const iterable = this.expression();
    const body = this.block();
    return { kind: 'forIn', variable, iterable, body, span: mergeSpans(forToken.span, body.span) };
  }

  private forStep(): Stmt {
    const expr = this.expression();
    const span = expr.span;
    const next = this.peek();
    const compound = COMPOUND_OPS[next.kind];
    if (next.kind === '=') {
      this.advance();
      const target = this.assignTarget(expr);
      return { kind: 'assign', target, value: this.expression(), span };
    }
    if (compound !== undefined) {
      this.advance();
      const target = this.assignTarget(expr);
      return { kind: 'compound', op: compound, target, value: this.expression(), span };
    }
    if (next.kind === '++' || next.kind === '--') {
      this.advance();
      return { kind: 'increment', op: next.kind, target: this.assignTarget(expr), span };
    }
    return { kind: 'expr', expr, span };
  }

  private returnStmt(): Stmt {
    const returnToken = this.advance();
    const value = this.check(';') ? undefined : this.expression();
    const end = this.expect(';', "Expected ';' after return");
    return { kind: 'return', value, span: mergeSpans(returnToken.span, end.span) };
  }

  private jumpStmt(kind: 'break' | 'continue'): Stmt {
    const keyword = this.advance();
    const end = this.expect(';', `Expected ';' after ${kind}`);
    return { kind, span: mergeSpans(keyword.span, end.span) };
  }

  private block(): Block {
    const open = this.expect('{', "Expected '{'");
    this.enter(open);
    const statements: Stmt[] = [];
    const depth = this.depth;
    while (!this.check('}') && !this.check('eof')) {
      const statement = this.recovering(depth, () => this.statement());
      if (statement !== undefined) statements.push(statement);
    }
    const close = this.expect('}', "Expected '}'");
    this.depth--;
    return { statements, span: mergeSpans(open.span, close.span) };
  }

  // ---- expressions (Pratt) ---------------------------------------------------------

  expression(): Expr {
    return this.precedence(Prec.Lowest);
  }

  private precedence(min: Prec): Expr {
    this.enter(this.peek());
    let left = this.prefix();
    while (min < this.infixPrecedence(this.peek().kind)) left = this.infix(left, this.lastHeight);
    this.depth--;
    return left;
  }

  private infixPrecedence(kind: TokenKind): Prec {
    if (kind === '(' || kind === '[' || kind === '.' || kind === '?') return Prec.Postfix;
    return BINARY_PRECEDENCE[kind] ?? Prec.Lowest;
  }

  private prefix(): Expr {
    const token = this.peek();
    switch (token.kind) {
      case 'number': return this.numberLiteral();
      case 'string': this.advance(); return this.node({ kind: 'string', value: token.text, span: token.span });
      case 'true': case 'false':
        this.advance();
        return this.node({ kind: 'bool', value: token.kind === 'true', span: token.span });
      case 'null': this.advance(); return this.node({ kind: 'null', span: token.span });
      case 'identifier': this.advance(); return this.node({ kind: 'identifier', name: token.text, span: token.span });
      case '(': return this.group();
      case '[': return this.arrayLiteral();
      case '-': case '!': return this.unary();
      case 'match': throw this.errorAt(token, 'match expressions are not supported by this compiler');
      default: throw this.errorAt(token, `Expected expression, found ${describeKind(token.kind)}`, 'Expected expression');
    }
  }

  private numberLiteral(): Expr {
    const token = this.advance();
    const value = Number(token.text);
    // Correctly rounded like Rust's f64 parse; a literal that overflows is rejected (docs/bytecode.md §6.2).
    if (!Number.isFinite(value)) throw this.errorAt(token, 'Invalid number literal');
    return this.node({ kind: 'number', value, span: token.span });
  }

  private group(): Expr {
    const open = this.advance();
    const inner = this.expression();
    const height = this.lastHeight;
    const close = this.expect(')', "Expected ')'");
    return this.node({ kind: 'group', inner, span: mergeSpans(open.span, close.span) }, height);
  }

  private arrayLiteral(): Expr {
    const open = this.advance();
    const elements: Expr[] = [];
    let height = 0;
    if (!this.check(']')) {
      do {
        elements.push(this.expression());
        height = Math.max(height, this.lastHeight);
      } while (this.match(','));
    }
    const close = this.expect(']', "Expected ']'");
    return this.node({ kind: 'array', elements, span: mergeSpans(open.span, close.span) }, height);
  }

  private unary(): Expr {
    const op = this.advance();
    const operand = this.precedence(Prec.Unary);
    const kind = op.kind === '-' ? '-' : '!';
    return this.node({ kind: 'unary', op: kind, operand, span: mergeSpans(op.span, operand.span) }, this.lastHeight);
  }

  private infix(left: Expr, leftHeight: number): Expr {
    const token = this.peek();
    switch (token.kind) {
      case '(': return this.call(left, leftHeight);
      case '[': return this.index(left, leftHeight);
      case '.': return this.member(left, leftHeight);
      case '?': throw this.errorAt(token, "The '?' operator is not supported by this compiler");
      default: return this.binary(left, leftHeight);
    }
  }

  private binary(left: Expr, leftHeight: number): Expr {
    const opToken = this.advance();
    const prec = BINARY_PRECEDENCE[opToken.kind]!;
    // Parsing the right side at the operator's own level makes every operator left-associative.
    const right = this.precedence(prec);
    const op = opToken.kind as BinaryOp;
    const height = Math.max(leftHeight, this.lastHeight);
    return this.node({ kind: 'binary', op, left, right, span: mergeSpans(left.span, right.span) }, height);
  }

  private call(callee: Expr, calleeHeight: number): Expr {
    const { args, height, close } = this.argumentList(calleeHeight);
    return this.node({ kind: 'call', callee, args, span: mergeSpans(callee.span, close.span) }, height);
  }

  /**
   * `(a, b, …)` from its `(`: the arguments, the nesting height of the deepest one (at least
   * `height`, the callee's or receiver's) and the closing token.
   */
  private argumentList(height: number): { args: Expr[]; height: number; close: Token } {
    this.advance();
    const args: Expr[] = [];
    if (!this.check(')')) {
      do {
        args.push(this.expression());
        height = Math.max(height, this.lastHeight);
      } while (this.match(','));
    }
    const close = this.expect(')', "Expected ')'");
    return { args, height, close };
  }

  /** `target.name` or `target.name(args)` (the reference's MemberExpr). */
  private member(target: Expr, targetHeight: number): Expr {
    this.advance();
    const name = this.identifier('a method or property name');
    if (!this.check('(')) return this.node({ kind: 'member', target, name, args: undefined, span: mergeSpans(target.span, name.span) }, targetHeight);
    const { args, height, close } = this.argumentList(targetHeight);
    return this.node({ kind: 'member', target, name, args, span: mergeSpans(target.span, close.span) }, height);
  }

  private index(target: Expr, targetHeight: number): Expr {
    this.advance();
    const index = this.expression();
    const height = Math.max(targetHeight, this.lastHeight);
    const close = this.expect(']', "Expected ']'");
    return this.node({ kind: 'index', target, index, span: mergeSpans(target.span, close.span) }, height);
  }

  // ---- nesting limits --------------------------------------------------------------

  private enter(at: Token): void {
    if (++this.depth > MAX_NESTING) throw this.errorAt(at, `Program is nested too deeply (more than ${MAX_NESTING} levels)`);
  }

  /** Records the height of a new node (one above its tallest child) and rejects trees too tall for the later passes. */
  private node(expr: Expr, tallestChild = 0): Expr {
    const height = tallestChild + 1;
    if (height > MAX_NESTING) {
      throw this.error(expr.span, `Expression is nested too deeply (more than ${MAX_NESTING} levels)`);
    }
    this.lastHeight = height;
    return expr;
  }

  // ---- token helpers ---------------------------------------------------------------

  private identifier(what: string): { kind: 'identifier'; name: string; span: Span } {
    const token = this.peek();
    if (token.kind === 'identifier') {
      this.advance();
      return { kind: 'identifier', name: token.text, span: token.span };
    }
    if (RESERVED.has(token.kind)) throw this.errorAt(token, `Cannot use reserved keyword '${token.text}' as ${what}`);
    throw this.errorAt(token, `Expected ${what} but found ${describeKind(token.kind)}`);
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private peekAt(ahead: number): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  private advance(): Token {
    const token = this.tokens[this.pos]!;
    if (token.kind !== 'eof') this.pos++;
    return token;
  }

  private check(kind: TokenKind): boolean {
    return this.peek().kind === kind;
  }

  private match(kind: TokenKind): boolean {
    if (!this.check(kind)) return false;
    this.advance();
    return true;
  }

  /**
   * Consumes a `kind` token or fails with `message` (the reference's words). A missing `;`
   * is reported right after the previous token, where it belongs, not at the next line's
   * first token.
   */
  private expect(kind: TokenKind, message: string): Token {
    const token = this.peek();
    if (token.kind === kind) return this.advance();
    const previous = this.tokens[this.pos - 1];
    const span = kind === ';' && previous !== undefined ? { start: previous.span.end, end: previous.span.end + 1 } : token.span;
    throw this.error(span, `${message}, found ${describeKind(token.kind)}`, message);
  }

  private errorAt(token: Token, reason: string, referenceReason?: string) {
    return this.error(token.span, reason, referenceReason);
  }

  private error(span: Span, reason: string, referenceReason?: string) {
    return compileErrorAt(this.source, span, reason, 'AT1000', 'parse', { ...(referenceReason === undefined ? {} : { referenceReason }) });
  }
}
