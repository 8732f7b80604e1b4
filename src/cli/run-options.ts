/** What `atlas-jit run` was asked to do, after parsing and validation (see `program.ts`). */
import type { CompileThreadPriority } from '../jit/native/contract.js';
import type { ErrorFormat } from './error-report.js';

export interface RunOptions {
  /** False with `--no-jit`: every function interpreted, no engine created. */
  readonly jit: boolean;
  readonly threshold: number;
  readonly osrThreshold: number;
  /** `JitConfig.interpretedLeafLimit`. */
  readonly leafLimit: number;
  /** Undefined: the engine's default (available parallelism − 1). */
  readonly workers: number | undefined;
  readonly optLevel: 0 | 1 | 2;
  readonly cacheSize: number;
  readonly compilePriority: CompileThreadPriority;
  /** The run's wall-clock budget (`VmOptions.timeBudgetMs`); undefined: none. */
  readonly timeBudgetMs: number | undefined;
  readonly traceJit: boolean;
  readonly stats: 'table' | 'json' | undefined;
  /** How compile and runtime errors are printed (`--error-format`). */
  readonly errorFormat: ErrorFormat;
}
