/** The shape of a builtin, shared by every stdlib family. */
import type { Value } from '../values.js';

/** What a builtin may use of the running VM. */
export interface BuiltinContext {
  /** Receives one printed line, without its trailing newline. */
  readonly stdout: (line: string) => void;
}

/** A builtin's implementation: the evaluated arguments, in call order. */
export type BuiltinFn = (args: readonly Value[], ctx: BuiltinContext) => Value;
