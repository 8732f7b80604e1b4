/**
 * The engine's events on `node:diagnostics_channel`, one channel per pipeline step.
 * Subscribers (the CLI's `--trace-jit`, metrics exporters) see each compile as it moves
 * through the pipeline. Publishing is skipped when nobody listens.
 */
import diagnostics from 'node:diagnostics_channel';

export interface JitEvent {
  /** Function key: program id and body offset. */
  readonly key: string;
  /** The function's name in the program. */
  readonly name: string;
  readonly calls: number;
  readonly queueWaitMicros?: number;
  readonly compileMicros?: number;
  readonly codeSize?: number;
  /** Microseconds from crossing the threshold to installation. */
  readonly hotToInstalledMicros?: number;
  /** Why a compile failed (and whom a dead worker was blamed on), was refused or retried, or why code was evicted. */
  readonly reason?: string;
}

export const JIT_CHANNELS = {
  queued: diagnostics.channel('atlas-jit:queued'),
  compiled: diagnostics.channel('atlas-jit:compiled'),
  installed: diagnostics.channel('atlas-jit:installed'),
  failed: diagnostics.channel('atlas-jit:failed'),
  evicted: diagnostics.channel('atlas-jit:evicted'),
} as const;

export type JitEventName = keyof typeof JIT_CHANNELS;

export function publish(name: JitEventName, event: () => JitEvent): void {
  const channel = JIT_CHANNELS[name];
  if (channel.hasSubscribers) channel.publish(event());
}
