/**
 * The static checks of the reference typechecker that shape what the bytecode may meet
 * (docs/bytecode.md §6.4), over a small type inference: literal types, declared or inferred variable
 * types, function signatures. Where a type is not known (builtins such as `print`, globals
 * declared later) the check is skipped, as the reference does for its unknown type, so
 * only certain errors are reported. Messages and codes are the reference's.
 *
 * Name resolution mirrors the code generator: inside a function, its parameters and the
 * locals declared so far in the enclosing block scopes (`Scopes`); otherwise globals
 * (top-level declarations are globals even inside blocks, as the reference compiles them).
 */
import type { Span } from '../bytecode/bytecode.js';
import type { AssignTarget, Block, Expr, FnDecl, Program, Stmt, TypeNode } from './ast.js';
import { compileErrorAt } from './compile-error.js';
import { Scopes } from './scopes.js';
import { isPreludeConstant, preludeFunction } from './prelude.js';
import type { SourceText } from './source-text.js';
import { type AtlasType, type FunctionType, T, arrayOf, displayType, isAssignable, isUnknown, overlaps } from './types.js';

interface Binding {
  readonly type: AtlasType;
  readonly mutable: boolean;
  readonly declaredWith: 'let' | 'var' | 'param' | 'fn' | 'prelude';
}

/** Throws the first static error of `program` as a CompileError. */
export function typecheck(program: Program, source: SourceText): void {
  new Checker(source).program(program);
}

class Checker {
  private readonly globals = new Map<string, Binding>();
  /** The current function's parameters and locals; undefined at top level. */
  private locals: Scopes<Binding> | undefined;
  /** The current function's return type; undefined at top level. */
  private returnType: AtlasType | undefined;
  private loopDepth = 0;

  constructor(private readonly source: SourceText) {}

  program(program: Program): void {
    // Functions are visible from the start (recursion, mutual recursion, docs/bytecode.md §3.6).
    for (const item of program.items) {
      if (item.kind !== 'fn') continue;
      this.requireNotPrelude(item.name);
      if (this.globals.has(item.name.name)) {
        throw this.error(item.name.span, `Function '${item.name.name}' is already declared`);
      }
      this.globals.set(item.name.name, { type: this.signature(item), mutable: false, declaredWith: 'fn' });
    }
    for (const item of program.items) {
      if (item.kind === 'fn') this.fn(item);
      else this.stmt(item);
    }
  }

  private signature(fn: FnDecl): FunctionType {
    return {
      kind: 'function',
      params: fn.params.map((p) => this.resolveType(p.type)),
      returns: fn.returnType === undefined ? T.null : this.resolveType(fn.returnType),
    };
  }

  private fn(fn: FnDecl): void {
    const sig = this.signature(fn);
    this.locals = new Scopes(fn.params.map((p, i) => [p.name.name, { type: sig.params[i]!, mutable: true, declaredWith: 'param' }] as const));
    this.returnType = sig.returns;
    this.loopDepth = 0;
    this.statements(fn.body.statements);
    const returns = sig.returns.kind;
    if (returns !== 'null' && returns !== 'void' && returns !== 'unknown' && !alwaysReturns(fn.body)) {
      throw this.error(fn.span, 'Not all code paths return a value', 'AT3004');
    }
    this.locals = undefined;
    this.returnType = undefined;
  }

  // ---- statements ------------------------------------------------------------------

  private statements(stmts: readonly Stmt[]): void {
    for (const s of stmts) this.stmt(s);
  }

  private stmt(s: Stmt): void {
    switch (s.kind) {
      case 'var': return this.varDecl(s);
      case 'expr': this.typeOf(s.expr); return;
      case 'assign': return this.assign(s.target, s.value, s.span);
      case 'compound': return this.compound(s.target, s.value, s.span);
      case 'increment': return this.increment(s.target, s.op, s.span);
      case 'return': return this.returnStmt(s.value, s.span);
      case 'if':
        this.condition(s.cond);
        this.scoped(s.then);
        if (s.otherwise !== undefined) this.scoped(s.otherwise);
        return;
      case 'while':
        this.condition(s.cond);
        this.loopBody(s.body);
        return;
      case 'for':
        // The header is a scope of its own: the initializer's variable ends with the loop.
        this.locals?.enter();
        this.stmt(s.init);
        this.condition(s.cond);
        this.stmt(s.step);
        this.loopBody(s.body);
        this.locals?.exit();
        return;
      case 'break': case 'continue':
        if (this.loopDepth === 0) {
          const what = s.kind === 'break' ? 'Break' : 'Continue';
          throw this.error(s.span, `${what} statement outside loop`, 'AT3010');
        }
        return;
      case 'block':
        this.statements(s.block.statements);
        return;
    }
  }

  private varDecl(s: Extract<Stmt, { kind: 'var' }>): void {
    const init = this.typeOf(s.init);
    let type = init;
    if (s.type !== undefined) {
      type = this.resolveType(s.type);
      if (!isAssignable(init, type)) {
        throw this.error(s.span, `Type mismatch: expected ${displayType(type)}, found ${displayType(init)}`, 'AT3001');
      }
    }
    const binding: Binding = { type, mutable: s.mutable, declaredWith: s.mutable ? 'var' : 'let' };
    if (this.locals !== undefined) this.locals.declare(s.name.name, binding);
    else {
      this.requireNotPrelude(s.name);
      this.globals.set(s.name.name, binding);
    }
  }

  private assign(target: AssignTarget, value: Expr, span: Span): void {
    const valueType = this.typeOf(value);
    const targetType = this.targetType(target);
    if (!isAssignable(valueType, targetType)) {
      throw this.error(span, `Type mismatch in assignment: expected ${displayType(targetType)}, found ${displayType(valueType)}`, 'AT3001');
    }
    this.requireMutable(target);
  }

  private compound(target: AssignTarget, value: Expr, span: Span): void {
    const valueType = this.typeOf(value);
    const targetType = this.targetType(target);
    if (!isNumberLike(targetType)) {
      throw this.error(span, `Compound assignment requires number type, found ${displayType(targetType)}`, 'AT3001');
    }
    if (!isNumberLike(valueType)) {
      throw this.error(span, `Compound assignment requires number value, found ${displayType(valueType)}`, 'AT3001');
    }
    this.requireMutable(target);
  }

  private increment(target: AssignTarget, op: '++' | '--', span: Span): void {
    const targetType = this.targetType(target);
    if (!isNumberLike(targetType)) {
      const what = op === '++' ? 'Increment' : 'Decrement';
      throw this.error(span, `${what} requires number type, found ${displayType(targetType)}`, 'AT3001');
    }
    this.requireMutable(target);
  }

  /** The compiler's own check (docs/bytecode.md §6.4): `let` bindings are never reassigned. */
  private requireMutable(target: AssignTarget): void {
    if (target.kind !== 'identifier') return;
    const binding = this.lookup(target.name);
    if (binding === undefined || binding.mutable) return;
    const reason = binding.declaredWith === 'fn'
      ? `Cannot assign to function '${target.name}'`
      : binding.declaredWith === 'prelude'
        ? `Cannot assign to immutable variable '${target.name}'`
        : `Cannot assign to immutable variable '${target.name}' — declared with 'let'`;
    throw this.error(target.span, reason, 'AT3003');
  }

  private returnStmt(value: Expr | undefined, span: Span): void {
    if (this.returnType === undefined) throw this.error(span, 'Return statement outside function', 'AT3011');
    const found = value === undefined ? T.void : this.typeOf(value);
    if (!returnAccepts(this.returnType, found)) {
      throw this.error(span, `Return type mismatch: expected ${displayType(this.returnType)}, found ${displayType(found)}`, 'AT3001');
    }
  }

  private condition(cond: Expr): void {
    const type = this.typeOf(cond);
    if (type.kind !== 'bool' && !isUnknown(type)) {
      throw this.error(cond.span, `Condition must be bool, found ${displayType(type)}`, 'AT3001');
    }
  }

  private loopBody(body: Block): void {
    this.loopDepth++;
    this.scoped(body);
    this.loopDepth--;
  }

  /** An if/else or loop block: inside a function, its declarations end with it. */
  private scoped(block: Block): void {
    this.locals?.enter();
    this.statements(block.statements);
    this.locals?.exit();
  }

  private targetType(target: AssignTarget): AtlasType {
    if (target.kind === 'identifier') return this.lookup(target.name)?.type ?? T.unknown;
    return this.typeOf(target);
  }

  // ---- expressions -----------------------------------------------------------------

  typeOf(e: Expr): AtlasType {
    switch (e.kind) {
      case 'number': return T.number;
      case 'string': return T.string;
      case 'bool': return T.bool;
      case 'null': return T.null;
      case 'identifier': return this.lookup(e.name)?.type ?? T.unknown;
      case 'group': return this.typeOf(e.inner);
      case 'unary': return this.unary(e.op, this.typeOf(e.operand), e.span);
      case 'binary': return this.binary(e.op, this.typeOf(e.left), this.typeOf(e.right), e.span);
      case 'call': return this.call(e.callee, e.args, e.span);
      case 'array': return this.arrayLiteral(e.elements);
      case 'index': return this.index(e.target, e.index);
    }
  }

  private unary(op: '-' | '!', operand: AtlasType, span: Span): AtlasType {
    const wanted = op === '-' ? T.number : T.bool;
    if (!isUnknown(operand) && operand.kind !== wanted.kind) {
      throw this.error(span, `Unary '${op}' requires ${wanted.kind} operand, found ${displayType(operand)}`, 'AT3002');
    }
    return wanted;
  }

  private binary(op: string, left: AtlasType, right: AtlasType, span: Span): AtlasType {
    // Like the reference, an operand of unknown type makes the whole expression unknown.
    if (isUnknown(left) || isUnknown(right)) return T.unknown;
    const found = `found ${displayType(left)} and ${displayType(right)}`;
    const both = (kind: string) => left.kind === kind && right.kind === kind;
    switch (op) {
      case '+':
        if (both('number') || both('string')) return left;
        throw this.error(span, `'+' requires both operands to be number or both to be string, ${found}`, 'AT3002');
      case '-': case '*': case '/': case '%':
        if (both('number')) return T.number;
        throw this.error(span, `Arithmetic operator requires number operands, ${found}`, 'AT3002');
      case '<': case '<=': case '>': case '>=':
        if (both('number')) return T.bool;
        throw this.error(span, `Comparison requires number operands, ${found}`, 'AT3002');
      case '==': case '!=':
        if (overlaps(left, right)) return T.bool;
        throw this.error(span, `Equality comparison requires overlapping types, ${found}`, 'AT3002');
      default: // && ||
        if (both('bool')) return T.bool;
        throw this.error(span, `Logical operators require bool operands, ${found}`, 'AT3002');
    }
  }

  private call(callee: Expr, args: readonly Expr[], span: Span): AtlasType {
    const calleeType = this.typeOf(callee);
    if (calleeType.kind === 'function') {
      const arity = calleeType.params.length;
      if (args.length !== arity) {
        throw this.error(span, `Function expects ${arity} argument${arity === 1 ? '' : 's'}, found ${args.length}`, 'AT3005');
      }
      args.forEach((arg, i) => {
        const argType = this.typeOf(arg);
        const expected = calleeType.params[i]!;
        if (!isAssignable(argType, expected)) {
          throw this.error(arg.span, `Argument ${i + 1} type mismatch: expected ${displayType(expected)}, found ${displayType(argType)}`, 'AT3001');
        }
      });
      return calleeType.returns;
    }
    for (const arg of args) this.typeOf(arg);
    if (isUnknown(calleeType)) return T.unknown;
    throw this.error(span, `Cannot call non-function type ${displayType(calleeType)}`, 'AT3006');
  }

  private arrayLiteral(elements: readonly Expr[]): AtlasType {
    if (elements.length === 0) return arrayOf(T.unknown);
    const first = this.typeOf(elements[0]!);
    elements.forEach((element, i) => {
      if (i === 0) return;
      const type = this.typeOf(element);
      if (!isAssignable(type, first)) {
        throw this.error(element.span, `Array element ${i} has wrong type: expected ${displayType(first)}, found ${displayType(type)}`, 'AT3001');
      }
    });
    return arrayOf(first);
  }

  private index(target: Expr, index: Expr): AtlasType {
    const targetType = this.typeOf(target);
    const indexType = this.typeOf(index);
    if (targetType.kind === 'array') {
      if (!isNumberLike(indexType)) {
        throw this.error(index.span, `Array index must be number, found ${displayType(indexType)}`, 'AT3001');
      }
      return targetType.element;
    }
    if (isUnknown(targetType)) return T.unknown;
    throw this.error(target.span, `Cannot index into type ${displayType(targetType)}`, 'AT3001');
  }

  // ---- names and types -------------------------------------------------------------

  private lookup(name: string): Binding | undefined {
    return this.locals?.lookup(name) ?? this.globals.get(name) ?? preludeBinding(name);
  }

  /** Top-level declarations may not reuse a prelude name (docs/math-builtins.md §1.2). */
  private requireNotPrelude(name: { readonly name: string; readonly span: Span }): void {
    if (preludeFunction(name.name) !== undefined) {
      throw this.error(name.span, `Cannot shadow prelude builtin '${name.name}' in global scope`, 'AT1012');
    }
    if (isPreludeConstant(name.name)) {
      throw this.error(name.span, `Symbol '${name.name}' is already defined in this scope`, 'AT2003');
    }
  }

  private resolveType(node: TypeNode): AtlasType {
    switch (node.kind) {
      case 'array': return arrayOf(this.resolveType(node.element));
      case 'function': return { kind: 'function', params: node.params.map((p) => this.resolveType(p)), returns: this.resolveType(node.returns) };
      case 'named':
        switch (node.name) {
          case 'number': return T.number;
          case 'string': return T.string;
          case 'bool': return T.bool;
          case 'null': return T.null;
          case 'void': return T.void;
          default: throw this.error(node.span, `Unknown type '${node.name}'`, 'AT3001');
        }
    }
  }

  private error(span: Span, reason: string, code?: string) {
    return compileErrorAt(this.source, span, reason, code, 'type');
  }
}

/** A prelude name's binding: a math builtin's signature or a math constant's `number`, immutable. */
function preludeBinding(name: string): Binding | undefined {
  const type = preludeFunction(name) ?? (isPreludeConstant(name) ? T.number : undefined);
  return type === undefined ? undefined : { type, mutable: false, declaredWith: 'prelude' };
}

function isNumberLike(t: AtlasType): boolean {
  return t.kind === 'number' || t.kind === 'unknown';
}

/**
 * Return-type compatibility. Unlike the reference, `return;` (void) is accepted in a
 * function returning null and `return null;` in one returning void: both produce null at
 * run time, and the reference's own default return type for an unannotated function is
 * null, which would otherwise reject a bare `return;` there.
 */
function returnAccepts(expected: AtlasType, found: AtlasType): boolean {
  const nullish = (t: AtlasType) => t.kind === 'null' || t.kind === 'void';
  return isAssignable(found, expected) || (nullish(expected) && nullish(found));
}

/** The reference's "all paths return": some statement is a return or an if/else whose both branches always return. */
function alwaysReturns(block: Block): boolean {
  return block.statements.some((s) =>
    s.kind === 'return' || (s.kind === 'if' && s.otherwise !== undefined && alwaysReturns(s.then) && alwaysReturns(s.otherwise)));
}
