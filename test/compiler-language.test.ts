// The language additions of the front-end: for-in loops, method calls and the compiler's
// write-back (their exact bytecode), Option/Result/json and generic functions in the type
// checker, the prelude signatures, and the binder's checks (unknown symbols with
// suggestions, AT1012, AT2003), with every error of a file reported.
import test from 'ava';
import { validate } from '../src/bytecode/index.js';
import { compile } from '../src/compiler/index.js';
import { Vm } from '../src/vm/index.js';
import { compileError, constants, listing, spans } from './compiler-helpers.js';

function run(source: string): string[] {
  const out: string[] = [];
  const bytecode = compile(source, 'test.atlas');
  t_validate(bytecode);
  new Vm(bytecode, { stdout: (line) => out.push(line) }).run();
  return out;
}

function t_validate(bytecode: ReturnType<typeof compile>): void {
  const problems = validate(bytecode);
  if (problems.length > 0) throw new Error(`invalid bytecode: ${JSON.stringify(problems)}`);
}

const names = (source: string) => listing(compile(source, 'test.atlas')).map((ins) => ins.split(' ')[0]);

// ---- for-in ------------------------------------------------------------------------

test('for-in at top level: four hidden locals from slot 0, the reference\'s loop shape, four Pops', (t) => {
  const source = 'for x in [1, 2] { print(x); }';
  const bc = compile(source, 'test.atlas');
  t.deepEqual(listing(bc), [
    'Constant 0', 'Constant 1', 'Array 2', 'GetLocal 0', 'GetArrayLen', 'Constant 2', 'Null', 'Jump 11',
    'GetLocal 2', 'Constant 3', 'Add', 'SetLocal 2', 'Pop',
    'GetLocal 2', 'GetLocal 1', 'Less', 'JumpIfFalse 23',
    'GetLocal 0', 'GetLocal 2', 'GetIndex', 'SetLocal 3', 'Pop',
    'GetGlobal 4', 'GetLocal 3', 'Call 1', 'Pop', 'Loop -44',
    'Pop', 'Pop', 'Pop', 'Pop', 'Halt',
  ]);
  t.deepEqual(constants(bc), [1, 2, 0, 1, '"print"']);
  t.is(bc.topLevelLocalCount, 4);
  // Every loop instruction carries the whole statement's span.
  const loopSpan = [0, source.length];
  t.deepEqual(spans(bc).slice(3, 5).map(([, s, e]) => [s, e]), [loopSpan, loopSpan]);
  t.deepEqual(run(source), ['1', '2']);
});

test('for-in: break, continue (to the increment), nesting, and in a function (reference and scoped layouts)', (t) => {
  t.deepEqual(run('for x in [1, 2, 3, 4] { if (x == 2) { continue; } if (x == 4) { break; } print(x); }'), ['1', '3']);
  t.deepEqual(run('for a in [1, 2] { for b in [10, 20] { print(a * b); } }'), ['10', '20', '20', '40']);
  t.deepEqual(run('fn sum(xs: number[]) -> number { var s = 0; for x in xs { s = s + x; } let after = s; return after; } print(sum([1, 2, 3]));'), ['6']);
  // A body local forces block-scoped slots: the reference would pop the wrong values.
  t.deepEqual(run('fn f(xs: number[]) -> number { var s = 0; for x in xs { let d = x * 2; s = s + d; } return s; } print(f([1, 2]));'), ['6']);
  t.deepEqual(run('for x in [] { print(x); } print("done");'), ['done']);
});

test('for-in type checks: the iterable must be an array, the variable is its element type and immutable', (t) => {
  t.is(compileError(t, 'for x in 5 { }').reason, 'for-in requires an array, found number');
  t.is(compileError(t, 'for x in [1] { let s: string = x; }').reason, 'Type mismatch: expected string, found number');
  t.is(compileError(t, 'for x in [1] { x = 2; }').reason, "Cannot assign to immutable variable 'x'");
  t.is(compileError(t, 'for x in [1] { } print(x);').referenceLine, "Parse error: Unknown symbol 'x'");
});

// ---- method calls and write-back ---------------------------------------------------

test('a method call: Constant builtin, receiver, arguments, Call 1+n, all with the member span; push writes back', (t) => {
  const source = 'var a = [1]; a.push(2);';
  const bc = compile(source, 'test.atlas');
  t.deepEqual(listing(bc), [
    'Constant 0', 'Array 1', 'SetGlobal 1', 'Pop',
    'Constant 2', 'GetGlobal 3', 'Constant 4', 'Call 2', 'SetGlobal 5', 'Pop', 'Halt',
  ]);
  t.deepEqual(constants(bc), [1, '"a"', 'builtin arrayPush', '"a"', 2, '"a"']);
  const member = [13, 22];
  t.deepEqual(spans(bc).slice(4, 9).map(([, s, e]) => [s, e]), [member, [13, 14], [20, 21], member, member]);
});

test('pair write-back: pop(v) and v.pop() store the rest into v and leave the element', (t) => {
  const free = compile('var a = [1]; let x = pop(a);', 'test.atlas');
  t.deepEqual(listing(free).slice(4), [
    'GetGlobal 2', 'GetGlobal 3', 'Call 1', 'Dup', 'Constant 4', 'GetIndex', 'SetGlobal 5', 'Pop', 'Constant 6', 'GetIndex',
    'SetGlobal 7', 'Pop', 'Halt',
  ]);
  t.deepEqual(constants(free).slice(4), [1, '"a"', 0, '"x"']);
  const local = compile('fn f(xs: number[]) -> number { var v = xs; let e = v.pop(); return e; }', 'test.atlas');
  const body = listing(local);
  t.true(body.join(' / ').includes('Constant 2 / GetLocal 1 / Call 1 / Dup / Constant 3 / GetIndex / SetLocal 1 / Pop / Constant 4 / GetIndex'));
  t.deepEqual(constants(local).slice(2), ['builtin arrayPop', 1, 0]);
});

test('write-back only where the reference emits it: a plain variable, and the spelling decides', (t) => {
  const stores = (source: string) => names(source).filter((n) => n === 'SetGlobal').length;
  // One SetGlobal for the declaration of a; the call adds one only when it writes back.
  t.is(stores('var a = [[1]]; reverse(a);'), 2);
  t.is(stores('var a = [[1]]; flatten(a);'), 2);
  t.is(stores('var a = [1]; unshift(a, 0);'), 2);
  t.is(stores('var a = [1]; concat(a, a);'), 1);
  t.is(stores('var a = [1]; a.sort();'), 1);
  t.is(stores('var a = [[1]]; a.flatten();'), 1, 'the method flatten does not write back, unlike the function');
  t.is(stores('reverse([1]);'), 0, 'not a variable');
  t.is(stores('let p = reverse; var a = [1]; p(a);'), 2, 'an alias is not the spelling');
  t.is(stores('let a = [1]; a.push(2);'), 2, 'write-back ignores let');
});

test('method type checks: arrays and json only, the reference\'s signatures and messages', (t) => {
  t.notThrows(() => compile('let d: json = parseJSON("{}"); let s: string = d["k"].as_string(); let n: number = d[0].as_number();', 'ok.atlas'));
  t.notThrows(() => compile('var a = [1, 2]; let n: number = a.len(); let b: bool = a.includes(1); let s: string = ["x"].join(",");', 'ok.atlas'));
  const noMethod = compileError(t, 'let s = "abc"; s.len();');
  t.is(noMethod.reason, "Type 'string' has no method named 'len'");
  t.is(noMethod.code, 'AT3010');
  const typo = compileError(t, 'var a = [1]; a.pussh(2);');
  t.is(typo.reason, "Type 'number[]' has no method named 'pussh'; did you mean 'push'?");
  t.is(typo.referenceLine, "Type error: Type 'number[]' has no method named 'pussh'");
  t.is(compileError(t, 'var a = [1]; a.push();').reason, "Method 'push' expects 1 arguments, found 0");
  t.is(compileError(t, 'var a = [1]; a.slice("x", 1);').reason, 'Argument 1 has wrong type: expected number, found string');
  t.regex(compileError(t, 'var a = [[1]]; a[0].len(); let u = toNumber("1"); u.len();').reason, /unknown type/);
});

// ---- types: Option, Result, json, generics -----------------------------------------

test('Option<T>, Result<T, E>, json and generic functions type-check as the reference\'s corpus needs', (t) => {
  t.notThrows(() => compile(`fn identity<T>(x: T) -> T { return x; }
fn wrap<T>(x: T) -> Option<T> { return Some(x); }
let n: number = identity(42);
let s: string = identity("hello");
let o: Option<number> = wrap(99);
let r: Result<number, string> = Ok(1);
let e: Result<number, string> = Err("no");
let none: Option<number> = None;`, 'ok.atlas'));
  t.is(compileError(t, 'let o: Option<number> = 1;').reason, 'Type mismatch: expected Option<number>, found number');
  const arity = compileError(t, 'let o: Option<number, string> = None;');
  t.is(arity.referenceLine, "Parse error: Generic type 'Option' expects 1 type argument(s), found 2");
  t.is(arity.code, 'AT9999');
  t.is(compileError(t, 'let o: Maybe<number> = None;').reason, "Unknown generic type 'Maybe'");
  t.notThrows(() => compile('let xs: Array<number> = [1]; let ys: number[] = xs;', 'ok.atlas'));
  t.is(compileError(t, 'fn f(x: T) { }').reason, "Unknown type 'T'");
  t.is(compileError(t, 'let j: json = 1;').reason, 'Type mismatch: expected json, found number');
});

test('a generic call infers its type parameters from the arguments, with the reference\'s messages', (t) => {
  const decls = 'fn identity<T>(x: T) -> T { return x; }\nfn same<T>(a: T, b: T) -> T { let _b = b; return a; }\nfn wrap<T>(x: T) -> Option<T> { return Some(x); }\nfn make<T>() -> T[] { return []; }\n';
  t.is(compileError(t, `${decls}let n: number = identity("a");`).reason, 'Type mismatch: expected number, found string');
  t.is(compileError(t, `${decls}let o: Option<string> = wrap(1);`).reason, 'Type mismatch: expected Option<string>, found Option<number>');
  const conflict = compileError(t, `${decls}let s = same(1, "a");`);
  t.is(conflict.reason, 'Type inference failed: cannot match argument 2 of type string with parameter of type T');
  t.is(conflict.code, 'AT3001');
  t.is(compileError(t, `${decls}let m = make();`).referenceLine, 'Type error: Cannot infer type parameter(s): T');
  t.notThrows(() => compile(`${decls}let a: number[] = identity([1]); let u: string = identity(toString(1)); let k: number = same(1, 2);`, 'ok.atlas'));
});

// ---- prelude signatures ------------------------------------------------------------

test('prelude builtins are checked statically: arity and argument types, callbacks by shape', (t) => {
  const arity = compileError(t, 'print(split("a,b", ",", 1));');
  t.is(arity.referenceLine, 'Type error: Function expects 2 arguments, found 3');
  t.is(arity.code, 'AT3005');
  t.is(compileError(t, 'let n = len(1, 2);').reason, 'Function expects 1 argument, found 2');
  t.is(compileError(t, 'let s = toUpperCase(1);').reason, 'Argument 1 type mismatch: expected string, found number');
  t.is(compileError(t, 'let s: string = len("a");').reason, 'Type mismatch: expected string, found number');
  t.is(compileError(t, 'fn k(x: number) -> number { return x; } forEach([1], k);').reason,
    'Argument 2 type mismatch: expected (?) -> void, found (number) -> number');
  t.notThrows(() => compile('fn k(x: number) -> bool { return x > 1; } let r = filter([1, 2], k); let m: number[] = map([1], str);', 'ok.atlas'));
  // Names without a static signature accept anything and are typed `?`.
  t.notThrows(() => compile('let a = toString(1, 2); let b: number = typeof(3); arrayPush([1], "x");', 'ok.atlas'));
});

// ---- the binder --------------------------------------------------------------------

test('unknown symbols are compile errors in the reference form, with a did-you-mean suggestion', (t) => {
  const err = compileError(t, 'let total = 1;\nprint(totl);');
  t.is(err.referenceLine, "Parse error: Unknown symbol 'totl'");
  t.is(err.reason, "Unknown symbol 'totl'; did you mean 'total'?");
  t.deepEqual([err.code, err.stage, err.line, err.column], ['AT2002', 'bind', 2, 7]);
  t.is(compileError(t, 'lenn([1]);').reason, "Unknown symbol 'lenn'; did you mean 'len'?");
  t.is(compileError(t, 'xyz = 1;').reason, "Unknown symbol 'xyz'");
  // A function sees only the globals declared before it, as in the reference.
  t.is(compileError(t, 'fn f() -> number { return later; }\nlet later = 1;').referenceLine, "Parse error: Unknown symbol 'later'");
  t.notThrows(() => compile('fn f() -> number { return g(); } fn g() -> number { return 1; } let u = unwrap; let n = None;', 'ok.atlas'));
});

test('AT1012: a prelude builtin cannot be redefined at top level, but may be shadowed inside a function', (t) => {
  for (const source of ['fn sqrt(x: number) -> number { return x; }', 'let print = 1;', 'var len = 2;']) {
    const err = compileError(t, source);
    t.is(err.code, 'AT1012', source);
    t.regex(err.referenceLine, /^Parse error: Cannot shadow prelude builtin '\w+' in global scope$/);
  }
  t.deepEqual(run('fn f() -> number { let len = 5; return len; } print(f());'), ['5']);
  t.deepEqual(run('fn unwrap(x: number) -> number { return x + 1; } print(unwrap(5));'), ['6'], 'not a prelude name');
  t.is(compileError(t, 'let x = 1; let x = 2;').referenceLine, "Parse error: Symbol 'x' is already defined in this scope");
  t.is(compileError(t, 'let PI = 3;').code, 'AT2003');
});

// ---- every error of a file ---------------------------------------------------------

test('every error of a file is reported: syntax errors after recovery, binder and type errors, capped', (t) => {
  const syntax = compileError(t, 'let a = ;\nlet b = 1\nlet c = 2;\nprint(a b);');
  t.deepEqual(syntax.diagnostics.map((d) => [d.line, d.reason]), [
    [1, "Expected expression, found ';'"],
    [2, "Expected ';' after variable declaration, found 'let'"],
    [4, "Expected ')', found identifier"],
  ]);
  t.is(syntax.referenceLine, "Parse error: Expected expressionExpected ';' after variable declarationExpected ')'");
  t.regex(syntax.message, /test\.atlas:1:9: error[\s\S]*test\.atlas:2:10: error[\s\S]*test\.atlas:4:9: error/);
  // Lexical errors: the lexer goes on past a bad character or to the end of a bad string.
  const lexical = compileError(t, 'let a = @;\nlet s = "\\q\\w";\nlet t = "open');
  t.deepEqual(lexical.diagnostics.map((d) => [d.line, d.code]), [[1, 'AT1001'], [2, 'AT1003'], [3, 'AT1002']]);
  t.is(lexical.referenceLine, "Parse error: Unexpected character '@'Invalid escape sequence '\\q'Unterminated string literal");
  // Inside a block too: the function's later statements and its `}` parse normally.
  const inBlock = compileError(t, 'fn f() {\n  let a = ;\n  let b = 2;\n}\nlet c = ;');
  t.deepEqual(inBlock.diagnostics.map((d) => d.line), [2, 5]);
  const names = compileError(t, 'print(a); print(b);');
  t.deepEqual(names.diagnostics.map((d) => d.reason), ["Unknown symbol 'a'", "Unknown symbol 'b'"]);
  const types = compileError(t, 'let x: number = "a";\nlet y: string = 1;');
  t.is(types.referenceLine, 'Type error: Type mismatch: expected number, found stringType mismatch: expected string, found number');
  const many = compileError(t, Array.from({ length: 30 }, (_, i) => `print(u${i});`).join('\n'));
  t.is(many.diagnostics.length, 20);
});

test('AT2001 unused locals and parameters are warnings: printed with errors, harmless alone', (t) => {
  t.notThrows(() => compile('fn f(p: number) { let q = 1; }', 'ok.atlas'));
  const err = compileError(t, 'fn f(p: number) { let q = 1; q = 2; }');
  t.is(err.referenceLine, "Type error: Cannot assign to immutable variable 'q'Unused parameter 'p'Unused variable 'q'");
  t.deepEqual(err.diagnostics.map((d) => d.warning), [false, true, true]);
  t.notThrows(() => compile('fn f(_p: number) { let _q = 1; }', 'ok.atlas'));
  const unreachable = compileError(t, 'fn f() -> number { return 1; print(2); }\nlet x: string = 1;');
  t.is(unreachable.referenceLine, 'Type error: Unreachable codeType mismatch: expected string, found number');
  t.deepEqual(unreachable.diagnostics.map((d) => [d.code, d.warning]), [['AT3001', false], ['AT2002', true]]);
});

test('a program ending in an if (with or without else) validates and runs', (t) => {
  t.deepEqual(run('let x = 1; if (x > 0) { print("pos"); }'), ['pos']);
  t.deepEqual(run('let x = 1; if (x > 5) { print("big"); } else { print("small"); }'), ['small']);
});
