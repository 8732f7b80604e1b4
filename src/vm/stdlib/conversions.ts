/**
 * The 5 type-conversion builtins. Number parsing is strict (Rust's `f64` grammar after a
 * Unicode-whitespace trim; `parseInt` needs a radix and takes no prefix), unlike JS
 * `Number`/`parseInt`.
 */
import {
  AtlasArray, AtlasBuiltin, AtlasClosure, AtlasFunction, AtlasJson, AtlasOption, AtlasResult, type Value, formatShortest,
} from '../values.js';
import { checkArity, typeError } from './arg-checks.js';
import type { BuiltinFn } from './builtin-fn.js';
import { typeofName } from './type-checks.js';
import { trim } from './unicode.js';

/** Rust's `f64::from_str` grammar (after an optional sign). */
const FLOAT = /^[+-]?(?:(inf|infinity|nan)|(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)$/i;

/** Parses `text` (already trimmed, non-empty) like Rust's `str::parse::<f64>`; undefined if invalid. */
export function parseRustFloat(text: string): number | undefined {
  const m = FLOAT.exec(text);
  if (m === null) return undefined;
  const negative = text.startsWith('-');
  const word = m[1]?.toLowerCase();
  if (word === undefined) return Number(text); // correctly rounded, like Rust
  if (word === 'nan') return NaN;
  return negative ? -Infinity : Infinity;
}

/** `toString`'s rendering of the value inside `Some(…)`, `Ok(…)`, `Err(…)`. */
function payload(v: Value): string {
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'number') return formatShortest(v); // `inf`, not `Infinity`
  if (v instanceof AtlasOption) return '[Option]';
  if (v instanceof AtlasResult) return '[Result]';
  return v instanceof AtlasArray ? '[Array]' : toStringValue(v);
}

function toStringValue(v: Value): string {
  switch (typeof v) {
    case 'string': return v;
    case 'boolean': return v ? 'true' : 'false';
    case 'number':
      if (v === Infinity) return 'Infinity';
      if (v === -Infinity) return '-Infinity';
      return formatShortest(v);
    default:
      if (v === null) return 'null';
      if (v instanceof AtlasArray) return '[Array]';
      if (v instanceof AtlasFunction) return '[Function]';
      if (v instanceof AtlasClosure) return `[Closure ${v.name}]`;
      if (v instanceof AtlasBuiltin) return `[Builtin ${v.name}]`;
      if (v instanceof AtlasJson) return '[JSON]';
      if (v instanceof AtlasOption) return v.isSome ? `Some(${payload(v.value)})` : 'None';
      return `${v.isOk ? 'Ok' : 'Err'}(${payload(v.value)})`;
  }
}

const toStringFn: BuiltinFn = (args) => {
  checkArity('toString', args, 1);
  return toStringValue(args[0]!);
};

const toNumber: BuiltinFn = (args) => {
  checkArity('toNumber', args, 1);
  const v = args[0]!;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'string') throw typeError(`Cannot convert ${typeofName(v)} to number`);
  const text = trim(v);
  if (text === '') throw typeError('Cannot convert empty string to number');
  const n = parseRustFloat(text);
  if (n === undefined) throw typeError(`Cannot convert '${v}' to number`);
  return n;
};

const toBool: BuiltinFn = (args) => {
  checkArity('toBool', args, 1);
  const v = args[0]!;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'boolean') return v;
  return v !== null;
};

const I64_LIMIT = 2n ** 63n;
/** `i64::from_str_radix`'s input: one optional sign, then alphanumeric digits. */
const RADIX_DIGITS = /^([+-]?)([0-9a-z]+)$/i;

const parseIntFn: BuiltinFn = (args) => {
  checkArity('parseInt', args, 2);
  const [s, radix] = args as [Value, Value];
  if (typeof s !== 'string') throw typeError('parseInt() requires string as first argument');
  if (typeof radix !== 'number') throw typeError('parseInt() requires number as second argument');
  if (!Number.isInteger(radix) || radix < 2 || radix > 36) throw typeError('parseInt() radix must be integer between 2 and 36');
  const text = trim(s);
  if (text === '') throw typeError('Cannot parse empty string as integer');
  // The reference strips one `-` (or else one `+`) itself, then lets from_str_radix take another sign.
  const outerNegative = text.startsWith('-');
  const rest = outerNegative || text.startsWith('+') ? text.slice(1) : text;
  if (rest === '') throw typeError(`Invalid integer for radix ${radix}`);
  const invalid = () => typeError(`Invalid integer '${s}' for radix ${radix}`);
  const m = RADIX_DIGITS.exec(rest);
  if (m === null) throw invalid();
  let value = 0n;
  for (const ch of m[2]!.toLowerCase()) {
    const digit = Number.parseInt(ch, 36);
    if (digit >= radix) throw invalid();
    value = value * BigInt(radix) + BigInt(digit);
  }
  const innerNegative = m[1] === '-';
  if (value > I64_LIMIT || (value === I64_LIMIT && !innerNegative)) throw invalid();
  // The parsed i64 (never -0), then the outer sign as an f64 factor (so "-0" gives -0).
  const parsed = innerNegative && value !== 0n ? -Number(value) : Number(value);
  return (outerNegative ? -1 : 1) * parsed;
};

const parseFloatFn: BuiltinFn = (args) => {
  checkArity('parseFloat', args, 1);
  const s = args[0]!;
  if (typeof s !== 'string') throw typeError('parseFloat() requires string argument');
  const text = trim(s);
  if (text === '') throw typeError('Cannot parse empty string as float');
  const n = parseRustFloat(text);
  if (n === undefined) throw typeError(`Cannot parse '${s}' as float`);
  return n;
};

export const CONVERSION_BUILTINS: ReadonlyMap<string, BuiltinFn> = new Map([
  ['toString', toStringFn],
  ['toNumber', toNumber],
  ['toBool', toBool],
  ['parseInt', parseIntFn],
  ['parseFloat', parseFloatFn],
]);
