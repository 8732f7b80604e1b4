/**
 * The per-function view `JitEngine.functions()` returns: what the engine knows of each
 * function and loop it tracks, in the words an operator uses (interpreted, queued, compiling,
 * compiled, refused…), made from its `FunctionRecord` when asked, never kept up to date.
 */
import type { JitTier } from './jit-events.js';
import type { FunctionRecord } from './program-registry.js';

/** Where a function's code is in its life. */
export type FunctionState = 'interpreted' | 'queued' | 'compiling' | 'compiled' | 'refused' | 'failed' | 'deoptimized' | 'evicted';

export interface JitFunctionStats {
  /** `<program id>:<offset>` (`…@<header>` for a loop), as in events. */
  readonly key: string;
  readonly name: string;
  /** `function`: entered by calls; `osr`: a loop entered at its header. */
  readonly tier: JitTier;
  /** Bytecode offset its code is entered at. */
  readonly entry: number;
  /** Calls the engine counted (loop entries tried, for a loop), however they ran. */
  readonly calls: number;
  /** Of `calls`, those native code ran (side exits included, bail-outs not). */
  readonly nativeCalls: number;
  readonly state: FunctionState;
  /** Why it is refused, failed, deoptimized or evicted (or why its last job was dropped). */
  readonly reason?: string;
  readonly bytecodeBytes: number;
  /** Machine-code bytes of its installed code; 0 without code. */
  readonly codeBytes: number;
  /** Microseconds its compiles took on the workers, summed over its compiles. */
  readonly compileMicros: number;
}

export function functionStats(record: FunctionRecord): JitFunctionStats {
  const reason = record.lastEnd?.reason;
  return {
    key: record.key, name: record.fn.name, tier: record.entry === record.fn.offset ? 'function' : 'osr', entry: record.entry,
    calls: record.invocations, nativeCalls: record.nativeRuns - record.bailouts, state: stateOf(record),
    ...(reason === undefined ? {} : { reason }),
    bytecodeBytes: record.end - record.fn.offset, codeBytes: record.code?.code.codeSize ?? 0, compileMicros: record.compileMicros,
  };
}

function stateOf(record: FunctionRecord): FunctionState {
  switch (record.state) {
    case 'compiled':
      return 'compiled';
    case 'queued':
      return record.job?.state === 'running' ? 'compiling' : 'queued';
    case 'failed':
      return record.lastEnd === undefined || record.lastEnd.kind === 'dropped' || record.lastEnd.kind === 'evicted' ? 'refused' : record.lastEnd.kind;
    case 'cold':
      return record.lastEnd?.kind === 'evicted' ? 'evicted' : 'interpreted';
  }
}
