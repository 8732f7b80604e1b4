/**
 * The command line's grammar: commands, their options with defaults and help, and the
 * parsing of option values (commander). The actions only import what each command uses when
 * it runs: module loading is most of a short run's start-up time.
 */
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { COMPILE_THREAD_PRIORITIES } from '../jit/native/contract.js';
import { ERROR_FORMATS, type ErrorFormat } from './error-report.js';
import { byteSize, integerIn, milliseconds } from './option-values.js';
import type { RunOptions } from './run-options.js';

/** What each command does with its parsed arguments; each resolves to the exit status. */
export interface CommandActions {
  run(file: string, options: RunOptions): Promise<number>;
  build(file: string, output: string, errorFormat: ErrorFormat): Promise<number>;
  disasm(file: string): Promise<number>;
}

/** The options that only mean something with the JIT on (`--no-jit` refuses them). */
const JIT_OPTIONS = ['threshold', 'osrThreshold', 'leafLimit', 'workers', 'optLevel', 'cacheSize', 'compilePriority', 'traceJit', 'stats'];

export function cliProgram(version: string, actions: CommandActions, setStatus: (status: number) => void): Command {
  const program = new Command('atlas-jit')
    .description('Run Atlas programs with a background-compiling JIT (Cranelift in worker threads).')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print help')
    .addHelpCommand('help [command]', 'print help for a command')
    .showHelpAfterError('(see atlas-jit <command> --help)')
    .exitOverride();

  program.command('run')
    .description('Run a program (Atlas source or .atb bytecode); output on stdout, diagnostics on stderr.')
    .argument('<file>', 'an .atlas source file or an .atb file')
    .addOption(new Option('--no-jit', 'interpret every function (no compile workers, no native code)').conflicts(JIT_OPTIONS))
    .addOption(new Option('--threshold <calls>', 'calls before a function is compiled').argParser(integerIn(1)).default(100))
    .addOption(new Option('--osr-threshold <back-edges>', 'loop back-edges before a running loop is compiled and entered (OSR)').argParser(integerIn(1)).default(1000))
    .addOption(new Option('--leaf-limit <instructions>', 'hot functions with no loop or call of at most this many instructions stay interpreted when called from interpreted code, where that is cheaper (0: compile them)').argParser(integerIn(0)).default(12))
    .addOption(new Option('--workers <n>', `compile threads (default: available parallelism − 1, here ${Math.max(1, availableParallelism() - 1)})`).argParser(integerIn(1, 64)))
    .addOption(new Option('--opt-level <level>', 'Cranelift optimisation: 0 none, 1 speed, 2 speed and size').choices(['0', '1', '2']).default('1'))
    .addOption(new Option('--cache-size <bytes>', 'budget of installed machine code (least recently used is evicted); units k, M, G').argParser(byteSize).default(64 * 1024 * 1024, '64MiB'))
    .addOption(new Option('--compile-priority <priority>', 'scheduling priority of compile threads (idle: Linux SCHED_IDLE)').choices(COMPILE_THREAD_PRIORITIES).default('normal'))
    .addOption(new Option('--time-budget <ms>', 'stop the run with an error after this long (default: none)').argParser(milliseconds))
    .addOption(new Option('--trace-jit', 'print one line per compile event on stderr'))
    .addOption(new Option('--stats [format]', 'print JIT statistics on stderr at the end').choices(['table', 'json']).preset('table'))
    .addOption(errorFormatOption())
    .action(async (file: string, options: ParsedRunOptions) => setStatus(await actions.run(file, runOptions(options))));

  program.command('build')
    .description('Compile Atlas source to an .atb bytecode file.')
    .argument('<file>', 'an .atlas source file')
    .requiredOption('-o, --output <file>', 'the .atb file to write')
    .addOption(errorFormatOption())
    .action(async (file: string, options: { output: string; errorFormat: ErrorFormat }) => setStatus(await actions.build(file, options.output, options.errorFormat)));

  program.command('disasm')
    .description('Print the disassembled bytecode of a program (source or .atb).')
    .argument('<file>', 'an .atlas source file or an .atb file')
    .action(async (file: string) => setStatus(await actions.disasm(file)));

  return program;
}

function errorFormatOption(): Option {
  return new Option('--error-format <format>', 'how errors are printed on stderr: human (file:line:col, code frame, Atlas stack), reference (the reference implementation\'s line) or json (one object per line)')
    .choices(ERROR_FORMATS).default('human');
}

/** commander's values for `run` (names camel-cased, `--no-jit` as `jit: false`). */
interface ParsedRunOptions {
  readonly jit: boolean;
  readonly threshold: number;
  readonly osrThreshold: number;
  readonly leafLimit: number;
  readonly workers: number | undefined;
  readonly optLevel: '0' | '1' | '2';
  readonly cacheSize: number;
  readonly compilePriority: RunOptions['compilePriority'];
  readonly timeBudget: number | undefined;
  readonly traceJit: boolean | undefined;
  readonly stats: 'table' | 'json' | undefined;
  readonly errorFormat: ErrorFormat;
}

function runOptions(o: ParsedRunOptions): RunOptions {
  return {
    jit: o.jit,
    threshold: o.threshold,
    osrThreshold: o.osrThreshold,
    leafLimit: o.leafLimit,
    workers: o.workers,
    optLevel: Number(o.optLevel) as 0 | 1 | 2,
    cacheSize: o.cacheSize,
    compilePriority: o.compilePriority,
    timeBudgetMs: o.timeBudget,
    traceJit: o.traceJit === true,
    stats: o.stats,
    errorFormat: o.errorFormat,
  };
}
