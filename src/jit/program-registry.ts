/**
 * Programs known to the engine, and the one record the engine keeps per function it saw
 * called. Each `Bytecode` gets a small integer id; invalidating a program forgets it and its
 * records, and seen again it gets a new id, so results of compile jobs started before the
 * invalidation can never be installed.
 */
import type { Bytecode, FunctionRef } from '../bytecode/bytecode.js';
import { functionEnd } from '../bytecode/index.js';
import type { CompileJob } from './compile-queue.js';
import type { HotRecord } from './hotspot-tracker.js';
import type { CacheEntry, FunctionKey } from './code-cache.js';
import type { CallTree, GlobalDependency } from './call-tree.js';
import type { GlobalsView } from '../vm/index.js';

/**
 * Everything the engine knows of one function of one program version: its call count and
 * compile state, its job, its installed code. Each part points back here, so no step of the
 * pipeline looks a function up by key.
 */
export interface FunctionRecord extends HotRecord {
  /** `<program id>:<offset>`, the name events and the cache give it. */
  readonly key: FunctionKey;
  readonly fn: FunctionRef;
  readonly end: number;
  readonly program: ProgramState;
  /** The waiting or running job, while there is one. */
  job: CompileJob | undefined;
  /** Installed native code, while it is in the cache. */
  code: CacheEntry<FunctionRecord> | undefined;
  /** The functions it calls natively and the globals they are called through (resolved once). */
  tree: CallTree | undefined;
  /** The tree's globals, kept apart from `tree` for the guard check on every native call. */
  guardGlobals: readonly GlobalDependency[];
  /** The VM and its global version at which the tree's globals were last found intact. */
  guardView: GlobalsView | undefined;
  guardVersion: number;
}

export class ProgramState {
  /** The records of the functions seen called, by body offset. */
  private readonly records = new Map<number, FunctionRecord>();
  private functionsByOffset: Map<number, FunctionRef> | undefined;

  constructor(
    readonly id: number,
    readonly bytecode: Bytecode,
  ) {}

  /** The record of `fn`, made on first sight (`end` is known to callers that have no function constant). */
  track(fn: FunctionRef, end?: number): FunctionRecord {
    let record = this.records.get(fn.offset);
    if (record === undefined) {
      record = {
        calls: 0, state: 'cold', hotAt: 0, key: `${this.id}:${fn.offset}`, fn, end: end ?? functionEnd(this.bytecode, fn), program: this,
        job: undefined, code: undefined, tree: undefined, guardGlobals: NO_GLOBALS, guardView: undefined, guardVersion: -1,
      };
      this.records.set(fn.offset, record);
    }
    return record;
  }

  /** The records of the functions seen called. */
  functions(): IterableIterator<FunctionRecord> {
    return this.records.values();
  }

  get size(): number {
    return this.records.size;
  }

  /** The function constant whose body starts at `offset`, if any. */
  functionAt(offset: number): FunctionRef | undefined {
    if (this.functionsByOffset === undefined) {
      this.functionsByOffset = new Map(this.bytecode.functions().map((fn) => [fn.offset, fn]));
    }
    return this.functionsByOffset.get(offset);
  }
}

const NO_GLOBALS: readonly GlobalDependency[] = [];

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

  /** The records of every live program's functions. */
  *functions(): IterableIterator<FunctionRecord> {
    for (const program of this.live) yield* program.functions();
  }

  /** How many functions the live programs have records of. */
  functionCount(): number {
    let n = 0;
    for (const program of this.live) n += program.size;
    return n;
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
