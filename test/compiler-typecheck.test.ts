// The static checks of docs/bytecode.md §6.4 over the small type inference: each rejected program
// with the reference's message and code, and accepted look-alikes.
import test from 'ava';
import { compileError, compileTest as compile } from './compiler-helpers.js';

function rejects(t: import('ava').ExecutionContext, source: string, reason: string, code?: string): void {
  const err = compileError(t, source);
  t.is(err.reason, reason, source);
  t.is(err.code, code, source);
}

test('+ needs number+number or string+string', (t) => {
  rejects(t, 'let x = 1 + "a";', "'+' requires both operands to be number or both to be string, found number and string", 'AT3002');
  rejects(t, 'let x = true + true;', "'+' requires both operands to be number or both to be string, found bool and bool", 'AT3002');
  t.notThrows(() => compile('let s = "a" + "b"; let n = 1 + 2; let u = toNumber("1") + 1;'), 'an operand of unknown type is not checked');
});

test('- * / % need numbers; comparisons need numbers', (t) => {
  for (const op of ['-', '*', '/', '%']) {
    rejects(t, `let x = "a" ${op} 1;`, 'Arithmetic operator requires number operands, found string and number', 'AT3002');
  }
  for (const op of ['<', '<=', '>', '>=']) {
    rejects(t, `let x = "a" ${op} "b";`, 'Comparison requires number operands, found string and string', 'AT3002');
  }
  rejects(t, 'let b = 1 < 2 < 3;', 'Comparison requires number operands, found bool and number', 'AT3002');
});

test('== and != need overlapping types', (t) => {
  rejects(t, 'let b = 1 == "1";', 'Equality comparison requires overlapping types, found number and string', 'AT3002');
  rejects(t, 'let b = null != false;', 'Equality comparison requires overlapping types, found null and bool', 'AT3002');
  t.notThrows(() => compile('let a = [1] == []; let b = "x" != "y"; let c = null == null;'));
});

test('&& || ! need bool; unary - needs a number', (t) => {
  rejects(t, 'let b = 1 && true;', 'Logical operators require bool operands, found number and bool', 'AT3002');
  rejects(t, 'let b = false || "s";', 'Logical operators require bool operands, found bool and string', 'AT3002');
  rejects(t, 'let b = !0;', "Unary '!' requires bool operand, found number", 'AT3002');
  rejects(t, 'let n = -"x";', "Unary '-' requires number operand, found string", 'AT3002');
});

test('return outside a function is AT3011', (t) => {
  rejects(t, 'return 1;', 'Return statement outside function', 'AT3011');
  rejects(t, 'if (true) { return; }', 'Return statement outside function', 'AT3011');
});

test('assignment to a let binding is rejected by the compiler (locals, globals, compound, ++)', (t) => {
  const message = "Cannot assign to immutable variable 'x'";
  rejects(t, 'let x = 1;\nx = 2;', message, 'AT3003');
  rejects(t, 'fn f() { let x = 1; x += 1; }', message, 'AT3003');
  rejects(t, 'let x = 1; x++;', message, 'AT3003');
  rejects(t, 'fn f() {} fn g() {} f = g;', "Cannot assign to immutable variable 'f'", 'AT3003');
  rejects(t, 'fn g(x: number) { x = 3; }', message, 'AT3003');
  rejects(t, 'fn g(xs: number[]) { for x in xs { x = 1; } }', message, 'AT3003');
  t.notThrows(() => compile('var x = 1; x = 2; let a = [1]; a[0] = 2;'));
});

test('declared types of let/var initializers', (t) => {
  rejects(t, 'let x: number = "a";', 'Type mismatch: expected number, found string', 'AT3001');
  rejects(t, 'var xs: number[] = ["a"];', 'Type mismatch: expected number[], found string[]', 'AT3001');
  rejects(t, 'fn f() -> string { return "s"; } let n: number = f();', 'Type mismatch: expected number, found string', 'AT3001');
  rejects(t, 'fn g() {} let n: number = g();', 'Type mismatch: expected number, found null', 'AT3001');
  rejects(t, 'let p: number = print(1);', 'Type mismatch: expected number, found void', 'AT3001');
  t.notThrows(() => compile('fn no_op() {} let r: null = no_op(); let e: number[] = []; let b: bool = 1 < 2; let p: number = toNumber("1");'));
});

test('assignments keep the declared or inferred type', (t) => {
  rejects(t, 'var x = 1; x = "s";', 'Type mismatch in assignment: expected number, found string', 'AT3001');
  rejects(t, 'var xs = [1, 2]; xs[0] = true;', 'Type mismatch in assignment: expected number, found bool', 'AT3001');
  rejects(t, 'var s = "a"; s += "b";', 'Compound assignment requires number type, found string', 'AT3001');
  rejects(t, 'var n = 1; n -= "b";', 'Compound assignment requires number value, found string', 'AT3001');
  rejects(t, 'var b = true; b++;', 'Increment requires number type, found bool', 'AT3001');
  rejects(t, 'var b = true; b--;', 'Decrement requires number type, found bool', 'AT3001');
});

test('function returns: the returned type must match, and every path must return', (t) => {
  rejects(t, 'fn f() -> number { return "x"; }', 'Return type mismatch: expected number, found string', 'AT3001');
  rejects(t, 'fn f() -> number { return; }', 'Return type mismatch: expected number, found void', 'AT3001');
  rejects(t, 'fn f(b: bool) -> number { if (b) { return 1; } }', 'Not all code paths return a value', 'AT3004');
  rejects(t, 'fn f() -> number { while (true) { return 1; } }', 'Not all code paths return a value', 'AT3004');
  t.notThrows(() => compile('fn f(b: bool) -> number { if (b) { return 1; } else { return 2; } }'));
  t.notThrows(() => compile('fn g() { return; } fn h() -> void { return; } fn k() -> null { return null; }'));
});

test('calls to known functions: argument count and types', (t) => {
  rejects(t, 'fn add(a: number, b: number) -> number { return a + b; } add(1);', 'Function expects 2 arguments, found 1', 'AT3005');
  rejects(t, 'fn add(a: number, b: number) -> number { return a + b; } add(1, "2");', 'Argument 2 type mismatch: expected number, found string', 'AT3001');
  rejects(t, 'let n = 3; n(1);', 'Cannot call non-function type number', 'AT3006');
  rejects(t, 'fn ap(f: (number) -> number, x: number) -> number { return f(x); } fn s(x: string) -> string { return x; } ap(s, 1);',
    'Argument 1 type mismatch: expected (number) -> number, found (string) -> string', 'AT3001');
  t.notThrows(() => compile('fn ap(f: (number) -> number, x: number) -> number { return f(x); } fn sq(x: number) -> number { return x * x; } print(ap(sq, 3));'));
  t.notThrows(() => compile('fn later() -> number { return sooner(); } fn sooner() -> number { return 1; }'), 'functions are visible before their declaration');
});

test('arrays: element types agree, index is a number, only arrays are indexed', (t) => {
  rejects(t, 'let xs = [1, "a"];', 'Array element 1 has wrong type: expected number, found string', 'AT3001');
  rejects(t, 'let xs = [1]; let y = xs["0"];', 'Array index must be number, found string', 'AT3001');
  rejects(t, 'let s = "abc"; let c = s[0];', 'Cannot index into type string', 'AT3001');
  t.notThrows(() => compile('let m = [[1, 2], [3]]; let x: number = m[1][0];'));
});

test('conditions must be bool; break and continue need a loop', (t) => {
  rejects(t, 'if (1) { }', 'Condition must be bool, found number', 'AT3001');
  rejects(t, 'while ("x") { }', 'Condition must be bool, found string', 'AT3001');
  rejects(t, 'for (var i = 0; i; i++) { }', 'Condition must be bool, found number', 'AT3001');
  rejects(t, 'break;', 'Break statement outside loop', 'AT3010');
  rejects(t, 'fn f() { continue; }', 'Continue statement outside loop', 'AT3010');
});

test('unknown type names and duplicate functions are rejected', (t) => {
  rejects(t, 'let x: integer = 1;', "Unknown type 'integer'", 'AT3001');
  rejects(t, 'fn f() {} fn f() {}', "Function 'f' is already defined", 'AT2003');
  rejects(t, 'let x = 1; let x = 2;', "Symbol 'x' is already defined in this scope", 'AT2003');
});

test('locals are typed inside functions, and shadow globals of the same name', (t) => {
  rejects(t, 'fn f(s: string) -> number { return s * 2; }', 'Arithmetic operator requires number operands, found string and number', 'AT3002');
  t.notThrows(() => compile('let x = "global"; fn f(x: number) -> number { return x * 2; }'));
});
