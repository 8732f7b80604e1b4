/**
 * Whether the reference compiler's local layout (quirk Q4: no block scoping) is right for a
 * function, so that we may emit the reference's bytes for it.
 *
 * In that layout the k-th declaration of the body (in source order, after the parameters)
 * gets slot k and nothing is ever popped, so at run time the stack holds one value per
 * declaration executed so far. The layout is right when, on every path:
 * - paths that merge (after an `if`, at a loop's back edge, at `break` and `continue`)
 *   agree on that stack depth, as the validator demands (an `if` without `else` whose end
 *   is reached, and a loop body up to its end, `break` or `continue`, declare nothing; the
 *   two branches of an if/else that both reach their end declare as many); and
 * - every name read or written means what block scoping says it means (`Scopes`): a global
 *   when no enclosing scope declares it, else that declaration, whose source-order slot must
 *   equal the stack depth at which it was executed.
 * Code after a jump is never run, so it is not checked. Anything else gets `ScopedSlots`.
 */
import { type AssignTarget, type Block, type Expr, type FnDecl, type Stmt, subexpressions } from './ast.js';
import { Scopes } from './scopes.js';

interface Declaration {
  /** Its slot in the reference layout: params + declarations before it in source order. */
  readonly slot: number;
  /** The stack depth when it runs; undefined when it is dead code. */
  readonly depth: number | undefined;
}

/** Thrown inside the walk as soon as the layout is known to be wrong. */
class Unsound extends Error {}

export function referenceLayoutIsSound(fn: FnDecl): boolean {
  try {
    new LayoutCheck(fn.params.map((p) => p.name.name)).block(fn.body.statements);
    return true;
  } catch (err) {
    if (err instanceof Unsound) return false;
    throw err;
  }
}

class LayoutCheck {
  /** Each name's newest declaration in source order: what the reference compiler resolves it to. */
  private readonly newest = new Map<string, Declaration>();
  /** Declarations so far, parameters included: the next one's reference slot. */
  private declarations: number;
  private readonly scopes: Scopes<Declaration>;
  /** Stack depth in locals on the current path; undefined after a jump (dead code). */
  private depth: number | undefined;
  /** The depth at each enclosing loop's header, innermost last. */
  private readonly loops: (number | undefined)[] = [];

  constructor(params: readonly string[]) {
    const decls = params.map((name, slot) => [name, { slot, depth: slot }] as const);
    for (const [name, decl] of decls) this.newest.set(name, decl);
    this.scopes = new Scopes(decls);
    this.declarations = params.length;
    this.depth = params.length;
  }

  block(statements: readonly Stmt[]): void {
    for (const s of statements) this.stmt(s);
  }

  private scoped(block: Block): number | undefined {
    this.scopes.enter();
    this.block(block.statements);
    this.scopes.exit();
    return this.depth;
  }

  private stmt(s: Stmt): void {
    switch (s.kind) {
      case 'var': {
        this.expr(s.init);
        const decl: Declaration = { slot: this.declarations++, depth: this.depth };
        this.newest.set(s.name.name, decl);
        this.scopes.declare(s.name.name, decl);
        if (this.depth !== undefined) this.depth++;
        return;
      }
      case 'expr': return this.expr(s.expr);
      case 'assign': case 'compound':
        this.expr(s.value);
        return this.target(s.target);
      case 'increment': return this.target(s.target);
      case 'return':
        if (s.value !== undefined) this.expr(s.value);
        this.depth = undefined;
        return;
      case 'if': return this.ifStmt(s.cond, s.then, s.otherwise);
      case 'while': return this.loop(undefined, s.cond, s.body, undefined);
      case 'for': return this.loop(s.init, s.cond, s.body, s.step);
      case 'forIn': return this.forIn(s.variable.name, s.iterable, s.body);
      case 'break': case 'continue':
        this.mergeInto(this.loops[this.loops.length - 1]);
        this.depth = undefined;
        return;
      case 'block': return; // only an empty one compiles (Q5)
    }
  }

  private ifStmt(cond: Expr, then: Block, otherwise: Block | undefined): void {
    this.expr(cond);
    const before = this.depth;
    const afterThen = this.scoped(then);
    if (otherwise === undefined) {
      this.depth = before;
      this.mergeInto(afterThen);
      return;
    }
    this.depth = before;
    const afterElse = this.scoped(otherwise);
    this.depth = afterThen;
    this.mergeInto(afterElse);
  }

  /** A `for` keeps its initializer's slot after the loop, like the reference. */
  private loop(init: Stmt | undefined, cond: Expr, body: Block, step: Stmt | undefined): void {
    this.scopes.enter();
    if (init !== undefined) this.stmt(init);
    const header = this.depth;
    this.expr(cond);
    this.loops.push(header);
    this.scoped(body);
    if (step !== undefined) this.stmt(step);
    this.loops.pop();
    this.mergeInto(header);
    this.depth = header;
    this.scopes.exit();
  }

  /**
   * A for-in takes 4 slots (array, length, index, variable) and gives them back after its
   * 4 Pops. Its body may declare nothing: the reference forgets those locals with the
   * hidden ones while they are still on the stack, so its Pops would drop the wrong values.
   */
  private forIn(variable: string, iterable: Expr, body: Block): void {
    this.expr(iterable);
    const before = { declarations: this.declarations, depth: this.depth };
    const at = (k: number) => (before.depth === undefined ? undefined : before.depth + k);
    this.declarations += 4;
    const item: Declaration = { slot: before.declarations + 3, depth: at(3) };
    this.newest.set(variable, item);
    this.scopes.enter();
    this.scopes.declare(variable, item);
    const header = at(4);
    this.depth = header;
    this.loops.push(header);
    this.scoped(body);
    this.loops.pop();
    this.mergeInto(header);
    if (this.declarations !== before.declarations + 4) throw new Unsound();
    this.scopes.exit();
    this.declarations = before.declarations;
    this.depth = before.depth;
  }

  /** Control flows from the current path to a point reached at `depth`: the two must agree. */
  private mergeInto(depth: number | undefined): void {
    if (this.depth === undefined) {
      this.depth = depth;
      return;
    }
    if (depth !== undefined && depth !== this.depth) throw new Unsound();
  }

  private target(t: AssignTarget): void {
    if (t.kind === 'identifier') return this.use(t.name);
    this.expr(t);
  }

  private expr(e: Expr): void {
    if (e.kind === 'identifier') return this.use(e.name);
    for (const inner of subexpressions(e)) this.expr(inner);
  }


  /** The reference resolves `name` to its newest declaration so far; scoping may disagree. */
  private use(name: string): void {
    if (this.depth === undefined) return;
    const meant = this.scopes.lookup(name);
    if (this.newest.get(name) !== meant) throw new Unsound();
    if (meant !== undefined && meant.slot !== meant.depth) throw new Unsound();
  }
}
