/**
 * The 9 JSON builtins. Parsing follows the reference's parser exactly (`json-parse.ts`);
 * objects are written in key order, where the reference's order is random per run.
 */
import { AtlasJson, type JsonData, type Value } from '../values.js';
import { checkArity, typeError } from './arg-checks.js';
import type { BuiltinFn } from './builtin-fn.js';
import { toJsonText, writeSerde } from './json-format.js';
import { JsonSyntaxError, type SerdeValue, parseSerdeJson } from './json-parse.js';

/** Parses `text`, turning a syntax error into the reference's `Invalid JSON: …` TypeError. */
function parseDocument(text: string): SerdeValue {
  try {
    return parseSerdeJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw typeError(`Invalid JSON: ${e.message}`);
    throw e;
  }
}

/** serde's value as the reference's JsonValue: every number becomes a double. */
function toJsonData(v: SerdeValue): JsonData {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, toJsonData(x)]));
  if (Array.isArray(v)) return v.map(toJsonData);
  return v as JsonData;
}

/** A builtin taking one string (any other argument: `<name>() requires string argument`). */
function stringFn(name: string, f: (s: string) => Value): [string, BuiltinFn] {
  return [name, (args) => {
    checkArity(name, args, 1);
    const s = args[0]!;
    if (typeof s !== 'string') throw typeError(`${name}() requires string argument`);
    return f(s);
  }];
}

const prettifyJSON: BuiltinFn = (args) => {
  checkArity('prettifyJSON', args, 2);
  const [s, indent] = args as [Value, Value];
  if (typeof s !== 'string') throw typeError('prettifyJSON() requires string as first argument');
  if (typeof indent !== 'number') throw typeError('prettifyJSON() requires number as second argument');
  if (!(Number.isInteger(indent) && indent >= 0)) throw typeError('prettifyJSON() indent must be non-negative integer');
  return writeSerde(parseDocument(s), ' '.repeat(indent));
};

type JsonKind = 'null' | 'bool' | 'number' | 'string' | 'array' | 'object';

function jsonKind(data: JsonData): JsonKind {
  if (data === null) return 'null';
  switch (typeof data) {
    case 'boolean': return 'bool';
    case 'number': return 'number';
    case 'string': return 'string';
    default: return data instanceof Map ? 'object' : 'array';
  }
}

/**
 * `jsonAsString` and friends. Their messages use the method names (`as_string()`), which
 * the reference's method syntax maps to these functions.
 */
function extractor(name: string, method: string, kind: JsonKind): [string, BuiltinFn] {
  return [name, (args) => {
    checkArity(name, args, 1);
    const j = args[0]!;
    if (!(j instanceof AtlasJson)) throw typeError(`${method}() requires json argument`);
    const actual = jsonKind(j.data);
    if (actual !== kind) throw typeError(`Cannot extract ${kind} from JSON value of type '${actual}'`);
    return j.data as Value;
  }];
}

const jsonIsNull: BuiltinFn = (args) => {
  checkArity('jsonIsNull', args, 1);
  const j = args[0]!;
  if (!(j instanceof AtlasJson)) throw typeError('is_null() requires json argument');
  return j.data === null;
};

export const JSON_BUILTINS: ReadonlyMap<string, BuiltinFn> = new Map([
  stringFn('parseJSON', (s) => new AtlasJson(toJsonData(parseDocument(s)))),
  ['toJSON', (args) => {
    checkArity('toJSON', args, 1);
    return toJsonText(args[0]!);
  }],
  stringFn('isValidJSON', (s) => {
    try {
      parseSerdeJson(s);
      return true;
    } catch (e) {
      if (e instanceof JsonSyntaxError) return false;
      throw e;
    }
  }),
  ['prettifyJSON', prettifyJSON],
  stringFn('minifyJSON', (s) => writeSerde(parseDocument(s))),
  extractor('jsonAsString', 'as_string', 'string'),
  extractor('jsonAsNumber', 'as_number', 'number'),
  extractor('jsonAsBool', 'as_bool', 'bool'),
  ['jsonIsNull', jsonIsNull],
]);
