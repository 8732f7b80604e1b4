/**
 * Shared helpers for the benchmarks: repeated timing with medians, the main thread's CPU
 * time, and table printing.
 */
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const QUICK = process.argv.includes('--quick');

/** The package root (benchmarks run as dist/bench/*.js). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The command users get: the package's `bin` (the bundle in dist/cli/). */
export const BUNDLED_CLI = join(PACKAGE_ROOT, (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['atlas-jit']!);

/** Runs `fn` `repeats` times after one warm-up run; returns the median wall time in ms. */
export function medianMs(repeats: number, fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

/**
 * The main thread's scheduler counters in nanoseconds: time on a CPU and time waiting in the
 * run queue (Linux schedstat; the process id is the main thread's task id). Null elsewhere.
 * On-CPU time is what the main thread spent itself, whatever else the machine was running.
 */
export function mainThreadSchedstat(): { readonly onCpuNs: number; readonly waitingNs: number } | null {
  try {
    const [onCpuNs, waitingNs] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { onCpuNs: onCpuNs!, waitingNs: waitingNs! };
  } catch {
    return null;
  }
}

/** Prints rows as an aligned text table under a title. */
export function printTable(title: string, header: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** Prints rows as a Markdown table. */
export function printMarkdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  console.log(line(header));
  console.log(line(header.map(() => '---')));
  for (const row of rows) console.log(line(row));
}

export function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

/** A median with its range, `median (min–max)`, in whole units. */
export function spread(values: readonly number[]): string {
  return `${fmt(median(values), 0)} (${fmt(Math.min(...values), 0)}–${fmt(Math.max(...values), 0)})`;
}

/** Runs `fn` once; its result and the wall time it took in ms. */
export async function timedMs<T>(fn: () => Promise<T>): Promise<{ readonly ms: number; readonly value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** What the figures were measured on, for the reports. */
export function machine(): Record<string, string | number> {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown', cores: cores.length, memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`, node: process.version,
  };
}
