// Type checking (12), type conversion (5), Option, Result and unwrap builtins: the
// reference's names, strict number parsing, renderers and messages.
import test from 'ava';
import fc from 'fast-check';
import { compile } from '../src/compiler/index.js';
import { Vm } from '../src/vm/index.js';
import { functionRef } from '../src/bytecode/index.js';
import { runtimeError, fails, printed, shows } from './source-run-helpers.js';
import { run } from './vm-helpers.js';

/**
 * What `print(<builtin>(closure))` prints for a closure named `inner` (the front-end has no
 * nested functions yet, so the closure is built as bytecode).
 */
function ofClosure(builtin: string): string[] {
  return run((b) => {
    const skip = b.emitJump('Jump');
    const body = b.offset;
    b.emitConstant(1);
    b.emit('Return');
    b.patchJump(skip + 1);
    const k = b.addConstant({ kind: 'function', value: functionRef({ name: 'inner', arity: 0, offset: body, localCount: 0 }) });
    b.emit('GetGlobal', [b.string('print')]);
    b.emit('GetGlobal', [b.string(builtin)]);
    b.emit('MakeClosure', [k, 0]);
    b.emit('Call', [1]);
    b.emit('Call', [1]);
  }, { validate: false }).output;
}

test('typeof has its own names: option, result, builtin, closure', (t) => {
  t.deepEqual(printed(`
fn f() -> number { return 1; }
print(typeof(42)); print(typeof("s")); print(typeof(true)); print(typeof(null)); print(typeof([1]));
print(typeof(f)); print(typeof(print)); print(typeof(None)); print(typeof(Some(1))); print(typeof(Err(1)));
print(typeof(parseJSON("{}")));
`), ['number', 'string', 'bool', 'null', 'array', 'function', 'builtin', 'option', 'option', 'result', 'json']);
  t.deepEqual(ofClosure('typeof'), ['closure']);
  fails(t, [['typeof(1, 2)', 'InvalidStdlibArgument: typeOf(): expected 1 argument(s), got 2']]);
});

test('the is… predicates, isType, hasField, hasMethod and hasTag', (t) => {
  shows(t, [
    ['isNumber(sqrt(-1))', 'true'], ['isString(1)', 'false'], ['isBool(false)', 'true'], ['isNull(null)', 'true'],
    ['isArray(parseJSON("[]"))', 'false'], ['isArray([])', 'true'], ['isFunction(print)', 'true'],
    ['isObject(parseJSON("{}"))', 'true'], ['isObject(parseJSON("[]"))', 'false'],
    ['isType(Some(1), "Option")', 'false'], ['isType(Some(1), "option")', 'true'], ['isType(print, "function")', 'false'],
    ['isType(parseJSON("{}"), "object")', 'true'], ['isType(parseJSON("{}"), "json")', 'true'],
    ['hasField(parseJSON("{\\"a\\": null}"), "a")', 'true'], ['hasField([1], "length")', 'false'],
    ['hasMethod([1], "push")', 'false'], ['hasMethod(parseJSON("{\\"push\\": 1}"), "push")', 'true'],
    ['hasTag(parseJSON("{\\"tag\\": \\"x\\"}"), "x")', 'true'], ['hasTag(parseJSON("{\\"tag\\": 1}"), "1")', 'false'],
    ['hasTag(Ok(42), "Ok")', 'false'],
  ]);
  t.deepEqual(ofClosure('isFunction'), ['false']);
  fails(t, [
    ['isType(1, 2)', 'TypeError: Type error: isType() requires type name string as second argument'],
    ['hasField(1, 2)', 'TypeError: Type error: hasField() requires field name string as second argument'],
    ['hasMethod(1, 2)', 'TypeError: Type error: hasMethod() requires method name string as second argument'],
    ['hasTag(1, 2)', 'TypeError: Type error: hasTag() requires tag value string as second argument'],
    ['isString()', 'InvalidStdlibArgument: isString(): expected 1 argument(s), got 0'],
  ]);
});

test('toString renders every kind, quoting strings inside Some/Ok/Err', (t) => {
  shows(t, [
    ['toString("s")', 's'], ['toString(null)', 'null'], ['toString(-0)', '-0'], ['toString(1e21)', '1000000000000000000000'],
    ['toString(0.0000001)', '0.0000001'], ['toString(toNumber("inf"))', 'Infinity'], ['toString(toNumber("-inf"))', '-Infinity'],
    ['toString(sqrt(-1))', 'NaN'], ['toString([1])', '[Array]'], ['toString(print)', '[Builtin print]'],
    ['toString(parseJSON("1"))', '[JSON]'], ['toString(Some("a"))', 'Some("a")'], ['toString(Some(Some(1)))', 'Some([Option])'],
    ['toString(Ok([1]))', 'Ok([Array])'], ['toString(Err(Ok(1)))', 'Err([Result])'], ['toString(None)', 'None'],
    ['toString(Some(toNumber("inf")))', 'Some(inf)'], ['toString(123456789012345678901234567890)', '123456789012345680000000000000'],
  ]);
  t.deepEqual(printed('fn f() -> number { return 1; }\nprint(toString(f));'), ['[Function]']);
  t.deepEqual(ofClosure('toString'), ['[Closure inner]']);
  fails(t, [['toString(1, 2)', 'InvalidStdlibArgument: toString(): expected 1 argument(s), got 2']]);
});

test('toNumber: Rust float grammar after a Unicode trim; everything else is an error', (t) => {
  shows(t, [
    ['toNumber(" 42 ")', '42'], ['toNumber("+7")', '7'], ['toNumber("-0")', '-0'], ['toNumber("1e400")', 'inf'],
    ['toNumber("1e-400")', '0'], ['toNumber("INF")', 'inf'], ['toNumber("iNfInItY")', 'inf'], ['toNumber("-Infinity")', '-inf'],
    ['toNumber("-nan")', 'NaN'], ['toNumber("00012")', '12'], ['toNumber("1.")', '1'], ['toNumber("-.5e-3")', '-0.0005'],
    ['toNumber(true)', '1'], ['toNumber(false)', '0'], ['toNumber("\u0085 3 ")', '3'],
  ]);
  for (const bad of ['0x10', '1_000', '12px', 'e5', '.', '1e', '1 2', 'infin', 'Infinityx', '١٢']) {
    fails(t, [[`toNumber("${bad}")`, `TypeError: Type error: Cannot convert '${bad}' to number`]]);
  }
  fails(t, [
    ['toNumber("  ")', 'TypeError: Type error: Cannot convert empty string to number'],
    ['toNumber(null)', 'TypeError: Type error: Cannot convert null to number'],
    ['toNumber(Some(1))', 'TypeError: Type error: Cannot convert option to number'],
    ['toNumber([1])', 'TypeError: Type error: Cannot convert array to number'],
  ]);
});

test('toBool: false only for false, ±0, NaN, "" and null', (t) => {
  shows(t, [
    ['toBool(0)', 'false'], ['toBool(-0)', 'false'], ['toBool(sqrt(-1))', 'false'], ['toBool("")', 'false'], ['toBool(null)', 'false'],
    ['toBool("false")', 'true'], ['toBool([])', 'true'], ['toBool(None)', 'true'], ['toBool(Err(0))', 'true'], ['toBool(-2)', 'true'],
  ]);
});

test('parseInt: strict, radix required, one sign stripped then one more accepted', (t) => {
  shows(t, [
    ['parseInt("ff", 16)', '255'], ['parseInt("FF", 16)', '255'], ['parseInt("z", 36)', '35'], ['parseInt(" -42 ", 10)', '-42'],
    ['parseInt("-0", 10)', '-0'], ['parseInt("--5", 10)', '5'], ['parseInt("-+5", 10)', '-5'], ['parseInt("+-5", 10)', '-5'],
    ['parseInt("++5", 10)', '5'], ['parseInt("9223372036854775807", 10)', '9223372036854775808'],
    ['parseInt("--9223372036854775808", 10)', '9223372036854775808'], ['parseInt("101", 2)', '5'],
  ]);
  fails(t, [
    ['parseInt("9223372036854775808", 10)', "TypeError: Type error: Invalid integer '9223372036854775808' for radix 10"],
    ['parseInt("-9223372036854775808", 10)', "TypeError: Type error: Invalid integer '-9223372036854775808' for radix 10"],
    ['parseInt("12abc", 10)', "TypeError: Type error: Invalid integer '12abc' for radix 10"],
    ['parseInt("0x1F", 16)', "TypeError: Type error: Invalid integer '0x1F' for radix 16"],
    ['parseInt("1.5", 10)', "TypeError: Type error: Invalid integer '1.5' for radix 10"],
    ['parseInt("2", 2)', "TypeError: Type error: Invalid integer '2' for radix 2"],
    ['parseInt("１２", 10)', "TypeError: Type error: Invalid integer '１２' for radix 10"],
    ['parseInt("-", 10)', 'TypeError: Type error: Invalid integer for radix 10'],
    ['parseInt(" ", 10)', 'TypeError: Type error: Cannot parse empty string as integer'],
    ['parseInt("1", 1)', 'TypeError: Type error: parseInt() radix must be integer between 2 and 36'],
    ['parseInt("1", 37)', 'TypeError: Type error: parseInt() radix must be integer between 2 and 36'],
    ['parseInt("1", 10.5)', 'TypeError: Type error: parseInt() radix must be integer between 2 and 36'],
    ['parseInt(1, 10)', 'TypeError: Type error: parseInt() requires string as first argument'],
    ['parseInt("1", "10")', 'TypeError: Type error: parseInt() requires number as second argument'],
    ['parseInt("1")', 'InvalidStdlibArgument: parseInt(): expected 2 argument(s), got 1'],
  ]);
});

test('parseFloat: the toNumber grammar, with its own messages', (t) => {
  shows(t, [['parseFloat("3.14")', '3.14'], ['parseFloat("inf")', 'inf'], ['parseFloat("NaN")', 'NaN'], ['parseFloat(" 1e3 ")', '1000']]);
  fails(t, [
    ['parseFloat("3.14abc")', "TypeError: Type error: Cannot parse '3.14abc' as float"],
    ['parseFloat("")', 'TypeError: Type error: Cannot parse empty string as float'],
    ['parseFloat(1)', 'TypeError: Type error: parseFloat() requires string argument'],
  ]);
});

test('Option and Result tests, equality and unwrapping', (t) => {
  shows(t, [
    ['is_some(Some(null))', 'true'], ['is_none(None)', 'true'], ['is_some(None())', 'false'], ['is_ok(Ok(1))', 'true'],
    ['is_err(Ok(1))', 'false'], ['Some([1]) == Some([1])', 'true'], ['Ok(1) == Err(1)', 'false'], ['None == None', 'true'],
    ['unwrap(Some(3))', '3'], ['unwrap(Ok("x"))', 'x'], ['unwrap_or(None, 7)', '7'], ['unwrap_or(Err(1), "d")', 'd'],
    ['unwrap_or(Some(null), 7)', 'null'], ['expect(Ok(2), "m")', '2'], ['toString(result_ok(Ok(1)))', 'Some(1)'],
    ['toString(result_ok(Err(1)))', 'None'], ['toString(result_err(Err("e")))', 'Some("e")'], ['toString(result_err(Ok(1)))', 'None'],
  ]);
  fails(t, [
    ['is_some(1)', 'TypeError: Type error: is_some() requires Option value'],
    ['is_none(null)', 'TypeError: Type error: is_none() requires Option value'],
    ['is_ok(Some(1))', 'TypeError: Type error: is_ok() requires Result value'],
    ['is_err(1)', 'TypeError: Type error: is_err() requires Result value'],
    ['unwrap(None)', 'TypeError: Type error: unwrap() called on None'],
    ['unwrap(Err("boom"))', 'TypeError: Type error: unwrap() called on Err(boom)'],
    ['unwrap(Err(Some("x")))', 'TypeError: Type error: unwrap() called on Err(Some(x))'],
    ['unwrap(Err(1.5))', 'TypeError: Type error: unwrap() called on Err(1.5)'],
    ['unwrap(Err([1, 2]))', 'TypeError: Type error: unwrap() called on Err([1, 2])'],
    ['unwrap(1)', 'TypeError: Type error: unwrap() requires Option or Result value'],
    ['unwrap()', 'InvalidStdlibArgument: unwrap(): expected 1 argument(s), got 0'],
    ['unwrap_or(1, 2)', 'TypeError: Type error: unwrap_or() requires Option or Result value'],
    ['unwrap_or(None)', 'InvalidStdlibArgument: unwrap_or(): expected 2 argument(s), got 1'],
    ['expect(Err("bad"), "custom message")', 'TypeError: Type error: custom message: bad'],
    ['expect(Err(Err(2)), "m")', 'TypeError: Type error: m: Err(2)'],
    ['expect(None, "gone")', 'TypeError: Type error: gone'],
    ['expect(1, 2)', 'InvalidStdlibArgument: expect(): expected string, got number'],
    ['expect(1, "m")', 'TypeError: Type error: expect() requires Option or Result value'],
    ['result_ok(Some(1))', 'TypeError: Type error: ok() requires Result value'],
    ['result_err(1)', 'TypeError: Type error: err() requires Result value'],
    ['result_ok()', 'InvalidStdlibArgument: result_ok(): expected 1 argument(s), got 0'],
    ['Some()', 'InvalidStdlibArgument: Some(): expected 1 argument(s), got 0'],
  ]);
});

test('unwrap errors carry the span of the call (the reference corpus programs)', (t) => {
  // The corpus programs annotate `Option<number>` / `Result<number, string>`; the values are the same.
  t.is(runtimeError('let opt = None;\nlet val: number = unwrap(opt);\nprint(val);'),
    'Runtime error: TypeError { msg: "unwrap() called on None", span: Span { start: 34, end: 45 } }');
  t.is(runtimeError('let res = Err("something went wrong");\nlet val: number = unwrap(res);\nprint(val);'),
    'Runtime error: TypeError { msg: "unwrap() called on Err(something went wrong)", span: Span { start: 57, end: 68 } }');
});

test('the corpus type-check programs print what the reference prints', (t) => {
  t.deepEqual(printed('print(typeof(42));\nprint(isNumber("hello"));\nprint(isNull(0));'), ['number', 'false', 'false']);
});

const conversions = new Vm(compile(`
fn num(s: string) -> number { return toNumber(s); }
fn float(s: string) -> number { return parseFloat(s); }
fn int(s: string, r: number) -> number { return parseInt(s, r); }
fn text(n: number) -> string { return toString(n); }
`, 'conversions.atlas'), { stdout: () => {} });
conversions.run();

test('property: toNumber and parseFloat agree with Number() on decimal literals', (t) => {
  fc.assert(fc.property(fc.double({ noNaN: true }), (x) => {
    for (const s of [String(x), x.toExponential(), x.toFixed(3)]) {
      if (!/^-?(\d|Infinity)/.test(s) || s.includes('Infinity')) continue;
      t.is(conversions.call('num', s), Number(s));
      t.is(conversions.call('float', ` ${s}\n`), Number(s));
    }
  }));
});

test('property: parseInt reads what Number.prototype.toString(radix) writes', (t) => {
  fc.assert(fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.integer({ min: 2, max: 36 }), (n, radix) => {
    t.is(conversions.call('int', n.toString(radix), radix), n);
  }));
});

test('property: toString of a number reads back as the same number', (t) => {
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
    t.is(conversions.call('num', conversions.call('text', x) as string), x);
  }));
});

test('numbers print with Rust\'s shortest digits: an exact tie takes the larger magnitude (JS takes the even one)', (t) => {
  // Each value lies exactly halfway between two shortest digit strings.
  t.deepEqual(printed('print(1000000000000000.25);\nprint(0.125003814697265625);\nprint(toString(647975047836761.25));\nprint(toJSON(-1651519235676326.25));'),
    ['1000000000000000.3', '0.12500381469726563', '647975047836761.3', '-1651519235676326.3']);
  t.is(String(1e15 + 0.25), '1000000000000000.2'); // what JS would print
  shows(t, [['2.5', '2.5'], ['0.1 + 0.2', '0.30000000000000004'], ['toString(1e23)', '100000000000000000000000'], ['1e23', '99999999999999991611392']]);
});
