/**
 * The stdlib builtins this runtime implements, and the other names `GetGlobal` resolves
 * (docs/bytecode.md §2.4 GetGlobal, §3.3 builtin calls, docs/bytecode.md §6.6 print).
 *
 * The reference registry has a few hundred builtins (strings, math, JSON, files, HTTP, …).
 * This runtime implements the core families (docs/language.md, "Standard library"): each
 * family lives in its own module under `stdlib/` and is spread in here, plus the 18 math
 * builtins (`math-builtins.ts`).
 * Only implemented names resolve as builtins, so a program using another stdlib name fails with `Undefined variable: <name>` at the lookup
 * instead of `Unknown function: <name>` at the call.
 */
import { MATH_BUILTINS } from './math-builtins.js';
import type { BuiltinFn } from './stdlib/builtin-fn.js';
import { CONVERSION_BUILTINS } from './stdlib/conversions.js';
import { CORE_BUILTINS } from './stdlib/core.js';
import { JSON_BUILTINS } from './stdlib/json.js';
import { ARRAY_BUILTINS } from './stdlib/arrays.js';
import { ARRAY_CALLBACK_INTRINSICS } from './stdlib/callbacks.js';
import { RESULT_CALLBACK_INTRINSICS } from './stdlib/result-callbacks.js';
import { OPTION_RESULT_BUILTINS } from './stdlib/option-result.js';
import { STRING_BUILTINS } from './stdlib/strings.js';
import { TYPE_CHECK_BUILTINS } from './stdlib/type-checks.js';
import { AtlasBuiltin } from './values.js';

export { StdlibError } from './stdlib-error.js';
export { MATH_CONSTANTS } from './math-names.js';
export type { BuiltinContext, BuiltinFn } from './stdlib/builtin-fn.js';

/** Implemented builtins by name. */
export const BUILTINS: ReadonlyMap<string, BuiltinFn> = new Map([
  ...CORE_BUILTINS,
  ...STRING_BUILTINS,
  ...TYPE_CHECK_BUILTINS,
  ...CONVERSION_BUILTINS,
  ...OPTION_RESULT_BUILTINS,
  ...JSON_BUILTINS,
  ...MATH_BUILTINS,
  ...ARRAY_BUILTINS,
  ...ARRAY_CALLBACK_INTRINSICS,
  ...RESULT_CALLBACK_INTRINSICS,
]);

/**
 * The value `GetGlobal` pushes for each builtin: one shared instance per name (a builtin value
 * is immutable and compares by name), so reading a builtin allocates nothing.
 */
export const BUILTIN_VALUES: ReadonlyMap<string, AtlasBuiltin> = new Map([...BUILTINS.keys()].map((name) => [name, new AtlasBuiltin(name)]));
