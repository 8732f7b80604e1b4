/**
 * `--trace-jit`: a compile log on stderr, one line per event, in the spirit of HotSpot's
 * PrintCompilation. The format is stable (docs/operations.md describes it) so that logs can
 * be grepped and compared:
 *
 *   [jit] <elapsed>ms <event> #<compile id|-> <name> <key> <fn|osr@header> [field=value…]
 *
 * Fields come in a fixed order and only when the event has them: calls, depth, opt,
 * bytecode, code, wait, compile, at, reason (last: it is quoted and may hold spaces).
 */
import diagnostics from 'node:diagnostics_channel';
import type { Span } from '../bytecode/bytecode.js';
import { JIT_CHANNELS, type JitEvent, type JitEventName } from '../jit/jit-events.js';

/** Every event, in the order of a function's life (the order the log's columns are documented in). */
export const TRACED_EVENTS: readonly JitEventName[] = ['queued', 'started', 'installed', 'refused', 'failed', 'dropped', 'evicted', 'invalidated', 'deopt'];

export interface TraceOptions {
  /** `file:line:col` of a source span (the program's source text gives it); without it a refusal shows its bytecode offset. */
  readonly locate?: (span: Span) => string;
  /** Milliseconds since the trace started (the default reads the clock). */
  readonly elapsedMs?: () => number;
}

/** Subscribes and returns the function that unsubscribes. */
export function traceJit(write: (line: string) => void, options: TraceOptions = {}): () => void {
  const start = performance.now();
  const elapsed = options.elapsedMs ?? (() => performance.now() - start);
  const handlers = TRACED_EVENTS.map((name) => {
    const handler = (message: unknown) => write(formatTraceLine(elapsed(), name, message as JitEvent, options.locate));
    diagnostics.subscribe(JIT_CHANNELS[name].name, handler);
    return () => diagnostics.unsubscribe(JIT_CHANNELS[name].name, handler);
  });
  return () => handlers.forEach((off) => off());
}

export function formatTraceLine(elapsedMs: number, name: JitEventName, e: JitEvent, locate?: (span: Span) => string): string {
  const head = [
    `${elapsedMs.toFixed(1).padStart(8)}ms`,
    name.padEnd(11),
    (e.compileId === undefined ? '-' : `#${e.compileId}`).padEnd(5),
    e.name.padEnd(16),
    e.key.padEnd(9),
    (e.tier === 'function' ? 'fn' : `osr@${e.entry}`).padEnd(8),
  ];
  return `[jit] ${[...head, ...fieldsOf(name, e, locate)].join(' ').trimEnd()}`;
}

function fieldsOf(name: JitEventName, e: JitEvent, locate: ((span: Span) => string) | undefined): string[] {
  const sized = name === 'installed';
  const fields = [
    `calls=${e.calls}`,
    e.queueDepth === undefined ? '' : `depth=${e.queueDepth}`,
    e.optLevel === undefined ? '' : `opt=${e.optLevel}`,
    sized ? `bytecode=${e.bytecodeBytes}B` : '',
    e.codeSize === undefined ? '' : `code=${e.codeSize}B`,
    e.queueWaitMicros === undefined || name === 'dropped' ? '' : `wait=${formatMicros(e.queueWaitMicros)}`,
    e.compileMicros === undefined ? '' : `compile=${formatMicros(e.compileMicros)}`,
    positionOf(e, locate),
    e.reason === undefined ? '' : `reason=${JSON.stringify(e.reason)}`,
  ];
  return fields.filter((f) => f !== '');
}

/** Where a refusal points: the source position when known, else the bytecode offset. */
function positionOf(e: JitEvent, locate: ((span: Span) => string) | undefined): string {
  if (e.span !== undefined && locate !== undefined) return `at=${locate(e.span)}`;
  return e.offset === undefined ? '' : `at=@${e.offset}`;
}

export function formatMicros(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)}ms` : `${us.toFixed(0)}µs`;
}
