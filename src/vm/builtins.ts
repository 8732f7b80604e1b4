/**
 * The stdlib builtins this runtime implements, and the other names `GetGlobal` resolves
 * (docs/bytecode.md §2.4 GetGlobal, §3.3 builtin calls, docs/bytecode.md §6.6 print).
 *
 * The reference registry has a few hundred builtins (strings, math, JSON, files, HTTP, …).
 * This runtime implements the core ones: `print`, `len`, `str`, the Option/Result
 * constructors `Some`, `None`, `Ok`, `Err`, and the 18 math builtins (`math-builtins.ts`).
 * Only implemented names resolve as builtins, so a program using another stdlib name fails with `Undefined variable: <name>` at the lookup
 * instead of `Unknown function: <name>` at the call.
 */
import { MATH_BUILTINS } from './math-builtins.js';
import { StdlibError } from './stdlib-error.js';
import { ARRAY_BUILTINS } from './stdlib/arrays.js';
import { ARRAY_CALLBACK_INTRINSICS } from './stdlib/callbacks.js';
import { RESULT_CALLBACK_INTRINSICS } from './stdlib/result-callbacks.js';
import { AtlasArray, AtlasBuiltin, AtlasOption, AtlasResult, type Value, charCount, display, typeName } from './values.js';

export { StdlibError } from './stdlib-error.js';
export { MATH_CONSTANTS } from './math-names.js';

export interface BuiltinContext {
  /** Receives one printed line, without its trailing newline. */
  readonly stdout: (line: string) => void;
}

export type BuiltinFn = (args: readonly Value[], ctx: BuiltinContext) => Value;

/** Reference `stdlib_arity_error`: `<fn>(): expected <n> argument(s), got <m>`. */
function checkArity(name: string, args: readonly Value[], expected: number): void {
  if (args.length !== expected) {
    throw new StdlibError('InvalidStdlibArgument', `${name}(): expected ${expected} argument(s), got ${args.length}`);
  }
}

/** Reference `stdlib_arg_error`: `<fn>(): expected <what>, got <type name>`. */
function argError(name: string, expected: string, actual: Value): StdlibError {
  return new StdlibError('InvalidStdlibArgument', `${name}(): expected ${expected}, got ${typeName(actual)}`);
}

function isPrintable(v: Value): boolean {
  return v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

const print: BuiltinFn = (args, ctx) => {
  checkArity('print', args, 1);
  const v = args[0]!;
  if (!isPrintable(v)) throw argError('print', 'string, number, bool, or null', v);
  ctx.stdout(display(v));
  return null;
};

/** String length in Unicode scalar values, array length in elements. */
const len: BuiltinFn = (args) => {
  checkArity('len', args, 1);
  const v = args[0]!;
  if (typeof v === 'string') return charCount(v);
  if (v instanceof AtlasArray) return v.length;
  throw argError('len', 'string or array', v);
};

const str: BuiltinFn = (args) => {
  checkArity('str', args, 1);
  const v = args[0]!;
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return display(v);
  throw argError('str', 'number, bool, or null', v);
};

const Some: BuiltinFn = (args) => {
  checkArity('Some', args, 1);
  return AtlasOption.some(args[0]!);
};

const None: BuiltinFn = (args) => {
  checkArity('None', args, 0);
  return AtlasOption.None;
};

const Ok: BuiltinFn = (args) => {
  checkArity('Ok', args, 1);
  return AtlasResult.ok(args[0]!);
};

const Err: BuiltinFn = (args) => {
  checkArity('Err', args, 1);
  return AtlasResult.err(args[0]!);
};

/** Implemented builtins by name. */
export const BUILTINS: ReadonlyMap<string, BuiltinFn> = new Map([
  ['print', print],
  ['len', len],
  ['str', str],
  ['Some', Some],
  ['None', None],
  ['Ok', Ok],
  ['Err', Err],
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
