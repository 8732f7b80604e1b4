/**
 * `--trace-jit`: one line per compile event on stderr, in the spirit of HotSpot's
 * PrintCompilation: elapsed time, event, function, call count, queue wait, compile time,
 * code size, and the reason for failures and evictions.
 */
import diagnostics from 'node:diagnostics_channel';
import { JIT_CHANNELS, type JitEvent, type JitEventName } from '../jit/jit-events.js';

const TRACED: readonly JitEventName[] = ['installed', 'failed', 'evicted'];

/** Subscribes and returns the function that unsubscribes. */
export function traceJit(write: (line: string) => void): () => void {
  const start = performance.now();
  const handlers = TRACED.map((name) => {
    const handler = (message: unknown) => write(formatTraceLine(performance.now() - start, name, message as JitEvent));
    diagnostics.subscribe(JIT_CHANNELS[name].name, handler);
    return () => diagnostics.unsubscribe(JIT_CHANNELS[name].name, handler);
  });
  return () => handlers.forEach((off) => off());
}

export function formatTraceLine(elapsedMs: number, name: JitEventName, e: JitEvent): string {
  const fields = [
    `${elapsedMs.toFixed(1).padStart(8)}ms`,
    name.padEnd(9),
    e.name.padEnd(16),
    `calls=${e.calls}`,
    e.queueWaitMicros === undefined ? '' : `wait=${formatMicros(e.queueWaitMicros)}`,
    e.compileMicros === undefined ? '' : `compile=${formatMicros(e.compileMicros)}`,
    e.codeSize === undefined ? '' : `size=${e.codeSize}B`,
    e.reason === undefined ? '' : `reason="${e.reason}"`,
  ];
  return `[jit] ${fields.filter((f) => f !== '').join(' ')}`;
}

export function formatMicros(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)}ms` : `${us.toFixed(0)}µs`;
}
