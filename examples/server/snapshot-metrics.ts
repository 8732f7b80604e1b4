/**
 * prom-client metrics whose values come from a snapshot taken elsewhere rather than from
 * `observe()` calls here: the JIT's latency histograms (kept by the engine, possibly in a
 * runtime worker thread) and the event-loop delay (kept by `perf_hooks`). Each overrides
 * `get()`, the method prom-client's Registry reads (a histogram also `getForPromString`,
 * which the Registry prefers for histograms, to write exemplars), so the exposition, escaping
 * and content type stay prom-client's.
 */
import { Histogram, type MetricType, type Registry, Summary } from 'prom-client';

/** A histogram from cumulative bucket counts, a sum and a count (any unit; `scale` converts to the metric's unit). */
export interface HistogramSnapshot {
  /** Upper bounds, in the snapshot's unit, ascending. */
  readonly bounds: readonly number[];
  /** Cumulative counts per bound. */
  readonly buckets: readonly number[];
  readonly sum: number;
  readonly count: number;
}

type Reader<T> = () => T | undefined;

export class SnapshotHistogram extends Histogram {
  constructor(
    private readonly metricName: string, private readonly helpText: string, registry: Registry,
    private readonly read: Reader<HistogramSnapshot>,
    /** Multiplies the snapshot's values into the metric's unit (e.g. 1e-6 from microseconds to seconds). */
    private readonly scale = 1,
  ) {
    super({ name: metricName, help: helpText, registers: [registry] });
  }

  /** What the Registry writes for a histogram (prom-client 15 reads this before `get`). */
  async getForPromString(): ReturnType<Histogram['get']> {
    return this.get();
  }

  // Not `super.get()`: prom-client's `get` calls `getForPromString`, which leads back here.
  override async get(): ReturnType<Histogram['get']> {
    // prom-client's types declare `type` as an enum that does not exist at run time: the Registry writes the string.
    const base = { name: this.metricName, help: this.helpText, type: 'histogram' as unknown as MetricType, aggregator: 'sum' as const, collect: () => undefined };
    const snapshot = this.read() ?? { bounds: [], buckets: [], sum: 0, count: 0 };
    const series = (suffix: string) => `${this.metricName}${suffix}`;
    const values = [
      ...snapshot.bounds.map((bound, i) => ({ metricName: series('_bucket'), labels: { le: clean(bound * this.scale) }, value: snapshot.buckets[i] ?? 0 })),
      { metricName: series('_bucket'), labels: { le: '+Inf' }, value: snapshot.count },
      { metricName: series('_sum'), labels: {}, value: clean(snapshot.sum * this.scale) },
      { metricName: series('_count'), labels: {}, value: snapshot.count },
    ];
    return { ...base, values };
  }
}

/** A summary from precomputed quantiles, a sum and a count. */
export interface SummarySnapshot {
  readonly quantiles: ReadonlyArray<readonly [quantile: number, value: number]>;
  readonly sum: number;
  readonly count: number;
}

export class SnapshotSummary extends Summary {
  constructor(name: string, help: string, registry: Registry, private readonly read: Reader<SummarySnapshot>) {
    super({ name, help, registers: [registry] });
  }

  override async get(): ReturnType<Summary['get']> {
    const base = await super.get();
    const snapshot = this.read();
    if (snapshot === undefined) return base;
    const values = [
      ...snapshot.quantiles.map(([quantile, value]) => ({ metricName: base.name, labels: { quantile }, value: clean(value) })),
      { metricName: `${base.name}_sum`, labels: {}, value: clean(snapshot.sum) },
      { metricName: `${base.name}_count`, labels: {}, value: snapshot.count },
    ];
    return { ...base, values };
  }
}

/** A float without the noise of unit conversion (`0.001143833000000086`): 9 significant digits. */
export function clean(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(9)) : value;
}
