/**
 * The prelude: the builtins whose static signature the type checker knows without a
 * declaration. These are the reference's `define_builtin` names: the core builtins
 * (`print`, `len`, `str`), the string functions, ten array functions, the array callback
 * intrinsics and five JSON functions, plus the math builtins (`(number, …) -> number`);
 * the math constants are immutable `number`s. Signatures use the unknown type `?` where a
 * generic would be expected, exactly as the reference declares them.
 *
 * A prelude name cannot be redeclared at top level (AT1012); inside a function a local of
 * the same name shadows it. Every other builtin name (`builtin-names.ts`) is accepted by
 * the binder and typed `?`, so its calls are not checked statically.
 */
import { MATH_ARITY, MATH_CONSTANTS, isMathBuiltinName } from '../vm/math-names.js';
import { type AtlasType, type FunctionType, T, arrayOf } from './types.js';

const S = T.string;
const N = T.number;
const B = T.bool;
const U = T.unknown;
const UA = arrayOf(U);

function fn(params: readonly AtlasType[], returns: AtlasType): FunctionType {
  return { kind: 'function', params, returns };
}

/** The non-math prelude signatures, as the reference declares them. */
const CORE_SIGNATURES: ReadonlyMap<string, FunctionType> = new Map([
  ['print', fn([U], T.void)],
  ['len', fn([U], N)],
  ['str', fn([U], S)],
  ['split', fn([S, S], arrayOf(S))],
  ['join', fn([arrayOf(S), S], S)],
  ['trim', fn([S], S)],
  ['trimStart', fn([S], S)],
  ['trimEnd', fn([S], S)],
  ['indexOf', fn([S, S], N)],
  ['lastIndexOf', fn([S, S], N)],
  ['includes', fn([S, S], B)],
  ['toUpperCase', fn([S], S)],
  ['toLowerCase', fn([S], S)],
  ['substring', fn([S, N, N], S)],
  ['charAt', fn([S, N], S)],
  ['repeat', fn([S, N], S)],
  ['replace', fn([S, S, S], S)],
  ['padStart', fn([S, N, S], S)],
  ['padEnd', fn([S, N, S], S)],
  ['startsWith', fn([S, S], B)],
  ['endsWith', fn([S, S], B)],
  ['pop', fn([UA], UA)],
  ['shift', fn([UA], UA)],
  ['unshift', fn([UA, U], UA)],
  ['reverse', fn([UA], UA)],
  ['concat', fn([UA, UA], UA)],
  ['flatten', fn([arrayOf(UA)], UA)],
  ['arrayIndexOf', fn([UA, U], N)],
  ['arrayLastIndexOf', fn([UA, U], N)],
  ['arrayIncludes', fn([UA, U], B)],
  ['slice', fn([UA, N, N], UA)],
  ['map', fn([UA, fn([U], U)], UA)],
  ['filter', fn([UA, fn([U], B)], UA)],
  ['reduce', fn([UA, fn([U, U], U), U], U)],
  ['forEach', fn([UA, fn([U], T.void)], T.null)],
  ['find', fn([UA, fn([U], B)], U)],
  ['findIndex', fn([UA, fn([U], B)], N)],
  ['flatMap', fn([UA, fn([U], UA)], UA)],
  ['some', fn([UA, fn([U], B)], B)],
  ['every', fn([UA, fn([U], B)], B)],
  ['sort', fn([UA, fn([U, U], N)], UA)],
  ['sortBy', fn([UA, fn([U], N)], UA)],
  ['parseJSON', fn([S], T.json)],
  ['toJSON', fn([U], S)],
  ['isValidJSON', fn([S], B)],
  ['prettifyJSON', fn([S, N], S)],
  ['minifyJSON', fn([S], S)],
]);

/** The static type of prelude builtin `name`, if it is one. */
export function preludeFunction(name: string): FunctionType | undefined {
  const core = CORE_SIGNATURES.get(name);
  if (core !== undefined) return core;
  if (!isMathBuiltinName(name)) return undefined;
  return fn(Array.from({ length: MATH_ARITY[name] }, () => N), N);
}

/** Whether `name` is one of the math constants (`PI`, `E`, `SQRT2`, `LN2`, `LN10`). */
export function isPreludeConstant(name: string): boolean {
  return MATH_CONSTANTS.has(name);
}

/** Every prelude function name (for suggestions and documentation). */
export function preludeNames(): readonly string[] {
  return [...CORE_SIGNATURES.keys()];
}
