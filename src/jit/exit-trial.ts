/**
 * Whether a loop whose native code keeps leaving is faster natively or interpreted, measured
 * on the loop itself. Each side exit and re-entry costs about a microsecond (the frames handed
 * over, the interpreter resumed, the frame loaded again, an N-API call); what native code
 * saves per iteration depends on the loop's body. A loop leaving every tenth iteration ran
 * 0.74× of `--no-jit` with its code kept, another with a call in its body 1.5×: a count of
 * back-edges per exit (`deopt-policy.ts`) cannot tell them apart, a clock can.
 *
 * Once code that leaves has run `DEOPT_MIN_RUNS` times and the count rule kept it, the engine
 * times the loop in alternating windows of `WINDOW_ITERATIONS` iterations: as it runs (native,
 * with its exits), then interpreted (the code set aside by a back-off), `ROUNDS` times. The
 * code is dropped when the median of the rounds' interpreted/native ratios says interpreting
 * is clearly faster, else kept without further trials: a burst of load on a shared machine
 * spoils one round, not the verdict. A pause between two safepoints (the loop was left and the
 * host ran, or a garbage collection stopped it) is left out of the window, its time and its
 * iterations: a window measures the loop alone. (Restarting the window instead lost 45–76 ms
 * of measuring to 6–10 pauses in a loop leaving every fifth iteration, and one trial in four
 * ran out of room for a verdict.)
 */

/** Iterations each window measures: about a millisecond or more, long against a timer's resolution. */
export const WINDOW_ITERATIONS = 8192;
/** Native and interpreted windows measured, alternately, before the verdict. */
export const ROUNDS = 4;
/** A gap between two safepoints of the loop longer than this means it was not running. */
const GAP_MS = 2;
/** Interpreting must be this much faster per iteration for the code to be dropped. */
const MARGIN = 0.9;

export type TrialVerdict = 'measuring' | 'interpret-now' | 'native-now' | 'keep' | 'drop';

export class ExitTrial {
  private phase: 'native' | 'interpreted' = 'native';
  private startedAt: number;
  private lastAt: number;
  private iterations = 0;
  /** Each round's milliseconds per iteration, natively (with exits) and interpreted. */
  private readonly nativeRounds: number[] = [];
  private readonly interpretedRounds: number[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {
    this.startedAt = this.lastAt = now();
  }

  /** The median round's milliseconds per iteration natively (with exits), and interpreted. */
  get nativeMs(): number {
    return median(this.nativeRounds);
  }

  get interpretedMs(): number {
    return median(this.interpretedRounds);
  }

  /** Whether the trial is timing the loop interpreted (its code set aside). */
  get interpreting(): boolean {
    return this.phase === 'interpreted';
  }

  /**
   * A native run of the loop left after `backEdges` native back-edges; with the interpreted
   * back-edge that brings it back, that is `backEdges + 1` iterations. `interpret-now` when the
   * native window is full: the engine sets the code aside for the interpreted one.
   */
  nativeRun(backEdges: number): TrialVerdict {
    if (this.phase !== 'native' || !this.windowFull(backEdges + 1)) return 'measuring';
    this.nativeRounds.push(this.perIteration());
    this.phase = 'interpreted';
    this.restart(this.lastAt);
    return 'interpret-now';
  }

  /**
   * A safepoint of the loop while it runs interpreted for the trial, each `iterations` after
   * the last. When the window is full: `native-now` for the next round, or after the last
   * round `keep` or `drop`.
   */
  interpretedSlice(iterations: number): TrialVerdict {
    if (this.phase !== 'interpreted' || !this.windowFull(iterations)) return 'measuring';
    this.interpretedRounds.push(this.perIteration());
    this.phase = 'native';
    this.restart(this.lastAt);
    if (this.interpretedRounds.length < ROUNDS) return 'native-now';
    const ratios = this.interpretedRounds.map((interpreted, round) => interpreted / this.nativeRounds[round]!);
    return median(ratios) < MARGIN ? 'drop' : 'keep';
  }

  /** Counts `iterations` ending now (unless they span a gap, which is left out); whether the window is full. */
  private windowFull(iterations: number): boolean {
    const at = this.now();
    if (at - this.lastAt > GAP_MS) {
      this.startedAt += at - this.lastAt;
      this.lastAt = at;
      return false;
    }
    this.lastAt = at;
    this.iterations += iterations;
    return this.iterations >= WINDOW_ITERATIONS;
  }

  private perIteration(): number {
    return (this.lastAt - this.startedAt) / this.iterations;
  }

  private restart(at: number): void {
    this.startedAt = this.lastAt = at;
    this.iterations = 0;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
