/**
 * The array builtins without callbacks: `arrayPush` … `slice`. All are pure: they return a new
 * array and never change their argument. `pop`/`shift` (and `arrayPop`/`arrayShift`) return the
 * pair `[element, rest]`; the visible mutation of `pop(v)`, `v.push(x)`, … is the compiler's
 * write-back of the result into `v`, not these functions'.
 */
import type { BuiltinFn } from '../builtins.js';
import { StdlibError } from '../stdlib-error.js';
import { AtlasArray, type Value } from '../values.js';
import { arrayArgument, checkArity, numberArgument } from './array-arguments.js';
import { searchEquals } from './array-equality.js';
import { compareCodePoints } from './code-point-order.js';
import { insertionSort } from './insertion-sort.js';
import { debugForm } from './reference-debug.js';
import { sortRuns } from './run-sort.js';

/** One argument, an array. */
function unary(name: string, body: (a: readonly Value[]) => Value): [string, BuiltinFn] {
  return [name, (args) => {
    checkArity(name, args, 1);
    return body(arrayArgument(name, args[0]!));
  }];
}

/** An array and any value. */
function withValue(name: string, body: (a: readonly Value[], x: Value) => Value): [string, BuiltinFn] {
  return [name, (args) => {
    checkArity(name, args, 2);
    return body(arrayArgument(name, args[0]!), args[1]!);
  }];
}

function popPair(a: readonly Value[]): AtlasArray {
  if (a.length === 0) throw new StdlibError('TypeError', 'Cannot pop from empty array');
  return new AtlasArray([a[a.length - 1]!, new AtlasArray(a.slice(0, -1))]);
}

function shiftPair(a: readonly Value[]): AtlasArray {
  if (a.length === 0) throw new StdlibError('TypeError', 'Cannot shift from empty array');
  return new AtlasArray([a[0]!, new AtlasArray(a.slice(1))]);
}

const push = (a: readonly Value[], x: Value) => new AtlasArray([...a, x]);
const unshift = (a: readonly Value[], x: Value) => new AtlasArray([x, ...a]);
const reverse = (a: readonly Value[]) => new AtlasArray(a.slice().reverse());

/** One level: array elements are spliced in, other elements kept. */
function flatten(a: readonly Value[]): AtlasArray {
  const out: Value[] = [];
  for (const x of a) {
    // A loop, not push(...elements): spreading a long array into a call overflows the stack.
    if (x instanceof AtlasArray) for (const y of x.elements) out.push(y);
    else out.push(x);
  }
  return new AtlasArray(out);
}

function indexOf(a: readonly Value[], x: Value): number {
  for (let i = 0; i < a.length; i++) if (searchEquals(a[i]!, x)) return i;
  return -1;
}

function lastIndexOf(a: readonly Value[], x: Value): number {
  for (let i = a.length - 1; i >= 0; i--) if (searchEquals(a[i]!, x)) return i;
  return -1;
}

/** Rust's `f as i64` (truncating, NaN → 0) then clamped to [0, len]: negatives do not count from the end. */
function sliceIndex(f: number, len: number): number {
  if (Number.isNaN(f)) return 0;
  return Math.min(Math.max(Math.trunc(f), 0), len);
}

const slice: BuiltinFn = (args) => {
  checkArity('slice', args, 3);
  const a = arrayArgument('slice', args[0]!);
  const start = sliceIndex(numberArgument('slice', args[1]!), a.length);
  const end = sliceIndex(numberArgument('slice', args[2]!), a.length);
  if (start > end) throw new StdlibError('TypeError', `Invalid slice range: start ${start} > end ${end}`);
  return new AtlasArray(a.slice(start, end));
};

const concat: BuiltinFn = (args) => {
  checkArity('concat', args, 2);
  const a = arrayArgument('concat', args[0]!);
  const b = arrayArgument('concat', args[1]!);
  return new AtlasArray([...a, ...b]);
};

/**
 * The reference's "natural" order: numbers by value (NaN equal to everything), strings by code
 * point, anything else by its Debug text, so kinds order by variant name (`Array(` < `Bool(` < …).
 */
function naturalCompare(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  return compareCodePoints(debugForm(a), debugForm(b));
}

/** The class of a number for `sortRuns`: NaN compares equal to every number, so no number passes it. */
function numberClass(x: Value): string | undefined {
  return Number.isNaN(x) ? undefined : 'number';
}

/**
 * A stably sorted copy. Without NaN the order is a strict weak order and every stable sort gives
 * the reference's result. With NaN the reference's sort gives what the insertion sort of `sort`
 * gives (arrays up to 20 elements) or may abort the process (longer ones); we always give the
 * insertion sort's result, which matches every reference run that did not abort: for numbers,
 * each NaN stays in place and the runs between NaNs are sorted (`sortRuns`).
 */
function sortNatural(a: readonly Value[]): AtlasArray {
  if (!a.some((x) => typeof x === 'number' && Number.isNaN(x))) return new AtlasArray(a.slice().sort(naturalCompare));
  if (a.every((x) => typeof x === 'number')) return new AtlasArray(sortRuns(a, numberClass, naturalCompare));
  // NaN among other kinds: a NaN orders against them by Debug text, so it is no barrier there.
  return new AtlasArray(insertionSort(a, (later, earlier) => naturalCompare(later, earlier) < 0));
}

/** The 16 array builtins, by name. */
export const ARRAY_BUILTINS: ReadonlyMap<string, BuiltinFn> = new Map([
  withValue('arrayPush', push),
  unary('arrayPop', popPair),
  unary('arrayShift', shiftPair),
  withValue('arrayUnshift', unshift),
  unary('arrayReverse', reverse),
  unary('arraySort', sortNatural),
  unary('pop', popPair),
  unary('shift', shiftPair),
  withValue('unshift', unshift),
  unary('reverse', reverse),
  ['concat', concat],
  unary('flatten', flatten),
  withValue('arrayIndexOf', indexOf),
  withValue('arrayLastIndexOf', lastIndexOf),
  withValue('arrayIncludes', (a, x) => indexOf(a, x) >= 0),
  ['slice', slice],
]);
