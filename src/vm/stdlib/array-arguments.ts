/**
 * Argument checks of the reference's registry builtins (arity first, then each argument's kind
 * left to right), with its messages and its `Value::type_name` words (`Option`, `Result`
 * capitalised, unlike `typeof`).
 */
import { StdlibError } from '../stdlib-error.js';
import { AtlasArray, AtlasOption, AtlasResult, type Value, typeName } from '../values.js';

/** The reference's `Value::type_name`, used in argument errors. */
export function argumentTypeName(v: Value): string {
  if (v instanceof AtlasOption) return 'Option';
  if (v instanceof AtlasResult) return 'Result';
  return typeName(v);
}

/** `<name>(): expected <n> argument(s), got <m>`. */
export function checkArity(name: string, args: readonly Value[], expected: number): void {
  if (args.length !== expected) {
    throw new StdlibError('InvalidStdlibArgument', `${name}(): expected ${expected} argument(s), got ${args.length}`);
  }
}

function argumentError(name: string, expected: string, actual: Value): StdlibError {
  return new StdlibError('InvalidStdlibArgument', `${name}(): expected ${expected}, got ${argumentTypeName(actual)}`);
}

/** The elements of an array argument (`extract_array`). */
export function arrayArgument(name: string, v: Value): readonly Value[] {
  if (v instanceof AtlasArray) return v.elements;
  throw argumentError(name, 'array', v);
}

/** A number argument (`extract_number`). */
export function numberArgument(name: string, v: Value): number {
  if (typeof v === 'number') return v;
  throw argumentError(name, 'number', v);
}
