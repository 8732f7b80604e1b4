// Differential test of the JIT's reach: fast-check generates whole scripts — top-level loops
// over global `var`s (nested, so on-stack replacement happens at every loop depth), functions
// with bool parameters and results called from them, and rare branches that print (an
// instruction native code leaves at: a side exit) — and runs each in the interpreter alone and
// with the JIT, whose code for the loops and functions is compiled before the measured run
// (a warm-up run on the same engine), so the measured run enters it at loop headers and calls.
// Printed lines, the run's value, the final globals and any error (kind, detail, offset, span)
// must be identical. CI runs ATLAS_JIT_REACH_CASES programs (default 150).
import test from 'ava';
import fc from 'fast-check';
import { Chooser } from './helpers/chooser.js';
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { AtlasRuntimeError, type Value, Vm } from '../src/vm/index.js';

const PROGRAMS = Number(process.env.ATLAS_JIT_REACH_CASES ?? 150);
/** A program's time allowance (two runs with the JIT, one without): about 8× what one takes on a loaded 2-core machine. */
const MS_PER_PROGRAM = 1000;


const LITERALS = ['0', '1', '2', '3', '0.5', '7', '10', '1000000'];

/** Writes one script from a choice stream. */
class ScriptWriter {
  private readonly c: Chooser;
  constructor(choices: readonly number[]) {
    this.c = new Chooser(choices);
  }

  num(depth: number, vars: readonly string[]): string {
    switch (this.c.next(depth <= 0 ? 2 : 6)) {
      case 0: return LITERALS[this.c.next(LITERALS.length)]!;
      case 1: return vars[this.c.next(vars.length)]!;
      case 2: case 3: {
        const op = ['+', '-', '*', '/', '%'][this.c.next(5)]!;
        return `(${this.num(depth - 1, vars)} ${op} ${this.num(depth - 1, vars)})`;
      }
      case 4: return `(-${this.num(depth - 1, vars)})`;
      default: return `(${this.num(depth - 1, vars)} % 97)`;
    }
  }

  bool(depth: number, nums: readonly string[], bools: readonly string[]): string {
    switch (this.c.next(depth <= 0 ? 3 : 6)) {
      case 0: return this.c.next(2) === 0 ? 'true' : 'false';
      case 1: return bools[this.c.next(bools.length)]!;
      case 2: {
        const op = ['<', '<=', '>', '>=', '==', '!='][this.c.next(6)]!;
        return `(${this.num(0, nums)} ${op} ${this.num(0, nums)})`;
      }
      case 3: return `(${this.bool(depth - 1, nums, bools)} && ${this.bool(depth - 1, nums, bools)})`;
      case 4: return `(!${this.bool(depth - 1, nums, bools)})`;
      default: return `(${this.bool(depth - 1, nums, bools)} == ${this.bool(depth - 1, nums, bools)})`;
    }
  }

  /** A rule with a bool parameter and a loop with block locals, and a rare branch that prints. */
  rule(): string {
    const nums = ['p', 'acc', 'k'];
    return [
      'fn rule(p: number, q: bool) -> number {',
      '  var acc = p;',
      '  var k = 0;',
      `  while (k < ${1 + this.c.next(5)}) {`,
      '    k = k + 1;',
      // Block locals: live across the side exit at print, and popped before the back edge.
      `    let d = ${this.num(1, nums)};`,
      `    if (q) { acc = acc + d; } else { var e = ${this.num(1, nums)}; acc = acc - e; }`,
      `    if (acc > ${[100, 1000, 100000][this.c.next(3)]}) { let shown = acc; print("big"); acc = shown % 1000; }`,
      '  }',
      '  return acc;',
      '}',
      'fn test(p: number, q: bool) -> bool {',
      `  return ${this.bool(2, ['p'], ['q'])};`,
      '}',
    ].join('\n');
  }

  script(): string {
    const globals = ['g0', 'g1', 'i'];
    const inner = ['g0', 'g1', 'i', 'j'];
    const iterations = [100, 300, 1000][this.c.next(3)]!;
    const innerIterations = [0, 3, 70][this.c.next(3)]!;
    return [
      this.rule(),
      `var g0 = ${LITERALS[this.c.next(LITERALS.length)]};`,
      `var g1 = ${LITERALS[this.c.next(LITERALS.length)]};`,
      `var flag = ${this.c.next(2) === 0 ? 'true' : 'false'};`,
      'var i = 0;',
      'var j = 0;',
      `while (i < ${iterations}) {`,
      `  g0 = (${this.num(2, globals)}) % 1000003;`,
      '  j = 0;',
      `  while (j < ${innerIterations}) {`,
      `    g1 = (g1 + ${this.num(1, inner)}) % 10007;`,
      '    j = j + 1;',
      '  }',
      `  if (test(g0, flag)) { flag = !flag; }`,
      `  g1 = g1 + rule(g0 % 100, ${this.bool(1, globals, ['flag'])});`,
      `  if (i % ${[37, 101, 250][this.c.next(3)]} == 0) { print(g0); }`,
      '  i = i + 1;',
      '}',
      'print(g1);',
      'g0;',
    ].join('\n');
  }
}

interface Run {
  readonly lines: readonly string[];
  readonly result: string;
  readonly globals: string;
}

function run(vm: Vm, lines: string[]): Run {
  let result: string;
  try {
    const value = vm.run();
    result = `${typeof value}:${String(value)}`;
  } catch (error) {
    if (!(error instanceof AtlasRuntimeError)) throw error;
    result = JSON.stringify({ kind: error.kind, detail: error.detail, offset: error.offset, span: error.span, stack: error.stack });
  }
  const globals = ['g0', 'g1', 'flag', 'i', 'j'].map((name) => describe(vm.getGlobal(name))).join(' ');
  return { lines: [...lines], result, globals };
}

function describe(value: Value | undefined): string {
  return `${typeof value}:${Object.is(value, -0) ? '-0' : String(value)}`;
}

/** A VM whose printed lines land in `lines`. */
function vmOf(source: string, lines: string[], jit?: JitEngine): Vm {
  return new Vm(compile(source, 'script.atlas'), { stdout: (line) => lines.push(line), ...(jit === undefined ? {} : { jit }) });
}

test('random scripts with OSR, side exits, globals and bools: JIT == interpreter', async (t) => {
  // Scaled with the run, so a long run stays inside its own timeout (docs/design.md, Testing).
  t.timeout(Math.max(600_000, PROGRAMS * MS_PER_PROGRAM));
  const engine = await JitEngine.create({ compilationThreshold: 2, osrThreshold: 64, workers: 1 });
  let osrEntries = 0;
  let sideExits = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 1000 }), { minLength: 16, maxLength: 64 }), async (choices) => {
        const source = new ScriptWriter(choices).script();
        const expectedLines: string[] = [];
        const expected = run(vmOf(source, expectedLines), expectedLines);
        // Warm-up on the engine: the loops and functions get hot and compiled.
        const bytecode = compile(source, 'script.atlas');
        const warm = new Vm(bytecode, { stdout: () => {}, jit: engine });
        try {
          warm.run();
        } catch (error) {
          if (!(error instanceof AtlasRuntimeError)) throw error;
        }
        await engine.whenIdle();
        const before = engine.stats();
        const lines: string[] = [];
        const actual = run(new Vm(bytecode, { stdout: (line) => lines.push(line), jit: engine }), lines);
        const after = engine.stats();
        osrEntries += after.osrEntries - before.osrEntries;
        sideExits += after.sideExits - before.sideExits;
        engine.invalidate(bytecode);
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          t.log(source, expected, actual);
          return false;
        }
        return true;
      }),
      { numRuns: PROGRAMS },
    );
    t.log(`${PROGRAMS} scripts; ${osrEntries} OSR entries, ${sideExits} side exits in the measured runs`);
    // Meaningful only if the measured runs really moved frames into native code and back.
    t.true(osrEntries > PROGRAMS, `${osrEntries} OSR entries`);
    t.true(sideExits > PROGRAMS, `${sideExits} side exits`);
  } finally {
    await engine.close();
  }
});
