// The leaf cost model (src/jit/leaf-cost.ts) through the public API: a short function with no
// loop and no call stays interpreted when called from interpreted code, where a native call
// would cost more than it saves, and still runs natively inside a compiled caller.
import test from 'ava';
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import type { JitConfig } from '../src/jit/jit-config.js';
import { QUIET_FOREVER } from '../src/jit/call-gate.js';
import { leafCost } from '../src/jit/leaf-cost.js';
import { Vm } from '../src/vm/index.js';

// Engines share one process-wide native registry, so these tests run one at a time.
const serial = test.serial;

const LEAF_CALLED_FROM_LOOP = `
fn leaf(x: number) -> number { return x * 2 + 1; }
fn looping(n: number) -> number {
    var s = 0;
    var k = 0;
    while (k < n) { s = s + k; k = k + 1; }
    return s;
}
var total = 0;
var i = 0;
while (i < 300) {
    total = total + leaf(i) + looping(3);
    i = i + 1;
}
print(total);
`;

async function runWith(config: JitConfig, source: string): Promise<{ engine: JitEngine; lines: string[] }> {
  const engine = await JitEngine.create({ workers: 1, compilationThreshold: 10, osrThreshold: 1e9, ...config });
  const bytecode = compile(source, 'leaf.atlas');
  const lines: string[] = [];
  new Vm(bytecode, { jit: engine, stdout: (line) => lines.push(line) }).run();
  await engine.whenIdle();
  new Vm(bytecode, { jit: engine, stdout: (line) => lines.push(line) }).run();
  return { engine, lines };
}

/** What the interpreter prints for `source`, twice (as `runWith` runs it). */
function interpreted(source: string): string[] {
  const lines: string[] = [];
  const bytecode = compile(source, 'leaf.atlas');
  for (let run = 0; run < 2; run++) new Vm(bytecode, { stdout: (line) => lines.push(line) }).run();
  return lines;
}

function stateOf(engine: JitEngine, name: string) {
  return engine.functions().find((f) => f.name === name);
}

serial('a short leaf called from interpreted code stays interpreted, and says why; a function with a loop compiles', async (t) => {
  const { engine, lines } = await runWith({}, LEAF_CALLED_FROM_LOOP);
  t.deepEqual(lines, interpreted(LEAF_CALLED_FROM_LOOP));
  t.like(stateOf(engine, 'leaf'), { state: 'interpreted', nativeCalls: 0, codeBytes: 0 });
  t.regex(stateOf(engine, 'leaf')?.reason ?? '', /cheaper interpreted: costs 6 instructions, no loop or call/);
  t.like(stateOf(engine, 'looping'), { state: 'compiled' });
  t.true(stateOf(engine, 'looping')!.nativeCalls > 0);
  t.is(engine.stats().compilations, 1, 'only the function with a loop was compiled');
  t.is(engine.stats().refusedCompilations, 0, 'a kept leaf is not a refusal');
  await engine.close();
});

serial('host calls of a leaf left interpreted go through the call gate: the hook is not asked each time, counts stay exact', async (t) => {
  const engine = await JitEngine.create({ workers: 1, compilationThreshold: 10, osrThreshold: 1e9 });
  try {
    const bytecode = compile('fn leaf(x: number) -> number { return x * 2 + 1; }', 'leaf.atlas');
    const vm = new Vm(bytecode, { jit: engine });
    vm.run();
    const leaf = vm.function<[number], number>('leaf');
    let sum = 0;
    for (let i = 0; i < 10_000; i++) sum += leaf(i);
    for (let i = 0; i < 100; i++) sum += vm.call('leaf', i) as number;
    t.is(sum, 10_000 * 10_000 + 100 * 100);
    // Left interpreted at its 10th call, the leaf's gate entry was set to "never ask again";
    // the host calls since counted it down (before, each asked the engine: ~140 ns a call).
    const quietHostCalls = QUIET_FOREVER - engine.callGate(bytecode)![0]!;
    t.true(quietHostCalls > 10_000 && quietHostCalls < 10_100, `${quietHostCalls} host calls ran without asking`);
    // Reading the statistics settles the quiet calls: the counts are exact.
    t.like(stateOf(engine, 'leaf'), { state: 'interpreted', calls: 10_100, nativeCalls: 0 });
  } finally {
    await engine.close();
  }
});

serial('interpretedLeafLimit 0 compiles every hot function; a leaf over the limit compiles', async (t) => {
  for (const config of [{ interpretedLeafLimit: 0 }, { interpretedLeafLimit: 5 }]) {
    const { engine, lines } = await runWith(config, LEAF_CALLED_FROM_LOOP);
    t.deepEqual(lines, interpreted(LEAF_CALLED_FROM_LOOP));
    t.like(stateOf(engine, 'leaf'), { state: 'compiled' }, JSON.stringify(config));
    t.true(stateOf(engine, 'leaf')!.nativeCalls > 0);
    await engine.close();
  }
});

serial('a kept leaf runs natively inside a compiled caller', async (t) => {
  const source = `
fn leaf(x: number) -> number { return x * 2 + 1; }
fn caller(n: number) -> number {
    var s = 0;
    var k = 0;
    while (k < n) { s = s + leaf(k); k = k + 1; }
    return s;
}
var total = 0;
var i = 0;
while (i < 40) { total = total + leaf(i) + caller(100); i = i + 1; }
print(total);
`;
  const engine = await JitEngine.create({ workers: 1, compilationThreshold: 5, osrThreshold: 1e9 });
  const bytecode = compile(source, 'leaf.atlas');
  const lines: string[] = [];
  new Vm(bytecode, { jit: engine, stdout: (line) => lines.push(line) }).run();
  await engine.whenIdle();
  const before = stateOf(engine, 'leaf')!.calls;
  new Vm(bytecode, { jit: engine, stdout: (line) => lines.push(line) }).run();
  t.deepEqual(lines, interpreted(source));
  t.like(stateOf(engine, 'leaf'), { state: 'interpreted' });
  t.like(stateOf(engine, 'caller'), { state: 'compiled' });
  // Once caller is native, only the leaf's 40 calls from the top-level loop reach the engine;
  // inside caller's native code it is a direct call (100 per caller call) the engine never sees.
  t.is(stateOf(engine, 'leaf')!.calls - before, 40);
  await engine.close();
});

serial('leafCost: instructions of a body with no loop and no user call, builtin calls weighing ten; none otherwise', (t) => {
  const bytecode = compile(`
fn plain(x: number) -> number { return x + 1; }
fn builtin(x: number) -> number { return sqrt(x) + 1; }
fn loops(x: number) -> number { var k = 0; while (k < x) { k = k + 1; } return k; }
fn calls(x: number) -> number { return plain(x); }
`, 'cost.atlas');
  const cost = (name: string) => leafCost(bytecode.analysis.bodySummary(bytecode.functions().find((f) => f.name === name)!));
  t.is(cost('plain'), 4);
  t.is(cost('builtin'), 6 + 10);
  t.is(cost('loops'), undefined);
  t.is(cost('calls'), undefined);
});

test('interpretedLeafLimit must be a non-negative integer', async (t) => {
  await t.throwsAsync(JitEngine.create({ interpretedLeafLimit: -1 }), { instanceOf: RangeError, message: /interpretedLeafLimit/ });
  await t.throwsAsync(JitEngine.create({ interpretedLeafLimit: 1.5 }), { instanceOf: RangeError, message: /interpretedLeafLimit/ });
});
