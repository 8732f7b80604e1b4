/**
 * When a hot function is better left interpreted. Entering native code from interpreted code
 * or the host costs a crossing: the hook, loading the arguments, the addon call and reading the
 * result. A function with no loop and no call of a user function runs each of its
 * instructions at most once per call, about 4 ns each interpreted; up to about a dozen
 * instructions interpreting the whole call is cheaper than that crossing (measured by
 * `bench/leaf-cost.bench.ts`: see BENCHMARKS.md). Such a leaf still runs natively
 * inside its callers' native code, which compile it into their modules (`call-tree.ts`); only
 * its own entry from the interpreter stays interpreted, where it is cheaper.
 */
import type { BodySummary } from '../bytecode/body-summary.js';

/** A builtin call interpreted costs about as much as this many plain instructions (`callBuiltin`). */
const BUILTIN_CALL_WEIGHT = 10;

/**
 * The interpreted cost of one call of a body with no loop and no user-function call, in
 * instructions (builtin calls weighted); undefined for any other body (its cost has no bound).
 */
export function leafCost(summary: BodySummary): number | undefined {
  if (summary.loops || summary.callees.size > 0) return undefined;
  return summary.instructionCount + BUILTIN_CALL_WEIGHT * summary.callCount;
}

/** Whether a function with `summary` costs less interpreted than a native call (`limit`: 0 never). */
export function cheaperInterpreted(summary: BodySummary, limit: number): boolean {
  const cost = leafCost(summary);
  return cost !== undefined && cost <= limit;
}
