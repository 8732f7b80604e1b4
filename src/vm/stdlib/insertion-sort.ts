/**
 * The reference's stable insertion sort (used by `sort`, `sortBy` and, here, `arraySort`): each
 * element moves left while `less(later, earlier)` holds. The exact sequence of comparisons is
 * observable through a comparator's side effects, so it must be this loop, not
 * `Array.prototype.sort`; and it gives a deterministic order even when `less` is not a strict
 * weak order (NaN, inconsistent comparators).
 */
export function insertionSort<T>(items: readonly T[], less: (later: T, earlier: T) => boolean): T[] {
  const v = items.slice();
  for (let i = 1; i < v.length; i++) {
    for (let j = i; j > 0; j--) {
      const later = v[j]!;
      const earlier = v[j - 1]!;
      if (!less(later, earlier)) break;
      v[j] = earlier;
      v[j - 1] = later;
    }
  }
  return v;
}
