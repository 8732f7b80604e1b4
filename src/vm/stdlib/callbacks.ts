/**
 * The array callback intrinsics: `map`, `filter`, `reduce`, `forEach`, `find`, `findIndex`,
 * `flatMap`, `some`, `every`, `sort`, `sortBy`. Each checks, in order, its argument count, that
 * the first argument is an array and that the second is callable (a `TypeError` at the call);
 * then calls the callback on a snapshot of the elements, in index order, with the element only
 * (`reduce`: accumulator and element; `sort`: later and earlier element). Predicates must
 * return exactly `true` or `false` and `sort`'s comparator a number, checked after every call.
 */
import type { BuiltinFn } from '../builtins.js';
import { StdlibError } from '../stdlib-error.js';
import { AtlasArray, type Value } from '../values.js';
import { type CallbackContext, type CallbackInvoker, invokerFor, isCallable } from './callback-context.js';
import { compareCodePoints } from './code-point-order.js';
import { insertionSort } from './insertion-sort.js';
import { sortRuns } from './run-sort.js';

type Intrinsic = (elements: readonly Value[], callback: Value, call: CallbackInvoker, args: readonly Value[]) => Value;

function typeError(message: string): StdlibError {
  return new StdlibError('TypeError', message);
}

/** The checks every array intrinsic makes before its first callback. */
function intrinsic(name: string, arity: number, body: Intrinsic): [string, BuiltinFn] {
  const fn = (args: readonly Value[], ctx: CallbackContext): Value => {
    const call = invokerFor(name, ctx);
    if (args.length !== arity) throw typeError(`${name}() expects ${arity} arguments`);
    const array = args[0]!;
    if (!(array instanceof AtlasArray)) throw typeError(`${name}() first argument must be array`);
    const callback = args[1]!;
    if (!isCallable(callback)) throw typeError(`${name}() second argument must be function`);
    return body(array.elements, callback, call, args);
  };
  return [name, fn];
}

/** A predicate's answer: exactly a bool, never truthiness. */
function predicate(name: string, call: CallbackInvoker, callback: Value, x: Value): boolean {
  const answer = call(callback, [x]);
  if (typeof answer !== 'boolean') throw typeError(`${name}() predicate must return bool`);
  return answer;
}

const map: Intrinsic = (a, f, call) => new AtlasArray(a.map((x) => call(f, [x])));

const filter: Intrinsic = (a, p, call) => new AtlasArray(a.filter((x) => predicate('filter', call, p, x)));

const reduce: Intrinsic = (a, f, call, args) => {
  let acc: Value = args[2] ?? null; // present: the arity was checked
  for (const x of a) acc = call(f, [acc, x]);
  return acc;
};

const forEach: Intrinsic = (a, f, call) => {
  for (const x of a) call(f, [x]);
  return null;
};

const find: Intrinsic = (a, p, call) => {
  for (const x of a) if (predicate('find', call, p, x)) return x;
  return null;
};

const findIndex: Intrinsic = (a, p, call) => {
  for (let i = 0; i < a.length; i++) if (predicate('findIndex', call, p, a[i]!)) return i;
  return -1;
};

/** A callback result that is an array is spliced in (one level); anything else is appended. */
const flatMap: Intrinsic = (a, f, call) => {
  const out: Value[] = [];
  for (const x of a) {
    const r = call(f, [x]);
    if (r instanceof AtlasArray) for (const y of r.elements) out.push(y);
    else out.push(r);
  }
  return new AtlasArray(out);
};

const some: Intrinsic = (a, p, call) => {
  for (const x of a) if (predicate('some', call, p, x)) return true;
  return false;
};

const every: Intrinsic = (a, p, call) => {
  for (const x of a) if (!predicate('every', call, p, x)) return false;
  return true;
};

/** Insertion sort asking `cmp(later, earlier)`: "less" is a number below 0 (NaN, 0 and positives stop). */
const sort: Intrinsic = (a, cmp, call) =>
  new AtlasArray(insertionSort(a, (later, earlier) => {
    const r = call(cmp, [later, earlier]);
    if (typeof r !== 'number') throw typeError('sort() comparator must return number');
    return r < 0;
  }));

/**
 * Key classes of `sortBy`: a key is "less" only than a greater key of its own class, number
 * (by value) or string (by code point); NaN and every other kind are never less, nor is
 * anything less than them. So its insertion sort is `sortRuns` over these classes.
 */
function keyClass(k: Value): string | undefined {
  if (typeof k === 'number') return Number.isNaN(k) ? undefined : 'number';
  return typeof k === 'string' ? 'string' : undefined;
}

function compareKeys(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  return 0; // not reached: sortRuns compares keys of one class
}

/** Every key first, in order, then the reference VM's stable insertion sort of the (key, element) pairs. */
const sortBy: Intrinsic = (a, key, call) => {
  const keyed = a.map((x) => ({ key: call(key, [x]), x }));
  return new AtlasArray(sortRuns(keyed, (p) => keyClass(p.key), (p, q) => compareKeys(p.key, q.key)).map((p) => p.x));
};

/** The 11 array callback intrinsics, by name. */
export const ARRAY_CALLBACK_INTRINSICS: ReadonlyMap<string, BuiltinFn> = new Map([
  intrinsic('map', 2, map),
  intrinsic('filter', 2, filter),
  intrinsic('reduce', 3, reduce),
  intrinsic('forEach', 2, forEach),
  intrinsic('find', 2, find),
  intrinsic('findIndex', 2, findIndex),
  intrinsic('flatMap', 2, flatMap),
  intrinsic('some', 2, some),
  intrinsic('every', 2, every),
  intrinsic('sort', 2, sort),
  intrinsic('sortBy', 2, sortBy),
]);
