// Property test: random valid straight-line programs (constants, arithmetic, comparisons,
// Dup/Pop, globals, print), generated while tracking the stack depth, must pass the validator,
// run, agree with a direct evaluation of the same steps, and behave identically after a
// round trip through the `.atb` format.
import { deepStrictEqual } from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import { type Bytecode, BytecodeBuilder, readAtb, validate, writeAtb } from '../src/bytecode/index.js';
import { AtlasArray, AtlasRuntimeError, type Value, Vm, formatNumber } from '../src/vm/index.js';

type Scalar = number | string | boolean | null;

const BINARY = ['Add', 'Sub', 'Mul', 'Div', 'Mod', 'Equal', 'NotEqual', 'Less', 'LessEqual', 'Greater', 'GreaterEqual'] as const;
type BinaryOp = (typeof BINARY)[number];

/** One generated step; each becomes one or a few instructions. */
type Step =
  | { readonly op: 'push'; readonly value: Scalar }
  | { readonly op: BinaryOp }
  | { readonly op: 'Negate' | 'Not' | 'Dup' | 'Pop' }
  | { readonly op: 'SetGlobal' | 'GetGlobal'; readonly name: string }
  | { readonly op: 'print'; readonly name: string } // print(global name)
  | { readonly op: 'collect'; readonly count: number }; // Array of the whole stack, so all of it is compared

const GLOBALS = ['a', 'b', 'c'];

// Mostly numbers, so that runs get past the first operator; the other kinds make type errors.
const scalarArb: fc.Arbitrary<Scalar> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -7, max: 7 }) },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e308, 0.1, 2.5) },
  { weight: 1, arbitrary: fc.constantFrom('', 'x', 'yz') },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

/**
 * Turns raw choices into a valid step list: each choice picks among the steps allowed at the
 * current depth (binary ops need 2 values, unary ops 1, GetGlobal/print a global set earlier).
 */
function steps(choices: ReadonlyArray<{ pick: number; value: Scalar; name: number }>, collect: boolean): Step[] {
  const out: Step[] = [];
  let depth = 0;
  const defined = new Set<string>();
  for (const { pick, value, name } of choices) {
    const allowed: Step[] = [{ op: 'push', value }];
    if (depth >= 2) for (const op of BINARY) allowed.push({ op });
    if (depth >= 1) {
      allowed.push({ op: 'Negate' }, { op: 'Not' }, { op: 'Dup' }, { op: 'Pop' });
      allowed.push({ op: 'SetGlobal', name: GLOBALS[name % GLOBALS.length]! });
    }
    for (const g of defined) allowed.push({ op: 'GetGlobal', name: g }, { op: 'print', name: g });
    const step = allowed[pick % allowed.length]!;
    out.push(step);
    if (step.op === 'push' || step.op === 'Dup' || step.op === 'GetGlobal' || step.op === 'print') depth++;
    else if (step.op === 'Pop' || (BINARY as readonly string[]).includes(step.op)) depth--;
    else if (step.op === 'SetGlobal') defined.add(step.name);
  }
  if (collect) out.push({ op: 'collect', count: depth });
  return out;
}

function assemble(program: readonly Step[]): Bytecode {
  const b = new BytecodeBuilder();
  program.forEach((step, i) => {
    b.span = { start: i, end: i + 1 };
    switch (step.op) {
      case 'push':
        if (step.value === null) b.emit('Null');
        else if (step.value === true) b.emit('True');
        else if (step.value === false) b.emit('False');
        else b.emitConstant(step.value);
        break;
      case 'SetGlobal':
      case 'GetGlobal':
        b.emit(step.op, [b.string(step.name)]);
        break;
      case 'print':
        b.emit('GetGlobal', [b.string('print')]);
        b.emit('GetGlobal', [b.string(step.name)]);
        b.emit('Call', [1]);
        break;
      case 'collect':
        b.emit('Array', [step.count]);
        break;
      default:
        b.emit(step.op);
    }
  });
  b.span = { start: 0, end: 0 };
  b.emit('Halt');
  return b.build();
}

interface Outcome {
  readonly result: Value | undefined;
  readonly output: readonly string[];
  /** `kind@step` of the error that ended the run, if any. */
  readonly error?: string;
}

function execute(bytecode: Bytecode): Outcome {
  const output: string[] = [];
  try {
    return { result: new Vm(bytecode, { stdout: (line) => output.push(line) }).run(), output };
  } catch (e) {
    if (!(e instanceof AtlasRuntimeError)) throw e;
    return { result: undefined, output, error: `${e.kind}@${e.span?.start}` };
  }
}

class ModelError extends Error {}

/** Evaluates the steps directly, with the reference semantics of docs/bytecode.md §2.4 and §6.6. */
function evaluate(program: readonly Step[]): Outcome {
  const stack: Scalar[] = [];
  const globals = new Map<string, Scalar>();
  const output: string[] = [];
  const num = (v: Scalar | undefined): number => {
    if (typeof v !== 'number') throw new ModelError('TypeError');
    return v;
  };
  const finite = (r: number): number => {
    if (!Number.isFinite(r)) throw new ModelError('InvalidNumericResult');
    return r;
  };
  let at = 0;
  try {
    for (; at < program.length; at++) {
      const step = program[at]!;
      switch (step.op) {
        case 'push': stack.push(step.value); break;
        case 'Dup': stack.push(stack[stack.length - 1]!); break;
        case 'collect': return { result: new AtlasArray(stack.splice(0)), output };
        case 'Pop': if (at !== program.length - 1) stack.pop(); break; // Q1: skipped before Halt
        case 'SetGlobal': globals.set(step.name, stack[stack.length - 1]!); break;
        case 'GetGlobal': stack.push(globals.get(step.name)!); break;
        case 'print': {
          const v = globals.get(step.name)!;
          output.push(typeof v === 'number' ? formatNumber(v) : String(v));
          stack.push(null);
          break;
        }
        case 'Negate': stack.push(-num(stack.pop())); break;
        case 'Not': {
          const v = stack.pop();
          if (typeof v !== 'boolean') throw new ModelError('TypeError');
          stack.push(!v);
          break;
        }
        case 'Add': {
          const b = stack.pop()!;
          const a = stack.pop()!;
          if (typeof a === 'number' && typeof b === 'number') stack.push(finite(a + b));
          else if (typeof a === 'string' && typeof b === 'string') stack.push(a + b);
          else throw new ModelError('TypeError');
          break;
        }
        case 'Equal':
        case 'NotEqual': {
          const b = stack.pop();
          const a = stack.pop();
          stack.push((a === b) === (step.op === 'Equal'));
          break;
        }
        default: {
          const b = num(stack.pop());
          const a = num(stack.pop());
          switch (step.op) {
            case 'Sub': stack.push(finite(a - b)); break;
            case 'Mul': stack.push(finite(a * b)); break;
            case 'Div':
            case 'Mod':
              if (b === 0) throw new ModelError('DivideByZero');
              stack.push(finite(step.op === 'Div' ? a / b : a % b));
              break;
            case 'Less': stack.push(a < b); break;
            case 'LessEqual': stack.push(a <= b); break;
            case 'Greater': stack.push(a > b); break;
            case 'GreaterEqual': stack.push(a >= b); break;
          }
        }
      }
    }
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    return { result: undefined, output, error: `${e.message}@${at}` };
  }
  return { result: stack.length > 0 ? stack[stack.length - 1] : undefined, output };
}

const programArb = fc
  .tuple(fc.array(fc.record({ pick: fc.nat(), value: scalarArb, name: fc.nat() }), { minLength: 1, maxLength: 40 }), fc.boolean())
  .map(([choices, collect]) => steps(choices, collect));

test('random valid straight-line programs validate, run like the model, and survive .atb', (t) => {
  let errors = 0;
  let prints = 0;
  fc.assert(
    fc.property(programArb, (program) => {
      const bytecode = assemble(program);
      // node:assert throws, so fast-check sees a failure and shrinks it.
      deepStrictEqual(validate(bytecode), [], 'the program is valid');
      const first = execute(bytecode);
      deepStrictEqual(first, evaluate(program), 'the VM agrees with the model');
      const reloaded = readAtb(writeAtb(bytecode));
      deepStrictEqual(reloaded.code, bytecode.code);
      deepStrictEqual(execute(reloaded), first, 'the .atb round trip changes nothing');
      deepStrictEqual(execute(bytecode), first, 'a second run gives the same result');
      if (first.error !== undefined) errors++;
      prints += first.output.length;
    }),
    { numRuns: 1000, seed: 424242 },
  );
  // The generator exercises both outcomes and the print path.
  t.true(errors > 0 && errors < 1000);
  t.true(prints > 0);
});
