/**
 * `atlas-jit run`: runs a program, with the JIT unless `--no-jit`. Start-up matters for a
 * command (a short program should cost little more than starting Node.js), so the JIT's
 * modules load only when the JIT is on, the program is still running after its first
 * `INTERPRETED_START_MS`, and it has something it could compile (`runWithLateJit`).
 */
import type { JitEngine } from '../jit/jit-engine.js';
import type { CompileWorkers } from '../jit/compile-workers.js';
import type { JitConfig } from '../jit/jit-config.js';
import type { SourceText } from '../compiler/source-text.js';
import type { Bytecode } from '../bytecode/bytecode.js';
import type { RunProgress } from '../vm/index.js';
import { type ErrorFormat, runtimeErrorReport } from './error-report.js';
import { loadProgram, type LoadedProgram } from './load-program.js';
import type { RunOptions } from './run-options.js';

export async function runCommand(file: string, options: RunOptions): Promise<number> {
  const [program, vm] = await Promise.all([loadProgram(file), import('../vm/index.js')]);
  const run: RunSpec = { file, program, timeBudgetMs: options.timeBudgetMs, errorFormat: options.errorFormat };
  // A program with nothing that could get hot (no function, no loop) never needs the JIT:
  // its modules, the addon and the engine load only for one that has, or when the JIT's
  // statistics or trace are asked for.
  const mayGetHotCode = options.jit && mayGetHot(program.bytecode);
  // Statistics and the trace describe the whole run: the engine watches it from the start.
  if (options.jit && (options.stats !== undefined || options.traceJit)) return runObserved(run, vm, options, mayGetHotCode && (await mayCompile(program.bytecode)));
  if (!mayGetHotCode) return reportErrors(run, vm, () => newVm(run, vm, undefined).run());
  return runWithLateJit(run, vm, options);
}

/**
 * Whether anything in `bytecode` may compile, as its text shows (`static-triage.ts`): a program
 * whose every function and loop the translator would refuse (strings and arrays only, say)
 * runs as with `--no-jit`. Asked only of a program still running after its first slice: the
 * triage's modules and its first run cost 5–9 ms, which a short program would only lose.
 */
async function mayCompile(bytecode: Bytecode): Promise<boolean> {
  return (await import('../jit/static-triage.js')).programMayCompile(bytecode);
}

/**
 * How long a program runs interpreted before the JIT loads (`runWithLateJit`). Loading it (its
 * modules, the addon, the engine, the workers' start) costs this thread tens of milliseconds,
 * which a program that ends sooner would only lose; one that runs longer starts its native
 * code this much later, a few percent of a run long enough to gain from it.
 */
export const INTERPRETED_START_MS = 20;

/**
 * Runs a program that may get hot: interpreted for its first `INTERPRETED_START_MS`, then, if
 * it is still running and has something that may compile, paused at a safepoint while the
 * compile workers start (the event loop is free then), run on while they boot on another core
 * (`interpretWhileWorkersBoot`), and resumed with the engine loaded and attached once they have.
 */
async function runWithLateJit(run: RunSpec, vmModule: VmModule, options: RunOptions): Promise<number> {
  const vm = newVm(run, vmModule, undefined);
  // The engine is not closed: the command exits once the run is over (cli.ts), which stops its
  // workers at once, where closing would first wait for a worker still booting.
  return reportErrors(run, vmModule, async () => {
    if (vm.start(INTERPRETED_START_MS).done) return;
    if (!(await mayCompile(run.program.bytecode))) {
      vm.resume();
      return;
    }
    // The workers first, and the engine once they have booted: a program that ends meanwhile
    // never loads the engine's half of the JIT (`compile-workers.ts`).
    const workers = await startWorkers(options);
    if (workers === undefined) {
      vm.resume();
      return;
    }
    if (interpretWhileWorkersBoot(vm, workers).done) return;
    const engine = await createEngine(options, await importJit(), workers);
    if (engine !== undefined) vm.attachJit(engine);
    vm.resume();
  });
}

/** The compile workers, started; undefined (after a warning) when this platform has no JIT. */
async function startWorkers(options: RunOptions): Promise<CompileWorkers | undefined> {
  const [{ CompileWorkers }, { JitUnavailableError }] = await Promise.all([import('../jit/compile-workers.js'), import('../jit/native/addon.js')]);
  try {
    return CompileWorkers.start(jitConfig(options));
  } catch (error) {
    if (!(error instanceof JitUnavailableError)) throw error;
    warnUnavailable(error, options);
    return undefined;
  }
}

/** How often a run waiting for its compile workers looks whether they have booted. */
const WORKER_POLL_MS = 5;

/**
 * Runs the paused program on, without the engine, until the compile workers have booted:
 * no compile could start before then, and an engine attached to the VM changes the paths its
 * dispatch loop takes (the call gate, the hook's calls), which makes V8 deoptimize the loop and
 * run it unoptimized for tens of milliseconds. A program that ends while the workers boot
 * ends as fast as with `--no-jit`, but for the workers' start.
 */
function interpretWhileWorkersBoot(vm: InstanceType<VmModule['Vm']>, workers: CompileWorkers): RunProgress {
  let progress: RunProgress = { done: false };
  while (!workers.ready && !progress.done) progress = vm.resume(WORKER_POLL_MS);
  return progress;
}

/** Runs with the engine from the first instruction, for `--stats` and `--trace-jit`. */
async function runObserved(run: RunSpec, vmModule: VmModule, options: RunOptions, mayCompile: boolean): Promise<number> {
  const engine = await createEngine(options, await importJit());
  if (engine === undefined) return reportErrors(run, vmModule, () => newVm(run, vmModule, undefined).run());
  // The workers boot beside the run's start, off this thread.
  if (mayCompile) engine.startWorkers();
  const stopTrace = options.traceJit ? (await import('./trace-jit.js')).traceJit((line) => process.stderr.write(`${line}\n`), tracePositions(run.program.source)) : undefined;
  try {
    const status = await reportErrors(run, vmModule, () => newVm(run, vmModule, engine).run());
    if (options.stats !== undefined) await printStats(engine, options.stats);
    return status;
  } finally {
    stopTrace?.();
    await engine.close();
  }
}

function importJit(): Promise<JitModules> {
  return Promise.all([import('../jit/jit-engine.js'), import('../jit/native/addon.js')]);
}

/** Whether `bytecode` has a function or a loop (a backward jump): something that could get hot. */
function mayGetHot(bytecode: Bytecode): boolean {
  return bytecode.functions().length > 0 || bytecode.analysis.loopHeaders.length > 0;
}

type JitModules = [typeof import('../jit/jit-engine.js'), typeof import('../jit/native/addon.js')];

/**
 * The engine, or undefined when no native addon loads on this platform: then one warning
 * line says why and how to get the JIT, and the program runs interpreted.
 */
async function createEngine(options: RunOptions, [{ JitEngine }, { JitUnavailableError }]: JitModules, workers?: CompileWorkers): Promise<JitEngine | undefined> {
  try {
    return await JitEngine.create(jitConfig(options), workers === undefined ? {} : { workers });
  } catch (error) {
    if (!(error instanceof JitUnavailableError)) throw error;
    warnUnavailable(error, options);
    return undefined;
  }
}

/** The engine's settings from the command's options. */
function jitConfig(options: RunOptions): JitConfig {
  return {
    warmUp: false,
    compilationThreshold: options.threshold,
    osrThreshold: options.osrThreshold,
    interpretedLeafLimit: options.leafLimit,
    optLevel: options.optLevel,
    cacheSizeLimit: options.cacheSize,
    compileThreadPriority: options.compilePriority,
    ...(options.workers === undefined ? {} : { workers: options.workers }),
  };
}

/** One warning line says why there is no JIT and how to get it; the program runs interpreted. */
function warnUnavailable(error: Error, options: RunOptions): void {
  process.stderr.write(`atlas-jit: warning: ${error.message}\n`);
  if (options.stats !== undefined) process.stderr.write(options.stats === 'json' ? `${JSON.stringify({ jitUnavailable: error.message })}\n` : 'JIT statistics: unavailable\n');
}

type VmModule = typeof import('../vm/index.js');

/** What `execute` runs and how it reports a runtime error. */
interface RunSpec {
  readonly file: string;
  readonly program: LoadedProgram;
  readonly timeBudgetMs: number | undefined;
  readonly errorFormat: ErrorFormat;
}

function newVm(run: RunSpec, { Vm }: VmModule, engine: JitEngine | undefined): InstanceType<VmModule['Vm']> {
  const { program, timeBudgetMs } = run;
  return new Vm(program.bytecode, { ...(engine === undefined ? {} : { jit: engine }), ...(timeBudgetMs === undefined ? {} : { timeBudgetMs }) });
}

/** Runs `action` (the program's run); a runtime error is reported in the chosen format (`error-report.ts`). */
async function reportErrors(run: RunSpec, { AtlasRuntimeError, AtlasInterrupted }: VmModule, action: () => unknown): Promise<number> {
  try {
    await action();
    return 0;
  } catch (error) {
    if (error instanceof AtlasInterrupted) {
      process.stderr.write(`atlas-jit: ${error.message}\n`);
      return 1;
    }
    if (!(error instanceof AtlasRuntimeError)) throw error;
    process.stderr.write(`${runtimeErrorReport(error, run.errorFormat, run.file, run.program.source)}\n`);
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

