/** The command line's surface: version, per-command help with every option and default, option validation. */
import test from 'ava';
import { cli, scratch } from './helpers/cli.js';
import { readFileSync } from 'node:fs';

const MANIFEST = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const { file } = scratch('atlas-cli-options-');
const HOT = file('hot.atlas', 'fn sq(x: number) -> number { return x * x; }\nvar s = 0;\nfor (var i = 0; i < 5000; i = i + 1) { s = s + sq(i); }\nprint(s);\n');

test('--version prints the package version', (t) => {
  for (const flag of ['--version', '-V']) {
    const r = cli(flag);
    t.is(r.code, 0);
    t.is(r.stdout, `${MANIFEST.version}\n`);
  }
});

test('run --help lists every option with its default, exit 0', (t) => {
  for (const args of [['run', '--help'], ['help', 'run']]) {
    const r = cli(...args);
    t.is(r.code, 0, r.stderr);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const option of ['--no-jit', '--threshold <calls>', '--osr-threshold', '--leaf-limit <instructions>', '--workers <n>', '--opt-level', '--cache-size <bytes>',
      '--compile-priority', '--time-budget <ms>', '--trace-jit', '--stats [format]']) t.true(help.includes(option), option);
    for (const fallback of ['default: 100)', 'default: 1000)', 'default: 12)', 'default: "1"', 'default: 64MiB', 'default: "normal"', 'default: none', 'default: available parallelism']) {
      t.true(help.includes(fallback), fallback);
    }
  }
});

test('build and disasm have their own help', (t) => {
  t.regex(cli('build', '--help').stdout, /-o, --output <file>/);
  t.regex(cli('disasm', '--help').stdout, /Usage: atlas-jit disasm/);
});

test('invalid option values are refused with a message naming the option, exit 2', (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--no-jit', '--threshold', 'abc'], /'--threshold <calls>' argument 'abc' is invalid/],
    [['--threshold', '0'], /integer ≥ 1/],
    [['--threshold', '1e3'], /integer ≥ 1/],
    [['--leaf-limit', '1.5'], /integer ≥ 0/],
    [['--workers', '65'], /integer in 1\.\.64/],
    [['--opt-level', '3'], /Allowed choices are 0, 1, 2/],
    [['--cache-size', '12 parsecs'], /byte count/],
    [['--compile-priority', 'high'], /idle, low, normal/],
    [['--time-budget', '-1'], /unknown option|milliseconds/],
    [['--stats=xml'], /Allowed choices are table, json/],
  ];
  for (const [flags, message] of cases) {
    const r = cli('run', HOT, ...flags);
    t.is(r.code, 2, flags.join(' '));
    t.regex(r.stderr, message, flags.join(' '));
    t.notRegex(r.stderr, /\n\s+at /);
  }
});

test('JIT options are refused with --no-jit', (t) => {
  const r = cli('run', HOT, '--no-jit', '--threshold', '5');
  t.is(r.code, 2);
  t.regex(r.stderr, /'--no-jit' cannot be used with option '--threshold <calls>'/);
});

test('the engine options reach the engine: a tiny cache evicts, the budget stops a long run', (t) => {
  const tiny = cli('run', HOT, '--threshold', '1', '--workers', '1', '--cache-size', '0', '--compile-priority', 'low', '--stats=json');
  t.is(tiny.code, 0, tiny.stderr);
  t.is(tiny.stdout, '41654167500\n');
  const stats = JSON.parse(tiny.stderr) as { cacheBytes: number; workers: number; evictions: number; compilations: number };
  t.like(stats, { cacheBytes: 0, workers: 1, evictions: stats.compilations });
  const forever = file('forever.atlas', 'var i = 0;\nwhile (true) { i = i + 1; }\n');
  const stopped = cli('run', forever, '--no-jit', '--time-budget', '200');
  t.is(stopped.code, 1);
  t.regex(stopped.stderr, /time budget of 200 ms exceeded/);
});

test('--leaf-limit reaches the engine: the short hot leaf stays interpreted by default and is queued with 0', (t) => {
  // Where sq stands at the end of the run: the decision is made on the main thread when it
  // gets hot, so it does not depend on how soon a worker compiles it.
  const sq = (...flags: string[]) => {
    const r = cli('run', HOT, '--workers', '1', '--osr-threshold', '1000000000', '--stats=json', ...flags);
    t.is(r.stdout, '41654167500\n', r.stderr);
    return (JSON.parse(r.stderr) as { functions: Array<{ name: string; state: string; reason?: string }> }).functions.find((f) => f.name === 'sq');
  };
  t.like(sq(), { state: 'interpreted', reason: 'cheaper interpreted: costs 4 instructions, no loop or call' });
  t.not(sq('--leaf-limit', '0')?.state, 'interpreted');
  t.not(sq('--leaf-limit', '3')?.state, 'interpreted', 'over the limit');
  t.is(cli('run', HOT, '--no-jit', '--leaf-limit', '0').code, 2, 'a JIT option');
});

test('--stats before the file still takes the file as the file', (t) => {
  const r = cli('run', '--stats', HOT);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /JIT statistics/);
});
