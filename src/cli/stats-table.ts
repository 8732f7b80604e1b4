/** `--stats`: the engine's statistics and its most called functions as aligned tables for humans. */
import type { JitFunctionStats, JitStats } from '../jit/jit-engine.js';
import { formatMicros } from './trace-jit.js';

/** Functions listed under the counters (the most called ones). */
export const TOP_FUNCTIONS = 10;

export function formatStatsTable(stats: JitStats, functions: readonly JitFunctionStats[] = []): string {
  const { latency } = stats;
  const rows: Array<[string, string]> = [
    ['tracked calls', `${stats.trackedCalls}`],
    ['OSR attempts', `${stats.osrAttempts}`],
    ['jit executions', `${stats.jitExecutions}`],
    ['interpreter fallbacks', `${stats.interpreterFallbacks}`],
    ['non-numeric arg calls', `${stats.nonNumericArgCalls}`],
    ['guard fallbacks', `${stats.guardFallbacks}`],
    ['bail-outs', `${stats.bailouts}`],
    ['native rate', percent(stats.nativeRate)],
    ['OSR entries', `${stats.osrEntries}`],
    ['side exits', `${stats.sideExits}`],
    ['deoptimizations', `${stats.deoptimizations}`],
    ['interrupts', `${stats.interrupts}`],
    ['compilations', `${stats.compilations}`],
    ['refused compilations', `${stats.refusedCompilations}`],
    ['failed compilations', `${stats.failedCompilations}`],
    ['dropped jobs', `${stats.droppedJobs}`],
    ['tracked functions', `${stats.trackedFunctions}`],
    ['compiled functions', `${stats.compiledFunctions}`],
    ['cached functions', `${stats.cachedFunctions}`],
    ['cache bytes', `${stats.cacheBytes}`],
    ['cache hit rate (code found)', percent(stats.cacheHitRate)],
    ['evictions', `${stats.evictions}`],
    ['queue depth', `${stats.queueDepth}`],
    ['in flight', `${stats.inFlight}`],
    ['workers', `${stats.workers}`],
    ['queue wait p50/p99', pair(latency.queueWait)],
    ['compile time p50/p99', pair(latency.compile)],
    ['hot→installed p50/p99', pair(latency.hotToInstalled)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = ['JIT statistics', ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)];
  if (functions.length > 0) lines.push(...functionTable(functions.slice(0, TOP_FUNCTIONS)));
  const pending = functions.filter((f) => f.state === 'queued' || f.state === 'compiling');
  if (pending.length > 0) lines.push(`warning: ${pending.length} still queued at exit: ${pending.map((f) => f.name).join(', ')}`);
  return lines.join('\n');
}

/** The most called functions: one row each, columns aligned. */
function functionTable(functions: readonly JitFunctionStats[]): string[] {
  const header = ['function', 'key', 'tier', 'calls', 'native', 'state', 'code', 'compile'];
  const rows = functions.map((f) => [
    f.name, f.key, f.tier === 'function' ? 'fn' : `osr@${f.entry}`, `${f.calls}`, `${f.nativeCalls}`,
    stateText(f),
    f.codeBytes === 0 ? '-' : `${f.codeBytes}B`, f.compileMicros === 0 ? '-' : formatMicros(f.compileMicros),
  ]);
  // The state (it may hold a long reason) goes last so the other columns stay aligned.
  const order = [0, 1, 2, 3, 4, 6, 7, 5];
  const table = [header, ...rows].map((row) => order.map((i) => row[i]!));
  const widths = order.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const title = `Top functions (by calls; ${functions.length} shown)`;
  return [title, ...table.map((row) => `  ${row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')}`)];
}

/** The state, and its reason when it has one (reasons that already name the state are not prefixed twice). */
function stateText(f: JitFunctionStats): string {
  if (f.reason === undefined) return f.state;
  return f.reason.startsWith(`${f.state}:`) ? f.reason : `${f.state} (${f.reason})`;
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

function pair(p: { p50Micros: number; p99Micros: number; count: number }): string {
  return p.count === 0 ? '-' : `${formatMicros(p.p50Micros)} / ${formatMicros(p.p99Micros)}`;
}
