/**
 * The peer benchmark's tables: every engine's figure per workload (median and range), each
 * engine against plain JavaScript, and atlas-jit's three modes against each peer. Ratios are
 * of medians, time over time, so below 1.00× means faster than the reference.
 */
import { fmt, median, printMarkdownTable, printTable, spread } from '../harness.js';

/** One workload's figures (ms, or ns per call): every timed round of every engine, by engine name. */
export interface WorkloadFigures {
  readonly title: string;
  readonly unit: 'ms' | 'ns/call';
  readonly rounds: Readonly<Record<string, readonly number[]>>;
}

export const ATLAS_MODES = ['atlas-jit --no-jit', 'atlas-jit JIT', 'atlas-jit JIT, shared engine'] as const;
export const BASELINE = 'plain JS';

const ratio = (figures: WorkloadFigures, engine: string, reference: string) =>
  `${fmt(median(figures.rounds[engine]!) / median(figures.rounds[reference]!), 2)}×`;

function figureTable(engines: readonly string[], results: readonly WorkloadFigures[]) {
  return {
    header: ['workload', 'unit', ...engines],
    rows: results.map((r) => [r.title, r.unit, ...engines.map((e) => spread(r.rounds[e]!))]),
  };
}

function baselineTable(engines: readonly string[], results: readonly WorkloadFigures[]) {
  const others = engines.filter((e) => e !== BASELINE);
  return {
    header: ['workload', ...others.map((e) => `${e} ÷ JS`)],
    rows: results.map((r) => [r.title, ...others.map((e) => ratio(r, e, BASELINE))]),
  };
}

function peerTable(engines: readonly string[], results: readonly WorkloadFigures[]) {
  const peers = engines.filter((e) => e !== BASELINE && !(ATLAS_MODES as readonly string[]).includes(e));
  const pairs = ATLAS_MODES.flatMap((mode) => peers.map((peer) => [mode, peer] as const));
  return {
    header: ['workload', ...pairs.map(([mode, peer]) => `${mode.replace('atlas-jit ', '')} ÷ ${peer}`)],
    rows: results.map((r) => [r.title, ...pairs.map(([mode, peer]) => ratio(r, mode, peer))]),
  };
}

export function printReport(engines: readonly string[], results: readonly WorkloadFigures[], rounds: number, markdown: boolean): void {
  const tables = [
    [`Median (min–max) of ${rounds} round(s), in-process, each run in a fresh state (the shared engine: one JIT engine for the process)`, figureTable(engines, results)],
    ['Each engine against plain JS (time ÷ time)', baselineTable(engines, results)],
    ['atlas-jit against each peer (time ÷ time; below 1.00× atlas-jit is faster)', peerTable(engines, results)],
  ] as const;
  for (const [title, { header, rows }] of tables) {
    if (markdown) {
      console.log(`\n${title}\n`);
      printMarkdownTable(header, rows);
    } else {
      printTable(title, header, rows);
    }
  }
}
