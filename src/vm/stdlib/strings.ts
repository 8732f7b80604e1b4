/**
 * The 18 string builtins. Lengths, `charAt` and padding count code points; `indexOf`,
 * `lastIndexOf` and `substring` use UTF-8 byte offsets, as the reference does (its strings
 * are UTF-8). Index arguments must be integers; they then saturate like Rust's `as usize`
 * (negative → 0).
 */
import { StdlibError } from '../stdlib-error.js';
import { AtlasArray, type Value } from '../values.js';
import { arrayArg, checkArity, numberArg, stringArg, typeError } from './arg-checks.js';
import type { BuiltinFn } from './builtin-fn.js';
import { indexAtByte, trim, trimEnd, trimStart, utf8Length } from './unicode.js';

/** The largest `repeat` count the reference allows. */
const MAX_REPEAT = 1_000_000;

/**
 * JS strings are limited to 2^29 - 24 UTF-16 units (V8); the reference has no such limit, so a
 * longer `repeat`/`pad` result is this runtime's own error instead of a JS RangeError.
 */
const MAX_STRING_UNITS = 2 ** 29 - 24;

function checkLength(units: number): void {
  if (units > MAX_STRING_UNITS) throw new StdlibError('Unsupported', `string of ${units} UTF-16 units exceeds the runtime's limit`);
}

/** Rust's `x.fract() == 0.0`: false for fractions, NaN and ±∞. */
function isIntegral(x: number): boolean {
  return Number.isInteger(x);
}

/** Rust's saturating `as usize` of an integral number: negatives (and -0) become 0. */
function toIndex(x: number): number {
  return Math.max(x, 0);
}

/** A builtin whose arguments are all strings. */
function stringFn(name: string, arity: number, f: (...s: string[]) => Value): [string, BuiltinFn] {
  return [name, (args) => {
    checkArity(name, args, arity);
    return f(...args.map((a) => stringArg(name, a)));
  }];
}

function split(s: string, sep: string): Value {
  const parts = sep === '' ? Array.from(s) : s.split(sep);
  return new AtlasArray(parts);
}

const join: BuiltinFn = (args) => {
  checkArity('join', args, 2);
  const parts = arrayArg('join', args[0]!);
  const sep = stringArg('join', args[1]!);
  if (!parts.every((p) => typeof p === 'string')) throw typeError('join() requires array of strings');
  return parts.join(sep);
};

function indexOf(s: string, t: string): number {
  const i = s.indexOf(t);
  return i < 0 ? -1 : utf8Length(s, i);
}

function lastIndexOf(s: string, t: string): number {
  const i = s.lastIndexOf(t);
  return i < 0 ? -1 : utf8Length(s, i);
}

const substring: BuiltinFn = (args) => {
  checkArity('substring', args, 3);
  const s = stringArg('substring', args[0]!);
  const startArg = numberArg('substring', args[1]!);
  const endArg = numberArg('substring', args[2]!);
  if (!isIntegral(startArg) || !isIntegral(endArg)) throw typeError('substring() indices must be integers');
  const start = toIndex(startArg);
  const end = toIndex(endArg);
  if (start > end || end > utf8Length(s)) throw new StdlibError('OutOfBounds');
  const from = indexAtByte(s, start);
  const to = indexAtByte(s, end);
  if (from < 0 || to < 0) throw typeError('substring() indices must be on UTF-8 character boundaries');
  return s.slice(from, to);
};

const charAt: BuiltinFn = (args) => {
  checkArity('charAt', args, 2);
  const s = stringArg('charAt', args[0]!);
  const index = numberArg('charAt', args[1]!);
  if (!isIntegral(index)) throw typeError('charAt() index must be an integer');
  const ch = Array.from(s)[toIndex(index)];
  if (ch === undefined) throw new StdlibError('OutOfBounds');
  return ch;
};

const repeat: BuiltinFn = (args) => {
  checkArity('repeat', args, 2);
  const s = stringArg('repeat', args[0]!);
  const count = numberArg('repeat', args[1]!);
  if (!isIntegral(count)) throw typeError('repeat() count must be an integer');
  if (count < 0) throw typeError('repeat() count cannot be negative');
  if (count > MAX_REPEAT) throw new StdlibError('InvalidNumericResult');
  checkLength(s.length * count);
  return s.repeat(count);
};

function replace(s: string, search: string, replacement: string): string {
  // A function replacement keeps `$&` and friends literal.
  return search === '' ? s : s.replace(search, () => replacement);
}

/** `padStart`/`padEnd`: lengths in code points, the fill taken cyclically by code point. */
function padFn(name: 'padStart' | 'padEnd'): BuiltinFn {
  return (args) => {
    checkArity(name, args, 3);
    const s = stringArg(name, args[0]!);
    const length = numberArg(name, args[1]!);
    const fill = stringArg(name, args[2]!);
    if (!isIntegral(length)) throw typeError(`${name}() length must be an integer`);
    const missing = toIndex(length) - Array.from(s).length;
    if (missing <= 0 || fill === '') return s;
    const fillChars = Array.from(fill);
    // At most two units per added code point: check before building anything.
    checkLength(s.length + missing * Math.max(...fillChars.map((c) => c.length)));
    let pad = fillChars.join('').repeat(Math.floor(missing / fillChars.length));
    pad += fillChars.slice(0, missing % fillChars.length).join('');
    return name === 'padStart' ? pad + s : s + pad;
  };
}

export const STRING_BUILTINS: ReadonlyMap<string, BuiltinFn> = new Map([
  stringFn('split', 2, split),
  ['join', join],
  stringFn('trim', 1, trim),
  stringFn('trimStart', 1, trimStart),
  stringFn('trimEnd', 1, trimEnd),
  stringFn('indexOf', 2, indexOf),
  stringFn('lastIndexOf', 2, lastIndexOf),
  stringFn('includes', 2, (s, t) => s.includes(t!)),
  stringFn('toUpperCase', 1, (s) => s!.toUpperCase()),
  stringFn('toLowerCase', 1, (s) => s!.toLowerCase()),
  ['substring', substring],
  ['charAt', charAt],
  ['repeat', repeat],
  stringFn('replace', 3, replace),
  ['padStart', padFn('padStart')],
  ['padEnd', padFn('padEnd')],
  stringFn('startsWith', 2, (s, p) => s!.startsWith(p!)),
  stringFn('endsWith', 2, (s, p) => s!.endsWith(p!)),
]);
