#!/usr/bin/env node
/**
 * The `atlas-jit` command:
 *   atlas-jit run FILE [--no-jit] [--threshold N] [--workers N] [--opt-level N] [--trace-jit] [--stats[=json]]
 *   atlas-jit build FILE.atlas -o FILE.atb
 *   atlas-jit disasm FILE
 * Program output goes to stdout; diagnostics, traces and statistics to stderr. Errors exit 1,
 * usage errors exit 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AtbFormatError, BytecodeValidationError, disassemble, readAtb, writeAtb, type Bytecode } from './bytecode/index.js';
import { compile, CompileError } from './compiler/index.js';
import { SourceText } from './compiler/source-text.js';
import { AtlasRuntimeError, Vm } from './vm/index.js';
import { JitEngine } from './jit/jit-engine.js';
import { formatStatsTable } from './cli/stats-table.js';
import { traceJit } from './cli/trace-jit.js';

const USAGE = `usage:
  atlas-jit run FILE [--no-jit] [--threshold N] [--workers N] [--opt-level N] [--trace-jit] [--stats[=json]]
  atlas-jit build FILE.atlas -o FILE.atb
  atlas-jit disasm FILE`;

class UsageError extends Error {}

interface LoadedProgram {
  readonly bytecode: Bytecode;
  /** The source text, when the program came from source (for error excerpts). */
  readonly source: SourceText | undefined;
}

const ATB_MAGIC = [0x41, 0x54, 0x42, 0x00];

function loadProgram(file: string): LoadedProgram {
  const bytes = readFileSync(file);
  if (file.endsWith('.atb') || ATB_MAGIC.every((b, i) => bytes[i] === b)) {
    return { bytecode: readAtb(new Uint8Array(bytes)), source: undefined };
  }
  const text = bytes.toString('utf8');
  return { bytecode: compile(text, file), source: new SourceText(text, file) };
}

function intOption(value: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} expects an integer in ${min}..${max}, got '${value}'`);
  return n;
}

async function run(args: string[]): Promise<number> {
  // `--stats` alone means the table; parseArgs needs a value for string options.
  const argv = args.map((a) => (a === '--stats' ? '--stats=table' : a));
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      'no-jit': { type: 'boolean' }, threshold: { type: 'string' }, workers: { type: 'string' },
      'opt-level': { type: 'string' }, 'trace-jit': { type: 'boolean' }, stats: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('run takes exactly one FILE');
  const stats = values.stats;
  if (stats !== undefined && stats !== 'table' && stats !== 'json') throw new UsageError(`--stats takes no value or =json`);
  const program = loadProgram(positionals[0]!);
  if (values['no-jit'] === true) return execute(program, undefined);

  const threshold = intOption(values.threshold, 'threshold', 1);
  const workers = intOption(values.workers, 'workers', 1, 64);
  const optLevel = intOption(values['opt-level'], 'opt-level', 0, 2);
  const engine = await JitEngine.create({
    ...(threshold === undefined ? {} : { compilationThreshold: threshold }),
    ...(workers === undefined ? {} : { workers }),
    ...(optLevel === undefined ? {} : { optLevel: optLevel as 0 | 1 | 2 }),
  });
  const stopTrace = values['trace-jit'] === true ? traceJit((line) => process.stderr.write(`${line}\n`)) : undefined;
  try {
    const status = execute(program, engine);
    if (stats !== undefined) {
      const s = engine.stats();
      process.stderr.write(stats === 'json' ? `${JSON.stringify(s, null, 2)}\n` : `${formatStatsTable(s)}\n`);
    }
    return status;
  } finally {
    stopTrace?.();
    await engine.close();
  }
}

/** Runs the program; a runtime error is reported the reference's way plus a source excerpt. */
function execute(program: LoadedProgram, engine: JitEngine | undefined): number {
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

/** `--> file:line:col`, the source line, and a caret under the span. */
function excerpt(source: SourceText, span: { start: number; end: number }): string {
  const { line, column } = source.locate(span.start);
  const text = source.lineText(line);
  const width = Math.max(1, Math.min(span.end - span.start, Array.from(text).length - column + 1));
  return `  --> ${source.file}:${line}:${column}\n${text}\n${' '.repeat(column - 1)}^${'~'.repeat(width - 1)}`;
}

function build(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { output: { type: 'string', short: 'o' } } });
  if (positionals.length !== 1 || values.output === undefined) throw new UsageError('build takes FILE.atlas -o FILE.atb');
  const { bytecode } = loadProgram(positionals[0]!);
  writeFileSync(values.output, writeAtb(bytecode));
  return 0;
}

function disasm(args: string[]): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length !== 1) throw new UsageError('disasm takes exactly one FILE');
  process.stdout.write(disassemble(loadProgram(positionals[0]!).bytecode));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run': return await run(rest);
      case 'build': return build(rest);
      case 'disasm': return disasm(rest);
      case '--help': case '-h': case 'help':
        process.stdout.write(`${USAGE}\n`);
        return 0;
      default:
        throw new UsageError(command === undefined ? 'missing command' : `unknown command '${command}'`);
    }
  } catch (error) {
    return report(error);
  }
}

/** Known errors print their own message (never a stack trace). */
function report(error: unknown): number {
  if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`atlas-jit: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (error instanceof CompileError) process.stderr.write(`${error.message}\n`);
  else if (error instanceof AtbFormatError) process.stderr.write(`atlas-jit: invalid .atb file: ${error.message}\n`);
  else if (error instanceof BytecodeValidationError) process.stderr.write(`atlas-jit: invalid bytecode: ${error.message}\n`);
  else if (error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'EISDIR')) process.stderr.write(`atlas-jit: ${error.message}\n`);
  else throw error;
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
