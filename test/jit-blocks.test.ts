// Block-scoped locals through the JIT at threshold 1: each program runs interpreted and then,
// with every function hot after a first run, as native code; printed lines and the run's
// value must be the interpreter's, and the functions must really have run natively.
import test from 'ava';
import type { Bytecode } from '../src/bytecode/index.js';
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { AtlasRuntimeError, Vm } from '../src/vm/index.js';
import { NESTED_BREAK_CONTINUE } from './helpers/block-programs.js';

interface Outcome {
  readonly lines: readonly string[];
  readonly result: string;
}

function runOnce(bytecode: Bytecode, jit: JitEngine | undefined): Outcome {
  const lines: string[] = [];
  const vm = new Vm(bytecode, { stdout: (line) => lines.push(line), ...(jit === undefined ? {} : { jit }) });
  try {
    const value = vm.run();
    return { lines, result: `${typeof value}:${String(value)}` };
  } catch (error) {
    if (!(error instanceof AtlasRuntimeError)) throw error;
    return { lines, result: JSON.stringify({ kind: error.kind, detail: error.detail, offset: error.offset, span: error.span }) };
  }
}

const PROGRAMS: Readonly<Record<string, { source: string; lines: readonly string[] }>> = {
  'loop body locals, slot reused after the loop': {
    source: `fn f(n: number) -> number {
  var s = 0; var i = 0;
  while (i < n) { let t = i * 2; var u = t + 1; s = s + u; i = i + 1; }
  let z = 100;
  return s + z;
}
print(f(3)); print(f(50));`,
    lines: ['109', '2600'],
  },
  'nested loops and branches with break and continue': {
    source: NESTED_BREAK_CONTINUE,
    lines: ['6', '5062'],
  },
  'shadowing a parameter and a local, with another type in the else block': {
    source: `fn h(x: number) -> number {
  let y = 1;
  if (x > 0) { let y = 10; let x = 100; if (y + x != 110) { print(y + x); } } else { let y = "neg"; print(y); }
  return x + y;
}
print(h(5)); print(h(-5));`,
    lines: ['6', 'neg', '-4'],
  },
  'one slot holding a number, then a bool, then a string in sibling blocks': {
    source: `fn k(n: number) -> number {
  var acc = 0;
  var i = 0;
  while (i < n) {
    if (i % 3 == 0) { let v = i * 2; acc = acc + v; }
    else { if (i % 3 == 1) { let v = i > 2; if (v) { acc = acc + 1; } } else { let v = "s"; if (v == "s") { acc = acc - 1; } } }
    i = i + 1;
  }
  return acc;
}
print(k(10));`,
    lines: ['35'],
  },
  'a for variable out of scope after its loop means the global': {
    source: 'var i = 1000;\nfn f() -> number { var s = 0; for (var i = 0; i < 4; i++) { let d = i * i; s = s + d; } return s + i; }\nprint(f());',
    lines: ['1014'],
  },
  'a block ending in return keeps the reference layout; a later local reuses its slot': {
    source: `fn early(c: bool) -> number { if (c) { let t = 5; return t; } return 0; }
fn later(c: bool) -> number { if (c) { let t = 5; return t; } let z = 2; return z; }
print(early(true)); print(early(false)); print(later(true)); print(later(false));`,
    lines: ['5', '0', '5', '2'],
  },
};

for (const [name, { source, lines }] of Object.entries(PROGRAMS)) {
  test.serial(`${name}: interpreted and native (threshold 1) print the same`, async (t) => {
    const bytecode = compile(source, 'blocks.atlas');
    const interpreted = runOnce(bytecode, undefined);
    t.deepEqual(interpreted.lines, lines);
    const engine = await JitEngine.create({ interpretedLeafLimit: 0, compilationThreshold: 1, workers: 1 });
    try {
      runOnce(bytecode, engine);
      await engine.whenIdle();
      const before = engine.stats();
      const native = runOnce(bytecode, engine);
      const after = engine.stats();
      t.deepEqual(native, interpreted);
      t.is(after.compiledFunctions, bytecode.functions().length, 'every function compiled');
      t.true(after.jitExecutions > before.jitExecutions, 'the measured run entered native code');
    } finally {
      await engine.close();
    }
  });
}
