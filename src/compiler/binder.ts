/**
 * Name resolution, as the reference's binder does it before any type is checked: every
 * identifier must name a declaration visible at that point, a prelude constant or a
 * builtin of the language; top-level names may not reuse a prelude builtin's (AT1012);
 * one scope may not declare a name twice (AT2003).
 *
 * Visibility is the reference's: top-level functions are visible everywhere (hoisted);
 * every other declaration from the next statement to the end of its scope, where the top
 * level, each function, each block (`if`/`else`, loop bodies, function bodies) and each
 * `for` header open a scope. So a function body sees only the globals declared before the
 * function, and a standalone `{ … }` is not looked into (the reference discards it).
 *
 * Errors are collected, not thrown one by one: `bind` throws one CompileError holding them
 * all (stage `bind`, which the reference prints as `Parse error: …`).
 */
import type { Span } from '../bytecode/bytecode.js';
import { type AssignTarget, type Block, type Expr, type FnDecl, type Identifier, type Program, type Stmt, type TypeNode, subexpressions } from './ast.js';
import { isBuiltinName } from './builtin-names.js';
import { type CompileError, MAX_DIAGNOSTICS, combineDiagnostics, compileErrorAt } from './compile-error.js';
import { isPreludeConstant, preludeFunction } from './prelude.js';
import type { SourceText } from './source-text.js';
import { suggestName } from './suggest.js';

/** Checks every name of `program`; throws a CompileError listing every binding error. */
export function bind(program: Program, source: SourceText): void {
  const binder = new Binder(source);
  binder.program(program);
  if (binder.errors.length > 0) throw combineDiagnostics(binder.errors);
}

const GENERIC_ARITY: ReadonlyMap<string, number> = new Map([['Option', 1], ['Result', 2], ['Array', 1], ['HashMap', 2], ['HashSet', 1]]);

class Binder {
  readonly errors: CompileError[] = [];
  private readonly functions = new Set<string>();
  /** Innermost last; scopes[0] is the global scope. */
  private readonly scopes: Set<string>[] = [new Set()];

  constructor(private readonly source: SourceText) {}

  program(program: Program): void {
    for (const item of program.items) if (item.kind === 'fn') this.hoist(item);
    for (const item of program.items) {
      if (item.kind === 'fn') this.fn(item);
      else this.stmt(item);
    }
  }

  private hoist(fn: FnDecl): void {
    if (this.shadowsPrelude(fn.name)) return;
    for (const p of fn.params) this.type(p.type);
    if (fn.returnType !== undefined) this.type(fn.returnType);
    if (this.functions.has(fn.name.name)) {
      this.error(fn.name.span, `Function '${fn.name.name}' is already defined`, 'AT2003');
      return;
    }
    this.functions.add(fn.name.name);
  }

  private fn(fn: FnDecl): void {
    this.scopes.push(new Set());
    for (const p of fn.params) this.define(p.name);
    this.block(fn.body);
    this.scopes.pop();
  }

  private block(block: Block): void {
    this.scopes.push(new Set());
    for (const s of block.statements) this.stmt(s);
    this.scopes.pop();
  }

  private stmt(s: Stmt): void {
    switch (s.kind) {
      case 'var':
        if (this.scopes.length === 1 && this.shadowsPrelude(s.name)) return;
        this.expr(s.init);
        if (s.type !== undefined) this.type(s.type);
        this.define(s.name);
        return;
      case 'expr': return this.expr(s.expr);
      case 'assign': case 'compound':
        this.target(s.target);
        return this.expr(s.value);
      case 'increment': return this.target(s.target);
      case 'return':
        if (s.value !== undefined) this.expr(s.value);
        return;
      case 'if':
        this.expr(s.cond);
        this.block(s.then);
        if (s.otherwise !== undefined) this.block(s.otherwise);
        return;
      case 'while':
        this.expr(s.cond);
        return this.block(s.body);
      case 'for':
        this.scopes.push(new Set());
        this.stmt(s.init);
        this.expr(s.cond);
        this.stmt(s.step);
        this.block(s.body);
        this.scopes.pop();
        return;
      case 'forIn':
        this.expr(s.iterable);
        this.scopes.push(new Set());
        this.define(s.variable);
        this.block(s.body);
        this.scopes.pop();
        return;
      case 'break': case 'continue': case 'block':
        return;
    }
  }

  private target(t: AssignTarget): void {
    if (t.kind === 'identifier') {
      if (!this.declared(t.name)) this.unknown(t);
      return;
    }
    this.expr(t.target);
    this.expr(t.index);
  }

  private expr(e: Expr): void {
    if (e.kind === 'identifier') {
      if (!this.declared(e.name) && !isBuiltinName(e.name)) this.unknown(e);
      return;
    }
    for (const inner of subexpressions(e)) this.expr(inner);
  }


  /** The generic types of the language with their argument counts (`Array<T>` is `T[]`). */
  private type(node: TypeNode): void {
    switch (node.kind) {
      case 'named': return;
      case 'array': return this.type(node.element);
      case 'function':
        for (const p of node.params) this.type(p);
        return this.type(node.returns);
      case 'generic': {
        const arity = GENERIC_ARITY.get(node.name);
        if (arity === undefined) return this.error(node.span, `Unknown generic type '${node.name}'`, 'AT9999');
        if (node.args.length !== arity) {
          return this.error(node.span, `Generic type '${node.name}' expects ${arity} type argument(s), found ${node.args.length}`, 'AT9999');
        }
        for (const arg of node.args) this.type(arg);
      }
    }
  }

  // ---- the symbol table ------------------------------------------------------------

  private declared(name: string): boolean {
    return this.scopes.some((scope) => scope.has(name)) || this.functions.has(name)
      || preludeFunction(name) !== undefined || isPreludeConstant(name);
  }

  private define(name: Identifier): void {
    const scope = this.scopes[this.scopes.length - 1]!;
    // The math constants live in the global scope of the reference's symbol table.
    const taken = scope.has(name.name) || (this.scopes.length === 1 && isPreludeConstant(name.name));
    if (taken) {
      this.error(name.span, `Symbol '${name.name}' is already defined in this scope`, 'AT2003');
      return;
    }
    scope.add(name.name);
  }

  /** A top-level declaration named like a prelude builtin (reported, and not defined). */
  private shadowsPrelude(name: Identifier): boolean {
    if (preludeFunction(name.name) === undefined) return false;
    this.error(name.span, `Cannot shadow prelude builtin '${name.name}' in global scope`, 'AT1012');
    return true;
  }

  private unknown(id: Identifier): void {
    const reason = `Unknown symbol '${id.name}'`;
    const suggestion = suggestName(id.name, this.visibleNames());
    this.error(id.span, suggestion === undefined ? reason : `${reason}; did you mean '${suggestion}'?`, 'AT2002', reason);
  }

  private *visibleNames(): Iterable<string> {
    for (const scope of this.scopes) yield* scope;
    yield* this.functions;
  }

  private error(span: Span, reason: string, code: string, referenceReason?: string): void {
    if (this.errors.length >= MAX_DIAGNOSTICS) return;
    this.errors.push(compileErrorAt(this.source, span, reason, code, 'bind', referenceReason === undefined ? {} : { referenceReason }));
  }
}
