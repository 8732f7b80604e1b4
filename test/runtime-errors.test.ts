// Runtime errors people can act on: message, file, line, column, the Atlas stack (interpreted,
// native at depth 3, OSR, truncated), the exported span helpers and code frames, and the
// fields crossing to a remote runtime's caller.
import test from 'ava';
import {
  AtlasRuntimeError, codeFrame, compile, JitEngine, MAX_ERROR_FRAMES, readAtb, SourceText, spawnRuntime, Vm, writeAtb, type AtlasFrame, type Bytecode,
} from '../src/index.js';

/** c divides by zero (tab-indented), called by b, called by a, called from top level. */
const DEPTH3 = [
  'fn c(x: number) -> number {',
  '\treturn x / 0;',
  '}',
  'fn b(x: number) -> number {',
  '    return c(x) + 1;',
  '}',
  'fn a(x: number) -> number {',
  '    return b(x) * 2;',
  '}',
  'a(1);',
  '',
].join('\n');

function errorOf(action: () => unknown): AtlasRuntimeError {
  try {
    action();
  } catch (error) {
    if (error instanceof AtlasRuntimeError) return error;
    throw error;
  }
  throw new Error('expected an AtlasRuntimeError');
}

/** `fn@line:column` per frame, for compact comparisons. */
function trace(frames: readonly AtlasFrame[]): string[] {
  return frames.map((f) => `${f.function}@${f.line}:${f.column}`);
}

test('a runtime error has its human message, file, line, column and the Atlas stack, innermost first', (t) => {
  const error = errorOf(() => new Vm(compile(DEPTH3, 'depth.atlas')).run());
  t.is(error.kind, 'DivideByZero');
  t.is(error.message, 'Division by zero');
  t.is(error.debugString(), 'DivideByZero { span: Span { start: 36, end: 41 } }', 'the reference form is unchanged');
  t.is(error.file, 'depth.atlas');
  t.is(error.line, 2);
  t.is(error.column, 9, 'a tab is one column (columns count code points)');
  t.deepEqual(trace(error.frames), ['c@2:9', 'b@5:12', 'a@8:12', '<main>@10:1']);
  t.deepEqual(error.frames[0], { function: 'c', offset: error.offset, span: error.span, file: 'depth.atlas', line: 2, column: 9 });
  t.is(error.framesOmitted, 0);
  t.is(error.stack, [
    'AtlasRuntimeError: Division by zero',
    '    at c (depth.atlas:2:9)',
    '    at b (depth.atlas:5:12)',
    '    at a (depth.atlas:8:12)',
    '    at <main> (depth.atlas:10:1)',
  ].join('\n'));
});

test('a host call lists the frames down to the called function; columns count code points', (t) => {
  const vm = new Vm(compile('fn f(s: string) -> number {\n    let t = "🎉🎉"; return 1 / 0;\n}\n', 'host.atlas'));
  vm.run();
  const error = errorOf(() => vm.call('f', 'x'));
  t.deepEqual(trace(error.frames), ['f@2:26']);
  t.is(error.column, 26, 'each emoji is one column');
  const handle = errorOf(() => vm.function('f')('x'));
  t.deepEqual(trace(handle.frames), ['f@2:26']);
});

test('errors the host API raises before running anything have no frames', (t) => {
  const vm = new Vm(compile('fn f(x: number) -> number { return x; }', 'api.atlas'));
  vm.run();
  const error = errorOf(() => vm.call('f'));
  t.is(error.kind, 'TypeError');
  t.deepEqual(error.frames, []);
  t.is(error.line, undefined);
});

test('bytecode without source (.atb) keeps offsets and spans per frame, without lines', (t) => {
  const error = errorOf(() => new Vm(readAtb(writeAtb(compile(DEPTH3, 'depth.atlas')))).run());
  t.is(error.file, undefined);
  t.is(error.line, undefined);
  t.deepEqual(error.frames.map((f) => f.function), ['c', 'b', 'a', '<main>']);
  t.deepEqual(error.frames[0]!.span, { start: 36, end: 41 });
  t.regex(error.stack!, /^ {4}at c \(offset \d+, span 36\.\.41\)$/m);
});

/** The VM running `bytecode` with a JIT that compiles at the first call; its top level ran once and every compile finished. */
async function warmJit(bytecode: Bytecode, osrThreshold?: number): Promise<{ engine: JitEngine; vm: Vm }> {
  const engine = await JitEngine.create({ interpretedLeafLimit: 0, compilationThreshold: 1, workers: 1, warmUp: false, ...(osrThreshold === undefined ? {} : { osrThreshold }) });
  const vm = new Vm(bytecode, { jit: engine, stdout: () => {} });
  errorOf(() => vm.run());
  await engine.whenIdle();
  return { engine, vm };
}

test('a trap in native code at depth 3 reports all three frames, as the interpreter does', async (t) => {
  const bytecode = compile(DEPTH3, 'depth.atlas');
  const expectedRun = errorOf(() => new Vm(bytecode).run());
  const { engine, vm } = await warmJit(bytecode);
  try {
    t.deepEqual(engine.functions().map((f) => [f.name, f.state]).sort(), [['a', 'compiled'], ['b', 'compiled'], ['c', 'compiled']]);
    const before = engine.stats().jitExecutions;
    const native = errorOf(() => vm.call('a', 1));
    t.is(engine.stats().jitExecutions, before + 1, 'the call ran native code (a calls b calls c natively)');
    t.deepEqual(trace(native.frames), ['c@2:9', 'b@5:12', 'a@8:12']);
    const hosted = new Vm(bytecode);
    errorOf(() => hosted.run());
    t.deepEqual(native.frames, errorOf(() => hosted.call('a', 1)).frames);
    const run = errorOf(() => vm.run());
    t.deepEqual(run.frames, expectedRun.frames, 'a native call from top level adds the interpreter frame below it');
    t.is(run.stack, expectedRun.stack);
  } finally {
    await engine.close();
  }
});

const OSR = `fn c(x: number) -> number {
    return 10 / (x - 3000);
}
fn b(x: number) -> number {
    return c(x) + 1;
}
var k = 0;
var t = 0;
while (k < 100000) {
    t = t + b(k);
    k = k + 1;
}
`;

test('a trap under a loop entered natively (OSR) reports the loop frame once', async (t) => {
  const bytecode = compile(OSR, 'osr.atlas');
  const expected = errorOf(() => new Vm(bytecode).run());
  t.deepEqual(trace(expected.frames), ['c@2:12', 'b@5:12', '<main>@10:13']);
  const { engine, vm } = await warmJit(bytecode, 10);
  try {
    const entries = engine.stats().osrEntries;
    const error = errorOf(() => vm.run());
    // The records' states say why, should the loop not have run natively.
    const states = engine.functions().map((f) => `${f.name} ${f.tier} ${f.state} ${f.reason ?? ''}`).join('; ');
    t.true(engine.stats().osrEntries > entries, `the loop ran natively (${states})`);
    t.deepEqual(error.frames, expected.frames);
  } finally {
    await engine.close();
  }
});

const DEEP = `fn deep(n: number) -> number {
    if (n == 0) { return 1 / 0; }
    return deep(n - 1) + 1;
}
deep(300);
`;

test('a very deep stack lists the innermost frames and counts the rest, natively too', async (t) => {
  const bytecode = compile(DEEP, 'deep.atlas');
  const expected = errorOf(() => new Vm(bytecode).run());
  t.is(expected.frames.length, MAX_ERROR_FRAMES);
  t.is(expected.framesOmitted, 302 - MAX_ERROR_FRAMES, '301 calls of deep and <main>');
  t.regex(expected.stack!, /\n {4}\.\.\. 202 more frames$/);
  const { engine, vm } = await warmJit(bytecode);
  try {
    const before = engine.stats().jitExecutions;
    const error = errorOf(() => vm.run());
    t.is(engine.stats().jitExecutions, before + 1, 'the recursion ran natively');
    t.deepEqual(error.frames, expected.frames);
    t.is(error.framesOmitted, expected.framesOmitted);
  } finally {
    await engine.close();
  }
});

test('SourceText turns spans into 1-based lines and columns in code points', (t) => {
  const source = new SourceText('let a = 1;\n\tlet 🎉 = 2;\r\nx', 'pos.atlas');
  t.deepEqual(source.locate(0), { line: 1, column: 1 });
  t.deepEqual(source.locateSpan({ start: 12, end: 17 }), { start: { line: 2, column: 2 }, end: { line: 2, column: 7 } });
  t.deepEqual(source.locate(24), { line: 3, column: 1 });
  t.is(source.lineCount, 3);
  t.is(source.lineText(2), '\tlet 🎉 = 2;');
});

test('a code frame marks the span with carets, tabs expanded in the line and under it', (t) => {
  const source = new SourceText(DEPTH3, 'depth.atlas');
  t.is(codeFrame(source, { start: 36, end: 41 }), [
    '  1 | fn c(x: number) -> number {',
    '> 2 |     return x / 0;',
    '    |            ^^^^^',
    '  3 | }',
  ].join('\n'));
  const tabs = new SourceText('a\tb\t\tc = 1;', 'tabs.atlas');
  t.is(codeFrame(tabs, { start: 2, end: 6 }, { linesAround: 0 }), ['> 1 | a   b       c = 1;', '    |     ^^^^^^^^^'].join('\n'));
  t.is(codeFrame(tabs, { start: 2, end: 6 }, { linesAround: 0, tabWidth: 2 }), ['> 1 | a b   c = 1;', '    |   ^^^^^'].join('\n'));
});

test('a code frame marks every line of a multi-line span, and an empty span where it points', (t) => {
  const source = new SourceText('let x = foo(1,\n\n    2, 3) + 4;\nprint(x);\n', 'multi.atlas');
  const call = { start: 8, end: 25 }; // foo(1, … 3)
  t.is(codeFrame(source, call), [
    '> 1 | let x = foo(1,',
    '    |         ^^^^^^',
    '> 2 |',
    '> 3 |     2, 3) + 4;',
    '    | ^^^^^^^^^',
    '  4 | print(x);',
  ].join('\n'));
  t.is(codeFrame(source, { start: 14, end: 14 }, { linesAround: 0 }), ['> 1 | let x = foo(1,', '    |               ^'].join('\n'));
  const lines = Array.from({ length: 12 }, (_, i) => `line${i + 1}`).join('\n');
  t.is(codeFrame(new SourceText(lines, 'long.atlas'), { start: 54, end: 56 }), ['   9 | line9', '> 10 | line10', '     | ^^', '  11 | line11'].join('\n'));
});

test('the remote runtime hands over line, column, file, frames and the Atlas stack', async (t) => {
  const local = errorOf(() => new Vm(compile(DEPTH3, 'depth.atlas')).run());
  const rt = await spawnRuntime({ jit: false, stdout: () => {} });
  try {
    await rt.load(DEPTH3, 'depth.atlas');
    const error = await t.throwsAsync(rt.run(), { instanceOf: AtlasRuntimeError });
    t.is(error!.message, 'Division by zero');
    t.is(error!.file, 'depth.atlas');
    t.is(error!.line, 2);
    t.is(error!.column, 9);
    t.deepEqual(error!.frames, local.frames);
    t.is(error!.framesOmitted, 0);
    t.is(error!.stack, local.stack);
    t.is(error!.debugString(), local.debugString());
  } finally {
    await rt.close();
  }
});

test('each kind\'s message is the reference\'s Display text, and its position is where it failed', (t) => {
  const cases: [string, string, string, number, number][] = [
    ['let a = [1, 2];\nlet b = a[5];\n', 'OutOfBounds', 'Array index out of bounds', 2, 9],
    ['let big = 1e308;\nlet c = big * 10;\n', 'InvalidNumericResult', 'Invalid numeric result', 2, 9],
    ['let s = "abc";\nlet n = 7 % 0;\n', 'DivideByZero', 'Division by zero', 2, 9],
  ];
  for (const [source, kind, message, line, column] of cases) {
    const error = errorOf(() => new Vm(compile(source, 'kinds.atlas')).run());
    t.like(error, { kind, message, file: 'kinds.atlas', line, column }, source);
    t.deepEqual(trace(error.frames), [`<main>@${line}:${column}`]);
  }
});

test('an error inside a callback lists the callback, then the function at the builtin call', (t) => {
  const source = 'fn inv(x: number) -> number {\n    return 1 / x;\n}\nfn go(xs: number[]) -> number[] {\n    return map(xs, inv);\n}\ngo([1, 0]);\n';
  const error = errorOf(() => new Vm(compile(source, 'cb.atlas')).run());
  t.deepEqual(trace(error.frames), ['inv@2:12', 'go@5:12', '<main>@7:1']);
});
