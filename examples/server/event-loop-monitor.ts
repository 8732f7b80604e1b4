/**
 * The delay of this thread's event loop, from `perf_hooks.monitorEventLoopDelay`: a timer
 * that should fire every `resolution` ms records how long each interval really took, so an
 * idle loop shows about `resolution` and a blocked one shows the blocking on top of it.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface EventLoopDelay {
  readonly resolutionMs: number;
  readonly samples: number;
  readonly minMs: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export class EventLoopMonitor {
  private readonly histogram: IntervalHistogram;

  constructor(readonly resolutionMs = 1) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
  }

  /** The distribution since the start or the last reset. */
  snapshot(): EventLoopDelay {
    const h = this.histogram;
    const ms = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
    return {
      resolutionMs: this.resolutionMs,
      samples: h.count,
      minMs: h.count === 0 ? 0 : ms(h.min),
      meanMs: h.count === 0 ? 0 : ms(h.mean),
      p50Ms: ms(h.percentile(50)),
      p99Ms: ms(h.percentile(99)),
      maxMs: ms(h.max),
    };
  }

  reset(): void {
    this.histogram.reset();
  }

  stop(): void {
    this.histogram.disable();
  }
}
