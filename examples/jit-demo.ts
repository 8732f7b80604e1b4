/**
 * `npm start`: the JIT paying off on a server-style workload. The same Atlas program — a
 * per-request pricing function called for a stream of requests — runs twice in this process:
 * once interpreted and once with the background JIT, and both times plus the JIT's
 * statistics are printed.
 */
import { readFileSync } from 'node:fs';
import { compile } from '../src/compiler/index.js';
import { Vm } from '../src/vm/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { formatStatsTable } from '../src/cli/stats-table.js';

const file = new URL('../../examples/hot-loop.atlas', import.meta.url);
const source = readFileSync(file, 'utf8');
const bytecode = compile(source, 'examples/hot-loop.atlas');

function timeRun(vm: Vm): { ms: number } {
  const t0 = performance.now();
  vm.run();
  return { ms: performance.now() - t0 };
}

const interpretedOut: string[] = [];
const interpreted = timeRun(new Vm(bytecode, { stdout: (l) => interpretedOut.push(l) }));

const engine = await JitEngine.create({ compilationThreshold: 10 });
const jitOut: string[] = [];
const jitted = timeRun(new Vm(bytecode, { jit: engine, stdout: (l) => jitOut.push(l) }));

console.log(`examples/hot-loop.atlas`);
console.log(`  output (last line): ${jitOut.at(-1) ?? ''}`);
console.log(`  same output interpreted and JIT-compiled: ${JSON.stringify(interpretedOut) === JSON.stringify(jitOut)}`);
console.log(`  interpreted: ${interpreted.ms.toFixed(1)} ms`);
console.log(`  with JIT:    ${jitted.ms.toFixed(1)} ms  (${(interpreted.ms / jitted.ms).toFixed(2)}× faster)`);
console.log(formatStatsTable(engine.stats()));
await engine.close();
