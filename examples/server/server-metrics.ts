/**
 * `GET /metrics` through prom-client: one `Registry` with the process and Node.js default
 * metrics, the server's requests (a duration histogram and responses by status) and its
 * event-loop delay, the runtime's operation counts, and every JIT counter, gauge and latency
 * histogram. JIT and runtime figures are read once per scrape (`render` takes one snapshot,
 * which in remote mode is a message to the runtime's thread); each metric's collect callback
 * then sets its value from that snapshot. docs/operations.md lists the metrics.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JitStats } from '../../src/jit/jit-engine.js';
import { LATENCY_BUCKETS_MICROS, type Percentiles } from '../../src/jit/latency-recorder.js';
import type { RuntimeStats } from '../../src/remote/index.js';
import type { EventLoopMonitor } from './event-loop-monitor.js';
import { clean, SnapshotHistogram, SnapshotSummary } from './snapshot-metrics.js';

export interface MetricsSource {
  /** `remote` or `local`: where the runtime runs. */
  readonly mode: string;
  readonly stats: () => Promise<RuntimeStats>;
  readonly eventLoop: EventLoopMonitor;
}

const MICROS = 1e-6;
/** Request durations, seconds: the scoring requests take about 0.1–50 ms. */
const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class ServerMetrics {
  readonly registry = new Registry();
  private snapshot: RuntimeStats | undefined;
  private jitRegistered = false;
  private readonly requests: Histogram<'method' | 'route' | 'status'>;
  private readonly responses: Counter<'status'>;

  constructor(private readonly source: MetricsSource) {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Histogram({
      name: 'atlas_server_request_duration_seconds', help: 'HTTP request duration, from the request to the response written, by method, route and status.',
      labelNames: ['method', 'route', 'status'], buckets: REQUEST_BUCKETS, registers: [this.registry],
    });
    this.responses = new Counter({ name: 'atlas_server_responses_total', help: 'HTTP responses, by status code.', labelNames: ['status'], registers: [this.registry] });
    this.registerRuntime();
    new SnapshotSummary('atlas_server_event_loop_delay_seconds', `Event-loop delay of the server's main thread since start (timer interval ${source.eventLoop.resolutionMs} ms included).`, this.registry, () => {
      const loop = source.eventLoop.snapshot();
      return { quantiles: [[0.5, loop.p50Ms / 1e3], [0.99, loop.p99Ms / 1e3], [1, loop.maxMs / 1e3]], sum: (loop.meanMs * loop.samples) / 1e3, count: loop.samples };
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Counts one answered request (`route` is the matched route, or `other`, so that labels stay few). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.observe(labels, seconds);
    this.responses.inc({ status: labels.status });
  }

  /** The exposition: one snapshot of the runtime, then every metric. */
  async render(): Promise<string> {
    this.snapshot = await this.source.stats();
    if (this.snapshot.jit !== null && !this.jitRegistered) this.registerJit();
    return this.registry.metrics();
  }

  stop(): void {
    this.registry.clear();
  }

  private registerRuntime(): void {
    const registry = this.registry;
    const source = this.source;
    const read = () => this.snapshot;
    new Gauge({
      name: 'atlas_runtime_info', help: 'Where the Atlas runtime runs, and whether it has a JIT (always 1).', labelNames: ['mode', 'jit'], registers: [registry],
      collect() {
        this.reset();
        this.set({ mode: source.mode, jit: String((read()?.jit ?? null) !== null) }, 1);
      },
    });
    counterFamily(registry, 'atlas_runtime_operations_total', 'Runtime operations, by kind.', 'op', () => {
      const runtime = read()?.runtime;
      return runtime === undefined ? [] : [['load', runtime.loads], ['run', runtime.runs], ['call', runtime.calls]];
    });
    counter(registry, 'atlas_runtime_errors_total', 'Runtime operations that failed with an error.', () => read()?.runtime.errors);
    counter(registry, 'atlas_runtime_interrupted_total', 'Runtime operations stopped by an interrupt.', () => read()?.runtime.interrupted);
  }

  /** The JIT's metrics, registered at the first scrape that finds a JIT (a runtime without one has none). */
  private registerJit(): void {
    this.jitRegistered = true;
    const registry = this.registry;
    const jit = () => this.snapshot?.jit ?? undefined;
    const gauges: Array<[string, string, (s: JitStats) => number]> = [
      ['atlas_jit_queue_depth', 'Compile jobs waiting for a worker.', (s) => s.queueDepth],
      ['atlas_jit_in_flight', 'Compile jobs sent to a worker whose outcome was not applied yet.', (s) => s.inFlight],
      ['atlas_jit_workers', 'Configured compile workers.', (s) => s.workers],
      ['atlas_jit_worker_threads', 'Live compile worker threads.', (s) => s.workerThreads],
      ['atlas_jit_worker_utilization_ratio', 'Share of time the compile workers were busy (0..1).', (s) => s.workerUtilization],
      ['atlas_jit_cache_bytes', 'Machine code held by the code cache, in bytes.', (s) => s.cacheBytes],
      ['atlas_jit_cached_functions', 'Functions and loops with code in the cache.', (s) => s.cachedFunctions],
      ['atlas_jit_tracked_functions', 'Functions and loops the engine keeps a record of.', (s) => s.trackedFunctions],
      ['atlas_jit_compiled_functions', 'Functions and loops whose code is compiled and installed.', (s) => s.compiledFunctions],
      ['atlas_jit_cache_hit_ratio', 'Share of lookups of compilable functions that found installed code, whether or not it ran natively (0..1).', (s) => s.cacheHitRate],
      ['atlas_jit_native_ratio', 'Share of calls and OSR attempts that native code ran (0..1).', (s) => s.nativeRate],
      ['atlas_jit_native_handles', 'Native code handles the addon holds.', (s) => s.nativeHandles],
    ];
    for (const [name, help, value] of gauges) gauge(registry, name, help, () => mapDefined(jit(), value));
    const counters: Array<[string, string, (s: JitStats) => number]> = [
      ['atlas_jit_calls_total', 'Calls of tracked functions, however they ran.', (s) => s.trackedCalls],
      ['atlas_jit_osr_attempts_total', 'Loop entries tried at a header whose loop has code.', (s) => s.osrAttempts],
      ['atlas_jit_native_executions_total', 'Calls and OSR attempts that native code ran.', (s) => s.jitExecutions],
      ['atlas_jit_interpreter_fallbacks_total', 'Calls and OSR attempts that the interpreter ran (no code, or code it could not use).', (s) => s.interpreterFallbacks],
      ['atlas_jit_compilations_total', 'Compiles that produced code.', (s) => s.compilations],
      ['atlas_jit_evictions_total', 'Code evicted from the cache to keep it within its budget.', (s) => s.evictions],
      ['atlas_jit_osr_entries_total', 'Loops entered natively at a loop header (on-stack replacement).', (s) => s.osrEntries],
      ['atlas_jit_side_exits_total', 'Native runs that left to the interpreter part-way.', (s) => s.sideExits],
      ['atlas_jit_deoptimizations_total', 'Code dropped because its runs kept leaving early.', (s) => s.deoptimizations],
      ['atlas_jit_interrupts_total', 'Runs stopped by an interrupt or an exhausted time budget.', (s) => s.interrupts],
    ];
    for (const [name, help, value] of counters) counter(registry, name, help, () => mapDefined(jit(), value));
    counterFamily(registry, 'atlas_jit_fallbacks_total', 'Calls that had code but ran interpreted, by reason.', 'reason', () => {
      const s = jit();
      return s === undefined ? [] : [['non_numeric_arg', s.nonNumericArgCalls], ['guard', s.guardFallbacks], ['bailout', s.bailouts]];
    });
    counterFamily(registry, 'atlas_jit_compiles_not_installed_total', 'Compile jobs that produced no code, by reason (the function stays interpreted, or may get hot again if dropped).', 'reason', () => {
      const s = jit();
      return s === undefined ? [] : [['refused', s.refusedCompilations], ['failed', s.failedCompilations], ['dropped', s.droppedJobs]];
    });
    const latency = (name: string, help: string, pick: (s: JitStats) => Percentiles) =>
      new SnapshotHistogram(name, help, registry, () => mapDefined(jit(), (s) => histogramOf(pick(s))), MICROS);
    latency('atlas_jit_compile_duration_seconds', 'Time a worker spent compiling one function.', (s) => s.latency.compile);
    latency('atlas_jit_queue_wait_seconds', 'Time a compile job waited in the queue for a worker.', (s) => s.latency.queueWait);
    latency('atlas_jit_hot_to_installed_seconds', 'From a function getting hot to its code being installed.', (s) => s.latency.hotToInstalled);
    latency('atlas_jit_install_delay_seconds', 'From a worker sending compiled code to the main thread installing it.', (s) => s.latency.installDelay);
  }
}

function histogramOf(p: Percentiles): { bounds: readonly number[]; buckets: readonly number[]; sum: number; count: number } {
  return { bounds: LATENCY_BUCKETS_MICROS, buckets: p.buckets, sum: p.sumMicros, count: p.count };
}

function mapDefined<T, R>(value: T | undefined, f: (value: T) => R): R | undefined {
  return value === undefined ? undefined : f(value);
}

function gauge(registry: Registry, name: string, help: string, value: () => number | undefined): void {
  new Gauge({
    name, help, registers: [registry],
    collect() {
      const v = value();
      if (v !== undefined) this.set(clean(v));
    },
  });
}

/** A counter whose total is kept elsewhere: each scrape sets it to the snapshot's value. */
function counter(registry: Registry, name: string, help: string, value: () => number | undefined): void {
  counterFamily(registry, name, help, undefined, () => {
    const v = value();
    return v === undefined ? [] : [[undefined, v]];
  });
}

function counterFamily(registry: Registry, name: string, help: string, label: string | undefined, values: () => ReadonlyArray<readonly [string | undefined, number]>): void {
  new Counter({
    name, help, labelNames: label === undefined ? [] : [label], registers: [registry],
    collect() {
      this.reset();
      for (const [labelValue, v] of values()) {
        if (label === undefined || labelValue === undefined) this.inc(v);
        else this.inc({ [label]: labelValue }, v);
      }
    },
  });
}
