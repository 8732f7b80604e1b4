/** The command line's usage text and the error that prints it (exit code 2). */
export const USAGE = `usage:
  atlas-jit run FILE [--no-jit] [--threshold N] [--osr-threshold N] [--workers N] [--opt-level N] [--trace-jit] [--stats[=json]]
  atlas-jit build FILE.atlas -o FILE.atb
  atlas-jit disasm FILE`;

export class UsageError extends Error {}
