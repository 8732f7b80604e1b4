// Differential acceptance test of the JIT (docs/design.md invariant 3): fast-check generates random valid Atlas
// programs — functions with while loops (break included), if/else, block-scoped locals,
// && and ||, calls between the functions (recursion and mutual recursion through a depth
// parameter), math builtins and constants — compiles them with the Atlas compiler, and runs
// each on many random inputs twice: in the interpreter alone, and with every function compiled
// natively up front (`compileNowBlocking`). Value, type and error (kind, detail, offset, span)
// must be identical.
//
// A call before the base case recurses without end: the interpreter raises StackOverflow at
// its call-depth limit, and native code must bail out to it and give the very same error.
//
// Each program is compiled once and run on INPUTS_PER_PROGRAM inputs, so a case costs two
// runs, not a compile. CI runs ATLAS_JIT_DIFF_CASES cases (default 10,000); a longer local run
// (its timeout grows with the cases; docs/design.md, Testing, says how to run it for hours):
//   ATLAS_JIT_DIFF_CASES=200000 npx ava dist/test/jit-differential.test.js
import test from 'ava';
import fc from 'fast-check';
import { Chooser } from './helpers/chooser.js';
import { Bytecode } from '../src/bytecode/index.js';
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { AtlasFunction, AtlasRuntimeError, type Value, Vm } from '../src/vm/index.js';

const CASES = Number(process.env.ATLAS_JIT_DIFF_CASES ?? 10_000);
const INPUTS_PER_PROGRAM = 20;
/** A case's time allowance: about 8× what one takes on a loaded 2-core machine. */
const MS_PER_CASE = 50;
const PROGRAMS = Math.ceil(CASES / INPUTS_PER_PROGRAM);

type Ret = 'number' | 'bool';

interface FnSpec {
  readonly ret: Ret;
  readonly loopCount: number;
  /** Drives every choice of the generator, in order. */
  readonly choices: readonly number[];
}


/** Math builtins with their arity (-1: a constant); `random` is left out, its results differ by design. */
const MATH: readonly (readonly [string, number])[] = [
  ['abs', 1], ['floor', 1], ['ceil', 1], ['round', 1], ['sqrt', 1], ['sign', 1], ['log', 1], ['sin', 1], ['cos', 1],
  ['tan', 1], ['asin', 1], ['acos', 1], ['atan', 1], ['min', 2], ['max', 2], ['pow', 2], ['clamp', 3], ['PI', -1], ['E', -1],
];

const LITERALS = ['0', '1', '2', '3', '0.5', '7', '1000000', '100000000000000000000'];

/** Source text generation for one function body. */
class FnWriter {
  private readonly c: Chooser;
  private calls = 0;
  /** Numbers the loop-body locals, which one body may declare more than once (never twice in a scope). */
  private locals = 0;
  /** The variables in scope (x only once declared). */
  private variables = ['a', 'b', 'n', 'i'];
  constructor(
    private readonly fns: readonly FnSpec[],
    private readonly self: number,
  ) {
    this.c = new Chooser(fns[self]!.choices);
  }

  /** A number expression; calls to other functions are allowed outside loops (`inLoop` false). */
  num(depth: number, inLoop: boolean): string {
    const pick = this.c.next(depth <= 0 ? 2 : 9);
    switch (pick) {
      case 0: return LITERALS[this.c.next(LITERALS.length)]!;
      case 1: return this.variables[this.c.next(this.variables.length)]!;
      case 2: case 3: case 4: {
        const op = ['+', '-', '*', '/', '%'][this.c.next(5)]!;
        return `(${this.num(depth - 1, inLoop)} ${op} ${this.num(depth - 1, inLoop)})`;
      }
      case 5: return `(-${this.num(depth - 1, inLoop)})`;
      case 6: return this.call('number', depth, inLoop) ?? this.num(depth - 1, inLoop);
      case 7: return this.math(depth, inLoop);
      default: return this.num(0, inLoop);
    }
  }

  /** A math builtin's call (NaN, ±∞ and -0 results included) or a math constant. */
  math(depth: number, inLoop: boolean): string {
    const [name, arity] = MATH[this.c.next(MATH.length)]!;
    if (arity < 0) return name;
    const args = Array.from({ length: arity }, () => this.num(depth - 1, inLoop));
    return `${name}(${args.join(', ')})`;
  }

  bool(depth: number, inLoop: boolean): string {
    const pick = this.c.next(depth <= 0 ? 2 : 7);
    switch (pick) {
      case 0: return this.c.next(2) === 0 ? 'true' : 'false';
      case 1: {
        const op = ['<', '<=', '>', '>=', '==', '!='][this.c.next(6)]!;
        return `(${this.num(0, inLoop)} ${op} ${this.num(0, inLoop)})`;
      }
      case 2: return `(${this.bool(depth - 1, inLoop)} && ${this.bool(depth - 1, inLoop)})`;
      case 3: return `(${this.bool(depth - 1, inLoop)} || ${this.bool(depth - 1, inLoop)})`;
      case 4: return `(!${this.bool(depth - 1, inLoop)})`;
      case 5: return this.call('bool', depth, inLoop) ?? this.bool(0, inLoop);
      default: {
        const op = ['<', '>=', '=='][this.c.next(3)]!;
        return `(${this.num(depth - 1, inLoop)} ${op} ${this.num(depth - 1, inLoop)})`;
      }
    }
  }

  /** A call with a smaller depth argument (so recursion ends), at most two per body. */
  private call(ret: Ret, depth: number, inLoop: boolean): string | undefined {
    if (inLoop || this.calls >= 2) return undefined;
    const targets = this.fns.map((f, i) => ({ f, i })).filter(({ f }) => f.ret === ret);
    if (targets.length === 0) return undefined;
    this.calls++;
    const { i } = targets[this.c.next(targets.length)]!;
    return `f${i}(n - 1, ${this.num(depth - 1, inLoop)}, ${this.num(depth - 1, inLoop)})`;
  }

  statement(inLoop: boolean): string {
    switch (this.c.next(inLoop ? 7 : 4)) {
      case 0: return `x = ${this.num(2, inLoop)};`;
      case 1: return `if (${this.bool(2, inLoop)}) { x = ${this.num(2, inLoop)}; } else { x = ${this.num(1, inLoop)}; }`;
      case 2: return `if (${this.bool(1, inLoop)}) { x = x + ${this.num(1, inLoop)}; }`;
      // Block locals: one in each branch, the else one shadowing x.
      // (Parameters are immutable, so the inner x is written to c, a copy of b.)
      case 3: return `if (${this.bool(1, inLoop)}) { let t = ${this.num(1, inLoop)}; x = t - ${this.num(1, inLoop)}; } else { var x = ${this.num(1, inLoop)}; c = x * 2; }`;
      case 4: return `if (${this.bool(1, inLoop)}) { break; }`;
      // A loop body local, and one that a break leaves.
      case 5: {
        const t = `t${this.locals++}`;
        return `var ${t} = x + ${this.num(1, inLoop)}; if (${this.bool(1, inLoop)}) { let u = ${t}; x = u * 2; break; } x = ${t};`;
      }
      default: return `x = x * ${this.num(1, inLoop)};`;
    }
  }

  write(): string {
    const spec = this.fns[this.self]!;
    const ret = spec.ret;
    // No calls in the base case: it is what ends the recursion.
    const base = ret === 'number' ? this.num(1, true) : this.bool(1, true);
    const init = this.num(1, false);
    this.variables.push('x', 'c');
    const lines = [
      `fn f${this.self}(n: number, a: number, b: number) -> ${ret} {`,
      `  var i = 0;`,
      `  var x = ${init};`,
      `  var c = b;`,
      `  if (n <= 0) { return ${base}; }`,
      `  while (i < ${spec.loopCount}) {`,
      `    i = i + 1;`,
      `    ${this.statement(true)}`,
      `    ${this.statement(true)}`,
      `  }`,
      `  ${this.statement(false)}`,
      `  return ${ret === 'number' ? this.num(3, false) : this.bool(3, false)};`,
      `}`,
    ];
    return lines.join('\n');
  }
}

function source(fns: readonly FnSpec[]): string {
  return fns.map((_, i) => new FnWriter(fns, i).write()).join('\n');
}

const fnSpec: fc.Arbitrary<FnSpec> = fc.record({
  ret: fc.constantFrom<Ret>('number', 'number', 'bool'),
  loopCount: fc.integer({ min: 0, max: 4 }),
  choices: fc.array(fc.nat({ max: 1000 }), { minLength: 8, maxLength: 40 }),
});

const number = fc.oneof(
  { arbitrary: fc.constantFrom(0, -0, 1, -1, 2, 0.5, 3, 7, 1e308, -1e308, 1e-300, NaN, Infinity), weight: 2 },
  { arbitrary: fc.integer({ min: -100, max: 100 }), weight: 2 },
  { arbitrary: fc.double(), weight: 1 },
);
const input = fc.tuple(fc.integer({ min: 0, max: 4 }), number, number);

type Outcome =
  | { readonly value: Value | undefined; readonly type: string }
  | { readonly error: { kind: string; detail: string | undefined; offset: number; span: string; stack: string | undefined } };

function outcome(vm: Vm, args: readonly number[], name = 'f0'): Outcome {
  try {
    const value = vm.call(name, ...args);
    return { value, type: typeof value };
  } catch (error) {
    if (!(error instanceof AtlasRuntimeError)) throw error;
    return { error: { kind: error.kind, detail: error.detail, offset: error.offset, span: JSON.stringify(error.span), stack: error.stack } };
  }
}

function same(a: Outcome, b: Outcome): boolean {
  if ('value' in a && 'value' in b) return a.type === b.type && Object.is(a.value, b.value);
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A valid .atb may hold two function constants that share one body with different arities
 * (the compiler never emits it): `bytecode` plus a constant `alias` entering f0's body with
 * `arity` parameters, more than f0's three (with fewer the body is invalid: it reads locals
 * past its frame). The extra arguments sit in the body's first locals, so the alias computes
 * something else from the same code, and must run code compiled for its own frame.
 */
function withAlias(bytecode: Bytecode, arity: number): { bytecode: Bytecode; alias: AtlasFunction } {
  const f0 = bytecode.functions().find((fn) => fn.name === 'f0')!;
  const alias = { ...f0, name: 'alias', arity, localCount: Math.max(f0.localCount, arity), paramOwnership: Array<'none'>(arity).fill('none') };
  const constants = [...bytecode.constants, { kind: 'function' as const, value: alias }];
  return { bytecode: new Bytecode(bytecode.code, constants, bytecode.debug, bytecode.topLevelLocalCount), alias: new AtlasFunction(alias) };
}

/** `args` padded to an alias of `arity` parameters with the first one. */
function aliasArgs(args: readonly number[], arity: number): number[] {
  return Array.from({ length: arity }, (_, i) => args[i] ?? args[0]!);
}

test('random programs with loops, branches and calls: native == interpreter', async (t) => {
  // Scaled with the run, so a long run stays inside its own timeout (docs/design.md, Testing).
  t.timeout(Math.max(600_000, CASES * MS_PER_CASE));
  const engine = await JitEngine.create({ compilationThreshold: 1_000_000_000, workers: 1 });
  let cases = 0;
  const kinds = new Map<string, number>();
  let compiled = 0;
  let functions = 0;
  try {
    fc.assert(
      fc.property(fc.array(fnSpec, { minLength: 1, maxLength: 4 }), fc.array(input, { minLength: INPUTS_PER_PROGRAM, maxLength: INPUTS_PER_PROGRAM }), fc.constantFrom(4, 5), (fns, inputs, aliasArity) => {
        const text = source(fns);
        const { bytecode, alias } = withAlias(compile(text, 'generated.atlas'), aliasArity);
        const interpreter = new Vm(bytecode, { stdout: () => {} });
        const jit = new Vm(bytecode, { stdout: () => {}, jit: engine });
        for (const vm of [interpreter, jit]) {
          vm.run();
          vm.setGlobal('alias', alias);
        }
        for (const fn of bytecode.functions()) {
          functions++;
          if (engine.compileNowBlocking(bytecode, fn.offset, fn.arity)) compiled++;
        }
        try {
          for (const [i, args] of inputs.entries()) {
            cases++;
            // Every fourth case calls the alias that shares f0's body.
            const [name, callArgs] = i % 4 === 3 ? ['alias', aliasArgs(args, aliasArity)] : ['f0', args];
            const expected = outcome(interpreter, callArgs, name);
            const actual = outcome(jit, callArgs, name);
            const kind = 'error' in expected ? expected.error.kind : expected.type;
            kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
            if (!same(expected, actual)) {
              t.log(text, args, expected, actual);
              return false;
            }
          }
          return true;
        } finally {
          engine.invalidate(bytecode);
        }
      }),
      { numRuns: PROGRAMS },
    );
    const stats = engine.stats();
    t.log(`${cases} cases over ${PROGRAMS} programs; ${compiled}/${functions} functions compiled; ${stats.jitExecutions} native runs, ${stats.bailouts} bail-outs`);
    t.log(`outcomes: ${[...kinds].map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
    // The programs must exercise values of both types and the runtime errors.
    for (const kind of ['number', 'boolean', 'InvalidNumericResult', 'DivideByZero']) t.true((kinds.get(kind) ?? 0) > 0, kind);
    t.true(cases >= CASES);
    // The test is only meaningful if most generated functions really run natively.
    t.true(compiled / functions > 0.9, `${compiled}/${functions} compiled`);
    t.true(stats.jitExecutions > cases / 2);
  } finally {
    await engine.close();
  }
});
