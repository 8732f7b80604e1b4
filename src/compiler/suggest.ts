/**
 * "Did you mean" for an unknown name: the closest known name by edit distance, when it is
 * close enough to be a plausible typo (at most a third of the name's length, so names
 * shorter than 3 get no suggestion).
 */
import { distance } from 'fastest-levenshtein';
import { builtinNames } from './builtin-names.js';

/** The best candidate for `name` among `declared` and the builtins, if any is close enough. */
export function suggestName(name: string, declared: Iterable<string>): string | undefined {
  return closest(name, [declared, builtinNames()]);
}

/** The best candidate for `name` among `candidates` alone. */
export function suggestAmong(name: string, candidates: Iterable<string>): string | undefined {
  return closest(name, [candidates]);
}

/** The closest name, the earlier lists winning ties. */
function closest(name: string, lists: readonly Iterable<string>[]): string | undefined {
  const limit = Math.floor(name.length / 3);
  if (limit === 0) return undefined;
  let best: string | undefined;
  let bestDistance = limit + 1;
  const consider = (candidate: string) => {
    if (candidate === name) return;
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  };
  for (const list of lists) for (const candidate of list) consider(candidate);
  return best;
}
