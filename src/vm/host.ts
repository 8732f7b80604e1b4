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
export function fromHostValue(v: unknown, what: string, ancestors: Set<unknown> = new Set()): Value {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) {
    if (ancestors.has(v)) throw hostError(what, 'contains itself');
    ancestors.add(v);
    const elements = v.map((element: unknown, i) => fromHostValue(element, `${what}[${i}]`, ancestors));
    ancestors.delete(v);
    return new AtlasArray(elements);
  }
  const shown = typeof v === 'object' ? 'an object' : typeof v;
  throw hostError(what, `is ${shown}; expected number, bool, null, string or array`);
}

/** Converts the arguments of a host call. */
export function fromHostArgs(args: readonly HostValue[]): Value[] {
  return args.map((a, i) => fromHostValue(a, `argument ${i + 1}`));
}
