/**
 * When compiled code is not worth keeping. Code that keeps leaving early can cost more than it
 * gains: a bail-out throws its native work away (for an OSR entry, possibly a long run), and a
 * side exit pays for a frame transfer and, for a loop, a new entry. Like HotSpot's per-method
 * trap limit, such code is dropped and its function or loop stays interpreted for good, unless
 * its side exits leave after enough native work to pay for themselves: a loop that leaves at
 * a string call every tenth iteration still runs nine in ten iterations natively.
 */
import type { FunctionRecord } from './program-registry.js';

/** After an OSR entry bailed out, the loop's next safepoints stay interpreted. */
export const OSR_BACKOFF = 16;
/** Bail-outs of an OSR entry before its code is dropped. */
const OSR_MAX_BAILOUTS = 4;
/** Runs before the share of runs that left early decides whether code is worth keeping. */
export const DEOPT_MIN_RUNS = 1000;
/**
 * Native back-edges per side exit from which code that leaves (and, for a loop, is entered
 * again at its next back-edge) is kept. Measured with `bench/exit-frequency.bench.ts`: a side
 * exit with its re-entry costs about as much as interpreting four iterations of a small loop
 * body (~650 ns); and dropping the code does not give the interpreter's speed back, since the
 * VM has by then run V8's warm-up of the hook's paths (a loop leaving every 5th iteration,
 * 4 back-edges per exit: 581 ms kept, 723 dropped, 446 with `--no-jit`; every 3rd, 2 per
 * exit: 779 kept, 814 dropped). Three is the least that keeps every-5th code (the first
 * entry of a loop comes at any iteration, so the average is a little under four).
 */
export const BACK_EDGES_PER_EXIT = 3;

/** What the policy reads of a function's or loop's record. */
export type RunHistory = Pick<FunctionRecord, 'nativeRuns' | 'leftEarly' | 'bailouts' | 'exitBackEdges' | 'entry' | 'fn'>;

/** Why `history`'s code should be dropped after a run that left early; undefined to keep it. */
export function dropReason(history: RunHistory, bailedOut: boolean): string | undefined {
  // An OSR entry is entered at a loop header, not at its function's start.
  const osr = history.entry !== history.fn.offset;
  if (bailedOut && osr && history.leftEarly > OSR_MAX_BAILOUTS) return 'deoptimized: its entries keep bailing out';
  if (history.nativeRuns < DEOPT_MIN_RUNS) return undefined;
  const sideExits = history.leftEarly - history.bailouts;
  const exitsPay = sideExits > 0 && history.exitBackEdges >= BACK_EDGES_PER_EXIT * sideExits;
  const costly = exitsPay ? history.bailouts : history.leftEarly;
  return costly * 2 > history.nativeRuns ? 'deoptimized: most runs leave early' : undefined;
}
