/**
 * Where the server runs the Atlas scoring program: in a runtime hosted in a worker thread
 * (`remote`, the point of this example), or on the server's own main thread (`local`, for
 * comparison: every request's interpretation then blocks the event loop).
 */
import { readFileSync } from 'node:fs';
import { compile } from '../../src/compiler/index.js';
import { JitEngine } from '../../src/jit/jit-engine.js';
import type { JitConfig } from '../../src/jit/jit-config.js';
import { spawnRuntime, type RemoteRuntime, type RuntimeStats } from '../../src/remote/index.js';
import { AtlasRuntimeError, Vm } from '../../src/vm/index.js';
import { AtlasArray, type Value } from '../../src/vm/values.js';
import { assessArgs, type ScoreRequest } from './score-request.js';

export type ScorerMode = 'remote' | 'local';

export interface ScorerOptions {
  readonly mode: ScorerMode;
  /** The JIT's configuration, or false to interpret everything. */
  readonly jit: JitConfig | false;
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
  return options.mode === 'remote' ? RemoteScorer.start(source, options.jit) : LocalScorer.start(source, options.jit);
}

/** `assess` returns [score, meanScore]; anything else means the program changed. */
function toResult(value: Value): ScoreResult {
  if (value instanceof AtlasArray && value.length === 2) {
    const [score, meanScore] = value.elements;
    if (typeof score === 'number' && typeof meanScore === 'number') return { score, meanScore };
  }
  throw new TypeError(`assess returned an unexpected value; expected [number, number]`);
}

class RemoteScorer implements Scorer {
  readonly mode = 'remote';

  private constructor(private readonly runtime: RemoteRuntime) {}

  static async start(source: string, jit: JitConfig | false): Promise<RemoteScorer> {
    const runtime = await spawnRuntime({ jit, stdout: (line) => console.log(`[atlas] ${line}`) });
    try {
      await runtime.load(source, PROGRAM_NAME);
      await runtime.run();
    } catch (error) {
      await runtime.close();
      throw error;
    }
    return new RemoteScorer(runtime);
  }

  async score(request: ScoreRequest): Promise<ScoreResult> {
    return toResult(await this.runtime.call('assess', ...assessArgs(request)));
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

  static async start(source: string, jit: JitConfig | false): Promise<LocalScorer> {
    const engine = jit === false ? undefined : await JitEngine.create(jit);
    const vm = new Vm(compile(source, PROGRAM_NAME), { ...(engine === undefined ? {} : { jit: engine }), stdout: (line) => console.log(`[atlas] ${line}`) });
    vm.run();
    return new LocalScorer(vm, engine);
  }

  async score(request: ScoreRequest): Promise<ScoreResult> {
    this.counters.calls++;
    try {
      return toResult(this.vm.call('assess', ...assessArgs(request)));
    } catch (error) {
      if (error instanceof AtlasRuntimeError) this.counters.errors++;
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
