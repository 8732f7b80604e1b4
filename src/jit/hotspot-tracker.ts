/**
 * `HotspotTracker`: the compile state machine that keeps the pipeline from trying a function
 * twice, and the threshold that makes a function hot. The counts and states live in each
 * function's own record (a `HotRecord`, embedded in the engine's function record), so
 * counting a call is a field update with no lookup. Counts keep growing while a function
 * waits in the queue, so the queue can raise its priority.
 *
 *   cold ──(count ≥ threshold)──▶ queued ──▶ compiled
 *     ▲                              │  └──▶ failed (permanent fallback to the interpreter)
 *     └──────(job dropped/cancelled)─┘
 */
export type HotState = 'cold' | 'queued' | 'compiled' | 'failed';

export interface HotRecord {
  calls: number;
  state: HotState;
  /** `performance.now()` when the function crossed the threshold (for hot→installed latency). */
  hotAt: number;
}

/** The fields of a function not seen called yet. */
export function coldRecord(): HotRecord {
  return { calls: 0, state: 'cold', hotAt: 0 };
}

export class HotspotTracker {
  constructor(private thresholdValue = 100) {
    this.threshold = thresholdValue;
  }

  get threshold(): number {
    return this.thresholdValue;
  }

  /** The threshold can change at run time; it applies from the next call on. */
  set threshold(value: number) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`threshold must be an integer ≥ 1, got ${value}`);
    this.thresholdValue = value;
  }

  /**
   * Counts one call. Returns true exactly when the call makes a cold function hot, i.e.
   * when the caller should enqueue it; the record is then in state `queued`.
   */
  recordCall(record: HotRecord): boolean {
    record.calls++;
    if (record.state !== 'cold' || record.calls < this.thresholdValue) return false;
    record.state = 'queued';
    record.hotAt = performance.now();
    return true;
  }

  /**
   * Counts `backEdges` back-edges of a loop against `threshold` (loops have their own, the OSR
   * threshold). Returns true exactly when they make a cold loop hot.
   */
  recordLoop(record: HotRecord, backEdges: number, threshold: number): boolean {
    record.calls += backEdges;
    if (record.state !== 'cold' || record.calls < threshold) return false;
    record.state = 'queued';
    record.hotAt = performance.now();
    return true;
  }

  isHot(record: HotRecord): boolean {
    return record.calls >= this.thresholdValue;
  }

  markCompiled(record: HotRecord): void {
    record.state = 'compiled';
  }

  /** Permanent fallback: the function is never queued again (until it is forgotten). */
  markFailed(record: HotRecord): void {
    record.state = 'failed';
  }

  /** A queued job was dropped or cancelled: the function may become hot again later. */
  markCold(record: HotRecord): void {
    if (record.state === 'queued') record.state = 'cold';
  }

  /**
   * Installed code was evicted: the function starts counting again, and may be compiled
   * again if it stays hot.
   */
  markEvicted(record: HotRecord): void {
    record.state = 'cold';
    record.calls = 0;
  }
}

/** The records waiting for a compile, hottest first. */
export function pendingCompilations<R extends HotRecord>(records: Iterable<R>): R[] {
  return [...records].filter((r) => r.state === 'queued').sort((a, b) => b.calls - a.calls);
}

/** How many of `records` are in `state`. */
export function countIn(records: Iterable<HotRecord>, state: HotState): number {
  let n = 0;
  for (const r of records) if (r.state === state) n++;
  return n;
}
