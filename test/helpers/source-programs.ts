/**
 * Well-typed Atlas source programs written from a choice stream (see `Chooser`): functions
 * with number/bool parameters, loops, branches, early returns, break/continue, globals and
 * calls, and top-level statements of every kind — any of them last, an `if` included. Loops
 * are bounded (their counter is stepped first, so `continue` cannot skip it) and functions call
 * only functions declared before them, so every run ends. Also for-in loops (at top level
 * and in functions), number arrays with method calls and write-back (`a.push(x)`,
 * `reverse(a)`, `a.len()`), and a generic function `ident<T>` whose results are of unknown
 * type. Parameters and for-in variables are never assigned (they are immutable). Some
 * shapes the front-end may refuse; callers skip what does not compile.
 */
import { Chooser } from './chooser.js';

/** `array` is a number array (`number[]`); `type()` never picks it, so only array statements make one. */
type Type = 'number' | 'bool' | 'string' | 'array';

interface Variable {
  readonly name: string;
  readonly type: Type;
  readonly mutable: boolean;
}

interface Signature {
  readonly name: string;
  readonly params: readonly Type[];
  readonly returns: Type;
}

/** What a statement may see and do where it is written. */
interface Scope {
  readonly vars: Variable[];
  readonly inFunction: Signature | undefined;
  readonly inLoop: boolean;
  /** Statement nesting: deeper scopes get simpler statements. */
  readonly depth: number;
  /** Whether this is the top block of a program or function body (not a nested block). */
  readonly top: boolean;
}

const NUMBERS = ['0', '1', '2', '3', '0.5', '7', '10', '(-4)'];
const STRINGS = ['"a"', '"bc"', '""', '"x y"'];

export class SourceWriter {
  private readonly c: Chooser;
  private readonly functions: Signature[] = [];
  private fresh = 0;
  /** Whether the last top-level statement of `program()` is an `if`. */
  endsInIf = false;
  /** Loop counters of the function (or top level) being written, declared at its start. */
  private counters: string[] = [];

  constructor(choices: readonly number[]) {
    this.c = new Chooser(choices);
  }

  program(): string {
    // A generic identity: its calls are typed `?`, so they fit anywhere.
    const fns: string[] = ['fn ident<T>(x: T) -> T { return x; }'];
    for (let n = this.c.next(4); n > 0; n--) fns.push(this.fn());
    this.counters = [];
    const scope: Scope = { vars: [], inFunction: undefined, inLoop: false, depth: 0, top: true };
    const body: string[] = [];
    for (let n = 1 + this.c.next(6); n > 0; n--) {
      const statement = this.statement(scope);
      this.endsInIf = statement[0]!.startsWith('if (');
      body.push(...statement);
    }
    const counters = this.counters.map((name) => `var ${name} = 0;`);
    return [...fns, ...counters, ...body].join('\n');
  }

  private name(prefix: string): string {
    return `${prefix}${this.fresh++}`;
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.c.next(items.length)]!;
  }

  private type(): Type {
    return this.pick(['number', 'number', 'bool', 'string'] as const);
  }

  private fn(): string {
    const params = Array.from({ length: this.c.next(3) }, () => this.pick(['number', 'bool'] as const));
    const sig: Signature = { name: this.name('f'), params, returns: this.type() };
    const paramNames = params.map(() => this.name('p'));
    this.counters = [];
    const vars: Variable[] = params.map((type, i) => ({ name: paramNames[i]!, type, mutable: false }));
    const scope: Scope = { vars, inFunction: sig, inLoop: false, depth: 0, top: true };
    const body = this.statements(scope, this.c.next(5));
    const counters = this.counters.map((name) => `  var ${name} = 0;`);
    const result = this.expr(sig.returns, vars, 2);
    this.functions.push(sig); // only later code calls it: no recursion, every run ends
    const header = `fn ${sig.name}(${params.map((type, i) => `${paramNames[i]}: ${type}`).join(', ')}) -> ${sig.returns} {`;
    return [header, ...counters, ...body.map((line) => `  ${line}`), `  return ${result};`, '}'].join('\n');
  }

  private statements(scope: Scope, count: number): string[] {
    const lines: string[] = [];
    for (let i = 0; i < count; i++) lines.push(...this.statement(scope));
    return lines;
  }

  private statement(scope: Scope): string[] {
    const simple = scope.depth >= 3;
    switch (this.c.next(simple ? 4 : 12)) {
      case 0: return this.declaration(scope);
      case 1: return this.assignment(scope);
      case 2: return [`print(${this.expr(this.type(), scope.vars, 2)});`];
      case 3: return this.escape(scope);
      case 4: case 5: return this.ifStatement(scope);
      case 6: return this.whileLoop(scope);
      case 7: return [`${this.expr(this.type(), scope.vars, 2)};`];
      case 9: return this.forIn(scope);
      case 10: return this.arrayStatement(scope);
      case 11: return [`print(ident(${this.expr(this.type(), scope.vars, 2)}));`];
      default: return this.callStatement(scope);
    }
  }

  /** `for x in ARRAY { … }` over a literal or an array variable; `x` is a number, immutable. */
  private forIn(scope: Scope): string[] {
    const item: Variable = { name: this.name('x'), type: 'number', mutable: false };
    const source = this.expr('array', scope.vars, 1);
    const inner: Scope = { vars: [...scope.vars, item], inFunction: scope.inFunction, inLoop: true, depth: scope.depth + 1, top: false };
    const body = this.statements(inner, this.c.next(3)).map((line) => `  ${line}`);
    return [`for ${item.name} in ${source} {`, ...body, '}'];
  }

  /** A number array: declared when none is in scope, else updated or read through a method or builtin. */
  private arrayStatement(scope: Scope): string[] {
    const arrays = scope.vars.filter((v) => v.type === 'array');
    if (arrays.length === 0 || this.c.next(4) === 0) {
      const variable: Variable = { name: this.name('a'), type: 'array', mutable: this.c.next(2) === 0 };
      const init = this.literal('array');
      scope.vars.push(variable);
      return [`${variable.mutable ? 'var' : 'let'} ${variable.name}: number[] = ${init};`, ...this.arrayUse(variable.name, scope)];
    }
    return this.arrayUse(this.pick(arrays).name, scope);
  }

  private arrayUse(a: string, scope: Scope): string[] {
    switch (this.c.next(5)) {
      case 0: return [`${a}.push(${this.expr('number', scope.vars, 1)});`];
      case 1: return [`${a}.reverse();`];
      case 2: return [`reverse(${a});`];
      case 3: return [`print(${a}.len() + len(${a}));`];
      default: return [`print(${a}[${this.pick(['0', '1', `len(${a}) - 1`])}]);`];
    }
  }

  /** A `let`/`var`; inside a nested block of a function body the front-end may refuse it. */
  private declaration(scope: Scope): string[] {
    if (scope.inFunction !== undefined && !scope.top && this.c.next(4) !== 0) return this.assignment(scope);
    const type = this.type();
    const variable: Variable = { name: this.name('v'), type, mutable: this.c.next(2) === 0 };
    const init = this.expr(type, scope.vars, 2);
    scope.vars.push(variable);
    return [`${variable.mutable ? 'var' : 'let'} ${variable.name}: ${type} = ${init};`];
  }

  private assignment(scope: Scope): string[] {
    const targets = scope.vars.filter((v) => v.mutable);
    if (targets.length === 0) return [`print(${this.expr('number', scope.vars, 1)});`];
    const target = this.pick(targets);
    return [`${target.name} = ${this.expr(target.type, scope.vars, 2)};`];
  }

  /** `break`, `continue` or `return` (inside an `if`, so the code after them stays live). */
  private escape(scope: Scope): string[] {
    const options: string[] = [];
    if (scope.inLoop) options.push('break;', 'continue;');
    if (scope.inFunction !== undefined) options.push(`return ${this.expr(scope.inFunction.returns, scope.vars, 1)};`);
    if (options.length === 0) return [`print(${this.expr('string', scope.vars, 1)});`];
    return [`if (${this.expr('bool', scope.vars, 1)}) {`, `  ${this.pick(options)}`, '}'];
  }

  private ifStatement(scope: Scope): string[] {
    const lines = [`if (${this.expr('bool', scope.vars, 2)}) {`, ...this.block(scope, scope.inLoop)];
    switch (this.c.next(scope.depth >= 3 ? 2 : 3)) {
      case 0: lines.push('}'); break;
      case 1: lines.push('} else {', ...this.block(scope, scope.inLoop), '}'); break;
      default: lines.push('} else {', ...this.ifStatement({ ...scope, vars: [...scope.vars], depth: scope.depth + 1, top: false }).map((line) => `  ${line}`), '}');
    }
    return lines;
  }

  /** `while` over a counter stepped first: `continue` cannot skip the step. */
  private whileLoop(scope: Scope): string[] {
    const counter = this.name('c');
    this.counters.push(counter);
    return [
      `${counter} = 0;`,
      `while (${counter} < ${1 + this.c.next(3)}) {`,
      `  ${counter} = ${counter} + 1;`,
      ...this.block(scope, true),
      '}',
    ];
  }

  private callStatement(scope: Scope): string[] {
    if (this.functions.length === 0) return [`print(${this.expr('number', scope.vars, 2)});`];
    return [`${this.call(this.pick(this.functions), scope.vars, 1)};`];
  }

  /** A nested block's lines (indented); what it declares is not visible after it. */
  private block(scope: Scope, inLoop: boolean): string[] {
    const inner: Scope = { vars: [...scope.vars], inFunction: scope.inFunction, inLoop, depth: scope.depth + 1, top: false };
    return this.statements(inner, this.c.next(3)).map((line) => `  ${line}`);
  }

  private call(sig: Signature, vars: readonly Variable[], depth: number): string {
    return `${sig.name}(${sig.params.map((type) => this.expr(type, vars, depth - 1)).join(', ')})`;
  }

  expr(type: Type, vars: readonly Variable[], depth: number): string {
    const choice = this.c.next(depth <= 0 ? 2 : 5);
    if (choice === 1) {
      const candidates = vars.filter((v) => v.type === type);
      if (candidates.length > 0) return this.pick(candidates).name;
    }
    if (choice === 2) {
      const callable = this.functions.filter((f) => f.returns === type);
      if (callable.length > 0) return this.call(this.pick(callable), vars, depth);
    }
    if (choice >= 3) return this.compound(type, vars, depth - 1);
    return this.literal(type);
  }

  private literal(type: Type): string {
    if (type === 'array') return `[${Array.from({ length: this.c.next(4) }, () => this.pick(NUMBERS)).join(', ')}]`;
    if (type === 'number') return this.pick(NUMBERS);
    if (type === 'bool') return this.pick(['true', 'false']);
    return this.pick(STRINGS);
  }

  private compound(type: Type, vars: readonly Variable[], depth: number): string {
    if (type === 'array') return this.literal('array');
    if (type === 'number') {
      if (this.c.next(5) === 0) return `(-${this.expr('number', vars, depth)})`;
      if (this.c.next(6) === 0) return `ident(${this.expr('number', vars, depth)})`;
      return `(${this.expr('number', vars, depth)} ${this.pick(['+', '-', '*', '/', '%'])} ${this.expr('number', vars, depth)})`;
    }
    if (type === 'string') {
      if (this.c.next(2) === 0) return `str(${this.expr('number', vars, depth)})`;
      return `(${this.expr('string', vars, depth)} + ${this.expr('string', vars, depth)})`;
    }
    switch (this.c.next(4)) {
      case 0: return `(!${this.expr('bool', vars, depth)})`;
      case 1: return `(${this.expr('bool', vars, depth)} ${this.pick(['&&', '||', '==', '!='])} ${this.expr('bool', vars, depth)})`;
      case 2: return `(${this.expr('string', vars, depth)} ${this.pick(['==', '!='])} ${this.expr('string', vars, depth)})`;
      default: return `(${this.expr('number', vars, depth)} ${this.pick(['<', '<=', '>', '>=', '==', '!='])} ${this.expr('number', vars, depth)})`;
    }
  }
}
