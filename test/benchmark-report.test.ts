/** scripts/benchmark-report.mjs: the headline table and the chart come from the benchmark's JSON. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/benchmark-report.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'atlas-report-'));

const RESULTS = {
  date: '2026-11-30T12:00:00.000Z', rounds: 5,
  machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 4, os: 'Linux 6', node: 'v20.0.0' },
  programs: [
    { name: 'loop', medianMs: { noJit: 2000, jit: 400, js: 500 }, timingsMs: {}, stats: {} },
    { name: 'a<b', medianMs: { noJit: 90, jit: 110, js: 60 }, timingsMs: {}, stats: {} },
  ],
};

test('a row per program with speed-ups, the machine line, and an SVG bar per figure', (t) => {
  const input = join(dir, 'results.json');
  const chart = join(dir, 'chart.svg');
  writeFileSync(input, JSON.stringify(RESULTS));
  const r = spawnSync(process.execPath, [SCRIPT, input, '--svg', chart], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /\| loop \| 2000 \| 400 \| 500 \| 5\.00× \| 0\.80× \|/);
  t.regex(r.stdout, /\| a<b \| 90\.0 \| 110 \| 60\.0 \| 0\.82× \| 1\.83× \|/);
  t.regex(r.stdout, /Machine: Test CPU, 2 cores, 4 GiB, Linux 6, Node v20\.0\.0; 2026-11-30, median of 5 rounds\./);
  const svg = readFileSync(chart, 'utf8');
  t.regex(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  t.is(svg.match(/<rect /g)?.length, 1 + 3 + 2 * 3, 'background, legend, 3 bars per program');
  t.true(svg.includes('a&lt;b'));
});

test('without an input file it prints its usage, exit 2', (t) => {
  const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
  t.is(r.status, 2);
  t.regex(r.stderr, /usage:/);
});
