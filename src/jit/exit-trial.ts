/**
 * Whether a loop whose native code keeps leaving is faster natively or interpreted, measured
 * on the loop itself. Each side exit and re-entry costs about a microsecond (the frames handed
 * over, the interpreter resumed, the frame loaded again, an N-API call); what native code
 * saves per iteration depends on the loop's body. A loop leaving every tenth iteration ran
 * 0.74× of `--no-jit` with its code kept, another with a call in its body 1.5×: a count of
 * back-edges per exit (`deopt-policy.ts`) cannot tell them apart, a clock can.
 *
 * Once code that leaves has run `DEOPT_MIN_RUNS` times and the count rule kept it, the engine
 * times two windows of the loop: `WINDOW_ITERATIONS` iterations as it runs (native, with its
 * exits), then as many interpreted (the code set aside by a back-off). The code is dropped
 * when interpreting was clearly faster, else kept without further trials. A window that sees
 * a pause between two safepoints (the loop was left, the host ran) starts again: a window
 * measures the loop alone.
 */

/** Iterations each window measures: a few milliseconds, long against a timer's resolution. */
export const WINDOW_ITERATIONS = 16_384;
/** A gap between two safepoints of the loop longer than this means it was not running. */
const GAP_MS = 2;
/** Interpreting must be this much faster per iteration for the code to be dropped. */
const MARGIN = 0.9;

export type TrialVerdict = 'measuring' | 'interpret-now' | 'keep' | 'drop';

export class ExitTrial {
  private phase: 'native' | 'interpreted' = 'native';
  private startedAt: number;
  private lastAt: number;
  private iterations = 0;
  /** Milliseconds per iteration natively (with exits), once measured. */
  nativeMs = 0;
  /** Milliseconds per iteration interpreted, once measured. */
  interpretedMs = 0;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.startedAt = this.lastAt = now();
  }

  /**
   * A native run of the loop left after `backEdges` native back-edges; with the interpreted
   * back-edge that brings it back, that is `backEdges + 1` iterations. `interpret-now` when the
   * native window is full: the engine sets the code aside for the interpreted window.
   */
  nativeRun(backEdges: number): TrialVerdict {
    if (this.phase !== 'native') return 'measuring';
    this.tick(backEdges + 1);
    if (this.iterations < WINDOW_ITERATIONS) return 'measuring';
    this.nativeMs = (this.lastAt - this.startedAt) / this.iterations;
    this.phase = 'interpreted';
    this.restart(this.lastAt);
    return 'interpret-now';
  }

  /**
   * A safepoint of the loop while it runs interpreted for the trial, each `iterations` after
   * the last. `keep` or `drop` once the interpreted window is full.
   */
  interpretedSlice(iterations: number): TrialVerdict {
    if (this.phase !== 'interpreted') return 'measuring';
    this.tick(iterations);
    if (this.iterations < WINDOW_ITERATIONS) return 'measuring';
    this.interpretedMs = (this.lastAt - this.startedAt) / this.iterations;
    return this.interpretedMs < this.nativeMs * MARGIN ? 'drop' : 'keep';
  }

  /** Counts `iterations` ending now; after a gap the window starts again from here. */
  private tick(iterations: number): void {
    const at = this.now();
    if (at - this.lastAt > GAP_MS) {
      this.restart(at);
      return;
    }
    this.lastAt = at;
    this.iterations += iterations;
  }

  private restart(at: number): void {
    this.startedAt = this.lastAt = at;
    this.iterations = 0;
  }
}
