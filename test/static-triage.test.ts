// The static triage (src/jit/static-triage.ts): refusals certain before translation are made
// on the main thread, with the translator's own reasons, and a program where nothing can
// compile never starts a compile worker. A wrong guess may only ever send a job the worker
// refuses: everything the triage lets through compiles or is refused by the worker as before.
import test from 'ava';
import diagnostics from 'node:diagnostics_channel';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bytecode } from '../src/bytecode/index.js';
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { certainRefusal } from '../src/jit/static-triage.js';
import { Vm } from '../src/vm/index.js';
import { stringsOnly } from './helpers/programs.js';

// Engines share one process-wide native registry, so these tests run one at a time.
const serial = test.serial;

// Both refused by the translator whatever the run, and so by the triage.
const NOTHING_COMPILES = stringsOnly(5000);

function listen(channel: string): { events: Array<Record<string, unknown>>; stop: () => void } {
  const events: Array<Record<string, unknown>> = [];
  const handler = (m: unknown) => events.push(m as Record<string, unknown>);
  diagnostics.subscribe(channel, handler);
  return { events, stop: () => diagnostics.unsubscribe(channel, handler) };
}

serial('a program where nothing can compile is refused on the main thread and never starts a worker', async (t) => {
  const engine = await JitEngine.create({ workers: 1, warmUp: false, compilationThreshold: 10, osrThreshold: 64 });
  const queued = listen('atlas-jit:queued');
  const refused = listen('atlas-jit:refused');
  try {
    const bytecode = compile(NOTHING_COMPILES, 'triage.atlas');
    t.false(engine.startWorkersFor(bytecode), 'nothing in the text can compile');
    const lines: string[] = [];
    new Vm(bytecode, { jit: engine, stdout: (line) => lines.push(line) }).run();
    const expected: string[] = [];
    new Vm(bytecode, { stdout: (line) => expected.push(line) }).run();
    t.deepEqual(lines, expected);
    const stats = engine.stats();
    t.like(stats, { refusedCompilations: 2, compilations: 0, workerThreads: 0 });
    t.deepEqual(queued.events, [], 'no job was queued');
    t.deepEqual(refused.events.map((e) => [e.name, e.compileId]), [['label', undefined], ['<main>', undefined]]);
    const reasons = new Map(engine.functions().map((f) => [f.name, f.reason]));
    t.regex(reasons.get('label') ?? '', /^refused: Constant \d+ at offset \d+ is a string constant$/);
    t.regex(reasons.get('<main>') ?? '', /^refused: every path from offset \d+ leaves to the interpreter before it returns or loops$/);
  } finally {
    queued.stop();
    refused.stop();
    await engine.close();
  }
});

serial('the triage refuses what the worker refuses, with the same reason, and lets the rest through', async (t) => {
  const source = `
fn label(n: number) -> string { return "n" + str(n); }
fn square(x: number) -> number { return x * x; }
fn sumTo(n: number) -> number {
    var s = 0;
    var k = 0;
    while (k < n) { s = s + k; k = k + 1; }
    return s;
}
fn shout(n: number) -> number { print("x"); return n; }
print(label(1));
print(square(2) + sumTo(3) + shout(4));
`;
  const bytecode = compile(source, 'triage.atlas');
  const engine = await JitEngine.create({ workers: 1, interpretedLeafLimit: 0 });
  try {
    for (const fn of bytecode.functions().filter((f) => f.offset !== 0)) {
      const triaged = certainRefusal(bytecode, { fn, entry: fn.offset, end: bytecode.analysis.functionEnd(fn) }, undefined);
      const compiled = engine.compileNowBlocking(bytecode, fn.offset, fn.arity);
      const worker = engine.functions().find((f) => f.name === fn.name);
      if (triaged === undefined) continue;
      t.false(compiled, `${fn.name}: the triage refused what compiles`);
      t.is(worker?.reason, `refused: ${triaged.message}`, fn.name);
    }
    const refusedByTriage = bytecode.functions().filter((fn) => fn.offset !== 0 && certainRefusal(bytecode, { fn, entry: fn.offset, end: bytecode.analysis.functionEnd(fn) }, undefined) !== undefined);
    t.deepEqual(refusedByTriage.map((fn) => fn.name).sort(), ['label', 'shout']);
  } finally {
    await engine.close();
  }
});

serial('a loop over numeric globals is let through; one whose globals hold strings where it reads them is not', (t) => {
  const source = `
var total = 0;
var name = "x";
var i = 0;
while (i < 10) { total = total + i; i = i + 1; }
while (i < 20) { name = name; i = i + 1; }
print(name);
`;
  const bytecode = compile(source, 'triage.atlas');
  const main = { name: '<main>', arity: 0, offset: 0, localCount: bytecode.topLevelLocalCount, paramOwnership: [], paramNames: [], returnOwnership: 'none' as const };
  const [numeric, stringy] = bytecode.analysis.loopHeaders;
  const unit = (entry: number) => ({ fn: main, entry, end: bytecode.code.length });
  const vm = new Vm(bytecode, { stdout: () => undefined });
  vm.run();
  t.is(certainRefusal(bytecode, unit(numeric!), vm), undefined);
  t.regex(certainRefusal(bytecode, unit(stringy!), vm)?.message ?? '', /every path from offset/);
  // From the text alone, `name` may hold anything: not certain.
  t.is(certainRefusal(bytecode, unit(stringy!), undefined), undefined);
  // The first loop's way out leads into the second: it may finish, so it is let through either way.
  t.is(certainRefusal(bytecode, unit(numeric!), undefined), undefined);
});

serial('startWorkersFor starts the workers for a program with something that may compile', async (t) => {
  const engine = await JitEngine.create({ workers: 1, warmUp: false });
  try {
    t.true(engine.startWorkersFor(compile('fn f(x: number) -> number { return x + 1; }\nprint(f(1));', 'w.atlas')));
    t.is(engine.stats().workerThreads, 1);
  } finally {
    await engine.close();
  }
});

serial('what the triage cannot tell is still refused by a worker, with its compile id', async (t) => {
  // The first instruction translates; the array literal after it is what the translator
  // cannot lower, which the triage does not model.
  const bytecode = compile('fn g(x: number) -> number { var a = [x, 1]; return a[0] + x; }\nvar i = 0;\nwhile (i < 50) { g(i); i = i + 1; }\n', 'worker.atlas');
  const engine = await JitEngine.create({ workers: 1, compilationThreshold: 5, osrThreshold: 1e9, interpretedLeafLimit: 0 });
  const refused = listen('atlas-jit:refused');
  try {
    new Vm(bytecode, { jit: engine }).run();
    await engine.whenIdle();
    t.is(refused.events.length, 1);
    t.is(refused.events[0]!.name, 'g');
    t.is(typeof refused.events[0]!.compileId, 'number', 'a job ran');
  } finally {
    refused.stop();
    await engine.close();
  }
});

/** The corpus's and the benchmarks' programs that compile (the source of every `.atlas` file that does). */
function programSources(): Array<[string, string]> {
  const roots = ['test/fixtures/atlas-corpus', 'bench/programs', 'bench/peers/atlas', 'examples'];
  const files = roots.flatMap((root) => readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.atlas')).map((f) => join(root, f)));
  return files.map((file) => [file, readFileSync(file, 'utf8')]);
}

serial('across the corpus and the benchmarks, every function the triage refuses the translator refuses too, for the same reason', async (t) => {
  const engine = await JitEngine.create({ workers: 1, interpretedLeafLimit: 0 });
  let refusals = 0;
  try {
    for (const [file, source] of programSources()) {
      let bytecode: Bytecode;
      try {
        bytecode = compile(source, file);
      } catch {
        continue; // the corpus's rejected programs
      }
      for (const fn of bytecode.functions().filter((f) => f.offset !== 0)) {
        const triaged = certainRefusal(bytecode, { fn, entry: fn.offset, end: bytecode.analysis.functionEnd(fn) }, undefined);
        if (triaged === undefined) continue;
        refusals++;
        t.false(engine.compileNowBlocking(bytecode, fn.offset, fn.arity), `${file}: ${fn.name}`);
        const reason = engine.functions().find((f) => f.name === fn.name && f.entry === fn.offset)?.reason;
        t.is(reason, `refused: ${triaged.message}`, `${file}: ${fn.name}`);
      }
      engine.invalidate(bytecode);
    }
  } finally {
    await engine.close();
  }
  t.true(refusals >= 10, `${refusals} refusals checked`);
});
