// `--stats`'s table: the counters, the most called functions, and the warning for jobs that
// were still waiting or compiling when the program ended.
import test from 'ava';
import { formatStatsTable, TOP_FUNCTIONS } from '../src/cli/stats-table.js';
import { JitEngine, type JitFunctionStats } from '../src/jit/jit-engine.js';

function fn(name: string, calls: number, extra: Partial<JitFunctionStats> = {}): JitFunctionStats {
  return { key: `1:${calls}`, name, tier: 'function', entry: calls, calls, nativeCalls: 0, state: 'interpreted', bytecodeBytes: 10, codeBytes: 0, compileMicros: 0, ...extra };
}

test.serial('the table lists the most called functions with their state, and warns about jobs still queued', async (t) => {
  const engine = await JitEngine.create({ workers: 1, warmUp: false });
  const stats = engine.stats();
  await engine.close();
  const functions = [
    fn('hot', 5000, { state: 'compiled', nativeCalls: 4900, codeBytes: 237, compileMicros: 1500 }),
    fn('greet', 300, { state: 'refused', reason: 'refused: Constant 4 at offset 30 is a string constant' }),
    fn('late', 120, { state: 'queued' }),
    fn('later', 110, { state: 'compiling' }),
    ...Array.from({ length: TOP_FUNCTIONS }, (_, i) => fn(`cold${i}`, 5 - (i % 5))),
  ];
  const lines = formatStatsTable(stats, functions).split('\n');
  const top = lines.indexOf(`Top functions (by calls; ${TOP_FUNCTIONS} shown)`);
  t.true(top > 0);
  t.regex(lines[top + 1]!, /^ {2}function +key +tier +calls +native +code +compile +state$/);
  t.regex(lines[top + 2]!, /^ {2}hot +1:5000 +fn +5000 +4900 +237B +1\.50ms +compiled$/);
  t.regex(lines[top + 3]!, /^ {2}greet .* refused: Constant 4 at offset 30 is a string constant$/, 'a reason naming the state is not prefixed twice');
  t.is(lines.filter((l) => l.startsWith('  cold')).length, TOP_FUNCTIONS - 4, `only the top ${TOP_FUNCTIONS}`);
  t.is(lines.at(-1), 'warning: 2 still queued at exit: late, later');
});

test.serial('no function table and no warning when nothing was tracked', async (t) => {
  const engine = await JitEngine.create({ workers: 1, warmUp: false });
  const text = formatStatsTable(engine.stats(), engine.functions());
  await engine.close();
  t.notRegex(text, /Top functions|warning/);
  t.regex(text, /tracked calls +0\n/);
  t.regex(text, /native rate +0\.0%/);
});
