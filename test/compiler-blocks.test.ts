// Block-scoped locals in function bodies (docs/bytecode.md Q4): slots reused after a block,
// Pops where locals leave scope (block end, break, continue, end of a `for`), shadowing by
// block scope, the type checker's scopes, and the reference's own bytes wherever its
// layout is right.
import test from 'ava';
import { instructions, validate } from '../src/bytecode/index.js';
import { Vm } from '../src/vm/index.js';
import { compileError, compileTest as compile, constants } from './compiler-helpers.js';
import { NESTED_BREAK_CONTINUE } from './helpers/block-programs.js';

function run(source: string): string[] {
  const out: string[] = [];
  const bytecode = compile(source);
  new Vm(bytecode, { stdout: (line) => out.push(line) }).run();
  return out;
}

/** Function `name`'s body, one line per instruction, without the implicit trailing `Null; Return`. */
function body(source: string, name: string): string[] {
  const bc = compile(source);
  const fn = bc.functions().find((f) => f.name === name)!;
  // The prologue's `Jump` over the body (docs/bytecode.md §3.2) ends right before it.
  const end = fn.offset + (((bc.code[fn.offset - 2]! << 8) | bc.code[fn.offset - 1]!) << 16 >> 16);
  const lines = [...instructions(bc.code)]
    .filter((ins) => ins.offset >= fn.offset && ins.offset < end)
    .map((ins) => [ins.info.name, ...ins.operands].join(' '));
  return lines.slice(0, -2);
}

function localCount(source: string, name: string): number {
  return compile(source).functions().find((f) => f.name === name)!.localCount;
}

const LOOP = `fn f(n: number) -> number {
  var s = 0;
  var i = 0;
  while (i < n) {
    let t = i * 2;
    var u = t + 1;
    s = s + u;
    i = i + 1;
  }
  let z = 100;
  return s + z;
}
print(f(3));`;

test('a loop body\'s locals are popped before the back edge, and the next local reuses their slot', (t) => {
  t.deepEqual(body(LOOP, 'f'), [
    'Constant 2', 'Constant 3',
    'GetLocal 2', 'GetLocal 0', 'Less', 'JumpIfFalse 41',
    'GetLocal 2', 'Constant 4', 'Mul', // let t (slot 3)
    'GetLocal 3', 'Constant 5', 'Add', // var u (slot 4)
    'GetLocal 1', 'GetLocal 4', 'Add', 'SetLocal 1', 'Pop',
    'GetLocal 2', 'Constant 6', 'Add', 'SetLocal 2', 'Pop',
    'Pop', 'Pop', // t and u leave scope
    'Loop -51',
    'Constant 7', // let z reuses slot 3
    'GetLocal 1', 'GetLocal 3', 'Add', 'Return',
  ]);
  t.is(localCount(LOOP, 'f'), 5, 'two parameters-and-body locals plus the two block locals at most');
  t.deepEqual(run(LOOP), ['109']);
  t.deepEqual(validate(compile(LOOP)), []);
});

test('the reference\'s stale-slot example (Q4) sums fresh values', (t) => {
  // The reference reads the first iteration's x every time and prints 0.
  t.deepEqual(run('fn f() -> number { var s = 0; var i = 0; while (i < 3) { let x = i; s = s + x; i = i + 1; } return s; } print(f());'), ['3']);
});

test('break and continue pop the locals the loop body declared so far, nested loops included', (t) => {
  const source = NESTED_BREAK_CONTINUE;
  const expected = (n: number) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const sq = i * i;
      if (sq > 20) { total += (sq - 20) * 1000; break; }
      for (let j = 0; j < i;) { const k = j + sq; j++; if (k % 2 !== 0) total += k; }
    }
    return total;
  };
  t.deepEqual(run(source), [String(expected(3)), String(expected(10))]);
  const code = body(source, 'g');
  // continue: pops `skipped` and `k` (not j, declared in the for body outside the while), then loops.
  const loops = code.map((ins, i) => [ins, i] as const).filter(([ins]) => ins.startsWith('Loop')).map(([, i]) => i);
  t.deepEqual(code.slice(loops[0]! - 2, loops[0]!), ['Pop', 'Pop'], 'continue drops skipped and k');
  // break: pops `extra` and `sq`, leaving the for's i for the exit.
  const jumps = code.map((ins, i) => [ins, i] as const).filter(([ins]) => ins.startsWith('Jump ')).map(([, i]) => i);
  t.deepEqual(code.slice(jumps[0]! - 2, jumps[0]!), ['Pop', 'Pop'], 'break drops extra and sq');
  t.deepEqual(validate(compile(source)), []);
});

test('a branch local shadows a parameter and a body local only inside its block', (t) => {
  const source = `fn h(x: number) -> number {
  let y = 1;
  if (x > 0) { let y = 10; let x = 100; print(y + x); } else { let y = "neg"; print(y); }
  return x + y;
}
print(h(5)); print(h(-5));`;
  t.deepEqual(run(source), ['110', '6', 'neg', '-4']);
});

test('the type checker sees block scopes: an inner declaration neither retypes nor unlocks the outer one', (t) => {
  t.deepEqual(run('fn f(c: bool) -> number { let v = 1; if (c) { let v = "s"; print(v); } return v + 1; } print(f(true));'), ['s', '2']);
  const err = compileError(t, 'fn f(c: bool) { let k = 1; if (c) { var k = 2; k = 3; } k = 4; }');
  t.is(err.reason, "Cannot assign to immutable variable 'k'");
  t.is(err.code, 'AT3003');
  t.deepEqual([err.line, err.column], [1, 57], 'at the outer k');
  const typed = compileError(t, 'fn f(c: bool) -> number { if (c) { let w = "s"; return w; } return 0; }');
  t.is(typed.reason, 'Return type mismatch: expected number, found string');
});

test('a for header is a scope: its variable ends with the loop and the name means the global again', (t) => {
  const source = 'var i = 7;\nfn f() -> number { for (var i = 0; i < 3; i++) { } return i; }\nprint(f());';
  t.deepEqual(run(source), ['7']);
  const code = body(source, 'f');
  const loop = code.findIndex((ins) => ins.startsWith('Loop'));
  t.is(code.slice(loop + 1).join(' / '), 'Pop / GetGlobal 7 / Return');
});

test('where the reference lays the locals out right, its bytes are kept (no Pops, its slot numbers)', (t) => {
  // A block that ends in a return never reaches a merge, so the reference's layout is right.
  const early = 'fn f(c: bool) -> number { if (c) { let t = 5; return t; } return 0; }';
  t.deepEqual(body(early, 'f'), ['GetLocal 0', 'JumpIfFalse 7', 'Constant 2', 'GetLocal 1', 'Return', 'Constant 3', 'Return']);
  // A for at body level keeps its variable on the stack to the end, as the reference does.
  const counted = 'fn f() -> number { var s = 0; for (var i = 0; i < 3; i++) { s = s + i; } var z = s; return z; }';
  const code = body(counted, 'f');
  t.false(code.slice(code.findIndex((ins) => ins.startsWith('Loop'))).includes('Pop'));
  t.true(code.includes('GetLocal 2'), 'z is slot 2, after s and i');
  t.is(localCount(counted, 'f'), 3);
  // Both branches declare one local and neither is read after: the merge agrees, no Pops.
  const even = 'fn f(c: bool) -> number { if (c) { let a = 1; print(a); } else { let b = 2; print(0); } return 0; }';
  t.false(body(even, 'f').includes('Pop Pop'));
  t.deepEqual(body(even, 'f').filter((ins) => ins === 'Pop'), ['Pop', 'Pop'], 'only the two print statements pop');
  t.is(localCount(even, 'f'), 3, 'the reference counts both branch locals');
});

test('where the reference would read a stale or shifted slot, the later local reuses the dead block\'s slot', (t) => {
  const source = 'fn f(c: bool) -> number { if (c) { let t = 5; return t; } let z = 2; return z; }\nprint(f(true)); print(f(false));';
  t.deepEqual(run(source), ['5', '2']);
  t.deepEqual(body(source, 'f').slice(-3), ['Constant 3', 'GetLocal 1', 'Return'], 'z takes slot 1, which t held');
  t.is(localCount(source, 'f'), 2);
});

test('sibling blocks share slots, so many block locals fit where the frame would not hold them all', (t) => {
  const blocks = Array.from({ length: 300 }, (_, i) => `if (c) { let a${i} = ${i}; var b${i} = a${i} + 1; s = s + b${i}; }`).join('\n');
  const source = `fn f(c: bool) -> number { var s = 0;\n${blocks}\nreturn s; }\nprint(f(true));`;
  t.is(localCount(source, 'f'), 4);
  t.deepEqual(run(source), [String((300 * 301) / 2)]);
});

test('top-level declarations inside blocks stay globals, as in the reference', (t) => {
  const bc = compile('if (true) { let g = 1; print(g); } while (false) { var h = 2; }');
  t.deepEqual(constants(bc).filter((c) => c === '"g"' || c === '"h"'), ['"g"', '"g"', '"h"']);
  t.deepEqual(run('if (true) { let g = 1; print(g); }'), ['1']);
  // The name itself ends with its block, as the reference's binder scopes it.
  const err = compileError(t, 'if (true) { let g = 1; } print(g);');
  t.is(err.referenceLine, "Parse error: Unknown symbol 'g'");
});

test('a closure over a block local is a compile error: functions are declared at top level only', (t) => {
  const err = compileError(t, 'fn f() -> number {\n  if (true) {\n    let x = 1;\n    fn g() -> number { return x; }\n  }\n  return 0;\n}');
  t.is(err.reason, 'Function declarations are only allowed at top level');
  t.deepEqual([err.line, err.column], [4, 5]);
});

test('a block local read after its block is out of scope: an unknown symbol at compile time', (t) => {
  const err = compileError(t, 'fn f() -> number { if (true) { let t = 1; } return t; } print(f());');
  t.is(err.reason, "Unknown symbol 't'");
  t.is(err.code, 'AT2002');
  t.is(err.stage, 'bind');
});
