/**
 * The argument checks every stdlib family shares (the reference's `stdlib_arity_error`,
 * `stdlib_arg_error` and `extract_*` helpers): their messages are part of the contract, and
 * they run in the reference's order (arity, then each argument left to right, then the
 * function's own checks).
 */
import { StdlibError } from '../stdlib-error.js';
import { AtlasArray, type Value, typeName } from '../values.js';

/** `<fn>(): expected <n> argument(s), got <m>` (InvalidStdlibArgument). */
export function checkArity(name: string, args: readonly Value[], expected: number): void {
  if (args.length !== expected) {
    throw new StdlibError('InvalidStdlibArgument', `${name}(): expected ${expected} argument(s), got ${args.length}`);
  }
}

/** `<fn>(): expected <what>, got <type name>` (InvalidStdlibArgument). */
export function argError(name: string, expected: string, actual: Value): StdlibError {
  return new StdlibError('InvalidStdlibArgument', `${name}(): expected ${expected}, got ${typeName(actual)}`);
}

export function stringArg(name: string, v: Value): string {
  if (typeof v !== 'string') throw argError(name, 'string', v);
  return v;
}

export function numberArg(name: string, v: Value): number {
  if (typeof v !== 'number') throw argError(name, 'number', v);
  return v;
}

export function arrayArg(name: string, v: Value): readonly Value[] {
  if (!(v instanceof AtlasArray)) throw argError(name, 'array', v);
  return v.elements;
}

/** A `TypeError` with the reference's message (displayed `Type error: <msg>`). */
export function typeError(msg: string): StdlibError {
  return new StdlibError('TypeError', msg);
}
