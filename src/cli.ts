#!/usr/bin/env node
/**
 * The `atlas-jit` command:
 *   atlas-jit run FILE [--no-jit] [--threshold N] [--osr-threshold N] [--workers N] [--opt-level N] [--trace-jit] [--stats[=json]]
 *   atlas-jit build FILE.atlas -o FILE.atb
 *   atlas-jit disasm FILE
 * Program output goes to stdout; diagnostics, traces and statistics to stderr. Errors exit 1,
 * usage errors exit 2. Each command imports what it uses when it runs (see `cli/run-command.ts`):
 * module loading is most of a short run's start-up time.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadProgram } from './cli/load-program.js';
import { USAGE, UsageError } from './cli/usage.js';

async function build(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { output: { type: 'string', short: 'o' } } });
  if (positionals.length !== 1 || values.output === undefined) throw new UsageError('build takes FILE.atlas -o FILE.atb');
  const [{ bytecode }, { writeAtb }] = await Promise.all([loadProgram(positionals[0]!), import('./bytecode/atb.js')]);
  writeFileSync(values.output, writeAtb(bytecode));
  return 0;
}

async function disasm(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length !== 1) throw new UsageError('disasm takes exactly one FILE');
  const [{ bytecode }, { disassemble }] = await Promise.all([loadProgram(positionals[0]!), import('./bytecode/disassembler.js')]);
  process.stdout.write(disassemble(bytecode));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run': return await (await import('./cli/run-command.js')).runCommand(rest);
      case 'build': return await build(rest);
      case 'disasm': return await disasm(rest);
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
async function report(error: unknown): Promise<number> {
  if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`atlas-jit: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  // The error classes, imported only now: the module that threw one is loaded already.
  const [{ CompileError }, { AtbFormatError }, { BytecodeValidationError }] = await Promise.all([
    import('./compiler/compile-error.js'), import('./bytecode/atb.js'), import('./bytecode/validator.js'),
  ]);
  if (error instanceof CompileError) process.stderr.write(`${error.message}\n`);
  else if (error instanceof AtbFormatError) process.stderr.write(`atlas-jit: invalid .atb file: ${error.message}\n`);
  else if (error instanceof BytecodeValidationError) process.stderr.write(`atlas-jit: invalid bytecode: ${error.message}\n`);
  else if (error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'EISDIR')) process.stderr.write(`atlas-jit: ${error.message}\n`);
  else throw error;
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
