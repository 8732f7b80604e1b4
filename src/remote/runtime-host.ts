/**
 * The worker side of a hosted runtime: a Vm and (optionally) a JitEngine with its own
 * compile pool, behind the `RuntimeApi` that `workers/runtime-worker` exposes with comlink.
 * It can also be used directly in one thread (tests do).
 *
 * Operations are numbered in arrival order, the same numbering the main thread uses when it
 * interrupts (see interrupt-signal.ts); each one first checks whether it was interrupted
 * while it waited.
 */
import { readAtb } from '../bytecode/atb.js';
import type { Bytecode } from '../bytecode/bytecode.js';
import { compile } from '../compiler/index.js';
import type { JitEngine } from '../jit/jit-engine.js';
import { Vm } from '../vm/interpreter.js';
import type { HostValue, Value } from '../vm/values.js';
import { InterruptSignal } from './interrupt-signal.js';
import { InterruptibleHook } from './interruptible-hook.js';
import { AtlasInterrupted, RemoteRuntimeError } from './remote-errors.js';
import type { ProgramSummary, RuntimeApi, RuntimeCounters, RuntimeStats, WorkerRuntimeOptions } from './runtime-api.js';
import type { StatsBoard } from './stats-board.js';

export interface RuntimeHostOptions extends WorkerRuntimeOptions {
  /** Where printed lines go. */
  readonly stdout: (line: string) => void;
  /** Shared with the main thread when hosted in a worker; a private one otherwise. */
  readonly interruptSignal?: InterruptSignal;
  /** Shared with the main thread when hosted in a worker: statistics asked for while the host is busy are published there. */
  readonly statsBoard?: StatsBoard;
}

export class RuntimeHost implements RuntimeApi {
  private readonly signal: InterruptSignal;
  private readonly hook: InterruptibleHook;
  private vm: Vm | undefined;
  private received = 0;
  private closed = false;
  private readonly counters = { loads: 0, runs: 0, calls: 0, errors: 0, interrupted: 0 };

  /**
   * Creates the host and its JIT engine, unless `jit` is false: then neither the engine nor
   * the native addon is loaded and no compile worker starts. Where no addon loads, the
   * runtime runs interpreted: it warns once per thread and `stats()` says why.
   */
  static async create(options: RuntimeHostOptions): Promise<RuntimeHost> {
    let engine: JitEngine | undefined;
    let unavailable: string | undefined;
    if (options.jit !== false) {
      const [{ JitEngine }, { JitUnavailableError }] = await Promise.all([import('../jit/jit-engine.js'), import('../jit/native/addon.js')]);
      try {
        engine = await JitEngine.create(options.jit ?? {});
      } catch (error) {
        if (!(error instanceof JitUnavailableError)) throw error;
        unavailable = error.message;
        warnOnce(error.message);
      }
    }
    return new RuntimeHost(options, engine, unavailable);
  }

  private constructor(
    private readonly options: RuntimeHostOptions,
    private readonly engine: JitEngine | undefined,
    private readonly jitUnavailable: string | undefined,
  ) {
    this.signal = options.interruptSignal ?? new InterruptSignal();
    const board = options.statsBoard;
    this.hook = new InterruptibleHook(this.signal, engine, board === undefined ? undefined : () => this.answerStatsRequest(board));
    if (engine !== undefined) this.signal.attachNativeThread(engine.interruptId);
    if (board !== undefined) {
      // Readers always find a snapshot, even one taken before the first safepoint.
      board.publish(this.stats());
      this.answerWhileIdle(board);
    }
  }

  load(program: string | Uint8Array, filename = '<source>'): ProgramSummary {
    return this.operation('loads', () => {
      const bytecode = parseProgram(program, filename);
      const vm = new Vm(bytecode, {
        jit: this.hook,
        stdout: this.options.stdout,
        ...(this.options.maxCallDepth === undefined ? {} : { maxCallDepth: this.options.maxCallDepth }),
        ...(this.options.maxStackSize === undefined ? {} : { maxStackSize: this.options.maxStackSize }),
      });
      // The old program's compiled code can never run again: release it now.
      if (this.vm !== undefined) this.engine?.invalidate(this.vm.bytecode);
      this.vm = vm;
      return summarize(bytecode, typeof program === 'string' ? filename : '<atb>');
    });
  }

  run(): Value | undefined {
    return this.operation('runs', () => this.loadedVm().run());
  }

  call(name: string, ...args: HostValue[]): Value {
    return this.operation('calls', () => this.loadedVm().call(name, ...args));
  }

  stats(): RuntimeStats {
    const stats = { jit: this.engine?.stats() ?? null, runtime: { ...this.counters } };
    return this.jitUnavailable === undefined ? stats : { ...stats, jitUnavailable: this.jitUnavailable };
  }

  /** Stops every operation received so far (the running one included). */
  interrupt(): void {
    this.signal.interruptThrough(this.received);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.statsBoard?.wake();
    this.interrupt();
    this.vm = undefined;
    await this.engine?.close();
  }

  /**
   * Runs one numbered operation: rejected at once if it was interrupted while waiting, and
   * counted by outcome. The hook carries the number so that polls during the run check it.
   */
  private operation<T>(counter: keyof Omit<RuntimeCounters, 'errors' | 'interrupted'>, body: () => T): T {
    const operation = ++this.received;
    this.counters[counter]++;
    try {
      if (this.closed) throw new RemoteRuntimeError('closed', 'the runtime is closed');
      if (this.signal.stops(operation)) throw new AtlasInterrupted(false);
      this.hook.operation = operation;
      this.answerStatsRequest(this.options.statsBoard);
      return body();
    } catch (error) {
      if (error instanceof AtlasInterrupted) this.counters.interrupted++;
      else this.counters.errors++;
      throw error;
    } finally {
      this.hook.operation = 0;
      this.answerStatsRequest(this.options.statsBoard);
    }
  }

  /** Publishes the statistics if a reader asked for them (at safepoints and between operations). */
  private answerStatsRequest(board: StatsBoard | undefined): void {
    if (board?.requested) board.publish(this.stats());
  }

  /** Answers requests that arrive while no operation runs (the event loop is free then). */
  private answerWhileIdle(board: StatsBoard): void {
    const seen = board.requests;
    this.answerStatsRequest(board);
    void board.nextRequest(seen).then(() => {
      if (!this.closed) this.answerWhileIdle(board);
    });
  }

  private loadedVm(): Vm {
    if (this.vm === undefined) throw new RemoteRuntimeError('not-loaded', 'no program loaded: call load() first');
    return this.vm;
  }
}

function parseProgram(program: string | Uint8Array, filename: string): Bytecode {
  if (typeof filename !== 'string') throw new TypeError(`load() expects the filename as a string, got ${describe(filename)}`);
  if (typeof program === 'string') return compile(program, filename);
  if (program instanceof Uint8Array) return readAtb(program);
  throw new TypeError(`load() expects Atlas source (a string) or .atb bytes (a Uint8Array), got ${describe(program)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value)})`;
  return typeof value;
}

function summarize(bytecode: Bytecode, name: string): ProgramSummary {
  return {
    name,
    codeBytes: bytecode.code.length,
    constants: bytecode.constants.length,
    functions: bytecode.functions().map((f) => ({ name: f.name, arity: f.arity })),
  };
}

let warned = false;

/** One warning per thread however many runtimes it hosts: the reason is the same for all. */
function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  process.emitWarning(message, { code: 'ATLAS_JIT_UNAVAILABLE' });
}
