// `--error-format=human|reference|json` on `run` and `build`: runtime errors from source and
// from .atb, compile errors, stdout kept clean, and the exit codes.
import test from 'ava';
import { cli, scratch } from './helpers/cli.js';
import { join } from 'node:path';
import { CompileError, compile } from '../src/index.js';

const { dir, file } = scratch('atlas-error-format-');

const DEPTH3 = file('depth.atlas', [
  'fn c(x: number) -> number {',
  '\treturn x / 0;',
  '}',
  'fn b(x: number) -> number {',
  '    return c(x) + 1;',
  '}',
  'print("before");',
  'b(1);',
  '',
].join('\n'));

const HUMAN = [
  `${DEPTH3}:2:9: error: Division by zero`,
  '  1 | fn c(x: number) -> number {',
  '> 2 |     return x / 0;',
  '    |            ^^^^^',
  '  3 | }',
  `    at c (${DEPTH3}:2:9)`,
  `    at b (${DEPTH3}:5:12)`,
  `    at <main> (${DEPTH3}:8:1)`,
  '',
].join('\n');

test('human is the default: file:line:col, message, code frame (tabs expanded), Atlas stack; stdout stays the program\'s', (t) => {
  for (const flags of [[], ['--error-format=human'], ['--error-format', 'human', '--no-jit']]) {
    const r = cli('run', DEPTH3, ...flags);
    t.is(r.code, 1);
    t.is(r.stdout, 'before\n');
    t.is(r.stderr, HUMAN);
  }
});

test('reference prints exactly the reference implementation\'s line', (t) => {
  const r = cli('run', DEPTH3, '--error-format=reference');
  t.is(r.code, 1);
  t.is(r.stdout, 'before\n');
  t.is(r.stderr, 'Runtime error: DivideByZero { span: Span { start: 36, end: 41 } }\n');
});

test('json prints one object with kind, message, position, span and the stack', (t) => {
  const r = cli('run', DEPTH3, '--error-format=json');
  t.is(r.code, 1);
  t.is(r.stdout, 'before\n');
  const lines = r.stderr.trimEnd().split('\n');
  t.is(lines.length, 1);
  const error = JSON.parse(lines[0]!) as Record<string, unknown>;
  t.like(error, { kind: 'DivideByZero', message: 'Division by zero', file: DEPTH3, line: 2, column: 9, span: { start: 36, end: 41 }, framesOmitted: 0 });
  t.deepEqual((error.stack as { function: string; line: number; column: number }[]).map((f) => [f.function, f.line, f.column]), [
    ['c', 2, 9], ['b', 5, 12], ['<main>', 8, 1],
  ]);
});

test('an .atb program without source reports offsets in every format', (t) => {
  const atb = join(dir, 'depth.atb');
  t.is(cli('build', DEPTH3, '-o', atb).code, 0);
  const human = cli('run', atb);
  t.is(human.code, 1);
  t.regex(human.stderr, new RegExp(`^${atb.replace(/[.\\/]/g, '\\$&')}: error: Division by zero\n {4}at c \\(.*depth\\.atb offset \\d+\\)\n`));
  t.is(cli('run', atb, '--error-format=reference').stderr, 'Runtime error: DivideByZero { span: Span { start: 36, end: 41 } }\n');
  const json = JSON.parse(cli('run', atb, '--error-format=json').stderr) as Record<string, unknown>;
  t.like(json, { kind: 'DivideByZero', file: atb, line: null, column: null, span: { start: 36, end: 41 } });
  t.is((json.stack as unknown[]).length, 3);
});

const BAD_SOURCE = 'let x = 1;\nlet y = ;\nlet z = foo(;\n';
const BAD = file('bad.atlas', BAD_SOURCE);

function diagnosticsOf(source: string): readonly CompileError[] {
  try {
    compile(source, 'bad.atlas');
  } catch (error) {
    if (error instanceof CompileError) return error.diagnostics;
  }
  throw new Error('expected a CompileError');
}

test('compile errors in each format, on build and run alike', (t) => {
  const diagnostics = diagnosticsOf(BAD_SOURCE);
  t.true(diagnostics.length >= 2, 'the file has more than one error');
  for (const command of [['build', BAD, '-o', join(dir, 'bad.atb')], ['run', BAD]]) {
    const human = cli(...command);
    t.is(human.code, 1);
    t.regex(human.stderr, /bad\.atlas:2:9: error: .+\nlet y = ;\n {8}\^\n.*bad\.atlas:3:13: error: .+\nlet z = foo\(;\n {12}\^\n$/);
    const reference = cli(...command, '--error-format=reference');
    t.is(reference.code, 1);
    t.is(reference.stderr, `${diagnostics[0]!.referenceLine}\n`);
    const json = cli(...command, '--error-format=json');
    t.is(json.code, 1);
    const objects = json.stderr.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    t.is(objects.length, diagnostics.length, 'one object per diagnostic');
    t.like(objects[0], { kind: 'CompileError', severity: 'error', stage: diagnostics[0]!.stage, file: BAD, line: 2, column: 9, message: diagnostics[0]!.reason });
    t.like(objects[1], { kind: 'CompileError', severity: 'error', file: BAD, line: 3, column: 13 });
  }
});

test('an unknown error format is a usage error (exit 2)', (t) => {
  t.is(cli('run', DEPTH3, '--error-format=xml').code, 2);
  t.is(cli('build', DEPTH3, '-o', join(dir, 'x.atb'), '--error-format=yaml').code, 2);
});
