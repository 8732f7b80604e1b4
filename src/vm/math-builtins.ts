/**
 * Atlas's 18 math builtins and 5 math constants (docs/math-builtins.md), with the reference's
 * exact results and errors. Every function takes numbers only (no coercion), returns a number,
 * and raises no domain error: NaN, ±∞ and -0 are ordinary results, which the interpreter does
 * not check (only arithmetic opcodes trap on them). Wrong arity, then a non-number argument,
 * raise TypeError with the reference's own messages (§1.5), which differ from the
 * `InvalidStdlibArgument` ones of `print` and `len`.
 *
 * Where the reference differs from `Math.*`, the JavaScript here is the exact equivalent the
 * spec gives: `round` ties to even and keeps only an input's -0, `min`/`max` drop a NaN
 * operand and return the first operand on ties, `clamp` is built on them. The library
 * functions (`sin` … `pow`) come from `math-library.ts`.
 */
import { type LibraryFunctionName, mathLibrary } from './math-library.js';
import { MATH_ARITY, type MathBuiltinName } from './math-names.js';
import { StdlibError } from './stdlib-error.js';
import type { Value } from './values.js';

/** Checks count then types (§1.5: a type error never says which argument was wrong). */
function numbers(name: MathBuiltinName, args: readonly Value[]): readonly number[] {
  const arity = MATH_ARITY[name];
  if (args.length !== arity) {
    const expected = arity === 0 ? 'no arguments' : arity === 1 ? '1 argument' : `${arity} arguments`;
    throw new StdlibError('TypeError', `${name}() expects ${expected}`);
  }
  for (const arg of args) {
    if (typeof arg !== 'number') throw new StdlibError('TypeError', `${name}() expects number argument${arity === 1 ? '' : 's'}`);
  }
  return args as readonly number[];
}

/** Atlas `round` (§2.4): ties to even; a zero result is +0 unless the input was ±0. */
export function atlasRound(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const r = x - f;
  if (r < 0.5) return f;
  if (r > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Rust `f64::min` as the reference is built (§2.5): a NaN operand is ignored; ties give `a`. */
export function atlasMin(a: number, b: number): number {
  // biome-ignore lint/complexity/useMathMinMax: Math.min propagates NaN and orders -0 before +0; Atlas min does neither.
  return Number.isNaN(a) ? b : b < a ? b : a;
}

/** Rust `f64::max` (§2.6), the mirror of `atlasMin`. */
export function atlasMax(a: number, b: number): number {
  // biome-ignore lint/complexity/useMathMinMax: Math.max propagates NaN and orders +0 after -0; Atlas max does neither.
  return Number.isNaN(a) ? b : b > a ? b : a;
}

/** §2.16: NaN when the bounds are ordered the wrong way, else `min(max(v, lo), hi)`. */
export function atlasClamp(v: number, lo: number, hi: number): number {
  return lo > hi ? Number.NaN : atlasMin(atlasMax(v, lo), hi);
}

const unary = (name: MathBuiltinName, f: (x: number) => number) => (args: readonly Value[]): number => f(numbers(name, args)[0]!);

/** A library function, looked up once (at its first call, so loading the addon waits for it). */
const library = (name: LibraryFunctionName) => {
  let f: ((x: number, y: number) => number) | undefined;
  return (args: readonly Value[]): number => {
    const [x, y] = numbers(name, args);
    f ??= mathLibrary()[name];
    return f(x!, y!);
  };
};

/** The builtins by name: each takes the call's arguments and returns its number. */
export const MATH_BUILTINS: ReadonlyMap<MathBuiltinName, (args: readonly Value[]) => number> = new Map([
  ['abs', unary('abs', Math.abs)],
  ['floor', unary('floor', Math.floor)],
  ['ceil', unary('ceil', Math.ceil)],
  ['round', unary('round', atlasRound)],
  ['min', (args) => { const [a, b] = numbers('min', args); return atlasMin(a!, b!); }],
  ['max', (args) => { const [a, b] = numbers('max', args); return atlasMax(a!, b!); }],
  ['sqrt', unary('sqrt', Math.sqrt)],
  ['pow', library('pow')],
  ['log', library('log')],
  ['sin', library('sin')],
  ['cos', library('cos')],
  ['tan', library('tan')],
  ['asin', library('asin')],
  ['acos', library('acos')],
  ['atan', library('atan')],
  ['clamp', (args) => { const [v, lo, hi] = numbers('clamp', args); return atlasClamp(v!, lo!, hi!); }],
  // Math.sign is exact here (§2.17): NaN, 1, -1, or the zero itself.
  ['sign', unary('sign', Math.sign)],
  // Any uniform [0, 1) source will do (§2.18); nothing can reproduce the reference's draws.
  ['random', (args) => { numbers('random', args); return Math.random(); }],
]);
