/**
 * Random Atlas programs full of block-scoped locals — declarations in if/else blocks, loop
 * bodies and `for` headers, shadowing of parameters, locals and globals, `var x = x + 1`
 * over an outer x, break, continue and early returns — each paired with a JavaScript
 * program that means the same under JavaScript's own block scoping, as an oracle.
 *
 * The translation keeps JavaScript's rules out of the way where they differ from Atlas's:
 * every declaration opens a JS block that lasts to the end of the Atlas block (an Atlas
 * local is visible from the next statement on, with no temporal dead zone before it), and
 * an initializer is evaluated into a temporary before the new name exists (so it reads the
 * outer binding, as in Atlas). Values stay small integers (only + and -), so numbers print
 * alike, and `continue` only appears in `while` loops (in a C-style `for` the reference skips
 * the step, docs/bytecode.md Q6). The programs are valid Atlas: parameters are never
 * assigned (they are immutable) and no block declares a name twice.
 */
import { Chooser } from './chooser.js';

export interface BlockProgram {
  readonly atlas: string;
  /** A function body taking `out: string[]`, pushing the lines the Atlas program prints. */
  readonly js: string;
}

/** Names that locals shadow; each is also a global, so an out-of-scope read means the global. */
const POOL = ['a', 'b', 'c'];
const PARAMS = ['p', 'q'];
/** What declarations name: the pool and one parameter. */
const DECLARED = [...POOL, 'p'];

/** An Atlas fragment and its JavaScript translation. */
interface Code {
  readonly atlas: string;
  readonly js: string;
}

/**
 * Two functions and four calls of each; `printing` false leaves out `print` inside the
 * functions (native code does not call builtins, so such functions stay interpreted).
 */
export function blockProgram(choices: readonly number[], printing = true, functions = 2): BlockProgram {
  const c = new Chooser(choices);
  const atlas: string[] = [];
  // Integers print in full in Atlas (docs/bytecode.md §6.6), never in exponent form.
  const js: string[] = ['const fmt = (v) => (Number.isInteger(v) ? BigInt(v).toString() : String(v));'];
  POOL.forEach((name, i) => {
    atlas.push(`var ${name} = ${(i + 1) * 100};`);
    js.push(`let ${name} = ${(i + 1) * 100};`);
  });
  for (let f = 0; f < functions; f++) {
    const body = new BodyWriter(c, printing).body();
    atlas.push(`fn f${f}(p: number, q: number) -> number {\n${body.atlas}\n}`);
    js.push(`function f${f}(p, q) {\n${body.js}\n}`);
  }
  for (let f = 0; f < functions; f++) {
    for (const [p, q] of [[1, 2], [4, -3]]) {
      atlas.push(`print(f${f}(${p}, ${q}));`);
      js.push(`out.push(fmt(f${f}(${p}, ${q})));`);
    }
  }
  return { atlas: atlas.join('\n'), js: js.join('\n') };
}

interface Loop {
  readonly kind: 'while' | 'for';
}

class BodyWriter {
  /** The loop counters each open Atlas block declared, innermost last: readable, never assigned. */
  private readonly scopes: Set<string>[] = [];
  /** The names each open Atlas block declared, innermost last: none may be declared twice. */
  private readonly declared: Set<string>[] = [];
  private readonly loops: Loop[] = [];
  private fresh = 0;

  constructor(
    private readonly c: Chooser,
    private readonly printing: boolean,
  ) {}

  body(): Code {
    return this.block(3, (w) => {
      const result = w.expr(2);
      return { atlas: `return ${result.atlas};`, js: `return ${result.js};` };
    });
  }

  /**
   * A statement list, then `last` (a return or a jump, in the block's scope), and in
   * JavaScript the closing braces of the blocks its declarations opened.
   */
  private block(depth: number, last?: (w: this) => Code): Code {
    this.scopes.push(new Set());
    this.declared.push(new Set());
    const atlas: string[] = [];
    const js: string[] = [];
    let opened = 0;
    const count = 1 + this.c.next(4);
    for (let i = 0; i < count; i++) {
      const s = this.statement(depth);
      atlas.push(s.atlas);
      js.push(s.js);
      if (s.opens) opened++;
    }
    if (last !== undefined) {
      const s = last(this);
      atlas.push(s.atlas);
      js.push(s.js);
    }
    this.scopes.pop();
    this.declared.pop();
    return { atlas: atlas.join('\n'), js: js.join('\n') + '}'.repeat(opened) };
  }

  private statement(depth: number): Code & { opens?: boolean } {
    const kinds = depth <= 0 ? 4 : 9;
    switch (this.c.next(kinds)) {
      case 0: case 1: return this.declaration();
      case 2: return this.assignment();
      case 3: {
        if (!this.printing) return this.assignment();
        const e = this.expr(2);
        return { atlas: `print(${e.atlas});`, js: `out.push(fmt(${e.js}));` };
      }
      case 4: return this.ifStmt(depth);
      case 5: return this.whileLoop(depth);
      case 6: return this.forLoop(depth);
      case 7: return this.jumpOut(depth);
      default: {
        const cond = this.condition();
        const block = this.block(depth - 1, (w) => {
          const value = w.expr(1);
          return { atlas: `return ${value.atlas};`, js: `return ${value.js};` };
        });
        return { atlas: `if (${cond.atlas}) {\n${block.atlas}\n}`, js: `if (${cond.js}) {\n${block.js}\n}` };
      }
    }
  }

  /** `var x = e;` — the initializer is read before x exists (it may read an outer x). */
  private declaration(): Code & { opens?: boolean } {
    const here = this.declared[this.declared.length - 1]!;
    const free = DECLARED.filter((name) => !here.has(name));
    if (free.length === 0) return this.assignment();
    const name = free[this.c.next(free.length)]!;
    here.add(name);
    const init = this.expr(2);
    const temp = `t${this.fresh++}`;
    return { atlas: `var ${name} = ${init.atlas};`, js: `const ${temp} = ${init.js}; { let ${name} = ${temp};`, opens: true };
  }

  private assignment(): Code {
    const name = this.writable();
    const value = this.expr(2);
    if (this.c.next(2) === 0) return { atlas: `${name} = ${value.atlas};`, js: `${name} = ${value.js};` };
    return { atlas: `${name} += ${value.atlas};`, js: `${name} += ${value.js};` };
  }

  private ifStmt(depth: number): Code {
    const cond = this.condition();
    const then = this.block(depth - 1);
    if (this.c.next(2) === 0) return { atlas: `if (${cond.atlas}) {\n${then.atlas}\n}`, js: `if (${cond.js}) {\n${then.js}\n}` };
    const otherwise = this.block(depth - 1);
    return {
      atlas: `if (${cond.atlas}) {\n${then.atlas}\n} else {\n${otherwise.atlas}\n}`,
      js: `if (${cond.js}) {\n${then.js}\n} else {\n${otherwise.js}\n}`,
    };
  }

  /** `var wN = 0; while (wN < k) { wN = wN + 1; … }`: the counter is a local of the enclosing block. */
  private whileLoop(depth: number): Code & { opens: boolean } {
    const counter = `w${this.fresh++}`;
    const limit = 1 + this.c.next(3);
    this.scopes[this.scopes.length - 1]!.add(counter);
    this.loops.push({ kind: 'while' });
    const body = this.block(depth - 1);
    this.loops.pop();
    return {
      atlas: `var ${counter} = 0;\nwhile (${counter} < ${limit}) {\n${counter} = ${counter} + 1;\n${body.atlas}\n}`,
      js: `{ let ${counter} = 0;\nwhile (${counter} < ${limit}) {\n${counter} = ${counter} + 1;\n${body.js}\n}`,
      opens: true,
    };
  }

  /** `for (var iN = 0; iN < k; iN++) { … }`: the counter lives in the loop's header scope. */
  private forLoop(depth: number): Code {
    const counter = `i${this.fresh++}`;
    const limit = 1 + this.c.next(3);
    this.scopes.push(new Set([counter]));
    this.loops.push({ kind: 'for' });
    const body = this.block(depth - 1);
    this.loops.pop();
    this.scopes.pop();
    return {
      atlas: `for (var ${counter} = 0; ${counter} < ${limit}; ${counter}++) {\n${body.atlas}\n}`,
      js: `for (let ${counter} = 0; ${counter} < ${limit}; ${counter}++) {\n${body.js}\n}`,
    };
  }

  /** `if (c) { …; break; }`, or `continue` when the innermost loop is a while. */
  private jumpOut(depth: number): Code {
    const loop = this.loops[this.loops.length - 1];
    if (loop === undefined) return this.assignment();
    const jump = loop.kind === 'while' && this.c.next(2) === 0 ? 'continue' : 'break';
    const cond = this.condition();
    const block = this.block(Math.min(depth - 1, 0), () => ({ atlas: `${jump};`, js: `${jump};` }));
    return { atlas: `if (${cond.atlas}) {\n${block.atlas}\n}`, js: `if (${cond.js}) {\n${block.js}\n}` };
  }

  private condition(): Code {
    const op = ['<', '<=', '>', '==', '!='][this.c.next(5)]!;
    const left = this.expr(1);
    const right = this.expr(1);
    const js = op === '==' ? '===' : op === '!=' ? '!==' : op;
    return { atlas: `${left.atlas} ${op} ${right.atlas}`, js: `${left.js} ${js} ${right.js}` };
  }

  expr(depth: number): Code {
    switch (this.c.next(depth <= 0 ? 2 : 4)) {
      case 0: {
        const n = String(this.c.next(6));
        return { atlas: n, js: n };
      }
      case 1: {
        const name = this.readable();
        return { atlas: name, js: name };
      }
      default: {
        const op = this.c.next(2) === 0 ? '+' : '-';
        const left = this.expr(depth - 1);
        const right = this.expr(depth - 1);
        return { atlas: `(${left.atlas} ${op} ${right.atlas})`, js: `(${left.js} ${op} ${right.js})` };
      }
    }
  }

  /** Any name that means something here: pool names (global if not local), parameters, live counters. */
  private readable(): string {
    const counters = this.scopes.flatMap((s) => [...s]);
    const names = [...POOL, ...PARAMS, ...counters];
    return names[this.c.next(names.length)]!;
  }

  /** Pool names (locals or globals); never a parameter (immutable) nor a loop counter, so every loop ends. */
  private writable(): string {
    return POOL[this.c.next(POOL.length)]!;
  }
}

/** Locals declared in nested loops and branches, left by `break` and `continue`. */
export const NESTED_BREAK_CONTINUE = `fn g(n: number) -> number {
  var total = 0;
  for (var i = 0; i < n; i++) {
    let sq = i * i;
    if (sq > 20) { let extra = sq - 20; total = total + extra * 1000; break; }
    var j = 0;
    while (j < i) {
      let k = j + sq;
      j = j + 1;
      if (k % 2 == 0) { let skipped = k; continue; }
      total = total + k;
    }
  }
  let after = total;
  return after;
}
print(g(3)); print(g(10));`;
