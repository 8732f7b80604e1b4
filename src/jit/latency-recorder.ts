/**
 * A bounded reservoir of recent latency samples with percentile queries. The engine keeps
 * one per measured interval (queue wait, compile time, hot→installed). Recording is O(1)
 * and allocation-free; percentiles sort a copy, which only `stats()` pays for.
 */
export interface Percentiles {
  /** Median, in microseconds; 0 when nothing was recorded. */
  readonly p50: number;
  readonly p99: number;
  readonly count: number;
}

export class LatencyRecorder {
  private readonly samples: Float64Array;
  private next = 0;
  private total = 0;

  constructor(capacity = 4096) {
    this.samples = new Float64Array(capacity);
  }

  record(micros: number): void {
    this.samples[this.next] = micros;
    this.next = (this.next + 1) % this.samples.length;
    this.total++;
  }

  percentiles(): Percentiles {
    const n = Math.min(this.total, this.samples.length);
    if (n === 0) return { p50: 0, p99: 0, count: 0 };
    const sorted = this.samples.slice(0, n).sort();
    return { p50: rank(sorted, 0.5), p99: rank(sorted, 0.99), count: this.total };
  }

  clear(): void {
    this.next = 0;
    this.total = 0;
  }
}

/** Nearest-rank percentile of an ascending array. */
function rank(sorted: Float64Array, q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}
