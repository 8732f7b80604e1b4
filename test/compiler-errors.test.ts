// CompileError: the `file:line:column: error:` format with the source line and a caret,
// and the programs the reference would compile into misbehaving bytecode (docs/bytecode.md Q5, Q7, Q16).
import test from 'ava';
import { CompileError, compile } from '../src/compiler/index.js';
import { compileError } from './compiler-helpers.js';

test('message: file:line:column: error: <what> [code], the source line, a caret under the spot', (t) => {
  const err = compileError(t, 'let a = 1;\nlet b = a +* 2;\n', 'src/score.atlas');
  t.true(err instanceof Error);
  t.is(err.name, 'CompileError');
  t.is(err.file, 'src/score.atlas');
  t.is(err.line, 2);
  t.is(err.column, 12);
  t.is(err.code, 'AT1000');
  t.is(err.sourceLine, 'let b = a +* 2;');
  t.is(err.message, [
    "src/score.atlas:2:12: error: Expected expression, found '*' [AT1000]",
    'let b = a +* 2;',
    '           ^',
  ].join('\n'));
});

test('the caret underlines the span on its line with ~', (t) => {
  const err = compileError(t, 'print(1);\nlet n: number = "five";');
  t.is(err.message, [
    'test.atlas:2:1: error: Type mismatch: expected number, found string [AT3001]',
    'let n: number = "five";',
    '^~~~~~~~~~~~~~~~~~~~~~~',
  ].join('\n'));
});

test('messages never contain a stack trace', (t) => {
  const err = compileError(t, 'fn f( {');
  t.false(/\n\s+at /.test(err.message));
  t.is(err.message.split('\n').length, 3);
});

test('columns count code points; tabs are kept in the caret line so it lines up', (t) => {
  const err = compileError(t, 'let s = "日本🌍"; let x = @;');
  t.is(err.column, 24);
  t.is(err.message.split('\n')[2], `${' '.repeat(23)}^`);
  const tabbed = compileError(t, 'fn f() {\n\tlet y = 1 +;\n}');
  t.deepEqual([tabbed.line, tabbed.column], [2, 13]);
  t.is(tabbed.message.split('\n')[2], '\t           ^');
});

test('CRLF line endings do not leak into the source line', (t) => {
  const err = compileError(t, 'let a = 1;\r\nlet b = ;\r\n');
  t.is(err.sourceLine, 'let b = ;');
  t.is(err.line, 2);
});

test('an unclosed block is reported as such', (t) => {
  const err = compileError(t, 'fn f() {\n  let x = 1;\n  if (x > 0) {');
  t.is(err.reason, "Expected '}', found end of input");
  t.deepEqual([err.line, err.column], [3, 15]);
});

test('an error at end of input points just past the last line', (t) => {
  const err = compileError(t, 'fn f() {\n  print(1);');
  t.deepEqual([err.line, err.column], [2, 12]);
  t.is(err.reason, "Expected '}', found end of input");
});

test('Q5: a non-empty standalone block is rejected instead of silently dropped', (t) => {
  const err = compileError(t, 'print(1);\n{ print(2); }');
  t.deepEqual([err.line, err.column], [2, 1]);
  t.regex(err.reason, /standalone block is discarded/);
});

test('Q16: calling anything but a name is rejected instead of emitting nothing', (t) => {
  const err = compileError(t, 'fn f() -> number { return 1; }\nlet fs = [f];\nfs[0]();');
  t.deepEqual([err.line, err.column], [3, 1]);
  t.regex(err.reason, /Only a function name can be called/);
  compileError(t, '(f)(1);');
});

test('assignment through a nested index or a call result, and op= on elements, are rejected', (t) => {
  t.regex(compileError(t, 'var m = [[1]]; m[0][0] = 2;').reason, /nested array has no effect/);
  t.regex(compileError(t, 'fn f() -> number[] { return [1]; } f()[0] = 2;').reason, /temporary value has no effect/);
  t.regex(compileError(t, 'var a = [1]; a[0] += 1;').reason, /not supported; write a\[i\] = a\[i\] \+ v/);
  t.regex(compileError(t, 'var a = [1]; a[0]++;').reason, /not supported/);
});

test('Q7: more than 65536 constants is a CompileError, not a wrapped index', (t) => {
  const line = (n: number) => `[${Array.from({ length: n }, () => '1').join(',')}];\n`;
  const exactly = line(1000).repeat(65) + line(536); // one constant per literal
  t.notThrows(() => compile(exactly, 'ok.atlas'), 'exactly 65536 constants fit');
  const err = compileError(t, `${exactly}print(2);`);
  t.regex(err.reason, /more than 65536 constants/);
  t.deepEqual([err.line, err.column], [67, 1], 'at the reference that needed constant 65537');
});

test('Q7: a jump longer than 32767 bytes is a CompileError', (t) => {
  const body = 'x;'.repeat(8192); // GetGlobal + Pop = 4 bytes each: 32768 bytes
  const err = compileError(t, `var x = 0;\nwhile (false) { ${body} }`);
  t.regex(err.reason, /jump here spans more than 32767 bytes/);
  t.deepEqual([err.line, err.column], [2, 1]);
  const fnErr = compileError(t, `var x = 0; fn big() { ${body} }`);
  t.regex(fnErr.reason, /Function too large/);
});

test('Q7: more than 255 call arguments or parameters, more than 65535 array elements', (t) => {
  // `toString` has no static signature, so the call's arity is not checked before code generation.
  const args = Array.from({ length: 256 }, () => '0').join(', ');
  t.regex(compileError(t, `let f = toString; f(${args});`).reason, /Call has 256 arguments; at most 255/);
  const params = Array.from({ length: 256 }, (_, i) => `p${i}: number`).join(', ');
  t.regex(compileError(t, `fn f(${params}) {}`).reason, /has 256 parameters; at most 255/);
  t.notThrows(() => compile(`let f = toString; f(${Array.from({ length: 255 }, () => '0').join(', ')});`, 'ok.atlas'));
  const elements = Array.from({ length: 65536 }, () => 'x').join(',');
  t.regex(compileError(t, `let x = 1; let a = [${elements}];`).reason, /65536 elements; at most 65535/);
});

test('CompileError can be built directly with its fields', (t) => {
  const err = new CompileError({ file: 'a.atlas', line: 1, column: 3, reason: 'Bad', span: { start: 2, end: 4 }, sourceLine: 'x = yy;' });
  t.is(err.message, 'a.atlas:1:3: error: Bad\nx = yy;\n  ^~');
  t.is(err.code, undefined);
});
