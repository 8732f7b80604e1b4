#!/usr/bin/env node
/**
 * BENCHMARKS.md's headline from the programs benchmark's JSON: a Markdown table on stdout
 * and, with --svg FILE, a bar chart of the same figures.
 *
 *   node dist/bench/programs.bench.js --json > bench/results/programs.json
 *   node scripts/benchmark-report.mjs bench/results/programs.json --svg docs/benchmarks.svg
 */
import { readFileSync, writeFileSync } from 'node:fs';

const VARIANTS = [
  { key: 'noJit', label: 'interpreter (--no-jit)', color: '#9aa0a6' },
  { key: 'jit', label: 'atlas-jit (JIT)', color: '#1a73e8' },
  { key: 'js', label: 'plain JavaScript', color: '#34a853' },
];

const args = process.argv.slice(2);
const input = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--svg');
if (input === undefined) {
  process.stderr.write('usage: node scripts/benchmark-report.mjs RESULTS.json [--svg FILE]\n');
  process.exit(2);
}
const report = JSON.parse(readFileSync(input, 'utf8'));
process.stdout.write(`${markdown(report)}\n`);
const svgIndex = args.indexOf('--svg');
if (svgIndex !== -1) writeFileSync(args[svgIndex + 1], svg(report));

function machineLine({ machine, date, rounds }) {
  return `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}; ${date.slice(0, 10)}, median of ${rounds} rounds`;
}

function ms(n) {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

function markdown(r) {
  const lines = [
    '| program | interpreter ms | JIT ms | plain JS ms | JIT speed-up | JIT / JS |',
    '|---|---:|---:|---:|---:|---:|',
    ...r.programs.map(({ name, medianMs: m }) => `| ${name} | ${ms(m.noJit)} | ${ms(m.jit)} | ${ms(m.js)} | ${(m.noJit / m.jit).toFixed(2)}× | ${(m.jit / m.js).toFixed(2)}× |`),
  ];
  return `${lines.join('\n')}\n\nMachine: ${machineLine(r)}.`;
}

function xml(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function svg(r) {
  const left = 130;
  const width = 760;
  const barHeight = 11;
  const groupHeight = VARIANTS.length * barHeight + 12;
  const top = 58;
  const plotWidth = width - left - 70;
  const max = Math.max(...r.programs.flatMap((p) => VARIANTS.map((v) => p.medianMs[v.key])));
  const height = top + r.programs.length * groupHeight + 40;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="18" font-size="14" font-weight="bold">Whole programs, wall clock per run (ms, lower is better)</text>`,
  ];
  VARIANTS.forEach((v, i) => {
    const x = left + i * 190;
    out.push(`<rect x="${x}" y="30" width="12" height="12" fill="${v.color}"/>`, `<text x="${x + 17}" y="40">${xml(v.label)}</text>`);
  });
  r.programs.forEach((p, g) => {
    const y0 = top + g * groupHeight;
    out.push(`<text x="${left - 8}" y="${y0 + (VARIANTS.length * barHeight) / 2 + 4}" text-anchor="end">${xml(p.name)}</text>`);
    VARIANTS.forEach((v, i) => {
      const value = p.medianMs[v.key];
      const w = Math.max(1, (value / max) * plotWidth);
      const y = y0 + i * barHeight;
      out.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight - 2}" fill="${v.color}"/>`);
      out.push(`<text x="${(left + w + 4).toFixed(1)}" y="${y + barHeight - 3}" font-size="9">${ms(value)}</text>`);
    });
  });
  out.push(`<text x="${left}" y="${height - 14}" font-size="9" fill="#555">${xml(machineLine(r))}</text>`, '</svg>');
  return `${out.join('\n')}\n`;
}
