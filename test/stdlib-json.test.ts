// The JSON builtins and the json value: the reference parser's grammar, limits, errors and
// number reading (17-digit numbers read as the reference reads them), the writers, the
// extractors and indexing.
import test from 'ava';
import fc from 'fast-check';
import { compile } from '../src/compiler/index.js';
import { decodeValue, encodeValue } from '../src/remote/value-transfer.js';
import { AtlasJson, AtlasRuntimeError, type JsonData, Vm, valuesEqual } from '../src/vm/index.js';
import { runtimeError, fails, printed, shows, uncheckedFails } from './source-run-helpers.js';

const json = new Vm(compile(`
fn parse(s: string) -> number { let j = parseJSON(s); return 0; }
fn echo(s: string) -> string { return toJSON(parseJSON(s)); }
fn shown(s: string) -> string { return unwrap(Err(parseJSON(s))); }
fn valid(s: string) -> bool { return isValidJSON(s); }
fn minify(s: string) -> string { return minifyJSON(s); }
fn pretty(s: string, n: number) -> string { return prettifyJSON(s, n); }
fn num(s: string) -> number { return jsonAsNumber(parseJSON(s)); }
fn text(s: string) -> string { return jsonAsString(parseJSON(s)); }
`, 'json.atlas'), { stdout: () => {} });
json.run();

/** The message of the error `fn(...args)` raises. */
function message(t: import('ava').ExecutionContext, fn: string, ...args: (string | number)[]): string {
  const error = t.throws(() => json.call(fn, ...args), { instanceOf: AtlasRuntimeError }) as AtlasRuntimeError;
  return error.message;
}

test('the corpus program: parse, index, extract (function forms of the methods)', (t) => {
  t.deepEqual(printed(`
let data = parseJSON("{\\"name\\":\\"Alice\\",\\"age\\":30}");
let name: string = jsonAsString(data["name"]);
let age: number = jsonAsNumber(data["age"]);
print(name);
print(age);
let json_str: string = toJSON(42);
print(json_str);
`), ['Alice', '30', '42']);
});

test('syntax errors: serde messages with line and column; isValidJSON agrees', (t) => {
  const cases: [string, string][] = [
    ['[1,]', 'trailing comma at line 1 column 4'],
    ["{'a': 1}", 'key must be a string at line 1 column 2'],
    ['NaN', 'expected value at line 1 column 1'],
    ['', 'EOF while parsing a value at line 1 column 0'],
    ['1 2', 'trailing characters at line 1 column 3'],
    ['1e400', 'number out of range at line 1 column 5'],
    ['2e308', 'number out of range at line 1 column 5'],
    ['"a\nb"', 'control character (\\u0000-\\u001F) found while parsing a string at line 2 column 0'],
    ['"\\ud800"', 'unexpected end of hex escape at line 1 column 8'],
    [`${'['.repeat(129)}${']'.repeat(129)}`, 'recursion limit exceeded at line 1 column 128'],
    ['01', 'invalid number at line 1 column 2'],
    ['1.', 'EOF while parsing a value at line 1 column 2'],
    ['.5', 'expected value at line 1 column 1'],
    ['-', 'EOF while parsing a value at line 1 column 1'],
    ['+1', 'expected value at line 1 column 1'],
    ['[1 2]', 'expected `,` or `]` at line 1 column 4'],
    ['{"a" 1}', 'expected `:` at line 1 column 6'],
    ['{"a":1,}', 'trailing comma at line 1 column 8'],
    ['tru', 'EOF while parsing a value at line 1 column 3'],
    ['[1', 'EOF while parsing a list at line 1 column 2'],
    ['"\\q"', 'invalid escape at line 1 column 3'],
    ['"\\udc00"', 'lone leading surrogate in hex escape at line 1 column 7'],
    ['"abc', 'EOF while parsing a string at line 1 column 4'],
    ['"\\u[d8."', 'invalid escape at line 1 column 7'],
    ['[\n  1,\n  tru\n]', 'expected ident at line 4 column 0'],
  ];
  for (const [text, expected] of cases) {
    t.is(message(t, 'parse', text), `Type error: Invalid JSON: ${expected}`, text);
    t.false(json.call('valid', text) as boolean, text);
  }
  t.true(json.call('valid', `${'['.repeat(127)}${']'.repeat(127)}`) as boolean);
  t.true(json.call('valid', ' {"a": [1, -0.5e-3, "\\ud83c\\udf89", true, null]}\r\n') as boolean);
  t.is(json.call('text', '"\\ud83c\\udf89\\u00e9\\/"'), '🎉é/');
  // The checker rejects these calls; the builtins still check them at run time.
  uncheckedFails(t, [
    ['parseJSON(1)', 'TypeError: Type error: parseJSON() requires string argument'],
    ['isValidJSON(null)', 'TypeError: Type error: isValidJSON() requires string argument'],
    ['parseJSON()', 'InvalidStdlibArgument: parseJSON(): expected 1 argument(s), got 0'],
  ]);
});

test('numbers read as the reference reads them (not always correctly rounded)', (t) => {
  const cases: [string, number][] = [
    ['0.18498543034363302', 0.18498543034363304],
    ['9007199254740993.0', 9007199254740994],
    ['9007199254740993', 9007199254740992],
    ['1.7e-308', 1.6999999999999997e-308],
    ['123456789012345678901234567890', Number(12345678901234567890n) * 1e10], // truncated to u64, then scaled
    ['18446744073709551615', 2 ** 64],
    ['-0', -0],
    ['1e-400', 0],
    ['-1e-400', -0],
    ['1234.567', 1234.567],
    ['5e-324', 5e-324],
  ];
  for (const [text, expected] of cases) t.true(Object.is(json.call('num', text), expected), text);
  t.is(json.call('echo', '123456789012345678901234567890'), '123456789012345680000000000000');
  t.is(json.call('echo', '18446744073709551615'), '18446744073709552000');
});

test('toJSON: compact, numbers in the print form, sorted keys, serde escaping', (t) => {
  shows(t, [
    ['toJSON(-0)', '-0'], ['toJSON(1e21)', '1000000000000000000000'], ['toJSON(0.0000001)', '0.0000001'],
    ['toJSON(null)', 'null'], ['toJSON([[1], [2, 3]])', '[[1],[2,3]]'], ['toJSON([true, false])', '[true,false]'], ['toJSON("a\\"b\\\\c\\n\\t/")', '"a\\"b\\\\c\\n\\t/"'],
    ['toJSON(["é🎉"])', '["é🎉"]'],
  ]);
  t.is(json.call('echo', '{"b": 1, "a": {"d": [], "c": {}}, "10": 2, "2": 3}'), '{"10":2,"2":3,"a":{"c":{},"d":[]},"b":1}');
  t.is(json.call('echo', '"\\u0001\\u001f\\b\\f\\u007f\\u2028"'), '"\\u0001\\u001f\\b\\f\u007f\u2028"');
  t.is(json.call('echo', '{"a":1,"a":2}'), '{"a":2}');
  fails(t, [
    ['toJSON(sqrt(-1))', 'TypeError: Type error: Cannot serialize NaN or Infinity to JSON'],
    ['toJSON([toNumber("inf")])', 'TypeError: Type error: Cannot serialize NaN or Infinity to JSON'],
    ['toJSON(print)', 'TypeError: Type error: Cannot serialize function to JSON'],
    ['toJSON(Some(1))', 'TypeError: Type error: Cannot serialize Option to JSON'],
    ['toJSON([Ok(1)])', 'TypeError: Type error: Cannot serialize Result to JSON'],
  ]);
  // The checker rejects a second argument; toJSON still checks the count at run time.
  uncheckedFails(t, [['toJSON(1, 2)', 'InvalidStdlibArgument: toJSON(): expected 1 argument(s), got 2']]);
});

test('minifyJSON and prettifyJSON re-serialize serde values: exact integers, serde float form, sorted keys', (t) => {
  t.is(json.call('minify', ' {"b":1, "a": 1.0} '), '{"a":1.0,"b":1}');
  t.is(json.call('minify', '[1E2, 1e15, 2.50, 1e-5, 1e16, 1.5e16, 1e21, 1e-6, 1.234e-6, 5e-324, 0.0, -0.0, -0]'),
    '[100.0,1000000000000000.0,2.5,0.00001,1e+16,1.5e+16,1e+21,1e-6,1.234e-6,5e-324,0.0,-0.0,-0.0]');
  t.is(json.call('minify', '[12345678901234567890, 18446744073709551616, -9223372036854775808, -9223372036854775809]'),
    '[12345678901234567890,1.8446744073709552e+19,-9223372036854775808,-9.223372036854776e+18]');
  t.is(json.call('pretty', '{"b": 1, "a": [1, {"c": null}], "e": [], "f": {}}', 2),
    '{\n  "a": [\n    1,\n    {\n      "c": null\n    }\n  ],\n  "b": 1,\n  "e": [],\n  "f": {}\n}');
  t.is(json.call('pretty', '[1,[2]]', 0), '[\n1,\n[\n2\n]\n]');
  t.is(json.call('pretty', '"x"', 4), '"x"');
  t.is(message(t, 'pretty', '[1', 2), 'Type error: Invalid JSON: EOF while parsing a list at line 1 column 2');
  fails(t, [
    ['prettifyJSON("1", -1)', 'TypeError: Type error: prettifyJSON() indent must be non-negative integer'],
    ['prettifyJSON("1", 1.5)', 'TypeError: Type error: prettifyJSON() indent must be non-negative integer'],
  ]);
  // The checker rejects these calls; the builtins still check them at run time.
  uncheckedFails(t, [
    ['prettifyJSON("1", "2")', 'TypeError: Type error: prettifyJSON() requires number as second argument'],
    ['prettifyJSON(1, 2)', 'TypeError: Type error: prettifyJSON() requires string as first argument'],
    ['prettifyJSON("1")', 'InvalidStdlibArgument: prettifyJSON(): expected 2 argument(s), got 1'],
    ['minifyJSON([])', 'TypeError: Type error: minifyJSON() requires string argument'],
  ]);
});

test('extractors, jsonIsNull and indexing (missing keys and bad indices give JSON null)', (t) => {
  // The last line compares a json value with an array: the checker refuses json == number[],
  // so the array goes through `unwrap` (no prelude signature, so typed `?`) to reach run time.
  const doc = 'let j = parseJSON("{\\"s\\": \\"x\\", \\"n\\": 2.5, \\"b\\": true, \\"z\\": null, \\"a\\": [10, 20]}");';
  t.deepEqual(printed(`${doc}
print(jsonAsString(j["s"])); print(jsonAsNumber(j["n"])); print(jsonAsBool(j["b"])); print(jsonIsNull(j["z"]));
print(jsonIsNull(j["missing"])); print(jsonAsNumber(j["a"][1])); print(jsonIsNull(j["a"][9])); print(jsonIsNull(j["a"][-1]));
print(jsonIsNull(j["a"][0.5])); print(jsonIsNull(j[0])); print(jsonIsNull(j["a"]["k"])); print(jsonIsNull(j["s"]));
print(j["a"] == parseJSON("[10, 20]")); print(j == parseJSON("{\\"a\\": [10, 20], \\"z\\": null, \\"b\\": true, \\"n\\": 2.5, \\"s\\": \\"x\\"}"));
print(j["a"] == unwrap(Some([10, 20])));
`), ['x', '2.5', 'true', 'true', 'true', '20', 'true', 'true', 'true', 'true', 'true', 'false', 'true', 'true', 'false']);
  fails(t, [
    [`${doc} jsonAsString(j["n"])`, "TypeError: Type error: Cannot extract string from JSON value of type 'number'"],
    [`${doc} jsonAsNumber(j["a"])`, "TypeError: Type error: Cannot extract number from JSON value of type 'array'"],
    [`${doc} jsonAsBool(j)`, "TypeError: Type error: Cannot extract bool from JSON value of type 'object'"],
    [`${doc} jsonAsNumber(j["z"])`, "TypeError: Type error: Cannot extract number from JSON value of type 'null'"],
    ['jsonAsString("x")', 'TypeError: Type error: as_string() requires json argument'],
    ['jsonAsNumber(1)', 'TypeError: Type error: as_number() requires json argument'],
    ['jsonAsBool(true)', 'TypeError: Type error: as_bool() requires json argument'],
    ['jsonIsNull(null)', 'TypeError: Type error: is_null() requires json argument'],
    ['jsonAsString(parseJSON("1"), 2)', 'InvalidStdlibArgument: jsonAsString(): expected 1 argument(s), got 2'],
  ]);
  const start = doc.length + 1 + 'print(jsonIsNull('.length;
  t.is(runtimeError(`${doc}\nprint(jsonIsNull(j[true]));`),
    `Runtime error: TypeError { msg: "JSON index must be string or number", span: Span { start: ${start}, end: ${start + 7} } }`);
});

test('JSON display inside messages: saturating integers, quoted strings, sorted keys', (t) => {
  t.is(message(t, 'shown', '{"b": [1, "x", null], "a": -0}'), 'Type error: unwrap() called on Err({"a": 0, "b": [1, "x", null]})');
  t.is(message(t, 'shown', '[1e20, -1e20, 0.5]'), 'Type error: unwrap() called on Err([9223372036854775807, -9223372036854775808, 0.5])');
});

test('a json value crosses the host boundary as an AtlasJson', (t) => {
  const vm = new Vm(compile('fn get(s: string) -> json { return parseJSON(s); }', 'host.atlas'), { stdout: () => {} });
  vm.run();
  const value = vm.call('get', '[1, {"a": true}]');
  t.true(value instanceof AtlasJson);
  t.true(valuesEqual(value, new AtlasJson([1, new Map([['a', true]])])));
});

/**
 * Arbitrary JSON documents. Numbers have at most 15 significant digits and a decimal
 * exponent within ±22, where the reference's one multiplication by an exact power of ten
 * is correctly rounded.
 */
const document = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null), fc.boolean(), fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 })
      .filter((x) => x === 0 || Math.abs(x) > 1e-6)
      .map((x) => Number(x.toPrecision(15))),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

test('property: for documents of ≤15-digit numbers, parsing agrees with JSON.parse and minifyJSON round-trips', (t) => {
  fc.assert(fc.property(document, (doc) => {
    const text = JSON.stringify(doc);
    t.true(json.call('valid', text) as boolean);
    t.deepEqual(JSON.parse(json.call('echo', text) as string), JSON.parse(text));
    t.deepEqual(JSON.parse(json.call('minify', text) as string), JSON.parse(text));
    t.deepEqual(JSON.parse(json.call('pretty', text, 3) as string), JSON.parse(text));
  }));
});

test('property: isValidJSON agrees with JSON.parse on short texts (without exponents that overflow)', (t) => {
  const alphabet = fc.constantFrom(...'{}[],:"\\ 0123456789.-+eEtrufalsn\nxu'.split(''));
  const texts = fc.array(alphabet, { maxLength: 12 }).map((cs) => cs.join(''));
  fc.assert(fc.property(texts, (text) => {
    // The reference refuses a number that overflows to ±∞, where JSON.parse gives Infinity.
    fc.pre(!/e[+-]?\d{3}/i.test(text));
    let expected = true;
    try {
      JSON.parse(text);
    } catch {
      expected = false;
    }
    t.is(json.call('valid', text), expected, text);
  }));
});

test('a json value crosses a thread boundary (structured clone of its wire form) unchanged', (t) => {
  const value = new AtlasJson([1, 'x', null, new Map<string, JsonData>([['k', [true]]])]);
  const copy = decodeValue(structuredClone(encodeValue(value)));
  t.true(copy instanceof AtlasJson);
  t.true(valuesEqual(copy, value));
});
