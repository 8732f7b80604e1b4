/**
 * A writer for the Prometheus text exposition format (version 0.0.4): one `# HELP` and
 * one `# TYPE` line per metric family, then its samples.
 */

export type MetricType = 'counter' | 'gauge' | 'summary';
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly value: number;
  readonly labels?: Labels;
  /** Appended to the family name, e.g. `_count` for a summary's count. */
  readonly suffix?: string;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class PrometheusText {
  private readonly lines: string[] = [];
  private readonly names = new Set<string>();

  family(name: string, type: MetricType, help: string, samples: readonly Sample[]): this {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
    if (this.names.has(name)) throw new Error(`metric ${name} written twice`);
    this.names.add(name);
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
    for (const s of samples) this.lines.push(`${name}${s.suffix ?? ''}${labelText(s.labels)} ${valueText(s.value)}`);
    return this;
  }

  gauge(name: string, help: string, value: number, labels?: Labels): this {
    return this.family(name, 'gauge', help, [{ value, ...(labels === undefined ? {} : { labels }) }]);
  }

  counter(name: string, help: string, value: number): this {
    return this.family(name, 'counter', help, [{ value }]);
  }

  /** A summary from precomputed quantiles (no `_sum`: the sources keep percentiles, not totals). */
  summary(name: string, help: string, quantiles: ReadonlyArray<readonly [number, number]>, count: number): this {
    return this.family(name, 'summary', help, [
      ...quantiles.map(([q, value]) => ({ value, labels: { quantile: String(q) } })),
      { value: count, suffix: '_count' },
    ]);
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

function labelText(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function valueText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
