/**
 * Programs known to the engine, and the one record the engine keeps per function it saw
 * called. Each `Bytecode` gets a small integer id; invalidating a program forgets it and its
 * records, and seen again it gets a new id, so results of compile jobs started before the
 * invalidation can never be installed.
 */
import type { ExitTrial } from './exit-trial.js';
import type { Bytecode, FunctionRef } from '../bytecode/bytecode.js';
import { functionEnd } from '../bytecode/program-analysis.js';
import type { CompileJob } from './compile-queue.js';
import type { HotRecord } from './hotspot-tracker.js';
import { CallGate, type GatedRecord } from './call-gate.js';
import type { CacheEntry, FunctionKey } from './code-cache.js';
import type { CallTree, GlobalDependency } from './call-tree.js';
import type { GlobalsView } from '../vm/index.js';
import { loopUnit } from './static-triage.js';
import { GlobalCells, type GlobalSlots, NO_GLOBAL_SLOTS } from './global-slots.js';
import type { NativeType, OptLevel } from './native.js';

/**
 * Everything the engine knows of one function of one program version: its call count and
 * compile state, its job, its installed code. Each part points back here, so no step of the
 * pipeline looks a function up by key.
 */
export interface FunctionRecord extends HotRecord, GatedRecord {
  /** `<program id>:<offset>` (`…@<header>` for a loop), the name events and the cache give it. */
  readonly key: FunctionKey;
  readonly fn: FunctionRef;
  readonly end: number;
  readonly program: ProgramState;
  /** Where its code is entered: the function's start for calls, a loop header for OSR. */
  readonly entry: number;
  /** The kinds of the entry frame its code is compiled for, profiled when it became hot. */
  entryKinds: readonly NativeType[];
  /** Every entry kind is a number (the call path's fast argument check). */
  numericEntry: boolean;
  /** The globals its code keeps in the invoke area's slots (resolved with its job). */
  globalSlots: GlobalSlots;
  /** The VM it became hot in: its globals' kinds are the global slots' kinds. */
  view: GlobalsView | undefined;
  /** OSR entries still to skip after a bail-out (see `JitEngine.onLoop`). */
  backoff: number;
  /** Calls of it (OSR attempts for a loop) the engine counted, however they ran (`engine.functions()`). */
  invocations: number;
  /** Native runs of its code, and how many of them left early (a side exit or a bail-out). */
  nativeRuns: number;
  leftEarly: number;
  /** Native runs that bailed out (the interpreter ran those calls again). */
  bailouts: number;
  /** The VM cells of its global slots (`global-slots.ts`). */
  readonly globalCells: GlobalCells;
  /** Back-edges its native runs took before they side-exited, summed (the work each exit interrupted). */
  exitBackEdges: number;
  /** A loop's exit trial (`exit-trial.ts`): none yet, running, or settled for this code. */
  trial: ExitTrial | 'settled' | undefined;
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
  /** Microseconds its compiles took on the workers, summed. */
  compileMicros: number;
  /** The opt level its last job was sent with (the engine's may change while it compiles). */
  jobOptLevel: OptLevel;
  /** What last ended its code or job (evicted, refused, failed, deoptimized), and why. */
  lastEnd: RecordEnd | undefined;
}

/** How a record's code or job last ended, for `engine.functions()`. */
export interface RecordEnd {
  readonly kind: 'evicted' | 'refused' | 'failed' | 'deoptimized' | 'dropped' | 'interpreted';
  readonly reason: string;
}

export class ProgramState {
  /** The records of the functions seen called, by body offset. */
  private readonly records = new Map<FunctionRef, FunctionRecord>();
  /** The records of the loops seen hot enough to count, by header offset. */
  private readonly loops = new Map<number, FunctionRecord>();
  /** Functions by body offset and arity (`functionOf`), synthetic ones for `notifyCall` included. */
  private functionsByEntry: Map<number, FunctionRef> | undefined;
  /** Each function constant's index in `gate` (its position among the constants). */
  private gateSlots: Map<FunctionRef, number> | undefined;
  /** The quiet calls each function constant may run in the VMs without asking the engine. */
  readonly gate: CallGate;

  constructor(
    readonly id: number,
    readonly bytecode: Bytecode,
  ) {
    this.gate = new CallGate(bytecode.functions().length);
  }

  /**
   * The record of `fn`, made on first sight (`end` is known to callers that have no function
   * constant). Records belong to function constants, not body offsets: two constants may share
   * a body with different arities, and each must run code compiled for its own frame.
   */
  track(fn: FunctionRef, end?: number): FunctionRecord {
    let record = this.records.get(fn);
    if (record === undefined) {
      record = this.newRecord(`${this.id}:${fn.offset}`, fn, end ?? functionEnd(this.bytecode, fn), fn.offset, this.gateSlotOf(fn));
      this.records.set(fn, record);
    }
    return record;
  }

  /**
   * The record of the loop whose header is at `header`, made on first sight: its code is the
   * frame's function (or the top-level code) entered at the header.
   */
  trackLoop(header: number): FunctionRecord {
    let record = this.loops.get(header);
    if (record === undefined) {
      const { fn, end } = loopUnit(this.bytecode, header);
      record = this.newRecord(`${this.id}:${fn.offset}@${header}`, fn, end, header, -1);
      this.loops.set(header, record);
    }
    return record;
  }

  private newRecord(key: FunctionKey, fn: FunctionRef, end: number, entry: number, gateSlot: number): FunctionRecord {
    return {
      calls: 0, state: 'cold', hotAt: 0, key, fn, end, program: this, entry, gateSlot, quietAllowed: 0,
      // A call enters with its parameters, numbers until a profile says otherwise.
      entryKinds: entry === fn.offset ? Array<NativeType>(fn.arity).fill('number') : NO_KINDS, numericEntry: true, globalSlots: NO_GLOBAL_SLOTS, view: undefined, backoff: 0, invocations: 0, nativeRuns: 0, leftEarly: 0, bailouts: 0, exitBackEdges: 0, trial: undefined, globalCells: new GlobalCells(),
      job: undefined, code: undefined, tree: undefined, guardGlobals: NO_GLOBALS, guardView: undefined, guardVersion: -1,
      compileMicros: 0, jobOptLevel: 1, lastEnd: undefined,
    };
  }

  /** `fn`'s index among the function constants (the VM's `AtlasFunction.gateSlot`); -1 for a function no constant names. */
  private gateSlotOf(fn: FunctionRef): number {
    this.gateSlots ??= new Map(this.bytecode.functions().map((f, i) => [f, i]));
    return this.gateSlots.get(fn) ?? -1;
  }

  /** Opens the gate of every function, handing each one's quiet calls to `ran` first. */
  openGate(ran: (record: FunctionRecord, calls: number) => void): void {
    for (const record of this.records.values()) {
      const calls = this.gate.settle(record);
      if (calls > 0) ran(record, calls);
    }
    this.gate.openAll();
  }

  /** The records of the functions seen called and the loops seen counting. */
  *functions(): IterableIterator<FunctionRecord> {
    yield* this.records.values();
    yield* this.loops.values();
  }

  get size(): number {
    return this.records.size + this.loops.size;
  }

  /** The first function constant whose body starts at `offset`, if any. */
  functionAt(offset: number): FunctionRef | undefined {
    return this.bytecode.functions().find((fn) => fn.offset === offset);
  }

  /**
   * The function constant of `arity` parameters whose body starts at `offset`; undefined when
   * constants start there but none takes `arity` (the interpreter raises the arity error). For
   * a body no constant names (a direct `notifyCall`), a function of its own, the same on
   * every call.
   */
  functionOf(offset: number, arity: number): FunctionRef | undefined {
    this.functionsByEntry ??= new Map(this.bytecode.functions().map((fn) => [entryKey(fn.offset, fn.arity), fn]));
    const key = entryKey(offset, arity);
    let fn = this.functionsByEntry.get(key);
    if (fn === undefined) {
      if (this.functionAt(offset) !== undefined) return undefined;
      fn = { name: `fn@${offset}`, arity, offset, localCount: arity, paramOwnership: [], paramNames: [], returnOwnership: 'none' };
      this.functionsByEntry.set(key, fn);
    }
    return fn;
  }
}

const NO_GLOBALS: readonly GlobalDependency[] = [];

/** A body offset and an arity (≤ 255) as one number. */
function entryKey(offset: number, arity: number): number {
  return offset * 256 + arity;
}
const NO_KINDS: readonly NativeType[] = [];

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
