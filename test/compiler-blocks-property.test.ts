// Block-scoped locals against an oracle: random programs with locals in every kind of block
// (test/helpers/block-programs.ts) must print what their JavaScript translation prints, with
// the layout the compiler picks, with block-scoped slots forced on every function (so the
// reference layout is only ever picked where it gives the same result), and as native code.
import test from 'ava';
import fc from 'fast-check';
import { type Bytecode, validate } from '../src/bytecode/index.js';
import type { Block, FnDecl } from '../src/compiler/ast.js';
import { type LayoutPolicy, chooseLayout, generate } from '../src/compiler/codegen.js';
import { terminateProgram, tokenize } from '../src/compiler/lexer.js';
import { parse } from '../src/compiler/parser.js';
import { SourceText } from '../src/compiler/source-text.js';
import { typecheck } from '../src/compiler/typecheck.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { Vm } from '../src/vm/index.js';
import { blockProgram } from './helpers/block-programs.js';

const RUNS = Number(process.env.ATLAS_BLOCKS_CASES ?? 300);

function compileWith(source: string, layout: LayoutPolicy): Bytecode {
  const text = new SourceText(source, 'blocks.atlas');
  const program = parse(terminateProgram(tokenize(text)), text);
  typecheck(program, text);
  return generate(program, text, layout);
}

function printed(bytecode: Bytecode, jit?: JitEngine): string[] {
  const lines: string[] = [];
  new Vm(bytecode, { stdout: (line) => lines.push(line), ...(jit === undefined ? {} : { jit }) }).run();
  return lines;
}

/** Whether some `let`/`var` of `fn` sits inside a nested block or a `for` header. */
function hasBlockLocal(fn: FnDecl): boolean {
  const inBlock = (block: Block): boolean => block.statements.some((s) => s.kind === 'var' || nested(s));
  const nested = (s: Block['statements'][number]): boolean => {
    switch (s.kind) {
      case 'if': return inBlock(s.then) || (s.otherwise !== undefined && inBlock(s.otherwise));
      case 'while': return inBlock(s.body);
      case 'for': return s.init.kind === 'var' || inBlock(s.body);
      default: return false;
    }
  };
  return fn.body.statements.some(nested);
}

function oracle(js: string): string[] {
  const out: string[] = [];
  new Function('out', js)(out);
  return out;
}

test('random programs with block locals print what JavaScript\'s block scoping prints, in every layout and natively', async (t) => {
  t.timeout(600_000);
  const engine = await JitEngine.create({ compilationThreshold: 1_000_000_000, workers: 1 });
  let compiled = 0;
  // Functions with block locals by the layout they got.
  const layouts = { reference: 0, scoped: 0 };
  const counting: LayoutPolicy = (fn) => {
    const choice = chooseLayout(fn);
    if (hasBlockLocal(fn)) layouts[choice]++;
    return choice;
  };
  try {
    fc.assert(fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: 10, maxLength: 80 }), fc.boolean(), (choices, printing) => {
      const { atlas, js } = blockProgram(choices, printing);
      const expected = oracle(js);
      const chosen = compileWith(atlas, counting);
      const scoped = compileWith(atlas, () => 'scoped');
      for (const bytecode of [chosen, scoped]) {
        if (validate(bytecode).length > 0 || JSON.stringify(printed(bytecode)) !== JSON.stringify(expected)) {
          t.log(atlas, validate(bytecode), printed(bytecode), expected);
          return false;
        }
      }
      printed(chosen, engine); // registers the program with the engine
      for (const fn of chosen.functions()) engine.compileNowBlocking(chosen, fn.offset);
      const native = printed(chosen, engine);
      if (JSON.stringify(native) !== JSON.stringify(expected)) {
        t.log(atlas, native, expected);
        return false;
      }
      return true;
    }), { numRuns: RUNS });
    compiled = engine.stats().compiledFunctions;
  } finally {
    await engine.close();
  }
  t.log(`functions with block locals by layout: ${JSON.stringify(layouts)}; compiled natively: ${compiled} functions`);
  t.true(layouts.reference > 0 && layouts.scoped > 0, 'both layouts were exercised on block locals');
  t.true(compiled > 0);
});
