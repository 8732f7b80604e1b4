/**
 * The time budgets of the VM runs in progress on this engine (`VmOptions.timeBudgetMs`).
 * Runs nest (a print callback may start another run); each one with a budget gets a watchdog
 * thread that sets the interrupt flag when the budget is spent, because a native loop blocks
 * this thread. The innermost run is the one an interrupt stops first.
 */
import { armInterrupt, disarmInterrupt } from './native.js';

interface Run {
  readonly budgetMs: number | undefined;
  readonly deadline: number;
  readonly watchdogToken: number | undefined;
}

export class RunBudget {
  private readonly runs: Run[] = [];

  /** A run starts; true when it is the outermost one. */
  start(timeBudgetMs: number | undefined): boolean {
    const budgeted = timeBudgetMs !== undefined;
    this.runs.push({
      budgetMs: timeBudgetMs,
      deadline: budgeted ? performance.now() + timeBudgetMs : Infinity,
      watchdogToken: budgeted ? armInterrupt(timeBudgetMs) : undefined,
    });
    return this.runs.length === 1;
  }

  /** A run ends: its watchdog is disarmed. */
  end(): void {
    const run = this.runs.pop();
    if (run?.watchdogToken !== undefined) disarmInterrupt(run.watchdogToken);
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
