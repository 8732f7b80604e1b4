// The core builtins (print, len, str) and the 18 string builtins: the reference's edge
// cases (code-point lengths, UTF-8 byte offsets, strict integer checks, messages, spans).
import test from 'ava';
import fc from 'fast-check';
import { compile } from '../src/compiler/index.js';
import { AtlasArray, Vm } from '../src/vm/index.js';
import { runtimeError, fails, printed, shows, uncheckedRuntimeError, uncheckedFails } from './source-run-helpers.js';

test('print, len and str accept only their kinds', (t) => {
  shows(t, [
    ['len("héllo")', '5'], ['len("🎉a")', '2'], ['len("e\u0301")', '2'], ['len([[1], [2, 3]])', '2'],
    ['str(-0)', '-0'], ['str(1e21)', '1000000000000000000000'], ['str(sqrt(-1))', 'NaN'], ['str(null)', 'null'],
  ]);
  fails(t, [
    ['print([1])', 'InvalidStdlibArgument: print(): expected string, number, bool, or null, got array'],
    ['print(Some(1))', 'InvalidStdlibArgument: print(): expected string, number, bool, or null, got Option'],
    ['print(parseJSON("1"))', 'InvalidStdlibArgument: print(): expected string, number, bool, or null, got json'],
    ['len(parseJSON("[1,2]"))', 'InvalidStdlibArgument: len(): expected string or array, got json'],
    ['len(Ok(1))', 'InvalidStdlibArgument: len(): expected string or array, got Result'],
    ['str("x")', 'InvalidStdlibArgument: str(): expected number, bool, or null, got string'],
  ]);
});

test('split keeps empty pieces and splits "" by code point', (t) => {
  shows(t, [
    ['toJSON(split("a,b,,c,", ","))', '["a","b","","c",""]'],
    ['toJSON(split("", ","))', '[""]'],
    ['toJSON(split("aaa", "aa"))', '["","a"]'],
    ['toJSON(split("abc", "abc"))', '["",""]'],
    ['toJSON(split("héllo🎉", ""))', '["h","é","l","l","o","🎉"]'],
    ['toJSON(split("", ""))', '[]'],
  ]);
});

test('join needs strings, without coercion', (t) => {
  shows(t, [['join(["a", "b"], ", ")', 'a, b'], ['join([], ",")', '']]);
  // The checker rejects these calls (join takes string[]); join still checks at run time.
  uncheckedFails(t, [
    ['join([1, 2], ",")', 'TypeError: Type error: join() requires array of strings'],
    ['join("ab", ",")', 'InvalidStdlibArgument: join(): expected array, got string'],
  ]);
});

test('trim uses the Unicode White_Space set (U+0085 yes, U+FEFF no)', (t) => {
  shows(t, [
    ['trim(" \t\n x \r")', 'x'], ['trim("\u0085x\u3000")', 'x'], ['len(trim("\uFEFFx"))', '2'],
    ['trimStart("  a  ")', 'a  '], ['trimEnd("  a  ")', '  a'], ['len(trim("\u200Bx"))', '2'],
  ]);
});

test('indexOf and lastIndexOf return UTF-8 byte offsets', (t) => {
  shows(t, [
    ['indexOf("héllo", "l")', '3'], ['indexOf("abc", "")', '0'], ['indexOf("abc", "z")', '-1'],
    ['lastIndexOf("héllo", "l")', '4'], ['lastIndexOf("héllo", "")', '6'], ['lastIndexOf("aaa", "aa")', '1'],
    ['indexOf("🎉x", "x")', '4'],
  ]);
});

test('includes, startsWith, endsWith and case mapping match JS', (t) => {
  shows(t, [
    ['includes("abc", "")', 'true'], ['startsWith("abc", "ab")', 'true'], ['endsWith("abc", "bc")', 'true'],
    ['includes("abc", "d")', 'false'], ['toUpperCase("straße ǆ ﬁ")', 'STRASSE Ǆ FI'], ['toLowerCase("ΑΣ.Σ")', 'ασ.ς'],
  ]);
});

test('substring takes UTF-8 byte offsets and checks them in the reference order', (t) => {
  shows(t, [
    ['substring("hello", 1, 4)', 'ell'], ['substring("hello", -1, 2)', 'he'], ['substring("hello", 0, -5)', ''],
    ['substring("héllo", 0, 3)', 'hé'], ['substring("héllo", 0, len("héllo"))', 'héll'],
  ]);
  fails(t, [
    ['substring("hello", 3, 2)', 'OutOfBounds: Array index out of bounds'],
    ['substring("hello", 0, 6)', 'OutOfBounds: Array index out of bounds'],
    ['substring("hello", 2, 1e300)', 'OutOfBounds: Array index out of bounds'],
    ['substring("hello", 1.5, 2)', 'TypeError: Type error: substring() indices must be integers'],
    ['substring("hello", sqrt(-1), 2)', 'TypeError: Type error: substring() indices must be integers'],
    ['substring("héllo", 0, 2)', 'TypeError: Type error: substring() indices must be on UTF-8 character boundaries'],
  ]);
  // The checker rejects a string index; substring still checks it at run time.
  uncheckedFails(t, [['substring("x", "a", 1)', 'InvalidStdlibArgument: substring(): expected number, got string']]);
});

test('charAt indexes code points; a negative index is 0', (t) => {
  shows(t, [['charAt("héllo", 1)', 'é'], ['charAt("🎉x", 1)', 'x'], ['charAt("héllo", -1)', 'h']]);
  fails(t, [
    ['charAt("héllo", 5)', 'OutOfBounds: Array index out of bounds'],
    ['charAt("", 0)', 'OutOfBounds: Array index out of bounds'],
    ['charAt("abc", 0.5)', 'TypeError: Type error: charAt() index must be an integer'],
  ]);
});

test('repeat: integer counts up to one million', (t) => {
  shows(t, [['repeat("ab", 3)', 'ababab'], ['repeat("ab", 0)', ''], ['repeat("ab", -0)', ''], ['repeat("", 1000000)', '']]);
  fails(t, [
    ['repeat("", 1000001)', 'InvalidNumericResult: Invalid numeric result'],
    ['repeat("abc", -1e300)', 'TypeError: Type error: repeat() count cannot be negative'],
    ['repeat("abc", 1.5)', 'TypeError: Type error: repeat() count must be an integer'],
  ]);
});

test('a repeat or pad result longer than a JS string can hold is an Unsupported error, not a crash', (t) => {
  fails(t, [
    ['padStart("a", 1e12, "x")', "Unsupported: Unsupported: string of 1000000000000 UTF-16 units exceeds the runtime's limit"],
    ['repeat(repeat("abcdefghij", 100000), 1000)', "Unsupported: Unsupported: string of 1000000000 UTF-16 units exceeds the runtime's limit"],
  ]);
});

test('replace: the first occurrence, literally; an empty search changes nothing', (t) => {
  shows(t, [['replace("abab", "b", "X")', 'aXab'], ['replace("abc", "", "X")', 'abc'], ['replace("abc", "b", "$&$&")', 'a$&$&c']]);
});

test('padStart and padEnd count code points and cycle through the fill', (t) => {
  shows(t, [
    ['padStart("abc", 6, "12")', '121abc'], ['padStart("é", 3, "🎉")', '🎉🎉é'], ['padEnd("abc", 7, "xy")', 'abcxyxy'],
    ['padStart("abc", -3, "0")', 'abc'], ['padEnd("abc", 9, "")', 'abc'],
  ]);
  fails(t, [['padEnd("a", 2.5, "x")', 'TypeError: Type error: padEnd() length must be an integer']]);
});

test('arity and argument errors name the function; the span is the whole call', (t) => {
  // The checker rejects the first two calls; the builtins still check them at run time.
  t.is(uncheckedRuntimeError('let x = 1;\nsplit("a");'),
    'Runtime error: InvalidStdlibArgument { msg: "split(): expected 2 argument(s), got 1", span: Span { start: 11, end: 21 } }');
  t.is(uncheckedRuntimeError('print(trim(5));'),
    'Runtime error: InvalidStdlibArgument { msg: "trim(): expected string, got number", span: Span { start: 6, end: 13 } }');
  t.is(runtimeError('print(substring("hello", 3, 2));'),
    'Runtime error: OutOfBounds { span: Span { start: 6, end: 30 } }');
});

test('the corpus programs for strings print what the reference prints', (t) => {
  t.deepEqual(printed('let s: string = "Hello, World!";\nprint(substring(s, 7, 12));\nprint(replace(s, "World", "Atlas"));\nprint(indexOf(s, "o"));\nprint(len(s));'),
    ['World', 'Hello, Atlas!', '4', '13']);
});

/** A program whose functions wrap the string builtins, for properties over host strings. */
const helpers = new Vm(compile(`
fn roundTrip(s: string, sep: string) -> string { return join(split(s, sep), sep); }
fn pieces(s: string, sep: string) -> number { return len(split(s, sep)); }
fn pad(s: string, n: number, fill: string) -> string { return padStart(s, n, fill); }
fn cut(s: string, a: number, b: number) -> string { return substring(s, a, b); }
fn at(s: string, i: number) -> string { return charAt(s, i); }
fn byteIndex(s: string, t: string) -> number { return indexOf(s, t); }
`, 'helpers.atlas'), { stdout: () => {} });
helpers.run();

const text = fc.string({ unit: 'grapheme-composite', maxLength: 12 });

test('property: split then join gives the string back; the pieces are those of JS split', (t) => {
  fc.assert(fc.property(text, fc.string({ unit: 'grapheme-composite', minLength: 1, maxLength: 3 }), (s, sep) => {
    t.is(helpers.call('roundTrip', s, sep), s);
    t.is(helpers.call('pieces', s, sep), s.split(sep).length);
  }));
  fc.assert(fc.property(text, (s) => { t.is(helpers.call('pieces', s, ''), [...s].length); }));
});

test('property: padStart reaches the target length in code points', (t) => {
  fc.assert(fc.property(text, fc.integer({ min: -3, max: 20 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }), (s, n, fill) => {
    const padded = helpers.call('pad', s, n, fill) as string;
    t.is([...padded].length, Math.max(n, [...s].length));
    t.true(padded.endsWith(s));
  }));
});

test('property: substring at the byte offsets of a code-point prefix is that prefix; charAt agrees with Array.from', (t) => {
  const encoder = new TextEncoder();
  fc.assert(fc.property(text, fc.nat(12), (s, k) => {
    const chars = [...s];
    const cut = Math.min(k, chars.length);
    const prefix = chars.slice(0, cut).join('');
    t.is(helpers.call('cut', s, 0, encoder.encode(prefix).length), prefix);
    if (!s.includes('\u0000')) t.is(helpers.call('byteIndex', `${s}\u0000`, '\u0000'), encoder.encode(s).length);
    if (cut < chars.length) t.is(helpers.call('at', s, cut), chars[cut]!);
  }));
});

test('split returns an array value', (t) => {
  const vm = new Vm(compile('fn f() -> string[] { return split("a,b", ","); }', 'f.atlas'), { stdout: () => {} });
  vm.run();
  t.true(vm.call('f') instanceof AtlasArray);
});
