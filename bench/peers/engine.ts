/**
 * What the peer benchmark asks of every engine it compares: run a whole program the way a
 * user of that engine would (fresh state, load the source, run it to the end, tear down),
 * and hand the host a script function to call.
 */

/** The language an engine runs; it names the folder of the workload's source. */
export type Language = 'atlas' | 'lua' | 'js';

/** A script function loaded in a fresh state, callable from JavaScript. */
export interface HostFunction {
  call(a: number, b: number): number;
  close(): Promise<void>;
}

export interface PeerEngine {
  /** The column header. */
  readonly name: string;
  readonly language: Language;
  /** Runs `source` in a fresh state to its end; what it printed, one entry per `print`. */
  runProgram(source: string): Promise<string[]>;
  /** A fresh state with `source` loaded and its global function `name` ready to call. */
  hostFunction(source: string, name: string): Promise<HostFunction>;
  /** Lets go of what the engine keeps for the whole process, if anything (after the last run). */
  dispose?(): Promise<void>;
}
