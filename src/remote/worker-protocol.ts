/**
 * The messages between `spawnRuntime` and its worker besides comlink's: the start-up data,
 * the start-up outcome and printed lines. They carry no comlink `id`, so comlink ignores
 * them, and they share comlink's port, so a printed line always arrives before the result
 * of the operation that printed it.
 */
import type { WireError } from './error-transfer.js';
import type { WorkerRuntimeOptions } from './runtime-api.js';

export interface RuntimeWorkerData {
  readonly options: WorkerRuntimeOptions;
  /** The InterruptSignal's buffer. */
  readonly interrupt: SharedArrayBuffer;
  /** The StatsBoard's buffer. */
  readonly stats: SharedArrayBuffer;
}

export type RuntimeWorkerMessage =
  | { readonly atlasRuntime: 'ready' }
  | { readonly atlasRuntime: 'spawn-failed'; readonly error: WireError }
  | { readonly atlasRuntime: 'stdout'; readonly line: string };

export function isRuntimeWorkerMessage(message: unknown): message is RuntimeWorkerMessage {
  return typeof message === 'object' && message !== null && 'atlasRuntime' in message;
}
