/**
 * The prelude names the type checker knows without a declaration (docs/math-builtins.md §1.1,
 * §1.2): the math builtins, typed `(number, …) -> number`, and the math constants, immutable
 * `number`s. Other builtins (`print`, `len`, …) stay untyped, so their calls are not checked
 * statically. A prelude builtin cannot be redeclared at top level; inside a function a local
 * of the same name shadows it.
 */
import { MATH_ARITY, MATH_CONSTANTS, isMathBuiltinName } from '../vm/math-names.js';
import { type FunctionType, T } from './types.js';

/** The static type of math builtin `name`, if it is one. */
export function preludeFunction(name: string): FunctionType | undefined {
  if (!isMathBuiltinName(name)) return undefined;
  return { kind: 'function', params: Array.from({ length: MATH_ARITY[name] }, () => T.number), returns: T.number };
}

/** Whether `name` is one of the math constants (`PI`, `E`, `SQRT2`, `LN2`, `LN10`). */
export function isPreludeConstant(name: string): boolean {
  return MATH_CONSTANTS.has(name);
}
