/**
 * The engine's events on `node:diagnostics_channel`, one channel per step in the life of a
 * function's code. Subscribers (the CLI's `--trace-jit`, metrics exporters) see each compile
 * as it moves through the pipeline. Publishing is skipped when nobody listens, so the payload
 * is only built for a subscriber. docs/operations.md lists the events and their fields.
 */
import diagnostics from 'node:diagnostics_channel';
import type { Span } from '../bytecode/bytecode.js';

/** Where compiled code is entered: at the function's start, or at a loop header (on-stack replacement). */
export type JitTier = 'function' | 'osr';

export interface JitEvent {
  /** Function key: program id and body offset (`…@header` for a loop). */
  readonly key: string;
  /** The function's name in the program (`<main>` for a top-level loop). */
  readonly name: string;
  /** Interpreted calls counted towards hotness (back-edges for a loop). */
  readonly calls: number;
  readonly tier: JitTier;
  /** Bytecode offset where the code is entered (the body's start, or the loop header). */
  readonly entry: number;
  /** Bytecode bytes of the function's body. */
  readonly bytecodeBytes: number;
  /** The compile job's id (from `started` on), unique per engine. */
  readonly compileId?: number;
  /** Jobs waiting in the queue when this one joined (`queued`). */
  readonly queueDepth?: number;
  /** Cranelift optimisation level of the compile (`started`, `installed`). */
  readonly optLevel?: number;
  readonly queueWaitMicros?: number;
  readonly compileMicros?: number;
  /** Machine-code bytes. */
  readonly codeSize?: number;
  /** Microseconds from crossing the threshold to installation. */
  readonly hotToInstalledMicros?: number;
  /** Why a compile was refused or failed (and whom a dead worker was blamed on), was retried, or why code was dropped, evicted or invalidated. */
  readonly reason?: string;
  /** The bytecode offset a refusal names. */
  readonly offset?: number;
  /** The source span of that instruction, when the program carries debug spans. */
  readonly span?: Span;
}

export const JIT_CHANNELS = {
  /** A function or loop got hot and its job joined the compile queue. */
  queued: diagnostics.channel('atlas-jit:queued'),
  /** A job left the queue for a compile worker. */
  started: diagnostics.channel('atlas-jit:started'),
  /** A compile's code arrived on the main thread (just before `installed`). */
  compiled: diagnostics.channel('atlas-jit:compiled'),
  /** Code went into the cache; later calls (or loop entries) run it. */
  installed: diagnostics.channel('atlas-jit:installed'),
  /** The translator declined the function: it stays interpreted. */
  refused: diagnostics.channel('atlas-jit:refused'),
  /** Compiling failed (an addon error, a crashed or hung worker): it stays interpreted. */
  failed: diagnostics.channel('atlas-jit:failed'),
  /** A waiting job was dropped because the queue was full; the function may get hot again. */
  dropped: diagnostics.channel('atlas-jit:dropped'),
  /** Code left the cache to keep it within its byte budget; the function may compile again. */
  evicted: diagnostics.channel('atlas-jit:evicted'),
  /** Code or a job was discarded with its program (`invalidate`, `invalidateCache`). */
  invalidated: diagnostics.channel('atlas-jit:invalidated'),
  /** Code was dropped because its runs kept leaving early (counted in `deoptimizations`). */
  deopt: diagnostics.channel('atlas-jit:deopt'),
} as const;

export type JitEventName = keyof typeof JIT_CHANNELS;

export function publish(name: JitEventName, event: () => JitEvent): void {
  const channel = JIT_CHANNELS[name];
  if (channel.hasSubscribers) channel.publish(event());
}
