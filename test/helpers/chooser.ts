/**
 * A deterministic stream of choices over a fast-check-generated array: the program
 * generators of the differential tests draw every decision from it, so a shrunk array
 * gives a smaller program.
 */
export class Chooser {
  private at = 0;
  constructor(private readonly choices: readonly number[]) {}

  /** The next choice, in 0..n-1. */
  next(n: number): number {
    const c = this.choices[this.at++ % this.choices.length]! + this.at;
    return c % n;
  }
}
