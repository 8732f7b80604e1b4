/**
 * `HotspotTracker`: per-function call counts and the compile state machine that keeps the
 * pipeline from trying a function twice. A function is identified by its key (program id +
 * body offset). Counts keep growing while a function waits in the queue, so the queue can
 * raise its priority.
 *
 *   cold ──(count ≥ threshold)──▶ queued ──▶ compiled
 *     ▲                              │  └──▶ failed (permanent fallback to the interpreter)
 *     └──────(job dropped/cancelled)─┘
 */
export type FunctionKey = string;

export type HotState = 'cold' | 'queued' | 'compiled' | 'failed';

export interface HotRecord {
  readonly key: FunctionKey;
  calls: number;
  state: HotState;
  /** `performance.now()` when the function crossed the threshold (for hot→installed latency). */
  hotAt: number;
}

export class HotspotTracker {
  private readonly records = new Map<FunctionKey, HotRecord>();

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

  /** The record for `key`, created cold with zero calls on first sight. */
  track(key: FunctionKey): HotRecord {
    let record = this.records.get(key);
    if (record === undefined) {
      record = { key, calls: 0, state: 'cold', hotAt: 0 };
      this.records.set(key, record);
    }
    return record;
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

  isHot(key: FunctionKey): boolean {
    const record = this.records.get(key);
    return record !== undefined && record.calls >= this.thresholdValue;
  }

  markCompiled(key: FunctionKey): void {
    this.track(key).state = 'compiled';
  }

  /** Permanent fallback: the function is never queued again (until `reset`). */
  markFailed(key: FunctionKey): void {
    this.track(key).state = 'failed';
  }

  /** A queued job was dropped or cancelled: the function may become hot again later. */
  markCold(key: FunctionKey): void {
    const record = this.records.get(key);
    if (record !== undefined && record.state === 'queued') record.state = 'cold';
  }

  /** Functions waiting for a compile, hottest first. */
  pendingCompilations(): HotRecord[] {
    return [...this.records.values()].filter((r) => r.state === 'queued').sort((a, b) => b.calls - a.calls);
  }

  get size(): number {
    return this.records.size;
  }

  countIn(state: HotState): number {
    let n = 0;
    for (const r of this.records.values()) if (r.state === state) n++;
    return n;
  }

  /** Forgets the functions whose key satisfies `predicate` (used by invalidation). */
  forget(predicate: (key: FunctionKey) => boolean): void {
    for (const key of [...this.records.keys()]) if (predicate(key)) this.records.delete(key);
  }

  reset(): void {
    this.records.clear();
  }
}
