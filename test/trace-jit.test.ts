// `--trace-jit`'s compile log: its format line by line (golden), and the events a real run
// produces for a program that queues, compiles, refuses (at its source position), drops,
// evicts and is invalidated.
import test from 'ava';
import { compile } from '../src/compiler/index.js';
import { SourceText } from '../src/compiler/source-text.js';
import { formatTraceLine, traceJit } from '../src/cli/trace-jit.js';
import type { JitEvent } from '../src/jit/jit-events.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { Vm } from '../src/vm/index.js';

const base: JitEvent = { key: '1:42', name: 'sq', calls: 100, tier: 'function', entry: 42, bytecodeBytes: 18 };
const located = (span: { start: number }) => `prog.atlas:3:${span.start}`;

test('each event has one line in the documented format', (t) => {
  const lines = [
    formatTraceLine(1.5, 'queued', { ...base, queueDepth: 3 }),
    formatTraceLine(2, 'started', { ...base, compileId: 7, optLevel: 1, queueWaitMicros: 750 }),
    formatTraceLine(3.5, 'installed', { ...base, compileId: 7, optLevel: 1, codeSize: 96, queueWaitMicros: 750, compileMicros: 1234.5 }),
    formatTraceLine(4, 'refused', { ...base, name: 'greet', key: '1:60', entry: 60, compileId: 8, queueWaitMicros: 20, reason: 'refused: Constant 4 at offset 64 is a string constant', offset: 64, span: { start: 40, end: 44 } }, located),
    formatTraceLine(4, 'refused', { ...base, compileId: 8, reason: 'refused: x', offset: 64 }),
    formatTraceLine(5, 'failed', { ...base, compileId: 9, queueWaitMicros: 10, reason: 'compile worker crashed' }),
    formatTraceLine(6, 'dropped', { ...base, compileId: 10, reason: 'compile queue full' }),
    formatTraceLine(7, 'evicted', { ...base, codeSize: 96, reason: 'cache budget' }),
    formatTraceLine(8, 'invalidated', { ...base, reason: 'program invalidated' }),
    formatTraceLine(1234.56, 'deopt', { ...base, key: '1:0@50', name: '<main>', tier: 'osr', entry: 50, calls: 1024, reason: 'deoptimized: most runs leave early' }),
  ];
  t.deepEqual(lines, [
    '[jit]      1.5ms queued      -     sq               1:42      fn       calls=100 depth=3',
    '[jit]      2.0ms started     #7    sq               1:42      fn       calls=100 opt=1 wait=750µs',
    '[jit]      3.5ms installed   #7    sq               1:42      fn       calls=100 opt=1 bytecode=18B code=96B wait=750µs compile=1.23ms',
    '[jit]      4.0ms refused     #8    greet            1:60      fn       calls=100 wait=20µs at=prog.atlas:3:40 reason="refused: Constant 4 at offset 64 is a string constant"',
    '[jit]      4.0ms refused     #8    sq               1:42      fn       calls=100 at=@64 reason="refused: x"',
    '[jit]      5.0ms failed      #9    sq               1:42      fn       calls=100 wait=10µs reason="compile worker crashed"',
    '[jit]      6.0ms dropped     #10   sq               1:42      fn       calls=100 reason="compile queue full"',
    '[jit]      7.0ms evicted     -     sq               1:42      fn       calls=100 code=96B reason="cache budget"',
    '[jit]      8.0ms invalidated -     sq               1:42      fn       calls=100 reason="program invalidated"',
    '[jit]   1234.6ms deopt       -     <main>           1:0@50    osr@50   calls=1024 reason="deoptimized: most runs leave early"',
  ]);
});

const FUNCTIONS = 8;
const SOURCE = [
  ...Array.from({ length: FUNCTIONS }, (_, i) => `fn f${i}(a: number) -> number { return a * 2 + ${i}; }`),
  'fn greet(n: number) -> string { return "hi"; }',
  'var i = 0;',
  `while (i < 3) { f0(i); greet(i); ${Array.from({ length: FUNCTIONS - 1 }, (_, i) => `f${i + 1}(i);`).join(' ')} i = i + 1; }`,
].join('\n');

test.serial('a run that queues, compiles, refuses, drops, evicts and invalidates logs each event', async (t) => {
  const bytecode = compile(SOURCE, 'trace.atlas');
  const source = new SourceText(SOURCE, 'trace.atlas');
  const locate = (span: { start: number }) => `trace.atlas:${source.locate(span.start).line}:${source.locate(span.start).column}`;
  // One worker, a one-job queue (so a burst drops jobs) and a cache too small for two functions (so installs evict).
  const engine = await JitEngine.create({ interpretedLeafLimit: 0, workers: 1, compilationThreshold: 1, osrThreshold: 1e9, maxQueue: 1, cacheSizeLimit: 500 });
  const lines: string[] = [];
  const stop = traceJit((line) => lines.push(line), { locate, elapsedMs: () => 0 });
  for (let run = 0; run < 6; run++) {
    new Vm(bytecode, { jit: engine }).run();
    // Changed while jobs run: each compile reports the level it was sent with.
    if (run === 0) engine.optLevel = 2;
    await engine.whenIdle();
  }
  const states = new Set(engine.functions().map((f) => f.state));
  t.true(states.has('evicted') && states.has('refused'), [...states].join(', '));
  engine.invalidate(bytecode);
  t.deepEqual(engine.functions(), [], 'an invalidated program leaves no records');
  stop();
  await engine.close();
  const log = lines.join('\n');
  t.regex(log, /^\[jit\] {6}0\.0ms queued {6}- +f0 +1:\d+ +fn +calls=1 depth=\d+$/m);
  t.regex(log, /^\[jit\] {6}0\.0ms started {5}#1 +f0 +1:\d+ +fn +calls=\d+ opt=1 wait=\S+$/m);
  t.regex(log, /^\[jit\] +0\.0ms installed +#\d+ +f\d +1:\d+ +fn +calls=\d+ opt=\d bytecode=\d+B code=\d+B wait=\S+ compile=\S+$/m);
  t.regex(log, /^\[jit\] +0\.0ms dropped +#\d+ +f\d +1:\d+ +fn +calls=\d+ reason="compile queue full"$/m);
  t.notRegex(log, / dropped .* calls=0 /, 'a dropped job shows the calls that made it hot');
  t.regex(log, /^\[jit\] +0\.0ms evicted +- +f\d +1:\d+ +fn +calls=\d+ code=\d+B reason="cache budget"$/m);
  t.regex(log, /^\[jit\] +0\.0ms invalidated (-|#\d+) +f\d +1:\d+ +fn +calls=\d+ reason="program invalidated"$/m);
  // The refusal points at the string constant in greet's body: line 9, column 40. It is made on
  // the main thread (static-triage.ts): no compile id, no wait.
  t.regex(log, /^\[jit\] +0\.0ms refused +- +greet +1:\d+ +fn +calls=\d+ at=trace\.atlas:9:40 reason="refused: .*string constant"$/m);
  t.is(lines.filter((l) => / refused /.test(l)).length, 1, 'refused once');
  const optOf = (event: string) => new Map(lines.filter((l) => l.includes(` ${event} `)).map((l) => [/#\d+/.exec(l)![0], /opt=(\d)/.exec(l)![1]]));
  const started = optOf('started');
  for (const [id, opt] of optOf('installed')) t.is(opt, started.get(id), `compile ${id}`);
  t.deepEqual(new Set(started.values()), new Set(['1', '2']));
});
