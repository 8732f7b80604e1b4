/**
 * Conversion of host (JavaScript) arguments into Atlas values, for `Vm.call`.
 */
import { AtlasRuntimeError, NO_OFFSET } from './errors.js';
import { AtlasArray, type HostValue, type Value } from './values.js';

function hostError(what: string, problem: string): AtlasRuntimeError {
  return new AtlasRuntimeError('TypeError', NO_OFFSET, undefined, `${what} ${problem}`);
}

/**
 * Converts one host argument. Anything that is not a HostValue (undefined, objects,
 * functions, bigints, symbols, arrays that contain themselves) is a TypeError.
 */
export function fromHostValue(v: unknown, what: string, ancestors?: Set<unknown>): Value {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) {
    // Only arrays can contain themselves; the set of enclosing arrays is made at the first one.
    const enclosing = ancestors ?? new Set<unknown>();
    if (enclosing.has(v)) throw hostError(what, 'contains itself');
    enclosing.add(v);
    const elements = v.map((element: unknown, i) => fromHostValue(element, `${what}[${i}]`, enclosing));
    enclosing.delete(v);
    return new AtlasArray(elements);
  }
  const shown = typeof v === 'object' ? 'an object' : typeof v;
  throw hostError(what, `is ${shown}; expected number, bool, null, string or array`);
}

/**
 * Converts argument `i` of a host call. Numbers, strings, bools and null are Values as they
 * are: they cost a type check and nothing else (no description string, no allocation).
 */
export function fromHostArg(v: unknown, i: number): Value {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return fromHostValue(v, `argument ${i + 1}`);
}

/** Converts the arguments of a host call. */
export function fromHostArgs(args: readonly HostValue[]): Value[] {
  return args.map(fromHostArg);
}
