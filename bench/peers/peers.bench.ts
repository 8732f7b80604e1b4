/**
 * atlas-jit beside the embeddable engines a Node.js user could pick instead: wasmoon (Lua 5.4
 * in WebAssembly), quickjs-emscripten (QuickJS in WebAssembly), fengari (Lua 5.3 in JS), and
 * plain JavaScript on V8 as the baseline. Six workloads (workloads.ts), each written in
 * Atlas, Lua and JS; every engine runs its language's version in this one process.
 *
 * A program is timed whole, as an embedding program runs it: a fresh state (for atlas-jit
 * with the JIT, a fresh engine with `atlas-jit run`'s settings), compile or load, run to
 * the end, tear down. The host-call workload loads a script function once and times the
 * host calling it, in ns per call. Before timing, one untimed round runs every engine and
 * checks that all printed the same (it also warms up the engines written in JavaScript);
 * every timed run is checked again. Rounds interleave the engines, so a slow spell on a
 * shared machine hits all of them alike.
 *
 * Run: `npm run bench:peers` or `node dist/bench/peers/peers.bench.js [--quick] [--markdown] [--json] [NAME...]`
 * (`--quick`: 1 timed round instead of 5; `--markdown`: the tables as Markdown; `--json`:
 * also writes every timing to bench/results/peers.json; NAMEs: a subset of the workloads).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, median, QUICK, timedMs } from '../harness.js';
import { atlasEngine } from './atlas-engine.js';
import type { PeerEngine } from './engine.js';
import { fengariEngine } from './fengari-engine.js';
import { plainJsEngine } from './plain-js-engine.js';
import { quickJsEngine } from './quickjs-engine.js';
import { printReport, type WorkloadFigures } from './report.js';
import { wasmoonEngine } from './wasmoon-engine.js';
import { type HostCallWorkload, type Workload, WORKLOADS, workloadSource } from './workloads.js';

const ROUNDS = QUICK ? 1 : 5;
const MARKDOWN = process.argv.includes('--markdown');
const JSON_OUTPUT = process.argv.includes('--json');
const RESULTS_FILE = fileURLToPath(new URL('../../../bench/results/peers.json', import.meta.url));

const ENGINES: readonly PeerEngine[] = [
  atlasEngine('interpreter'), atlasEngine('fresh-engine'), atlasEngine('shared-engine'), wasmoonEngine, quickJsEngine, fengariEngine, plainJsEngine,
];

class BenchAbort extends Error {}

/** One run: its figure (ms for a program, ns per call for host calls) and what it produced. */
interface Run {
  readonly figure: number;
  readonly output: string;
}

async function runProgram(engine: PeerEngine, source: string): Promise<Run> {
  const { ms, value } = await timedMs(() => engine.runProgram(source));
  return { figure: ms, output: value.join('\n') };
}

/** The host calls `entry(i, 0.5)` for every i below `calls`; only the calls are timed. */
async function runHostCalls(engine: PeerEngine, source: string, workload: HostCallWorkload): Promise<Run> {
  const fn = await engine.hostFunction(source, workload.entry);
  try {
    const { ms, value } = await timedMs(async () => {
      let sum = 0;
      for (let i = 0; i < workload.calls; i++) sum += fn.call(i, 0.5);
      return sum;
    });
    return { figure: (ms * 1e6) / workload.calls, output: String(value) };
  } finally {
    await fn.close();
  }
}

function runOnce(engine: PeerEngine, workload: Workload): Promise<Run> {
  const source = workloadSource(workload, engine.language);
  return workload.kind === 'program' ? runProgram(engine, source) : runHostCalls(engine, source, workload);
}

/** The same output as the reference run, or an abort naming the engine and both outputs. */
function checkOutput(workload: Workload, engine: PeerEngine, reference: Run, run: Run): void {
  if (run.output === reference.output) return;
  throw new BenchAbort(
    `${workload.name}: ${engine.name} produced ${JSON.stringify(run.output)}, ` +
      `${ENGINES[0]!.name} ${JSON.stringify(reference.output)}`,
  );
}

/** An untimed checking round, then ROUNDS interleaved timed rounds. */
async function measure(workload: Workload): Promise<WorkloadFigures> {
  const reference = await runOnce(ENGINES[0]!, workload);
  for (const engine of ENGINES.slice(1)) checkOutput(workload, engine, reference, await runOnce(engine, workload));
  const rounds: Record<string, number[]> = Object.fromEntries(ENGINES.map((e) => [e.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const engine of ENGINES) {
      const run = await runOnce(engine, workload);
      checkOutput(workload, engine, reference, run);
      rounds[engine.name]!.push(run.figure);
    }
  }
  return { title: workload.title, unit: workload.kind === 'program' ? 'ms' : 'ns/call', rounds };
}

function selectedWorkloads(): readonly Workload[] {
  const names = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const unknown = names.filter((name) => !WORKLOADS.some((w) => w.name === name));
  if (unknown.length > 0) {
    throw new BenchAbort(`unknown workload(s): ${unknown.join(', ')}; known: ${WORKLOADS.map((w) => w.name).join(', ')}`);
  }
  return names.length > 0 ? WORKLOADS.filter((w) => names.includes(w.name)) : WORKLOADS;
}

function writeJson(workloads: readonly Workload[], results: readonly WorkloadFigures[]): void {
  const entries = results.map((r, i) => ({
    name: workloads[i]!.name, title: r.title, unit: r.unit,
    median: Object.fromEntries(Object.entries(r.rounds).map(([engine, figures]) => [engine, median(figures)])),
    rounds: r.rounds,
  }));
  const report = { date: new Date().toISOString(), rounds: ROUNDS, machine: machine(), engines: ENGINES.map((e) => e.name), workloads: entries };
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`wrote ${RESULTS_FILE}\n`);
}

async function main(): Promise<void> {
  const workloads = selectedWorkloads();
  const results: WorkloadFigures[] = [];
  for (const workload of workloads) {
    process.stderr.write(`${workload.name}…\n`);
    results.push(await measure(workload));
  }
  for (const engine of ENGINES) await engine.dispose?.();
  printReport(ENGINES.map((e) => e.name), results, ROUNDS, MARKDOWN);
  if (JSON_OUTPUT) writeJson(workloads, results);
}

try {
  await main();
} catch (error) {
  if (!(error instanceof BenchAbort)) throw error;
  process.stderr.write(`peers.bench: ${error.message}\n`);
  process.exitCode = 1;
}
