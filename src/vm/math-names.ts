/**
 * The names of the math builtins and constants and the builtins' arities
 * (docs/math-builtins.md §0): what the type checker, the interpreter and the JIT agree on.
 * No behaviour lives here (`math-builtins.ts` has it), so the compiler can import the names
 * alone.
 */
export type MathBuiltinName =
  | 'abs' | 'floor' | 'ceil' | 'round' | 'min' | 'max' | 'sqrt' | 'pow' | 'log'
  | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'clamp' | 'sign' | 'random';

/**
 * The builtins in the reference registry's order; a name's index is its code in the native
 * contract (`native/src/math.rs`, `MathFn`).
 */
export const MATH_BUILTIN_NAMES: readonly MathBuiltinName[] = [
  'abs', 'floor', 'ceil', 'round', 'min', 'max', 'sqrt', 'pow', 'log',
  'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'clamp', 'sign', 'random',
];

/** Each builtin's number of parameters (all of them numbers). */
export const MATH_ARITY: Readonly<Record<MathBuiltinName, number>> = {
  abs: 1, floor: 1, ceil: 1, round: 1, min: 2, max: 2, sqrt: 1, pow: 2, log: 1,
  sin: 1, cos: 1, tan: 1, asin: 1, acos: 1, atan: 1, clamp: 3, sign: 1, random: 0,
};

/** The math constants (Rust's `std::f64::consts`, bit-identical to JavaScript's). */
export const MATH_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['PI', Math.PI],
  ['E', Math.E],
  ['SQRT2', Math.SQRT2],
  ['LN2', Math.LN2],
  ['LN10', Math.LN10],
]);

export function isMathBuiltinName(name: string): name is MathBuiltinName {
  return Object.hasOwn(MATH_ARITY, name);
}
