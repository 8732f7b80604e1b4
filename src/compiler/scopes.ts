/**
 * Block scopes of a function body, as the reference's binder and tree-walking interpreter
 * draw them: the body, each `if`/`else` block and each loop body open a scope, and a `for`
 * opens one more around its header (so its initializer's variable ends with the loop).
 * A declaration is visible from the next statement to the end of its scope; an inner
 * declaration shadows outer ones; a second declaration of a name in one scope shadows the
 * first (as the reference compiler resolves it, newest first).
 *
 * The type checker, the slot allocator and the layout check all walk these scopes with
 * their own payload, so one class holds the rule.
 */

/** One scope: its bindings by name, and how many declarations it holds (redeclarations included). */
interface Scope<T> {
  readonly bindings: Map<string, T>;
  declarations: number;
}

export class Scopes<T> {
  private readonly stack: Scope<T>[] = [];

  /** `outermost` becomes the first scope (a function's parameters). */
  constructor(outermost: Iterable<readonly [string, T]> = []) {
    this.enter();
    for (const [name, value] of outermost) this.declare(name, value);
  }

  enter(): void {
    this.stack.push({ bindings: new Map(), declarations: 0 });
  }

  /** Leaves the innermost scope and returns how many declarations it held. */
  exit(): number {
    const scope = this.stack.pop();
    if (scope === undefined || this.stack.length === 0) throw new Error('exit() without a matching enter()');
    return scope.declarations;
  }

  declare(name: string, value: T): void {
    const scope = this.stack[this.stack.length - 1]!;
    scope.bindings.set(name, value);
    scope.declarations++;
  }

  /** The innermost binding of `name`, or undefined when no scope declares it (a global). */
  lookup(name: string): T | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const value = this.stack[i]!.bindings.get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  }
}
