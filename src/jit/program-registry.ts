/**
 * Programs known to the engine. Each `Bytecode` gets a small integer id and a version; a
 * function key is `<id>:<offset>`. Invalidating a program forgets it; seen again, it gets a new
 * id, so results of compile jobs started before the invalidation can never be installed.
 */
import type { Bytecode, FunctionRef } from '../bytecode/bytecode.js';
import { functionEnd } from '../bytecode/index.js';
import type { CompileJob } from './compile-queue.js';
import type { HotRecord } from './hotspot-tracker.js';
import type { CacheEntry } from './code-cache.js';
import type { CallTree, GlobalDependency } from './call-tree.js';
import type { GlobalsView } from '../vm/index.js';

/** The engine's view of one function of one program version. */
export interface TrackedFunction {
  readonly key: string;
  readonly fn: FunctionRef;
  readonly end: number;
  readonly program: ProgramState;
  readonly record: HotRecord;
  /** The queued or running job, while there is one. */
  job: CompileJob | undefined;
  /** Installed native code, while it is in the cache. */
  code: CacheEntry | undefined;
  /** The functions it calls natively and the globals they are called through (resolved once). */
  tree: CallTree | undefined;
  /** The tree's globals, kept apart from `tree` for the guard check on every native call. */
  guardGlobals: readonly GlobalDependency[];
  /** The VM and its global version at which the tree's globals were last found intact. */
  guardView: GlobalsView | undefined;
  guardVersion: number;
}

export class ProgramState {
  readonly functions = new Map<number, TrackedFunction>();
  private functionsByOffset: Map<number, FunctionRef> | undefined;

  constructor(
    readonly id: number,
    readonly bytecode: Bytecode,
  ) {}

  keyOf(offset: number): string {
    return `${this.id}:${offset}`;
  }

  /** The function constant whose body starts at `offset`, if any. */
  functionAt(offset: number): FunctionRef | undefined {
    if (this.functionsByOffset === undefined) {
      this.functionsByOffset = new Map(this.bytecode.functions().map((fn) => [fn.offset, fn]));
    }
    return this.functionsByOffset.get(offset);
  }

  /** One past the function's last reachable instruction. */
  endOf(fn: FunctionRef): number {
    return functionEnd(this.bytecode, fn);
  }
}

export class ProgramRegistry {
  private readonly programs = new WeakMap<Bytecode, ProgramState>();
  private readonly live = new Set<ProgramState>();
  private nextId = 1;
  private last: ProgramState | undefined;

  /** The state of `bytecode`, registered on first sight. The last one is cached: most calls repeat it. */
  get(bytecode: Bytecode): ProgramState {
    const last = this.last;
    if (last !== undefined && last.bytecode === bytecode) return last;
    let state = this.programs.get(bytecode);
    if (state === undefined) {
      state = new ProgramState(this.nextId++, bytecode);
      this.programs.set(bytecode, state);
      this.live.add(state);
    }
    this.last = state;
    return state;
  }

  find(bytecode: Bytecode): ProgramState | undefined {
    return this.programs.get(bytecode);
  }

  /** Programs seen since the last `clear`; the engine holds them until invalidated or reset. */
  all(): IterableIterator<ProgramState> {
    return this.live.values();
  }

  delete(state: ProgramState): void {
    this.programs.delete(state.bytecode);
    this.live.delete(state);
    if (this.last === state) this.last = undefined;
  }

  clear(): void {
    for (const state of [...this.live]) this.delete(state);
  }
}
