/**
 * The static checks of the reference typechecker that shape what the bytecode may meet
 * (docs/bytecode.md §6.4), over a small type inference: literal types, declared or inferred variable
 * types, function and prelude signatures, Option/Result/json. Where a type is not known
 * (builtins without a static signature such as `unwrap`, a generic function's result) the
 * check is skipped, as the reference does for its unknown type, so only certain errors are
 * reported. Messages and codes are the reference's.
 *
 * Name resolution mirrors the code generator: inside a function, its parameters and the
 * locals declared so far in the enclosing block scopes (`Scopes`); otherwise globals
 * (top-level declarations are globals even inside blocks, as the reference compiles them).
 * Names are known to exist: the binder has checked them first.
 *
 * Every error is collected (and the reference's warnings, which its one-line form prints
 * along with the errors: AT2001 for a function's unused local or parameter, AT2002 for a
 * statement after a `return` in its block); `typecheck`
 * throws one CompileError holding them all. It returns what the code generator needs to
 * know about types: the builtin each method call resolves to.
 */
import type { Span } from '../bytecode/bytecode.js';
import type { AssignTarget, Block, Expr, FnDecl, Identifier, MemberExpr, Program, Stmt, TypeNode } from './ast.js';
import { type CompileError, MAX_DIAGNOSTICS, combineDiagnostics, compileErrorAt } from './compile-error.js';
import { type Bindings, substitute, unify } from './generics.js';
import { type MethodSignature, methodNames, methodSignature } from './methods.js';
import { Scopes } from './scopes.js';
import { isPreludeConstant, preludeFunction } from './prelude.js';
import type { SourceText } from './source-text.js';
import { suggestAmong } from './suggest.js';
import { type AtlasType, type FunctionType, T, arrayOf, displayType, isAssignable, isUnknown, overlaps } from './types.js';

interface Binding {
  readonly type: AtlasType;
  readonly mutable: boolean;
  readonly declaredWith: 'let' | 'var' | 'param' | 'fn' | 'prelude' | 'loop';
}

/** What the checker learnt for the code generator. */
export interface TypeFacts {
  /** The builtin each method call (`a.push(x)`, `j.as_string()`) resolves to. */
  readonly methods: ReadonlyMap<MemberExpr, string>;
}

/** Checks `program`; throws a CompileError holding every static error. */
export function typecheck(program: Program, source: SourceText): TypeFacts {
  const checker = new Checker(source);
  checker.program(program);
  if (checker.diagnostics.some((d) => !d.warning)) throw combineDiagnostics(checker.diagnostics);
  return { methods: checker.methods };
}

/** A function's locals and parameters, for the unused-variable warning. */
interface UsageTracking {
  readonly declared: Map<string, { readonly span: Span; readonly kind: 'variable' | 'parameter' }>;
  readonly used: Set<string>;
}

class Checker {
  readonly diagnostics: CompileError[] = [];
  readonly methods = new Map<MemberExpr, string>();
  /** The current function's type parameters. */
  private typeParams: ReadonlySet<string> = new Set();
  private usage: UsageTracking | undefined;
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
      if (item.kind !== 'fn' || this.globals.has(item.name.name)) continue;
      this.globals.set(item.name.name, { type: this.signature(item), mutable: false, declaredWith: 'fn' });
    }
    for (const item of program.items) {
      if (item.kind === 'fn') this.fn(item);
      else this.stmt(item);
    }
  }

  /** Its signature; type errors in it are reported once, when the function itself is checked. */
  private signature(fn: FnDecl, report = false): FunctionType {
    const outer = this.typeParams;
    this.typeParams = new Set(fn.typeParams.map((p) => p.name));
    const resolve = (node: TypeNode) => this.resolveType(node, report);
    const sig: FunctionType = {
      kind: 'function',
      params: fn.params.map((p) => resolve(p.type)),
      returns: fn.returnType === undefined ? T.null : resolve(fn.returnType),
      ...(fn.typeParams.length > 0 ? { typeParams: fn.typeParams.map((p) => p.name) } : {}),
    };
    this.typeParams = outer;
    return sig;
  }

  private fn(fn: FnDecl): void {
    const sig = this.signature(fn, true);
    this.typeParams = new Set(fn.typeParams.map((p) => p.name));
    // Parameters are immutable, as in the reference.
    this.locals = new Scopes(fn.params.map((p, i) => [p.name.name, { type: sig.params[i]!, mutable: false, declaredWith: 'param' }] as const));
    this.usage = { declared: new Map(fn.params.map((p) => [p.name.name, { span: p.name.span, kind: 'parameter' }] as const)), used: new Set() };
    this.returnType = sig.returns;
    this.loopDepth = 0;
    this.statements(fn.body.statements);
    const returns = sig.returns.kind;
    if (returns !== 'null' && returns !== 'void' && !isUnknown(sig.returns) && !alwaysReturns(fn.body)) {
      this.report(fn.span, 'Not all code paths return a value', 'AT3004');
    }
    this.warnUnused(this.usage);
    this.usage = undefined;
    this.locals = undefined;
    this.returnType = undefined;
    this.typeParams = new Set();
  }

  /** AT2001 for each local or parameter never read (names starting with `_` excepted). */
  private warnUnused(usage: UsageTracking): void {
    for (const [name, { span, kind }] of usage.declared) {
      if (name.startsWith('_') || usage.used.has(name)) continue;
      const reason = `Unused ${kind} '${name}'`;
      this.diagnostics.push(compileErrorAt(this.source, span, reason, 'AT2001', 'type', { warning: true }));
    }
  }

  // ---- statements ------------------------------------------------------------------

  /** A block's statements; each one after a `return` of the block gets the reference's warning. */
  private statements(stmts: readonly Stmt[]): void {
    let returned = false;
    for (const s of stmts) {
      if (returned) this.diagnostics.push(compileErrorAt(this.source, s.span, 'Unreachable code', 'AT2002', 'type', { warning: true }));
      this.stmt(s);
      if (s.kind === 'return') returned = true;
    }
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
      case 'forIn': return this.forIn(s.variable, s.iterable, s.body);
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
          this.report(s.span, `${what} statement outside loop`, 'AT3010');
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
        this.report(s.span, `Type mismatch: expected ${displayType(type)}, found ${displayType(init)}`, 'AT3001');
      }
    }
    const binding: Binding = { type, mutable: s.mutable, declaredWith: s.mutable ? 'var' : 'let' };
    if (this.locals !== undefined) {
      this.locals.declare(s.name.name, binding);
      this.usage?.declared.set(s.name.name, { span: s.name.span, kind: 'variable' });
    } else {
      this.globals.set(s.name.name, binding);
    }
  }

  /** `for x in a`: `a` must be an array (or unknown); `x`, immutable, has its element type. */
  private forIn(variable: Identifier, iterable: Expr, body: Block): void {
    const type = this.typeOf(iterable);
    if (type.kind !== 'array' && !isUnknown(type)) {
      this.report(iterable.span, `for-in requires an array, found ${displayType(type)}`, 'AT3001');
    }
    const element = type.kind === 'array' ? type.element : T.unknown;
    const binding: Binding = { type: element, mutable: false, declaredWith: 'loop' };
    const outer = this.locals;
    // At top level the loop variable is a hidden local too; give it a scope of its own.
    this.locals = outer ?? new Scopes();
    this.locals.enter();
    this.locals.declare(variable.name, binding);
    this.loopBody(body);
    this.locals.exit();
    this.locals = outer;
  }

  private assign(target: AssignTarget, value: Expr, span: Span): void {
    const valueType = this.typeOf(value);
    const targetType = this.targetType(target);
    if (!isAssignable(valueType, targetType)) {
      this.report(span, `Type mismatch in assignment: expected ${displayType(targetType)}, found ${displayType(valueType)}`, 'AT3001');
    }
    this.requireMutable(target);
  }

  private compound(target: AssignTarget, value: Expr, span: Span): void {
    const valueType = this.typeOf(value);
    const targetType = this.targetType(target);
    if (!isNumberLike(targetType)) {
      this.report(span, `Compound assignment requires number type, found ${displayType(targetType)}`, 'AT3001');
    } else if (!isNumberLike(valueType)) {
      this.report(span, `Compound assignment requires number value, found ${displayType(valueType)}`, 'AT3001');
    }
    this.requireMutable(target);
  }

  private increment(target: AssignTarget, op: '++' | '--', span: Span): void {
    const targetType = this.targetType(target);
    if (!isNumberLike(targetType)) {
      const what = op === '++' ? 'Increment' : 'Decrement';
      this.report(span, `${what} requires number type, found ${displayType(targetType)}`, 'AT3001');
    }
    this.requireMutable(target);
  }

  /**
   * `let` bindings, parameters, loop variables, functions and prelude names are never
   * reassigned (the reference's message names them all a variable).
   */
  private requireMutable(target: AssignTarget): void {
    if (target.kind !== 'identifier') return;
    const binding = this.lookup(target.name);
    if (binding === undefined || binding.mutable) return;
    this.report(target.span, `Cannot assign to immutable variable '${target.name}'`, 'AT3003');
  }

  private returnStmt(value: Expr | undefined, span: Span): void {
    if (this.returnType === undefined) {
      this.report(span, 'Return statement outside function', 'AT3011');
      return;
    }
    const found = value === undefined ? T.void : this.typeOf(value);
    if (!returnAccepts(this.returnType, found)) {
      this.report(span, `Return type mismatch: expected ${displayType(this.returnType)}, found ${displayType(found)}`, 'AT3001');
    }
  }

  private condition(cond: Expr): void {
    const type = this.typeOf(cond);
    if (type.kind !== 'bool' && !isUnknown(type)) {
      this.report(cond.span, `Condition must be bool, found ${displayType(type)}`, 'AT3001');
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
      case 'identifier':
        this.usage?.used.add(e.name);
        return this.lookup(e.name)?.type ?? T.unknown;
      case 'group': return this.typeOf(e.inner);
      case 'unary': return this.unary(e.op, this.typeOf(e.operand), e.span);
      case 'binary': return this.binary(e.op, this.typeOf(e.left), this.typeOf(e.right), e.span);
      case 'call': return this.call(e.callee, e.args, e.span);
      case 'array': return this.arrayLiteral(e.elements);
      case 'index': return this.index(e.target, e.index);
      case 'member': return this.member(e);
    }
  }

  /**
   * A method call: on an array or a json value, the builtin of the method table; any
   * other receiver type has no methods. A receiver of unknown type is refused (the
   * reference's compiler aborts on it: it cannot tell which builtin to call).
   */
  private member(e: MemberExpr): AtlasType {
    const receiver = this.typeOf(e.target);
    const args = e.args ?? [];
    const method = e.name.name;
    if (isUnknown(receiver)) {
      for (const arg of args) this.typeOf(arg);
      return this.fail(e.name.span, `Cannot call method '${method}' on a value of unknown type; declare the receiver's type`, 'AT3010');
    }
    const sig: MethodSignature | undefined = methodSignature(receiver, method);
    if (sig === undefined) {
      for (const arg of args) this.typeOf(arg);
      const reason = `Type '${displayType(receiver)}' has no method named '${method}'`;
      const suggestion = suggestAmong(method, methodNames(receiver));
      this.report(e.name.span, suggestion === undefined ? reason : `${reason}; did you mean '${suggestion}'?`, 'AT3010', reason);
      return T.unknown;
    }
    this.methods.set(e, sig.builtin);
    if (args.length !== sig.params.length) {
      this.report(e.span, `Method '${method}' expects ${sig.params.length} arguments, found ${args.length}`, 'AT3005');
    }
    args.forEach((arg, i) => {
      const argType = this.typeOf(arg);
      const expected = sig.params[i];
      if (expected !== undefined && !isAssignable(argType, expected)) {
        this.report(arg.span, `Argument ${i + 1} has wrong type: expected ${displayType(expected)}, found ${displayType(argType)}`, 'AT3001');
      }
    });
    return sig.returns;
  }

  private unary(op: '-' | '!', operand: AtlasType, span: Span): AtlasType {
    const wanted = op === '-' ? T.number : T.bool;
    if (!isUnknown(operand) && operand.kind !== wanted.kind) {
      return this.fail(span, `Unary '${op}' requires ${wanted.kind} operand, found ${displayType(operand)}`, 'AT3002');
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
        return this.fail(span, `'+' requires both operands to be number or both to be string, ${found}`, 'AT3002');
      case '-': case '*': case '/': case '%':
        if (both('number')) return T.number;
        return this.fail(span, `Arithmetic operator requires number operands, ${found}`, 'AT3002');
      case '<': case '<=': case '>': case '>=':
        if (both('number')) return T.bool;
        return this.fail(span, `Comparison requires number operands, ${found}`, 'AT3002');
      case '==': case '!=':
        if (overlaps(left, right)) return T.bool;
        return this.fail(span, `Equality comparison requires overlapping types, ${found}`, 'AT3002');
      default: // && ||
        if (both('bool')) return T.bool;
        return this.fail(span, `Logical operators require bool operands, ${found}`, 'AT3002');
    }
  }

  private call(callee: Expr, args: readonly Expr[], span: Span): AtlasType {
    const calleeType = this.typeOf(callee);
    if (calleeType.kind === 'function') {
      const arity = calleeType.params.length;
      // Like the reference: a wrong count is reported, and the arguments there are still checked.
      if (args.length !== arity) {
        this.report(span, `Function expects ${arity} argument${arity === 1 ? '' : 's'}, found ${args.length}`, 'AT3005');
      }
      if (calleeType.typeParams !== undefined) return this.inferCall(calleeType, calleeType.typeParams, args, span);
      args.forEach((arg, i) => {
        const argType = this.typeOf(arg);
        const expected = calleeType.params[i];
        if (expected !== undefined && !isAssignable(argType, expected)) {
          this.report(arg.span, `Argument ${i + 1} type mismatch: expected ${displayType(expected)}, found ${displayType(argType)}`, 'AT3001');
        }
      });
      return calleeType.returns;
    }
    for (const arg of args) this.typeOf(arg);
    if (isUnknown(calleeType)) return T.unknown;
    return this.fail(span, `Cannot call non-function type ${displayType(calleeType)}`, 'AT3006');
  }

  /**
   * A generic function's call: its type parameters are inferred from the arguments, and
   * the result is its return type with them substituted (the reference's messages when an
   * argument cannot match or a parameter stays unbound).
   */
  private inferCall(callee: FunctionType, typeParams: readonly string[], args: readonly Expr[], span: Span): AtlasType {
    const bindings: Bindings = new Map();
    for (const [i, arg] of args.entries()) {
      const argType = this.typeOf(arg);
      const param = callee.params[i];
      if (param !== undefined && !unify(param, argType, bindings)) {
        return this.fail(arg.span, `Type inference failed: cannot match argument ${i + 1} of type ${displayType(argType)} with parameter of type ${displayType(param)}`, 'AT3001');
      }
    }
    const unbound = typeParams.filter((name) => !bindings.has(name));
    if (unbound.length > 0) return this.fail(span, `Cannot infer type parameter(s): ${unbound.join(', ')}`, 'AT9999');
    return substitute(callee.returns, bindings);
  }

  private arrayLiteral(elements: readonly Expr[]): AtlasType {
    if (elements.length === 0) return arrayOf(T.unknown);
    const first = this.typeOf(elements[0]!);
    elements.forEach((element, i) => {
      if (i === 0) return;
      const type = this.typeOf(element);
      if (!isAssignable(type, first)) {
        this.report(element.span, `Array element ${i} has wrong type: expected ${displayType(first)}, found ${displayType(type)}`, 'AT3001');
      }
    });
    return arrayOf(first);
  }

  private index(target: Expr, index: Expr): AtlasType {
    const targetType = this.typeOf(target);
    const indexType = this.typeOf(index);
    if (targetType.kind === 'array') {
      if (!isNumberLike(indexType)) {
        this.report(index.span, `Array index must be number, found ${displayType(indexType)}`, 'AT3001');
      }
      return targetType.element;
    }
    // A json value is indexed by key or position, and every part of it is json again.
    if (targetType.kind === 'json') return T.json;
    if (isUnknown(targetType)) return T.unknown;
    return this.fail(target.span, `Cannot index into type ${displayType(targetType)}`, 'AT3001');
  }

  // ---- names and types -------------------------------------------------------------

  private lookup(name: string): Binding | undefined {
    return this.locals?.lookup(name) ?? this.globals.get(name) ?? preludeBinding(name);
  }

  /** The type `node` names; an unknown name is reported (when `report`) and typed `?`. */
  private resolveType(node: TypeNode, report = true): AtlasType {
    const fail = (reason: string) => (report ? this.fail(node.span, reason, 'AT3001') : T.unknown);
    switch (node.kind) {
      case 'array': return arrayOf(this.resolveType(node.element, report));
      case 'function':
        return { kind: 'function', params: node.params.map((p) => this.resolveType(p, report)), returns: this.resolveType(node.returns, report) };
      case 'generic': {
        // The binder has checked the name and the argument count.
        const args = node.args.map((a) => this.resolveType(a, report));
        if (node.name === 'Array') return arrayOf(args[0] ?? T.unknown);
        if (node.name === 'Option' || node.name === 'Result') return { kind: 'generic', name: node.name, args };
        return T.unknown; // HashMap, HashSet: no static checks
      }
      case 'named':
        switch (node.name) {
          case 'number': return T.number;
          case 'string': return T.string;
          case 'bool': return T.bool;
          case 'null': return T.null;
          case 'void': return T.void;
          case 'json': return T.json;
          default:
            if (this.typeParams.has(node.name)) return { kind: 'param', name: node.name };
            return fail(`Unknown type '${node.name}'`);
        }
    }
  }

  /** Records an error; `referenceReason` is the reference's message when `reason` adds to it. */
  private report(span: Span, reason: string, code?: string, referenceReason?: string): void {
    if (this.diagnostics.filter((d) => !d.warning).length >= MAX_DIAGNOSTICS) return;
    this.diagnostics.push(compileErrorAt(this.source, span, reason, code, 'type', referenceReason === undefined ? {} : { referenceReason }));
  }

  /** Reports and gives the unknown type, so one mistake is not reported again further out. */
  private fail(span: Span, reason: string, code?: string): AtlasType {
    this.report(span, reason, code);
    return T.unknown;
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
