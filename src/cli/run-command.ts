/**
 * `atlas-jit run`: runs a program, with the JIT unless `--no-jit`. Start-up matters for a
 * command (an empty program should cost little more than starting Node.js), so the JIT's
 * modules load only when the JIT is on, alongside the program rather than after it, and the
 * engine starts no compile worker up front: the first hot function starts them.
 */
import { parseArgs } from 'node:util';
import type { JitEngine } from '../jit/jit-engine.js';
import type { SourceText } from '../compiler/source-text.js';
import { loadProgram, type LoadedProgram } from './load-program.js';
import { UsageError } from './usage.js';

interface RunOptions {
  readonly file: string;
  readonly jit: boolean;
  readonly threshold: number | undefined;
  readonly osrThreshold: number | undefined;
  readonly workers: number | undefined;
  readonly optLevel: 0 | 1 | 2 | undefined;
  readonly traceJit: boolean;
  readonly stats: 'table' | 'json' | undefined;
}

export async function runCommand(args: readonly string[]): Promise<number> {
  const options = parseRunArgs(args);
  // The JIT's modules load while the program is read and compiled.
  const jitModule = options.jit ? import('../jit/jit-engine.js') : undefined;
  const [program, vm] = await Promise.all([loadProgram(options.file), import('../vm/index.js')]);
  if (jitModule === undefined) return execute(program, vm, undefined);
  const { JitEngine } = await jitModule;
  const engine = await JitEngine.create({
    warmUp: false,
    ...(options.threshold === undefined ? {} : { compilationThreshold: options.threshold }),
    ...(options.osrThreshold === undefined ? {} : { osrThreshold: options.osrThreshold }),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.optLevel === undefined ? {} : { optLevel: options.optLevel }),
  });
  const stopTrace = options.traceJit ? (await import('./trace-jit.js')).traceJit((line) => process.stderr.write(`${line}\n`), tracePositions(program.source)) : undefined;
  try {
    const status = execute(program, vm, engine);
    if (options.stats !== undefined) await printStats(engine, options.stats);
    return status;
  } finally {
    stopTrace?.();
    await engine.close();
  }
}

function parseRunArgs(args: readonly string[]): RunOptions {
  // `--stats` alone means the table; parseArgs needs a value for string options.
  const argv = args.map((a) => (a === '--stats' ? '--stats=table' : a));
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      'no-jit': { type: 'boolean' }, threshold: { type: 'string' }, 'osr-threshold': { type: 'string' }, workers: { type: 'string' },
      'opt-level': { type: 'string' }, 'trace-jit': { type: 'boolean' }, stats: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('run takes exactly one FILE');
  const stats = values.stats;
  if (stats !== undefined && stats !== 'table' && stats !== 'json') throw new UsageError(`--stats takes no value or =json`);
  return {
    file: positionals[0]!,
    jit: values['no-jit'] !== true,
    threshold: intOption(values.threshold, 'threshold', 1),
    osrThreshold: intOption(values['osr-threshold'], 'osr-threshold', 1),
    workers: intOption(values.workers, 'workers', 1, 64),
    optLevel: intOption(values['opt-level'], 'opt-level', 0, 2) as 0 | 1 | 2 | undefined,
    traceJit: values['trace-jit'] === true,
    stats,
  };
}

function intOption(value: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} expects an integer in ${min}..${max}, got '${value}'`);
  return n;
}

type VmModule = typeof import('../vm/index.js');

/** Runs the program; a runtime error is reported the reference's way plus a source excerpt. */
function execute(program: LoadedProgram, { Vm, AtlasRuntimeError }: VmModule, engine: JitEngine | undefined): number {
  const vm = new Vm(program.bytecode, engine === undefined ? {} : { jit: engine });
  try {
    vm.run();
    return 0;
  } catch (error) {
    if (!(error instanceof AtlasRuntimeError)) throw error;
    process.stderr.write(`Runtime error: ${error.debugString()}\n`);
    if (program.source !== undefined && error.span !== undefined) process.stderr.write(`${excerpt(program.source, error.span)}\n`);
    return 1;
  }
}

async function printStats(engine: JitEngine, format: 'table' | 'json'): Promise<void> {
  const stats = engine.stats();
  const functions = engine.functions();
  if (format === 'json') process.stderr.write(`${JSON.stringify({ ...stats, functions }, null, 2)}\n`);
  else process.stderr.write(`${(await import('./stats-table.js')).formatStatsTable(stats, functions)}\n`);
}

/** `--trace-jit` shows refusals at file:line:col when the program came from source. */
function tracePositions(source: SourceText | undefined): { locate?: (span: { start: number }) => string } {
  if (source === undefined) return {};
  return { locate: (span) => `${source.file}:${source.locate(span.start).line}:${source.locate(span.start).column}` };
}

/** `--> file:line:col`, the source line, and a caret under the span. */
function excerpt(source: SourceText, span: { start: number; end: number }): string {
  const { line, column } = source.locate(span.start);
  const text = source.lineText(line);
  const width = Math.max(1, Math.min(span.end - span.start, Array.from(text).length - column + 1));
  return `  --> ${source.file}:${line}:${column}\n${text}\n${' '.repeat(column - 1)}^${'~'.repeat(width - 1)}`;
}
