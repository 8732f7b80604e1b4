/**
 * The result of the reference's insertion sort (insertion-sort.ts) in O(n log n), for orders
 * where it is known in advance. Those sorts only ask "is the later element less than the one
 * before it?" and stop at the first "no". When elements fall into classes such that the order
 * is a strict weak order within a class and an element is never less than one of another
 * class (nor than or below a "barrier" element, e.g. NaN), no element ever moves past another
 * class: the insertion sort's result is then each maximal run of one class, stably sorted, in
 * place. Runs are sorted with V8's stable sort, so long inputs stay fast (the insertion sort
 * is quadratic, and these sorts make no calls where a run could be interrupted).
 */

/** `classOf(x)`: the class of x, or undefined for a barrier (never less, nothing less than it). */
export function sortRuns<T>(items: readonly T[], classOf: (x: T) => string | undefined, compare: (a: T, b: T) => number): T[] {
  const out: T[] = [];
  let start = 0;
  while (start < items.length) {
    const cls = classOf(items[start]!);
    let end = start + 1;
    if (cls !== undefined) while (end < items.length && classOf(items[end]!) === cls) end++;
    const run = items.slice(start, end);
    if (run.length > 1) run.sort(compare);
    for (const x of run) out.push(x);
    start = end;
  }
  return out;
}
