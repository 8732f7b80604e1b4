/**
 * Where the server runs the Atlas scoring program: in a runtime hosted in a worker thread
 * (`remote`, the point of this example), or on the server's own main thread (`local`, for
 * comparison: every request's interpretation then blocks the event loop).
 */
import { readFileSync } from 'node:fs';
import PQueue from 'p-queue';
import { compile } from '../../src/compiler/index.js';
import { JitEngine } from '../../src/jit/jit-engine.js';
import type { JitConfig } from '../../src/jit/jit-config.js';
import { spawnRuntime, type RemoteRuntime, type RuntimeStats } from '../../src/remote/index.js';
import { AtlasInterrupted, AtlasRuntimeError, Vm } from '../../src/vm/index.js';
import { AtlasArray, type Value } from '../../src/vm/values.js';
import { assessArgs, type ScoreRequest } from './score-request.js';

export type ScorerMode = 'remote' | 'local';

export interface ScorerOptions {
  readonly mode: ScorerMode;
  /** The JIT's configuration, or false to interpret everything. */
  readonly jit: JitConfig | false;
  /**
   * How long one request may take, waiting for its turn included, before it is answered
   * `RequestBudgetExceeded` (a waiting request leaves the line, a running one is interrupted),
   * so a cheap request never waits long behind heavy ones. Default `DEFAULT_REQUEST_BUDGET_MS`.
   */
  readonly requestBudgetMs?: number;
}

export const DEFAULT_REQUEST_BUDGET_MS = 2000;

/** A request ran out of its time budget, waiting or running. */
export class RequestBudgetExceeded extends Error {
  constructor(readonly budgetMs: number) {
    super(`the request took longer than its ${budgetMs} ms budget`);
    this.name = 'RequestBudgetExceeded';
  }
}

export interface ScoreResult {
  /** The application's score (300-850). */
  readonly score: number;
  /** The mean score while the amount varies ±20 %. */
  readonly meanScore: number;
}

export interface Scorer {
  readonly mode: ScorerMode;
  score(request: ScoreRequest): Promise<ScoreResult>;
  stats(): Promise<RuntimeStats>;
  close(): Promise<void>;
}

const PROGRAM_FILE = new URL('../../../examples/server/scoring.atlas', import.meta.url);
const PROGRAM_NAME = 'examples/server/scoring.atlas';

export async function createScorer(options: ScorerOptions): Promise<Scorer> {
  const source = readFileSync(PROGRAM_FILE, 'utf8');
  const budgetMs = options.requestBudgetMs ?? DEFAULT_REQUEST_BUDGET_MS;
  return options.mode === 'remote' ? RemoteScorer.start(source, options.jit, budgetMs) : LocalScorer.start(source, options.jit, budgetMs);
}

/** `assess` returns [score, meanScore]; anything else means the program changed. */
function toResult(value: Value): ScoreResult {
  if (value instanceof AtlasArray && value.length === 2) {
    const [score, meanScore] = value.elements;
    if (typeof score === 'number' && typeof meanScore === 'number') return { score, meanScore };
  }
  throw new TypeError(`assess returned an unexpected value; expected [number, number]`);
}

/**
 * Runs in the runtime's worker one request at a time. The line of waiting requests is kept
 * here (a p-queue) rather than in the runtime, so that a request whose budget runs out while
 * it waits just leaves the line, and `interrupt()` (which stops everything the runtime was
 * asked to do) only ever stops the one request that overran.
 */
class RemoteScorer implements Scorer {
  readonly mode = 'remote';
  private readonly line = new PQueue({ concurrency: 1 });

  private constructor(
    private readonly runtime: RemoteRuntime,
    private readonly budgetMs: number,
  ) {}

  static async start(source: string, jit: JitConfig | false, budgetMs: number): Promise<RemoteScorer> {
    const runtime = await spawnRuntime({ jit, stdout: (line) => console.log(`[atlas] ${line}`) });
    try {
      await runtime.load(source, PROGRAM_NAME);
      await runtime.run();
    } catch (error) {
      await runtime.close();
      throw error;
    }
    return new RemoteScorer(runtime, budgetMs);
  }

  async score(request: ScoreRequest): Promise<ScoreResult> {
    const deadline = AbortSignal.timeout(this.budgetMs);
    try {
      return await this.line.add(() => this.run(request, deadline), { signal: deadline });
    } catch (error) {
      throw deadline.aborted ? new RequestBudgetExceeded(this.budgetMs) : error;
    }
  }

  /** One request's turn: interrupted if its deadline passes while it runs. */
  private async run(request: ScoreRequest, deadline: AbortSignal): Promise<ScoreResult> {
    const stop = () => void this.runtime.interrupt();
    deadline.addEventListener('abort', stop, { once: true });
    try {
      return toResult(await this.runtime.call('assess', ...assessArgs(request)));
    } finally {
      deadline.removeEventListener('abort', stop);
    }
  }

  stats(): Promise<RuntimeStats> {
    return this.runtime.stats();
  }

  close(): Promise<void> {
    return this.runtime.close();
  }
}

class LocalScorer implements Scorer {
  readonly mode = 'local';
  private readonly counters = { loads: 1, runs: 1, calls: 0, errors: 0, interrupted: 0 };

  private constructor(
    private readonly vm: Vm,
    private readonly engine: JitEngine | undefined,
  ) {}

  /** On the main thread a request runs at once (nothing waits), under the VM's time budget. */
  static async start(source: string, jit: JitConfig | false, budgetMs: number): Promise<LocalScorer> {
    const engine = jit === false ? undefined : await JitEngine.create(jit);
    const vm = new Vm(compile(source, PROGRAM_NAME), {
      ...(engine === undefined ? {} : { jit: engine }), timeBudgetMs: budgetMs, stdout: (line) => console.log(`[atlas] ${line}`),
    });
    vm.run();
    return new LocalScorer(vm, engine);
  }

  async score(request: ScoreRequest): Promise<ScoreResult> {
    this.counters.calls++;
    try {
      return toResult(this.vm.call('assess', ...assessArgs(request)));
    } catch (error) {
      if (error instanceof AtlasRuntimeError) this.counters.errors++;
      if (error instanceof AtlasInterrupted && error.timeBudgetMs !== undefined) {
        this.counters.interrupted++;
        throw new RequestBudgetExceeded(error.timeBudgetMs);
      }
      throw error;
    }
  }

  async stats(): Promise<RuntimeStats> {
    return { jit: this.engine?.stats() ?? null, runtime: { ...this.counters } };
  }

  async close(): Promise<void> {
    await this.engine?.close();
  }
}
