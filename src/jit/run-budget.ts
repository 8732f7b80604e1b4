/**
 * The time budgets of the VM runs in progress on this engine (`VmOptions.timeBudgetMs`).
 * Runs nest (a print callback may start another run); each one with a budget gets a watchdog
 * thread that sets the interrupt flag when the budget is spent, because a native loop blocks
 * this thread. The innermost run is the one an interrupt stops first.
 */
import { armInterrupt, disarmInterrupt } from './native.js';

interface Run {
  readonly budgetMs: number;
  readonly deadline: number;
  readonly watchdogToken: number;
  /** How many runs were in progress when it started. */
  readonly depth: number;
}

export class RunBudget {
  /** Runs in progress, budgeted or not. */
  private depth = 0;
  /** The budgeted ones, outermost first. A run without a budget costs a count, no record: host calls start many. */
  private readonly runs: Run[] = [];

  /** No run is active (the next `start` begins an outermost run). */
  get idle(): boolean {
    return this.depth === 0;
  }

  /** A run starts (`idle` says beforehand whether it is the outermost one). */
  start(timeBudgetMs: number | undefined): void {
    const depth = this.depth++;
    if (timeBudgetMs !== undefined) {
      this.runs.push({ budgetMs: timeBudgetMs, deadline: performance.now() + timeBudgetMs, watchdogToken: armInterrupt(timeBudgetMs), depth });
    }
  }

  /** A run ends: its watchdog is disarmed. */
  end(): void {
    if (this.depth === 0) return;
    const depth = --this.depth;
    const runs = this.runs;
    if (runs.length > 0 && runs[runs.length - 1]!.depth === depth) disarmInterrupt(runs.pop()!.watchdogToken);
  }

  /** The budget of the innermost run whose budget ran out, if one did (an interrupt may also have been requested). */
  spent(): number | undefined {
    const now = performance.now();
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const run = this.runs[i]!;
      if (now >= run.deadline) return run.budgetMs;
    }
    return undefined;
  }
}
