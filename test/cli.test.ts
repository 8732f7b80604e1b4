import test from 'ava';
import { cli, scratch } from './helpers/cli.js';
import { threeHotLoops } from './helpers/programs.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CORPUS = fileURLToPath(new URL('../../test/fixtures/atlas-corpus/', import.meta.url));
const { dir, file } = scratch('atlas-cli-');

const HOT = file('hot.atlas', `
fn sq(x: number) -> number { return x * x; }
var i = 0;
var s = 0;
while (i < 200000) { s = s + sq(i); i = i + 1; }
print(s);
`);

test('run prints the program output, with and without the JIT', (t) => {
  const expected = readFileSync(`${CORPUS}arithmetic/factorial.stdout`, 'utf8');
  const program = `${CORPUS}arithmetic/factorial.atlas`;
  for (const flags of [['--no-jit'], [], ['--threshold', '1', '--workers', '1', '--opt-level', '2']]) {
    const r = cli('run', program, ...flags);
    t.is(r.code, 0, r.stderr);
    t.is(r.stdout, expected);
  }
});

const PRINTING = file('printing.atlas', `
fn line(i: number) -> number { return (i * 7919) % 10007; }
var i = 0;
while (i < 60000) { print(line(i)); i = i + 1; }
`);

test('a run whose JIT loads late ends with every line of its output written, as with --no-jit', (t) => {
  // Long enough to load the JIT (INTERPRETED_START_MS) and boot a worker; the command exits at
  // the end of the run without waiting for the workers, after its output is flushed.
  const interpreted = cli('run', PRINTING, '--no-jit');
  t.is(interpreted.code, 0, interpreted.stderr);
  t.is(interpreted.stdout.split('\n').length, 60_001);
  const withJit = cli('run', PRINTING);
  t.is(withJit.code, 0, withJit.stderr);
  t.is(withJit.stdout, interpreted.stdout);
});

const THREE_HOT = file('three-hot.atlas', threeHotLoops(2_000_000));

test('a script that never yields compiles every function that gets hot, one after another', (t) => {
  // The compile workers start at the first hot function, inside the synchronous run.
  // Loops stay interpreted here (no OSR), so the functions are what gets compiled.
  const r = cli('run', THREE_HOT, '--workers', '1', '--osr-threshold', '1000000000', '--leaf-limit', '0', '--stats=json');
  t.is(r.code, 0, r.stderr);
  const stats = JSON.parse(r.stderr) as Record<string, unknown>;
  t.like(stats, { compilations: 3, compiledFunctions: 3, queueDepth: 0, inFlight: 0 });
  t.true(Number(stats.jitExecutions) > 0);
});

const REFUSING = file('refusing.atlas', `
fn sq(x: number) -> number { return x * x; }
fn greet(n: number) -> string { return "hi"; }
var i = 0;
var s = 0;
while (i < 200000) { s = s + sq(i); greet(i); i = i + 1; }
print(s);
`);

test('--trace-jit is a compile log: queued, started, installed with id, tier, sizes and times; a refusal at file:line:col', (t) => {
  const r = cli('run', REFUSING, '--threshold', '10', '--workers', '1', '--leaf-limit', '0', '--trace-jit');
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '2666646666700000\n');
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('[jit]'));
  const line = (event: string, name: string) => lines.find((l) => new RegExp(`^\\[jit\\] +[\\d.]+ms ${event} +\\S+ +${name} `).test(l)) ?? '';
  t.regex(line('queued', 'sq'), /^\[jit\] +[\d.]+ms queued +- +sq +1:\d+ +fn +calls=10 depth=\d+$/, r.stderr);
  t.regex(line('started', 'sq'), /started +#\d+ +sq +1:\d+ +fn +calls=\d+ opt=\d wait=\S+$/, r.stderr);
  t.regex(line('installed', 'sq'), /installed +#\d+ +sq +1:\d+ +fn +calls=\d+ opt=\d bytecode=\d+B code=\d+B wait=\S+ compile=\S+$/, r.stderr);
  // A string constant first: refused on the main thread (static-triage.ts), so no compile id.
  t.regex(line('refused', 'greet'), /refused +- +greet +1:\d+ +fn +calls=\d+ at=\S*refusing\.atlas:3:40 reason="refused: .+"$/, r.stderr);
});

test('--stats prints a table and --stats=json prints JSON, both on stderr', (t) => {
  const table = cli('run', HOT, '--threshold', '10', '--leaf-limit', '0', '--stats');
  t.is(table.code, 0);
  t.regex(table.stderr, /JIT statistics/);
  t.regex(table.stderr, /compilations\s+\d+/);
  t.regex(table.stderr, /cache hit rate \(code found\)\s+[\d.]+%/);
  t.regex(table.stderr, /Top functions \(by calls; 2 shown\)\n +function +key +tier +calls +native +code +compile +state\n +sq +1:\d+ +fn +\d+ +\d+ +\d+B/);
  const json = cli('run', HOT, '--threshold', '10', '--leaf-limit', '0', '--stats=json');
  t.is(json.code, 0);
  const stats = JSON.parse(json.stderr) as Record<string, unknown>;
  t.is(typeof stats.compilations, 'number');
  t.is(typeof stats.latency, 'object');
  t.like((stats.functions as unknown[])[0], { name: 'sq', tier: 'function', state: 'compiled' });
  t.is(json.stdout, '2666646666700000\n', 'program output stays clean');
});

test('a runtime error prints file:line:col, the message, a code frame and the Atlas stack, exit 1; the reference line on request', (t) => {
  const program = `${CORPUS}runtime_errors/division_by_zero.atlas`;
  const r = cli('run', program);
  t.is(r.code, 1);
  t.is(r.stderr, [
    `${program}:1:17: error: Division by zero`,
    '> 1 | let x: number = 10 / 0;',
    '    |                 ^^^^^^',
    '  2 | print(x);',
    `    at <main> (${program}:1:17)`,
    '',
  ].join('\n'));
  const reference = cli('run', program, '--error-format=reference');
  t.is(reference.code, 1);
  const expected = readFileSync(`${CORPUS}runtime_errors/division_by_zero.stderr`, 'utf8').trim();
  t.is(reference.stderr, `${expected}\n`);
});

test('a compile error prints file:line:column, the line and a caret, exit 1, no stack trace', (t) => {
  const bad = file('bad.atlas', 'let x = 1;\nlet y = ;\n');
  const r = cli('run', bad);
  t.is(r.code, 1);
  t.regex(r.stderr, /bad\.atlas:2:9: error:/);
  t.regex(r.stderr, /let y = ;\n {8}\^/);
  t.notRegex(r.stderr, /\n\s+at /);
});

test('build writes an .atb file that runs and disassembles', (t) => {
  const out = join(dir, 'fact.atb');
  t.is(cli('build', `${CORPUS}arithmetic/factorial.atlas`, '-o', out).code, 0);
  t.deepEqual([...readFileSync(out).subarray(0, 4)], [0x41, 0x54, 0x42, 0x00]);
  const r = cli('run', out);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '1\n120\n3628800\n');
  const d = cli('disasm', out);
  t.is(d.code, 0);
  t.regex(d.stdout, /factorial/);
  t.regex(d.stdout, /LessEqual/);
});

test('a corrupt .atb file is a clear error, exit 1', (t) => {
  const corrupt = file('corrupt.atb', 'ATB\u0000\u0000\u0001\u0000');
  const r = cli('run', corrupt);
  t.is(r.code, 1);
  t.regex(r.stderr, /invalid \.atb file/);
});

test('usage errors exit 2', (t) => {
  t.is(cli().code, 2);
  t.is(cli('frobnicate').code, 2);
  t.is(cli('run').code, 2);
  t.is(cli('run', HOT, '--threshold', 'x').code, 2);
  t.is(cli('run', HOT, '--bogus').code, 2);
  t.is(cli('run', HOT, '--stats=xml').code, 2);
  t.is(cli('build', HOT).code, 2);
});

test('a missing file is a clear error, exit 1', (t) => {
  const r = cli('run', join(dir, 'nope.atlas'));
  t.is(r.code, 1);
  t.regex(r.stderr, /ENOENT|no such file/);
});

test('run --stats starts compile workers up front only for a program with a function or a loop', (t) => {
  const straight = cli('run', file('straight.atlas', 'let a = 2;\nprint(a * 21);\n'), '--stats=json');
  t.is(straight.stdout, '42\n');
  t.is((JSON.parse(straight.stderr) as { workerThreads: number }).workerThreads, 0);
  const looping = cli('run', file('short-loop.atlas', 'var i = 0;\nwhile (i < 3) { i = i + 1; }\nprint(i);\n'), '--stats=json');
  t.is(looping.stdout, '3\n');
  t.is((JSON.parse(looping.stderr) as { workerThreads: number }).workerThreads, 1, 'booted while the program ran, though nothing got hot');
});
