/**
 * The equality `arrayIndexOf`, `arrayLastIndexOf` and `arrayIncludes` search with: the `==`
 * operator's (deep for arrays, Options and Results; IEEE for numbers, so NaN is never found and
 * 0 finds -0; no coercion between kinds).
 */
import { StdlibError } from '../stdlib-error.js';
import { type Value, valuesEqual } from '../values.js';

/** `==`; values nested deeper than JavaScript's stack allows are a runtime error, as for the operator. */
export function searchEquals(a: Value, b: Value): boolean {
  try {
    return valuesEqual(a, b);
  } catch (error) {
    if (error instanceof RangeError) throw new StdlibError('StackOverflow', 'values nested too deeply to compare');
    throw error;
  }
}
