/**
 * Core builtins: `print`, `len`, `str`. They accept only the kinds the reference accepts
 * (`print([1])`, `len(5)`, `str("x")` and `len` of a JSON value are run-time errors).
 */
import { AtlasArray, type Value, charCount, display } from '../values.js';
import { argError, checkArity } from './arg-checks.js';
import type { BuiltinFn } from './builtin-fn.js';

function isScalar(v: Value): boolean {
  return v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

const print: BuiltinFn = (args, ctx) => {
  checkArity('print', args, 1);
  const v = args[0]!;
  if (!isScalar(v)) throw argError('print', 'string, number, bool, or null', v);
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

export const CORE_BUILTINS: ReadonlyMap<string, BuiltinFn> = new Map([
  ['print', print],
  ['len', len],
  ['str', str],
]);
