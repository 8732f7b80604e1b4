/**
 * A bounded reservoir of recent latency samples with percentile queries, and all-time
 * histogram buckets with their sum. The engine keeps one per measured interval (queue wait,
 * compile time, hot→installed). Recording is O(buckets) and allocation-free; percentiles sort
 * a copy, which only `stats()` pays for. The buckets and the sum cover every sample since the
 * start, like `count`, so a metrics exporter can publish a consistent histogram; the
 * percentiles cover the most recent samples only.
 */

/** Upper bounds of the histogram buckets, microseconds (100 µs … 10 s, about 2.5× apart). */
export const LATENCY_BUCKETS_MICROS: readonly number[] = [
  100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000,
];

export interface Percentiles {
  /** Median of the recent samples, in microseconds; 0 when nothing was recorded. */
  readonly p50Micros: number;
  /** 99th percentile of the recent samples, in microseconds. */
  readonly p99Micros: number;
  /** Samples recorded since the start. */
  readonly count: number;
  /** Sum of all samples since the start, in microseconds. */
  readonly sumMicros: number;
  /** Cumulative counts: samples since the start at most `LATENCY_BUCKETS_MICROS[i]` (the +Inf bucket is `count`). */
  readonly buckets: readonly number[];
}

export class LatencyRecorder {
  private readonly samples: Float64Array;
  private readonly bucketCounts = new Float64Array(LATENCY_BUCKETS_MICROS.length);
  private next = 0;
  private total = 0;
  private sum = 0;

  constructor(capacity = 4096) {
    this.samples = new Float64Array(capacity);
  }

  record(micros: number): void {
    this.samples[this.next] = micros;
    this.next = (this.next + 1) % this.samples.length;
    this.total++;
    this.sum += micros;
    const bucket = LATENCY_BUCKETS_MICROS.findIndex((bound) => micros <= bound);
    if (bucket >= 0) this.bucketCounts[bucket]!++;
  }

  percentiles(): Percentiles {
    const n = Math.min(this.total, this.samples.length);
    const histogram = { count: this.total, sumMicros: this.sum, buckets: this.cumulative() };
    if (n === 0) return { p50Micros: 0, p99Micros: 0, ...histogram };
    const sorted = this.samples.slice(0, n).sort();
    return { p50Micros: rank(sorted, 0.5), p99Micros: rank(sorted, 0.99), ...histogram };
  }

  clear(): void {
    this.next = 0;
    this.total = 0;
    this.sum = 0;
    this.bucketCounts.fill(0);
  }

  private cumulative(): number[] {
    let running = 0;
    return Array.from(this.bucketCounts, (n) => (running += n));
  }
}

/** Nearest-rank percentile of an ascending array. */
function rank(sorted: Float64Array, q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}
