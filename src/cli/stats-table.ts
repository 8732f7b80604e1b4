/** `--stats`: the engine's statistics as an aligned table for humans. */
import type { JitStats } from '../jit/jit-engine.js';
import { formatMicros } from './trace-jit.js';

export function formatStatsTable(stats: JitStats): string {
  const { latency } = stats;
  const rows: Array<[string, string]> = [
    ['compilations', `${stats.compilations}`],
    ['jit executions', `${stats.jitExecutions}`],
    ['interpreter fallbacks', `${stats.interpreterFallbacks}`],
    ['non-numeric arg calls', `${stats.nonNumericArgCalls}`],
    ['guard fallbacks', `${stats.guardFallbacks}`],
    ['OSR entries', `${stats.osrEntries}`],
    ['side exits', `${stats.sideExits}`],
    ['bail-outs', `${stats.bailouts}`],
    ['deoptimizations', `${stats.deoptimizations}`],
    ['failed compilations', `${stats.failedCompilations}`],
    ['refused compilations', `${stats.refusedCompilations}`],
    ['dropped jobs', `${stats.droppedJobs}`],
    ['tracked functions', `${stats.trackedFunctions}`],
    ['compiled functions', `${stats.compiledFunctions}`],
    ['cached functions', `${stats.cachedFunctions}`],
    ['cache bytes', `${stats.cacheBytes}`],
    ['cache hit rate', `${(stats.cacheHitRate * 100).toFixed(1)}%`],
    ['evictions', `${stats.evictions}`],
    ['queue depth', `${stats.queueDepth}`],
    ['in flight', `${stats.inFlight}`],
    ['workers', `${stats.workers}`],
    ['queue wait p50/p99', pair(latency.queueWait)],
    ['compile time p50/p99', pair(latency.compile)],
    ['hot→installed p50/p99', pair(latency.hotToInstalled)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return ['JIT statistics', ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}

function pair(p: { p50: number; p99: number; count: number }): string {
  return p.count === 0 ? '-' : `${formatMicros(p.p50)} / ${formatMicros(p.p99)}`;
}
