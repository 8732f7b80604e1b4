/**
 * The time budget of the VM run in progress (`VmOptions.timeBudgetMs`): runs nest (a print
 * callback may start another), the outermost one's budget counts, and a watchdog thread sets
 * the interrupt flag when it is spent, because a native loop blocks this thread.
 */
import { armInterrupt, disarmInterrupt } from './native.js';

export class RunBudget {
  private depth = 0;
  private budgetMs: number | undefined;
  private deadline = Infinity;
  private watchdogToken: number | undefined;

  /** A run starts; true when it is the outermost one. */
  start(timeBudgetMs: number | undefined): boolean {
    if (this.depth++ > 0) return false;
    this.budgetMs = timeBudgetMs;
    this.deadline = timeBudgetMs === undefined ? Infinity : performance.now() + timeBudgetMs;
    if (timeBudgetMs !== undefined) this.watchdogToken = armInterrupt(timeBudgetMs);
    return true;
  }

  /** A run ends; the outermost one disarms the watchdog. */
  end(): void {
    if (--this.depth > 0) return;
    if (this.watchdogToken !== undefined) disarmInterrupt(this.watchdogToken);
    this.watchdogToken = undefined;
    this.budgetMs = undefined;
    this.deadline = Infinity;
  }

  /** The budget, if it is what ran out (an interrupt may also have been requested). */
  spent(): number | undefined {
    return this.budgetMs !== undefined && performance.now() >= this.deadline ? this.budgetMs : undefined;
  }
}
