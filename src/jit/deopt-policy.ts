/**
 * When compiled code is not worth keeping. Code that keeps leaving early costs more than it
 * gains: a bail-out throws its native work away (for an OSR entry, possibly a long run), and a
 * side exit pays for a frame transfer. Like HotSpot's per-method trap limit, such code is
 * dropped and its function or loop stays interpreted for good.
 */
import type { FunctionRecord } from './program-registry.js';

/** After an OSR entry bailed out, the loop's next safepoints stay interpreted. */
export const OSR_BACKOFF = 16;
/** Bail-outs of an OSR entry before its code is dropped. */
const OSR_MAX_BAILOUTS = 4;
/** Runs before the share of runs that left early decides whether code is worth keeping. */
const DEOPT_MIN_RUNS = 1000;

/** What the policy reads of a function's or loop's record. */
export type RunHistory = Pick<FunctionRecord, 'nativeRuns' | 'leftEarly' | 'entry' | 'fn'>;

/** Why `history`'s code should be dropped after a run that left early; undefined to keep it. */
export function dropReason(history: RunHistory, bailedOut: boolean): string | undefined {
  // An OSR entry is entered at a loop header, not at its function's start.
  const osr = history.entry !== history.fn.offset;
  if (bailedOut && osr && history.leftEarly > OSR_MAX_BAILOUTS) return 'deoptimized: its entries keep bailing out';
  if (history.nativeRuns >= DEOPT_MIN_RUNS && history.leftEarly * 2 > history.nativeRuns) return 'deoptimized: most runs leave early';
  return undefined;
}
