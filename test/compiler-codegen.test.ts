// The exact bytecode of every construct of docs/bytecode.md §6.5: instructions, constant pool and
// debug spans, plus the worked examples of docs/bytecode.md §3.7 and §4.4.
import { readFileSync } from 'node:fs';
import test from 'ava';
import { Vm } from '../src/vm/index.js';
import { constants, generateUnchecked as compile, hex, listing, spans } from './compiler-helpers.js';
import { REFERENCE_PROGRAMS } from './helpers/reference-programs.js';

/** [start, end) of the `nth` occurrence of `fragment` in `source`. */
function at(source: string, fragment: string, nth = 0): [number, number] {
  let start = -1;
  for (let i = 0; i <= nth; i++) {
    start = source.indexOf(fragment, start + 1);
    if (start < 0) throw new Error(`'${fragment}' #${nth} not in source`);
  }
  return [start, start + fragment.length];
}

function run(source: string): string[] {
  const out: string[] = [];
  new Vm(compile(source), { stdout: (line) => out.push(line) }).run();
  return out;
}

const HALT_AT = (offset: number): [number, number, number] => [offset, 0, 0];

// ---- expressions -------------------------------------------------------------------

test('literals: Constant with a new constant per literal (span = token, strings with quotes); True/False/Null', (t) => {
  const bc = compile('42; "hi"; true; false; null; 42;');
  t.deepEqual(listing(bc), ['Constant 0', 'Pop', 'Constant 1', 'Pop', 'True', 'Pop', 'False', 'Pop', 'Null', 'Pop', 'Constant 2', 'Pop', 'Halt']);
  t.deepEqual(constants(bc), [42, '"hi"', 42], 'never deduplicated');
  t.deepEqual(spans(bc), [
    [0, 0, 2], [3, 0, 3], [4, 4, 8], [7, 4, 9], [8, 10, 14], [9, 10, 15], [10, 16, 21], [11, 16, 22],
    [12, 23, 27], [13, 23, 28], [14, 29, 31], [17, 29, 32], HALT_AT(18),
  ]);
});

test('identifier reads, parentheses and unary operators', (t) => {
  const bc = compile('x; (y); -1; !true;');
  t.deepEqual(listing(bc), ['GetGlobal 0', 'Pop', 'GetGlobal 1', 'Pop', 'Constant 2', 'Negate', 'Pop', 'True', 'Not', 'Pop', 'Halt']);
  t.deepEqual(constants(bc), ['"x"', '"y"', 1]);
  t.deepEqual(spans(bc), [
    [0, 0, 1], [3, 0, 2], [4, 4, 5], [7, 3, 7], [8, 9, 10], [11, 8, 10], [12, 8, 11], [13, 13, 17], [14, 12, 17], [15, 12, 18], HALT_AT(16),
  ]);
});

test('every arithmetic and comparison operator: a; b; OP with span a..b', (t) => {
  const ops = { '+': 'Add', '-': 'Sub', '*': 'Mul', '/': 'Div', '%': 'Mod', '==': 'Equal', '!=': 'NotEqual',
    '<': 'Less', '<=': 'LessEqual', '>': 'Greater', '>=': 'GreaterEqual' } as const;
  for (const [op, name] of Object.entries(ops)) {
    const k = op.length;
    const bc = compile(`1 ${op} 2;`);
    t.deepEqual(listing(bc), ['Constant 0', 'Constant 1', name, 'Pop', 'Halt'], op);
    t.deepEqual(spans(bc), [[0, 0, 1], [3, 3 + k, 4 + k], [6, 0, 4 + k], [7, 0, 5 + k], HALT_AT(8)], op);
  }
});

test('a && b: a; Dup; JumpIfFalse L; Pop; b; L:', (t) => {
  const bc = compile('true && false;');
  t.is(hex(bc.code), '03 81 51 00 02 80 04 80 ff');
  t.deepEqual(spans(bc), [[0, 0, 4], [1, 0, 13], [2, 0, 13], [5, 0, 13], [6, 8, 13], [7, 0, 14], HALT_AT(8)]);
});

test('a || b: a; Dup; Not; JumpIfFalse L; Pop; b; L:', (t) => {
  const bc = compile('false || true;');
  t.is(hex(bc.code), '04 81 40 51 00 02 80 03 80 ff');
  t.deepEqual(spans(bc), [[0, 0, 5], [1, 0, 13], [2, 0, 13], [3, 0, 13], [6, 0, 13], [7, 9, 13], [8, 0, 14], HALT_AT(9)]);
});

test('calls: load f and Call n both carry the call span; the callee constant comes before the arguments', (t) => {
  const bc = compile('f(1, "a");');
  t.deepEqual(listing(bc), ['GetGlobal 0', 'Constant 1', 'Constant 2', 'Call 2', 'Pop', 'Halt']);
  t.deepEqual(constants(bc), ['"f"', 1, '"a"']);
  t.deepEqual(spans(bc), [[0, 0, 9], [3, 2, 3], [6, 5, 8], [9, 0, 9], [11, 0, 10], HALT_AT(12)]);
  const nested = compile('print(f(2));');
  t.deepEqual(listing(nested), ['GetGlobal 0', 'GetGlobal 1', 'Constant 2', 'Call 1', 'Call 1', 'Pop', 'Halt']);
  t.deepEqual(constants(nested), ['"print"', '"f"', 2]);
  t.deepEqual(spans(nested), [[0, 0, 11], [3, 6, 10], [6, 8, 9], [9, 6, 10], [11, 0, 11], [13, 0, 12], HALT_AT(14)]);
  t.deepEqual(listing(compile('g();')), ['GetGlobal 0', 'Call 0', 'Pop', 'Halt']);
});

test('array literals and indexing', (t) => {
  const bc = compile('[1, 2]; a[0]; [];');
  t.deepEqual(listing(bc), ['Constant 0', 'Constant 1', 'Array 2', 'Pop', 'GetGlobal 2', 'Constant 3', 'GetIndex', 'Pop', 'Array 0', 'Pop', 'Halt']);
  t.deepEqual(constants(bc), [1, 2, '"a"', 0]);
  t.deepEqual(spans(bc), [[0, 1, 2], [3, 4, 5], [6, 0, 6], [9, 0, 7], [10, 8, 9], [13, 10, 11], [16, 8, 12], [17, 8, 13], [18, 14, 16], [21, 14, 17], HALT_AT(22)]);
});

// ---- declarations and assignment ---------------------------------------------------

test('top-level let/var: e; SetGlobal k; Pop (k appended after the initializer constants)', (t) => {
  const src = 'let x = 5; var y = x;';
  const bc = compile(src);
  t.deepEqual(listing(bc), ['Constant 0', 'SetGlobal 1', 'Pop', 'GetGlobal 2', 'SetGlobal 3', 'Pop', 'Halt']);
  t.deepEqual(constants(bc), [5, '"x"', '"x"', '"y"']);
  const [ls, le] = at(src, 'let x = 5;');
  const [vs, ve] = at(src, 'var y = x;');
  t.deepEqual(spans(bc), [[0, 8, 9], [3, ls, le], [6, ls, le], [7, 19, 20], [10, vs, ve], [13, vs, ve], HALT_AT(14)]);
  t.is(bc.topLevelLocalCount, 0);
});

test('top-level let inside if/while blocks is still a global', (t) => {
  const bc = compile('if (true) { let z = 1; }');
  t.deepEqual(listing(bc), ['True', 'JumpIfFalse 7', 'Constant 0', 'SetGlobal 1', 'Pop', 'Halt']);
});

test('function locals: parameters are slots 0.., each let/var takes the next slot, no store emitted', (t) => {
  const src = 'fn f(a: number) -> number { let b = a * 2; var c = b; c = c + a; return c; }';
  const bc = compile(src);
  t.deepEqual(listing(bc), [
    'Constant 0', 'SetGlobal 1', 'Pop', 'Jump 27',
    'GetLocal 0', 'Constant 2', 'Mul', 'GetLocal 1', 'GetLocal 2', 'GetLocal 0', 'Add', 'SetLocal 2', 'Pop',
    'GetLocal 2', 'Return', 'Null', 'Return', 'Halt',
  ]);
  t.deepEqual(constants(bc), ['fn f/1@10 locals=3', '"f"', 2]);
  t.deepEqual(bc.functions()[0]!.paramNames, ['a']);
  const whole = [0, src.length];
  const [as, ae] = at(src, 'c = c + a;');
  const [rs, re] = at(src, 'return c;');
  const [ms, me] = at(src, 'a * 2');
  const v = at(src, 'var c = b;')[0];
  const [ps, pe] = at(src, 'c + a');
  t.deepEqual(spans(bc), [
    [0, ...whole], [3, ...whole], [6, ...whole], [7, ...whole],
    [10, ms, ms + 1], [13, me - 1, me], [16, ms, me], [17, v + 8, v + 9],
    [20, ps, ps + 1], [23, pe - 1, pe], [26, ps, pe], [27, as, ae], [30, as, ae],
    [31, rs + 7, rs + 8], [34, rs, re], [35, ...whole], [36, ...whole], HALT_AT(37),
  ]);
});

test('later declarations shadow earlier ones (newest slot first)', (t) => {
  const bc = compile('fn f(x: number) -> number { let x = 2; return x; }');
  t.deepEqual(listing(bc).slice(4, 7), ['Constant 2', 'GetLocal 1', 'Return']);
  t.deepEqual(constants(bc)[0], 'fn f/1@10 locals=2');
});

test('x = e: SetLocal for locals, SetGlobal with a fresh name constant (after e) for globals', (t) => {
  const src = 'var x = 1; x = 2;';
  const bc = compile(src);
  t.deepEqual(listing(bc), ['Constant 0', 'SetGlobal 1', 'Pop', 'Constant 2', 'SetGlobal 3', 'Pop', 'Halt']);
  t.deepEqual(constants(bc), [1, '"x"', 2, '"x"']);
  const [s, e] = at(src, 'x = 2;');
  t.deepEqual(spans(bc).slice(3), [[7, 15, 16], [10, s, e], [13, s, e], HALT_AT(14)]);
  const local = compile('fn f(a: number) { a = 2; }');
  t.deepEqual(listing(local).slice(4), ['Constant 2', 'SetLocal 0', 'Pop', 'Null', 'Return', 'Halt']);
});

test('t[i] = e: t; i; e; SetIndex; store t; Pop, all with span t..;', (t) => {
  const src = 'var a = [1]; a[0] = 5;';
  const bc = compile(src);
  t.deepEqual(listing(bc), ['Constant 0', 'Array 1', 'SetGlobal 1', 'Pop', 'GetGlobal 2', 'Constant 3', 'Constant 4', 'SetIndex', 'SetGlobal 5', 'Pop', 'Halt']);
  t.deepEqual(constants(bc), [1, '"a"', '"a"', 0, 5, '"a"']);
  const [s, e] = at(src, 'a[0] = 5;');
  t.deepEqual(spans(bc).slice(4), [[10, s, s + 1], [13, s + 2, s + 3], [16, s + 7, s + 8], [19, s, e], [20, s, e], [23, s, e], HALT_AT(24)]);
  const local = compile('fn g(xs: number[]) { xs[1] = 7; }');
  t.deepEqual(listing(local).slice(4), ['GetLocal 0', 'Constant 2', 'Constant 3', 'SetIndex', 'SetLocal 0', 'Pop', 'Null', 'Return', 'Halt']);
});

test('x op= e: load x; e; OP; store x; Pop, with span x..; except e', (t) => {
  const ops = { '+': 'Add', '-': 'Sub', '*': 'Mul', '/': 'Div', '%': 'Mod' } as const;
  for (const [op, name] of Object.entries(ops)) {
    const src = `var x = 1; x ${op}= 2;`;
    const bc = compile(src);
    t.deepEqual(listing(bc).slice(3), ['GetGlobal 2', 'Constant 3', name, 'SetGlobal 4', 'Pop', 'Halt'], op);
    t.deepEqual(constants(bc), [1, '"x"', '"x"', 2, '"x"']);
    const [s, e] = at(src, `x ${op}= 2;`);
    t.deepEqual(spans(bc).slice(3), [[7, s, e], [10, e - 2, e - 1], [13, s, e], [14, s, e], [17, s, e], HALT_AT(18)]);
  }
  const local = compile('fn h(n: number) { n *= 3; }');
  t.deepEqual(listing(local).slice(4, 9), ['GetLocal 0', 'Constant 2', 'Mul', 'SetLocal 0', 'Pop']);
});

test('x++ / x--: load x; Constant 1; Add/Sub; store x; Pop, all with span x..;', (t) => {
  const src = 'var x = 1; x++; x--;';
  const bc = compile(src);
  t.deepEqual(listing(bc).slice(3), ['GetGlobal 2', 'Constant 3', 'Add', 'SetGlobal 4', 'Pop', 'GetGlobal 5', 'Constant 6', 'Sub', 'SetGlobal 7', 'Pop', 'Halt']);
  t.deepEqual(constants(bc), [1, '"x"', '"x"', 1, '"x"', '"x"', 1, '"x"']);
  const [s, e] = at(src, 'x++;');
  t.deepEqual(spans(bc).slice(3, 8), [[7, s, e], [10, s, e], [13, s, e], [14, s, e], [17, s, e]]);
  const local = compile('fn h(n: number) { n--; }');
  t.deepEqual(listing(local).slice(4, 9), ['GetLocal 0', 'Constant 2', 'Sub', 'SetLocal 0', 'Pop']);
});

// ---- control flow ------------------------------------------------------------------

test('return e; / return;: e or Null, then Return, with span return..;', (t) => {
  const src = 'fn r() { return; } fn s() -> number { return 7; }';
  const bc = compile(src);
  t.deepEqual(listing(bc), [
    'Constant 0', 'SetGlobal 1', 'Pop', 'Jump 4', 'Null', 'Return', 'Null', 'Return',
    'Constant 2', 'SetGlobal 3', 'Pop', 'Jump 6', 'Constant 4', 'Return', 'Null', 'Return', 'Halt',
  ]);
  t.deepEqual(constants(bc), ['fn r/0@10 locals=0', '"r"', 'fn s/0@24 locals=0', '"s"', 7]);
  const [rs, re] = at(src, 'return;');
  const [fs, fe] = at(src, 'fn r() { return; }');
  t.deepEqual(spans(bc).slice(4, 8), [[10, rs, re], [11, rs, re], [12, fs, fe], [13, fs, fe]]);
});

test('if (c) B: c; JumpIfFalse L; B; L: with span if..}', (t) => {
  const src = 'if (true) { print(1); }';
  const bc = compile(src);
  t.is(hex(bc.code), '03 51 00 09 12 00 00 01 00 01 60 01 80 ff');
  t.deepEqual(spans(bc).slice(0, 2), [[0, 4, 8], [1, 0, src.length]]);
});

test('if (c) B1 else B2: c; JumpIfFalse E; B1; Jump L; E: B2; L:', (t) => {
  const src = 'if (c) { 1; } else { 2; }';
  const bc = compile(src);
  t.is(hex(bc.code), '12 00 00 51 00 07 01 00 01 80 50 00 04 01 00 02 80 ff');
  const whole = [0, src.length];
  t.deepEqual(spans(bc).filter(([o]) => o === 3 || o === 10), [[3, ...whole], [10, ...whole]]);
});

test('the Jump over else is emitted even when the then-branch returns', (t) => {
  const bc = compile('fn f(b: bool) -> number { if (b) { return 1; } else { return 2; } }');
  t.deepEqual(listing(bc), [
    'Constant 0', 'SetGlobal 1', 'Pop', 'Jump 19',
    'GetLocal 0', 'JumpIfFalse 7', 'Constant 2', 'Return', 'Jump 4', 'Constant 3', 'Return', 'Null', 'Return', 'Halt',
  ]);
});

test('while (c) B: T: c; JumpIfFalse L; B; Loop T; L:', (t) => {
  const src = 'var i = 0; while (i < 3) { i = i + 1; }';
  const bc = compile(src);
  t.deepEqual(listing(bc), [
    'Constant 0', 'SetGlobal 1', 'Pop', 'GetGlobal 2', 'Constant 3', 'Less', 'JumpIfFalse 14',
    'GetGlobal 4', 'Constant 5', 'Add', 'SetGlobal 6', 'Pop', 'Loop -24', 'Halt',
  ]);
  t.is(hex(bc.code.subarray(28, 31)), '52 ff e8');
  const [ws, we] = at(src, 'while (i < 3) { i = i + 1; }');
  t.deepEqual(spans(bc).filter(([o]) => o === 14 || o === 28), [[14, ws, we], [28, ws, we]]);
});

test('for (I; C; S) B: I; T: C; JumpIfFalse L; B; S; Loop T; L: (the step has the target span only)', (t) => {
  const src = 'for (var i = 0; i < 2; i++) { print(i); }';
  const bc = compile(src);
  t.deepEqual(listing(bc), [
    'Constant 0', 'SetGlobal 1', 'Pop',
    'GetGlobal 2', 'Constant 3', 'Less', 'JumpIfFalse 23',
    'GetGlobal 4', 'GetGlobal 5', 'Call 1', 'Pop',
    'GetGlobal 6', 'Constant 7', 'Add', 'SetGlobal 8', 'Pop',
    'Loop -33', 'Halt',
  ]);
  t.deepEqual(constants(bc), [0, '"i"', '"i"', 2, '"print"', '"i"', '"i"', 1, '"i"']);
  const stepAt = at(src, 'i++')[0];
  const step = [stepAt, stepAt + 1];
  const whole = [0, src.length];
  t.deepEqual(spans(bc), [
    [0, ...at(src, '0')], [3, ...at(src, 'var i = 0;')], [6, ...at(src, 'var i = 0;')],
    [7, ...at(src, 'i', 1)], [10, ...at(src, '2')], [13, ...at(src, 'i < 2')], [14, ...whole],
    [17, ...at(src, 'print(i)')], [20, ...at(src, 'i', 4)], [23, ...at(src, 'print(i)')], [25, ...at(src, 'print(i);')],
    [26, ...step], [29, ...step], [32, ...step], [33, ...step], [36, ...step],
    [37, ...whole], HALT_AT(40),
  ]);
});

test('for with every clause missing: Null; Pop; True with span (0,0)', (t) => {
  const src = 'for (;;) { break; }';
  const bc = compile(src);
  t.deepEqual(listing(bc), ['Null', 'Pop', 'True', 'JumpIfFalse 8', 'Jump 5', 'Null', 'Pop', 'Loop -12', 'Halt']);
  const whole = [0, src.length];
  t.deepEqual(spans(bc), [[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, ...whole], [6, ...at(src, 'break;')], [9, 0, 0], [10, 0, 0], [11, ...whole], HALT_AT(14)]);
});

test('break jumps to the exit, continue loops to the condition (in a for, skipping the step: Q6)', (t) => {
  const src = 'for (var i = 0; i < 3; i++) { continue; }';
  const bc = compile(src);
  t.deepEqual(listing(bc), [
    'Constant 0', 'SetGlobal 1', 'Pop', 'GetGlobal 2', 'Constant 3', 'Less', 'JumpIfFalse 17',
    'Loop -13', 'GetGlobal 4', 'Constant 5', 'Add', 'SetGlobal 6', 'Pop', 'Loop -27', 'Halt',
  ]);
  t.deepEqual(spans(bc)[7], [17, ...at(src, 'continue;')]);
  const whileLoop = compile('while (true) { if (false) { break; } continue; }');
  t.deepEqual(listing(whileLoop), ['True', 'JumpIfFalse 13', 'False', 'JumpIfFalse 3', 'Jump 6', 'Loop -14', 'Loop -17', 'Halt']);
});

test('Q6 at run time: continue in a for does not run the step', (t) => {
  const out = run('var n = 0; for (var i = 0; i < 3; i++) { n++; if (n > 5) { break; } continue; } print(i); print(n);');
  t.deepEqual(out, ['0', '6']);
});

test('an empty standalone block compiles to Null; Pop with the block span (Q5)', (t) => {
  const bc = compile('{ }');
  t.deepEqual(listing(bc), ['Null', 'Pop', 'Halt']);
  t.deepEqual(spans(bc), [[0, 0, 3], [1, 0, 3], HALT_AT(2)]);
});

test('the end of the program is Halt with span (0,0); an empty program is just Halt', (t) => {
  t.deepEqual(listing(compile('')), ['Halt']);
  t.deepEqual(spans(compile('  \n')), [HALT_AT(0)]);
});

// ---- worked examples ---------------------------------------------------------------

test('spec §4.4 test vector: print(1 + 2);', (t) => {
  const bc = compile('print(1 + 2);');
  t.deepEqual(bc.constants, [{ kind: 'string', value: 'print' }, { kind: 'number', value: 1 }, { kind: 'number', value: 2 }]);
  t.is(hex(bc.code), '12 00 00 01 00 01 01 00 02 20 60 01 80 ff');
  t.deepEqual(spans(bc), [[0, 0, 12], [3, 6, 7], [6, 10, 11], [9, 6, 11], [10, 0, 12], [12, 0, 13], [13, 0, 0]]);
});

test('spec §3.7: factorial, byte for byte', (t) => {
  const source = readFileSync(new URL('../../test/fixtures/atlas-corpus/arithmetic/factorial.atlas', import.meta.url), 'utf8');
  const bc = compile(source);
  const table = [
    '01 00 00', '13 00 01', '80', '50 00 21',
    '10 00 00', '01 00 02', '33', '51 00 04', '01 00 03', '61',
    '10 00 00', '12 00 04', '10 00 00', '01 00 05', '21', '60 01', '22', '61', '02', '61',
    '12 00 06', '12 00 07', '01 00 08', '60 01', '60 01', '80',
    '12 00 09', '12 00 0a', '01 00 0b', '60 01', '60 01', '80',
    '12 00 0c', '12 00 0d', '01 00 0e', '60 01', '60 01', '80', 'ff',
  ];
  t.is(hex(bc.code), table.join(' '));
  t.deepEqual(constants(bc), [
    'fn factorial/1@10 locals=1', '"factorial"', 1, 1, '"factorial"', 1,
    '"print"', '"factorial"', 1, '"print"', '"factorial"', 5, '"print"', '"factorial"', 10,
  ]);
  t.deepEqual(bc.functions()[0]!.paramNames, ['n']);
  t.is(bc.debug.length, listing(bc).length, 'one debug entry per instruction');
});

test('every corpus program compiles to the same code and constants as the hand-assembled reference layout', (t) => {
  const names = Object.keys(REFERENCE_PROGRAMS);
  t.true(names.length >= 12);
  for (const name of names) {
    const source = readFileSync(new URL(`../../test/fixtures/atlas-corpus/${name}.atlas`, import.meta.url), 'utf8');
    const ours = compile(source);
    const reference = REFERENCE_PROGRAMS[name]!();
    t.is(hex(ours.code), hex(reference.code), name);
    t.deepEqual(constants(ours), constants(reference), name);
  }
});

// ---- the bytes behave --------------------------------------------------------------

test('&& and || short-circuit and keep the deciding operand', (t) => {
  t.deepEqual(run('print(false && undefined_fn()); print(true || undefined_fn()); print(true && false); print(false || true);'),
    ['false', 'true', 'false', 'true']);
});

test('compiled locals, loops and element assignment run correctly', (t) => {
  const out = run(`
fn sum_squares(xs: number[], n: number) -> number {
    var total = 0;
    for (var i = 0; i < n; i++) {
        xs[i] = xs[i] * xs[i];
        total += xs[i];
    }
    return total;
}
var data = [1, 2, 3, 4];
print(sum_squares(data, 4));
print(data[3]);
var k = 10;
k -= 4; k *= 2; k /= 3; k %= 3; k++;
print(k);`);
  t.deepEqual(out, ['30', '4', '2'], 'arrays are values: the caller keeps its copy');
});
