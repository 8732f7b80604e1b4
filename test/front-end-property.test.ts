// Property: every program the front-end accepts compiles to bytecode that passes validate() and
// runs, ending normally or with a typed AtlasRuntimeError. The programs come from
// SourceWriter (test/helpers/source-programs.ts): well-typed, with any statement last —
// a program ending in `if` was once refused as a merge of different stack depths at Halt —
// and with for-in loops, array methods with write-back and generic calls among them.
import test from 'ava';
import fc from 'fast-check';
import { type Bytecode, validate } from '../src/bytecode/index.js';
import { CompileError, compile } from '../src/compiler/index.js';
import { AtlasInterrupted, AtlasRuntimeError, Vm } from '../src/vm/index.js';
import { SourceWriter } from './helpers/source-programs.js';

const PROGRAMS = Number(process.env.ATLAS_FRONT_END_CASES ?? 400);

test('every accepted program validates and runs (errors only as AtlasRuntimeError)', (t) => {
  let accepted = 0;
  let endingInIf = 0;
  const constructs = { forIn: 0, method: 0, generic: 0 };
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: 8, maxLength: 96 }), (choices) => {
      const writer = new SourceWriter(choices);
      const source = writer.program();
      let bytecode: Bytecode;
      try {
        bytecode = compile(source, 'generated.atlas');
      } catch (error) {
        if (error instanceof CompileError) return true; // not accepted: nothing to check
        throw error;
      }
      accepted++;
      if (writer.endsInIf) endingInIf++;
      if (/\bfor x\d+ in /.test(source)) constructs.forIn++;
      if (/\.(push|reverse|len)\(/.test(source)) constructs.method++;
      if (/[^ ]ident\(/.test(source)) constructs.generic++;
      const issues = validate(bytecode);
      if (issues.length > 0) {
        t.log(source, issues.map((i) => i.message));
        return false;
      }
      try {
        // Runs take milliseconds; the budget only turns a pathological one into a typed stop.
        new Vm(bytecode, { stdout: () => {}, timeBudgetMs: 5000 }).run();
      } catch (error) {
        if (!(error instanceof AtlasRuntimeError) && !(error instanceof AtlasInterrupted)) {
          t.log(source, error);
          return false;
        }
      }
      return true;
    }),
    { numRuns: PROGRAMS },
  );
  t.log(`${accepted} of ${PROGRAMS} generated programs accepted, ${endingInIf} of them ending in an if; with ${JSON.stringify(constructs)}`);
  // Meaningful only if most programs compile and many end in the shape that was refused.
  t.true(accepted > PROGRAMS / 2, `${accepted} accepted`);
  t.true(endingInIf > PROGRAMS / 20, `${endingInIf} ending in an if`);
  for (const [name, count] of Object.entries(constructs)) t.true(count > PROGRAMS / 20, `${count} programs with ${name}`);
});

test('a program whose last statement is an if validates and runs (both branches)', (t) => {
  for (const x of [1, 3]) {
    for (const source of [
      `let x = ${x};\nif (x > 2) { print("big"); } else { print("small"); }`,
      `let x = ${x};\nif (x > 2) { print("big"); }`,
      `var x = ${x};\nwhile (x < 5) { x = x + 1; }\nif (x > 2) { if (x == 5) { print(x); } } else { x; }`,
    ]) {
      const bytecode = compile(source, 'if.atlas');
      t.deepEqual(validate(bytecode), [], source);
      const lines: string[] = [];
      new Vm(bytecode, { stdout: (line) => lines.push(line) }).run();
      t.true(lines.length <= 1, source);
    }
  }
});
