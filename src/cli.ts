#!/usr/bin/env node
/**
 * The `atlas-jit` command: `run`, `build`, `disasm` (grammar, options and help in
 * `cli/program.ts`; `atlas-jit <command> --help` lists every option with its default).
 * Program output goes to stdout; diagnostics, traces and statistics to stderr. Errors exit 1,
 * usage errors exit 2. Each command imports what it uses when it runs (see
 * `cli/run-command.ts`): module loading is most of a short run's start-up time.
 */
import { writeFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { loadProgram } from './cli/load-program.js';
import type { ErrorFormat } from './cli/error-report.js';
import { type CommandActions, cliProgram } from './cli/program.js';
import { packageManifest } from './package-root.js';

const actions: CommandActions = {
  run: (file, options) => reportingCompileErrors(options.errorFormat, async () => (await import('./cli/run-command.js')).runCommand(file, options)),
  build: (file, output, errorFormat) => reportingCompileErrors(errorFormat, async () => {
    const [{ bytecode }, { writeAtb }] = await Promise.all([loadProgram(file), import('./bytecode/atb.js')]);
    writeFileSync(output, writeAtb(bytecode));
    return 0;
  }),
  async disasm(file) {
    const [{ bytecode }, { disassemble }] = await Promise.all([loadProgram(file), import('./bytecode/disassembler.js')]);
    process.stdout.write(disassemble(bytecode));
    return 0;
  },
};

async function main(argv: string[]): Promise<number> {
  let status = 0;
  const program = cliProgram(packageManifest().version, actions, (s) => { status = s; });
  try {
    await program.parseAsync(withStatsValue(argv), { from: 'user' });
    return status;
  } catch (error) {
    // commander has printed its message (or the help or version): usage errors exit 2.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    return report(error);
  }
}

/**
 * `--stats` alone means the table; written as `--stats=table` so that an optional value
 * never swallows the FILE after it (`run --stats prog.atlas`).
 */
function withStatsValue(argv: readonly string[]): string[] {
  return argv.map((a) => (a === '--stats' ? '--stats=table' : a));
}

/** Runs a command; a compile error of its program is printed in `format` (exit 1). */
async function reportingCompileErrors(format: ErrorFormat, command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (error) {
    const [{ CompileError }, { compileErrorReport }] = await Promise.all([import('./compiler/compile-error.js'), import('./cli/error-report.js')]);
    if (!(error instanceof CompileError)) throw error;
    process.stderr.write(`${compileErrorReport(error, format)}\n`);
    return 1;
  }
}

/** Known errors print their own message (never a stack trace). */
async function report(error: unknown): Promise<number> {
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

/** Resolves once what was written to `stream` has been handed to the OS. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

const status = await main(process.argv.slice(2));
// Exit now rather than when the event loop empties: a run that ended while its compile worker
// was still booting would otherwise wait for the boot to finish (tens of milliseconds) only to
// stop the worker. The output is flushed first (on some platforms pipes are written async).
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(status);
