/**
 * `GET /metrics`: the JIT's figures (queue depth, in-flight jobs, workers, compile latency
 * percentiles, cache bytes and hit rate, fallbacks), the runtime's operation counts, the
 * server's requests and its event-loop delay, in Prometheus text format.
 */
import type { JitStats } from '../../src/jit/jit-engine.js';
import type { RuntimeStats } from '../../src/remote/index.js';
import type { EventLoopDelay } from './event-loop-monitor.js';
import { PrometheusText } from './prometheus-text.js';

export interface ServerFigures {
  readonly mode: string;
  readonly runtime: RuntimeStats;
  readonly eventLoop: EventLoopDelay;
  /** Responses by status code. */
  readonly responses: ReadonlyMap<number, number>;
}

const MICROS = 1e-6;

export function renderMetrics(figures: ServerFigures): string {
  const text = new PrometheusText();
  const { jit, runtime } = figures.runtime;
  text.gauge('atlas_runtime_info', 'Where the Atlas runtime runs, and whether it has a JIT.', 1, { mode: figures.mode, jit: String(jit !== null) });
  if (jit !== null) writeJit(text, jit);
  text.family('atlas_runtime_operations_total', 'counter', 'Runtime operations, by kind.', [
    { value: runtime.loads, labels: { op: 'load' } },
    { value: runtime.runs, labels: { op: 'run' } },
    { value: runtime.calls, labels: { op: 'call' } },
  ]);
  text.counter('atlas_runtime_errors_total', 'Runtime operations that failed with an error.', runtime.errors);
  text.counter('atlas_runtime_interrupted_total', 'Runtime operations stopped by an interrupt.', runtime.interrupted);
  text.family('atlas_server_responses_total', 'counter', 'HTTP responses, by status code.',
    [...figures.responses].sort(([a], [b]) => a - b).map(([status, value]) => ({ value, labels: { status: String(status) } })));
  const loop = figures.eventLoop;
  text.summary('atlas_server_event_loop_delay_seconds', `Event-loop delay of the server's main thread (timer interval ${loop.resolutionMs} ms included).`,
    [[0.5, loop.p50Ms / 1e3], [0.99, loop.p99Ms / 1e3], [1, loop.maxMs / 1e3]], loop.samples);
  return text.toString();
}

function writeJit(text: PrometheusText, jit: JitStats): void {
  text
    .gauge('atlas_jit_queue_depth', 'Compile jobs waiting for a worker.', jit.queueDepth)
    .gauge('atlas_jit_in_flight', 'Compile jobs running in workers.', jit.inFlight)
    .gauge('atlas_jit_workers', 'Configured compile workers.', jit.workers)
    .gauge('atlas_jit_worker_threads', 'Live compile worker threads.', jit.workerThreads)
    .gauge('atlas_jit_worker_utilization', 'Fraction of time the compile workers were busy.', jit.workerUtilization)
    .gauge('atlas_jit_cache_bytes', 'Machine code held by the code cache, in bytes.', jit.cacheBytes)
    .gauge('atlas_jit_cached_functions', 'Functions in the code cache.', jit.cachedFunctions)
    .gauge('atlas_jit_cache_hit_ratio', 'Share of calls of tracked functions that ran native code.', jit.cacheHitRate)
    .counter('atlas_jit_compilations_total', 'Functions compiled and installed.', jit.compilations)
    .counter('atlas_jit_native_calls_total', 'Calls that ran native code.', jit.jitExecutions)
    .counter('atlas_jit_interpreter_fallbacks_total', 'Calls of tracked functions that ran in the interpreter.', jit.interpreterFallbacks)
    .family('atlas_jit_compile_fallbacks_total', 'counter', 'Functions left to the interpreter for good, by reason.', [
      { value: jit.refusedCompilations, labels: { reason: 'refused' } },
      { value: jit.failedCompilations, labels: { reason: 'failed' } },
      { value: jit.droppedJobs, labels: { reason: 'dropped' } },
    ])
    .counter('atlas_jit_evictions_total', 'Compiled functions evicted from the code cache.', jit.evictions);
  const latency = (name: string, help: string, p: JitStats['latency']['compile']) =>
    text.summary(name, help, [[0.5, p.p50 * MICROS], [0.99, p.p99 * MICROS]], p.count);
  latency('atlas_jit_compile_latency_seconds', 'Time a worker spent compiling one function.', jit.latency.compile);
  latency('atlas_jit_queue_wait_seconds', 'Time a compile job waited for a worker.', jit.latency.queueWait);
  latency('atlas_jit_hot_to_installed_seconds', 'From a function getting hot to its code being installed.', jit.latency.hotToInstalled);
}
