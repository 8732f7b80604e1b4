/**
 * The Atlas bytecode interpreter: the reference VM's semantics (docs/bytecode.md §2, §3) in one dispatch
 * loop over the instruction bytes.
 *
 * Speed notes (the loop is the hot path of the whole runtime):
 * - The code is pre-decoded into one 32-bit word per position (dispatch.ts): one load gives
 *   the dense dispatch number, which V8 turns into a jump table, and the operand.
 * - Superinstructions for the commonest sequences (dispatch.ts) save dispatches and stack traffic.
 * - The words end with one Invalid word, so the loop reads each next word without a bounds
 *   check of its own; its default case tells running off the code (a normal stop) from a
 *   byte that is no opcode.
 * - Machine state (ip, sp, frame base, …) lives in int32 locals; frames live in one
 *   preallocated typed array; the value stack is one growable JS array; constants are
 *   converted to Values once, at construction. No opcode allocates except those that create
 *   values (strings, arrays, closures, Options, and V8's boxes for non-small-integer numbers).
 * - Rare paths (global resolution, builtin calls, error construction) are separate methods.
 * - The JIT hook costs one `undefined` check per user-function call; its safepoint runs
 *   between slices of the loop (see runFrom).
 *
 * Unvalidated code is safe: every out-of-range read raises the reference error (spec
 * docs/bytecode.md §2.2-2.4): UnknownOpcode for bad bytes, truncated operands (marked when the code is
 * pre-decoded) and bad constant indices, StackUnderflow for pops of an empty stack (docs/bytecode.md Q12).
 */
import type { Bytecode, Constant, FunctionRef } from '../bytecode/bytecode.js';
import { assertValid } from '../bytecode/validator.js';
import { BUILTINS, BUILTIN_VALUES, MATH_CONSTANTS, StdlibError, type BuiltinContext } from './builtins.js';
import { AtlasInterrupted, AtlasRuntimeError, NO_OFFSET, type RuntimeErrorKind, runtimeErrorAt } from './errors.js';
import { Cmp, Op, Word, dispatchWords } from './dispatch.js';
import type { FunctionHandle } from './function-handle.js';
import { fromHostArg } from './host.js';
import { type GlobalCell, type GlobalsView, HaltSignal, SAFEPOINT_INTERVAL, SIDE_EXIT, type VmJitHook } from './jit-hook.js';
import { steadyDispatchLoop } from './steady-dispatch.js';
import type { CallbackContext } from './stdlib/callback-context.js';
import {
  AtlasArray, AtlasBuiltin, AtlasClosure, AtlasFunction, AtlasJson, AtlasOption, AtlasResult, type HostValue, type Value,
  valuesEqual,
} from './values.js';

export interface VmOptions {
  /** Receives each printed line without its newline. Default: process.stdout, line + "\n". */
  stdout?: ((line: string) => void) | undefined;
  /** A JIT engine asked before every user-function call. */
  jit?: VmJitHook;
  /** Maximum nesting of user-function frames (the reference has no limit, docs/bytecode.md Q19). */
  maxCallDepth?: number;
  /** Maximum value-stack slots, checked at calls and loop back-edges. */
  maxStackSize?: number;
  /** Validate the bytecode in the constructor (default true). */
  validate?: boolean;
  /**
   * Wall-clock budget of each `run()`/`call()` in ms: past it the run stops with
   * `AtlasInterrupted`, interpreted code at its next call or loop back-edge, native code (via
   * the JIT hook's `onRunStart`) at its next function entry or back edge. Default: none.
   */
  timeBudgetMs?: number;
}

/** Default recursion limit: deep enough for naive recursive code, far below memory limits. */
export const DEFAULT_MAX_CALL_DEPTH = 100_000;
/** Default value-stack limit (16 Mi slots, about 128 MiB of references). */
export const DEFAULT_MAX_STACK_SIZE = 1 << 24;

/** Loop back-edges plus interpreted calls per slice of the dispatch loop (see runFrom). */
const SLICE_BUDGET = SAFEPOINT_INTERVAL;
/** What `execute` returns at the end of a slice. */
// Registered, so that the steady-state copy of this module (steady-dispatch.ts) has the same one.
const SUSPENDED: unique symbol = Symbol.for('atlas-jit.vm.suspended');
/** Thrown out of the slices when a run started by `Vm.start` pauses; caught by `start`/`resume`. */
const PAUSE: unique symbol = Symbol('atlas-jit.vm.pause');
/** How far a run started by `Vm.start` got: finished with its value, or paused. */
export type RunProgress = { readonly done: true; readonly value: Value | undefined } | { readonly done: false };
/** The return address of a frame entered from `Vm.call`: Return hands the value to the host. */
const HOST_RETURN = -1;
/** Bytes of a `Call` instruction: a frame's return address is its call's offset plus this. */
const CALL_SIZE = 2;
const NO_UPVALUES: readonly Value[] = Object.freeze([]);
/** The span the reference gives ExtractOptionValue, ExtractResultValue and GetArrayLen errors. */
const DUMMY_SPAN = Object.freeze({ start: 0, end: 0 });
const INITIAL_STACK = 1024;
const INITIAL_FRAMES = 256;

/** The fields of one frame in `Vm.frames`. */
const enum Frame {
  Base = 0,
  Locals = 1,
  Return = 2,
  Size = 3,
}

/** Constant `c` as a value; `gateSlot` is its index among the function constants (for functions). */
function constantValue(c: Constant, gateSlot: number): Value {
  switch (c.kind) {
    case 'null': return null;
    case 'bool': return c.value;
    case 'number': return c.value;
    case 'string': return c.value;
    case 'function': return new AtlasFunction(c.value, gateSlot);
    case 'builtin': return new AtlasBuiltin(c.name);
  }
}

/** The function a global's cell holds, or the error a host call of it raises. */
function calleeIn(cell: GlobalCell): AtlasFunction | AtlasClosure {
  const callee = cell.value;
  if (callee instanceof AtlasFunction || callee instanceof AtlasClosure) return callee;
  throw new AtlasRuntimeError('TypeError', NO_OFFSET, undefined, 'Cannot call non-function value');
}

function defaultStdout(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** `Vm`'s dispatch loop, called with the VM as `this` (see `Vm.dispatchLoop`). */
export type DispatchLoop = (this: Vm, entryIp: number, entrySp: number, entryFp: number) => Value | undefined | typeof SUSPENDED;

export class Vm implements GlobalsView {
  /** This module's dispatch loop (`execute`), for the steady-state copy of it (steady-dispatch.ts). */
  static readonly dispatchLoop: DispatchLoop = Vm.prototype.execute;
  readonly bytecode: Bytecode;
  /** The code pre-decoded for dispatch: one word per position (see dispatch.ts). */
  private readonly words: Int32Array;
  private readonly constants: readonly Value[];
  /** `names[k]` is constant k's text when it is a string (a global name), else undefined. */
  private readonly names: readonly (string | undefined)[];
  private readonly cells: (GlobalCell | undefined)[];
  /**
   * By constant index: the builtin, math constant or `None` a GetGlobal of that name found,
   * until a global of a new name appears (it may shadow a builtin). Spares the name lookups on
   * every call of a builtin.
   */
  private readonly builtinAt: (Value | undefined)[];
  private readonly globals = new Map<string, GlobalCell>();
  /** What builtins get when called as callbacks: no way to call back (see CallbackContext). */
  private readonly builtinContext: BuiltinContext;
  /** What builtins get when called from bytecode: the callback intrinsics call back through it. */
  private readonly callbackContext: CallbackContext;
  // The builtin call the callback intrinsics run their callbacks for: its Call offset, its stack
  // height with callee and arguments popped (callback frames go above it) and its frame.
  private siteOffset = 0;
  private siteSp = 0;
  private siteFp = 0;
  /** Callbacks running (nested runs of the dispatch loop inside a builtin call). */
  private callbackDepth = 0;
  /** Callback calls left before the next safepoint (deadline, interrupts, installs). */
  private callbackTicks = SLICE_BUDGET;
  /** The JIT hook: from the options, or attached later (`attachJit`). */
  private hook: VmJitHook | undefined;
  /** The hook's call gate for this program (`VmJitHook.callGate`), fetched when a run starts. */
  private gate: Int32Array | undefined;
  private readonly maxCallDepth: number;
  private readonly maxStackSize: number;
  private readonly timeBudgetMs: number | undefined;
  /** performance.now() past which the current run stops; Infinity without a budget. */
  private deadline = Infinity;
  /** Bumped by every global write the hook may care about (see GlobalsView). */
  private globalWrites = 0;

  private readonly stack: Value[];
  // Frame i (0 = the main frame "<main>", docs/bytecode.md §2.2): its stack base, local count and return
  // address at frames[i * Frame.Size + …], its upvalues at frameUpvalues[i]. One typed array,
  // so that a call allocates nothing and touches one object.
  private frames = new Int32Array(INITIAL_FRAMES * Frame.Size);
  private readonly frameUpvalues: (readonly Value[])[] = Array.from({ length: INITIAL_FRAMES }, () => NO_UPVALUES);
  private running = false;
  /** When a run started by `start` or `resume` pauses (performance.now() time; Infinity: never). */
  private pauseAt = Infinity;
  /** A run is paused at a safepoint, its state in the resume fields (`start`). */
  private paused = false;
  // Where the next slice resumes (see runFrom).
  private resumeIp = 0;
  private resumeSp = 0;
  private resumeFp = 0;
  /** The slice ended at a loop back-edge (`resumeIp` is its header), not at a call. */
  private resumeAtLoop = false;
  /**
   * Back-edges the next slice runs before it offers a loop header to the hook: what the last
   * slice left when it ended at a call. After a loop's native code side-exited, 1: the first
   * back-edge offers it again, so the loop goes back to native code after the one iteration it
   * could not run, not after a whole slice interpreted.
   */
  private nextSliceBackEdges = SLICE_BUDGET;
  /** The dispatch loop this VM runs: `execute`, or its steady-state copy once the JIT's warm-up is over. */
  private loop: DispatchLoop = Vm.dispatchLoop;

  constructor(bytecode: Bytecode, options: VmOptions = {}) {
    if (options.validate ?? true) assertValid(bytecode);
    this.bytecode = bytecode;
    this.words = withEndWord(dispatchWords(bytecode.code));
    let functionIndex = 0;
    this.constants = bytecode.constants.map((c) => constantValue(c, c.kind === 'function' ? functionIndex++ : -1));
    this.names = bytecode.constants.map((c) => (c.kind === 'string' ? c.value : undefined));
    // Array.from gives packed arrays; `new Array(n).fill()` would stay holey (slower loads).
    this.cells = Array.from({ length: bytecode.constants.length }, () => undefined);
    this.builtinAt = Array.from({ length: bytecode.constants.length }, () => undefined);
    this.builtinContext = { stdout: options.stdout ?? defaultStdout };
    this.callbackContext = { ...this.builtinContext, callback: (callee, args) => this.invokeCallback(callee, args) };
    this.hook = options.jit;
    this.maxCallDepth = checkLimit('maxCallDepth', options.maxCallDepth ?? DEFAULT_MAX_CALL_DEPTH);
    this.maxStackSize = checkLimit('maxStackSize', options.maxStackSize ?? DEFAULT_MAX_STACK_SIZE);
    this.timeBudgetMs = options.timeBudgetMs === undefined ? undefined : checkBudget(options.timeBudgetMs);
    this.stack = [];
    for (let i = 0; i < INITIAL_STACK; i++) this.stack.push(null);
  }

  /**
   * Runs the top-level code from offset 0. The result is the value left on top of the stack
   * when the run stops (docs/bytecode.md §2.2; docs/bytecode.md Q1 makes it the last statement's value), or undefined
   * when the stack is empty. Globals persist across runs and calls.
   */
  run(): Value | undefined {
    // `start` with no pause: it always ends done.
    const progress = this.start(Infinity);
    return progress.done ? progress.value : undefined;
  }

  /**
   * Starts the top-level code as `run()` does, but pauses it at the first safepoint (a loop
   * back-edge or call between slices of the dispatch loop) after `sliceMs` milliseconds:
   * `{ done: false }`, and `resume()` continues it. The host gets control back meanwhile, e.g.
   * to load a JIT engine and `attachJit` it only for a program that runs that long. A paused
   * run still holds the VM (`call` and `run` throw), and its time budget keeps running.
   * Errors and halts end the run as in `run()`.
   */
  start(sliceMs: number): RunProgress {
    this.enter();
    this.pauseAt = performance.now() + sliceMs;
    try {
      this.initMainFrame();
      this.gate = this.hook?.callGate?.(this.bytecode);
      return this.finished(this.runFrom(0, 0, 0));
    } catch (error) {
      return this.stopped(error);
    }
  }

  /** Continues the paused run (`start`); with `sliceMs`, pauses it again after that long. */
  resume(sliceMs = Infinity): RunProgress {
    if (!this.paused) throw new Error('Vm has no paused run to resume');
    this.paused = false;
    this.pauseAt = performance.now() + sliceMs;
    try {
      return this.finished(this.resumeRun());
    } catch (error) {
      return this.stopped(error);
    }
  }

  /**
   * Gives a VM created without a JIT hook one, between runs or while a run is paused (the run
   * goes on with it from its next slice). Not from inside a run, e.g. a print callback.
   */
  attachJit(jit: VmJitHook): void {
    if (this.hook !== undefined) throw new Error('Vm already has a JIT hook');
    if (this.running && !this.paused) throw new Error('Vm is running: attach a JIT hook between runs or while a run is paused');
    this.hook = jit;
    if (!this.paused) return;
    // What enter() and run() give the hook at a run's start, for the rest of this run.
    this.gate = jit.callGate?.(this.bytecode);
    jit.onRunStart?.(this.timeBudgetMs === undefined ? undefined : Math.max(this.deadline - performance.now(), 0));
  }

  /** A run started by `start` ended with `value`. */
  private finished(value: Value | undefined): RunProgress {
    this.pauseAt = Infinity;
    this.leave();
    return { done: true, value };
  }

  /** A run started by `start` stopped with `error`: paused, halted, or failed (rethrown). */
  private stopped(error: unknown): RunProgress {
    if (error === PAUSE) {
      this.paused = true;
      return { done: false };
    }
    this.pauseAt = Infinity;
    this.leave();
    if (error instanceof HaltSignal) return { done: true, value: error.value };
    this.report(error);
    throw error;
  }

  /**
   * Calls the global user function `name` with host arguments and returns its result.
   * `run()` must have installed the function (its prologue runs at top level). If the
   * function executes `Halt`, the run stops and the value on top of the stack (or null) is
   * returned. A host that calls one function many times saves the lookup with `function()`.
   */
  call(name: string, ...args: HostValue[]): Value {
    this.enter();
    try {
      return this.callValue(this.calleeNamed(name), args);
    } catch (e) {
      if (e instanceof HaltSignal) return e.value;
      this.report(e);
      throw e;
    } finally {
      this.leave();
    }
  }

  /**
   * A handle that calls the global function `name` (see `FunctionHandle`): `vm.function('f')(1, 2)`
   * is `vm.call('f', 1, 2)` without the lookup. The global must hold a function now (`run()`
   * defines them); the handle follows it when it is redefined. The type parameters declare the
   * signature the host expects, e.g. `vm.function<[number, number], number>('add')`.
   */
  function<Args extends readonly HostValue[] = HostValue[], Result extends Value = Value>(name: string): FunctionHandle<Args, Result> {
    const cell = this.globals.get(name);
    if (cell === undefined) throw new AtlasRuntimeError('UndefinedVariable', NO_OFFSET, undefined, name);
    let callee = calleeIn(cell);
    const handle = (...args: Args): Result => {
      // The guard: a redefined global is checked and bound again, as `call` would find it.
      if (cell.value !== callee) callee = calleeIn(cell);
      return this.callBound(callee, args) as Result;
    };
    Object.defineProperty(handle, 'name', { value: name });
    Object.defineProperty(handle, 'arity', { get: () => calleeIn(cell).ref.arity, enumerable: true });
    return handle as FunctionHandle<Args, Result>;
  }

  /** A handle's call: `call` with the callee already found. */
  private callBound(callee: AtlasFunction | AtlasClosure, args: readonly HostValue[]): Value {
    this.enter();
    try {
      return this.callValue(callee, args);
    } catch (e) {
      if (e instanceof HaltSignal) return e.value;
      this.report(e);
      throw e;
    } finally {
      this.leave();
    }
  }

  /** The value of user global `name`, if defined. */
  getGlobal(name: string): Value | undefined {
    return this.globals.get(name)?.value;
  }

  /** See `GlobalsView.cellOf`. */
  cellOf(name: string): GlobalCell | undefined {
    return this.globals.get(name);
  }

  /** See `GlobalsView.globalVersion`: what may change a hook's assumptions about globals. */
  get globalVersion(): number {
    return this.globalWrites;
  }

  /** Defines or overwrites user global `name` (as `SetGlobal` would). */
  setGlobal(name: string, value: Value): void {
    this.globalWrites++;
    const cell = this.globals.get(name);
    if (cell === undefined) this.addGlobal(name, { value });
    else cell.value = value;
  }

  /** Names of all user globals, in definition order. */
  globalNames(): string[] {
    return [...this.globals.keys()];
  }

  private enter(): void {
    // The loop keeps its state in locals, so a nested run (from a hook or a print callback)
    // would corrupt the outer one.
    if (this.running) throw new Error('Vm is already running; run() and call() are not re-entrant');
    this.running = true;
    const budget = this.timeBudgetMs;
    // Without a budget the deadline stays at Infinity, as the constructor set it.
    if (budget !== undefined) this.deadline = performance.now() + budget;
    try {
      this.hook?.onRunStart?.(budget);
    } catch (error) {
      this.running = false;
      throw error;
    }
  }

  private leave(): void {
    this.running = false;
    this.hook?.onRunEnd?.();
  }

  private initMainFrame(): void {
    this.frames[Frame.Base] = 0;
    this.frames[Frame.Locals] = this.bytecode.topLevelLocalCount;
    this.frames[Frame.Return] = 0;
    this.frameUpvalues[0] = NO_UPVALUES;
  }

  /** The function global `name` holds, or the error `call` raises for it. */
  private calleeNamed(name: string): AtlasFunction | AtlasClosure {
    const cell = this.globals.get(name);
    if (cell === undefined) throw new AtlasRuntimeError('UndefinedVariable', NO_OFFSET, undefined, name);
    return calleeIn(cell);
  }

  /** Runs a host call of `callee` in the run `enter()` started. */
  private callValue(callee: AtlasFunction | AtlasClosure, hostArgs: readonly HostValue[]): Value {
    const stack = this.stack;
    const argc = hostArgs.length;
    // Converted straight onto the stack: a call with plain arguments allocates nothing here.
    for (let i = 0; i < argc; i++) stack[i + 1] = fromHostArg(hostArgs[i], i);
    stack[0] = callee;
    const fn = callee.ref;
    const notCallable = this.checkCallable(callee, argc);
    if (notCallable !== undefined) throw new AtlasRuntimeError('TypeError', NO_OFFSET, undefined, notCallable);
    let answer: Value | undefined | typeof SIDE_EXIT;
    const hook = this.hook;
    // A host call is one more call of the function: the gate lets it through as it would a bytecode call.
    if (hook !== undefined && callee instanceof AtlasFunction && !this.gateLetsThrough(callee)) {
      answer = hook.onHostCall !== undefined
        ? hook.onHostCall(fn, this.bytecode, stack, this.maxCallDepth, this.maxStackSize - 1, this)
        : hook.onCall(fn, this.bytecode, stack, 1, this.maxCallDepth, this.maxStackSize - 1, this);
      if (answer !== undefined && answer !== SIDE_EXIT) return answer;
    }
    // Only interpreted code reads the frames and the call gate: a call native code answered
    // never gets here, and saves fetching them.
    this.initMainFrame();
    this.gate = hook?.callGate?.(this.bytecode);
    const sp = argc + 1;
    if (this.maxCallDepth < 1) throw this.stackOverflow(NO_OFFSET);
    this.frames[Frame.Size + Frame.Base] = 1;
    this.frames[Frame.Size + Frame.Locals] = fn.localCount;
    this.frames[Frame.Size + Frame.Return] = HOST_RETURN;
    this.frameUpvalues[1] = callee instanceof AtlasClosure ? callee.upvalues : NO_UPVALUES;
    // Native code that left part-way hands over the frames to continue from.
    if (answer === SIDE_EXIT) {
      this.applyExit(1);
      return this.runFrom(this.resumeIp, this.resumeSp, this.resumeFp) ?? null;
    }
    return this.runFrom(fn.offset, sp, 1) ?? null;
  }

  /**
   * Whether the call gate lets a call of `callee` run interpreted without asking the hook (and
   * counts it off): a cold function, one waiting for its compile, one left interpreted for good.
   * The gate is the one the last run or call fetched. The dispatch loop's `Call` reads it inline.
   */
  private gateLetsThrough(callee: AtlasFunction): boolean {
    const gate = this.gate;
    const gateSlot = callee.gateSlot;
    if (gate === undefined || gateSlot < 0 || gate[gateSlot]! <= 0) return false;
    gate[gateSlot]!--;
    return true;
  }

  /** The reference's call checks (docs/bytecode.md §3.3): offset 0 first, then arity. */
  private checkCallable(callee: AtlasFunction | AtlasClosure, argc: number): string | undefined {
    const fn = callee.ref;
    if (fn.offset === 0) {
      return callee instanceof AtlasFunction
        ? `Cannot call function '${fn.name}' from VM: function was created by interpreter and has no compiled bytecode. This typically happens when importing functions across execution modes.`
        : `Cannot call closure '${fn.name}' from VM: no compiled bytecode.`;
    }
    if (argc !== fn.arity) return `Function ${fn.name} expects ${fn.arity} arguments, got ${argc}`;
    return undefined;
  }

  /**
   * Runs the dispatch loop from the given state until the run ends, resuming it after every
   * slice. A slice ends after SLICE_BUDGET loop back-edges and calls; that is the JIT hook's
   * safepoint, and it keeps `execute` short-lived: V8 then optimizes it as a whole function,
   * which gives much better code than on-stack replacement into a long-running loop (whose
   * state enters as untyped values and stays tagged).
   */
  private runFrom(ip: number, sp: number, fp: number): Value | undefined {
    try {
      return this.runSlices(this.loop(ip, sp, fp));
    } catch (error) {
      throw this.traced(error);
    }
  }

  /** `runFrom` for a paused run: from the safepoint where it paused. */
  private resumeRun(): Value | undefined {
    try {
      // The first slice runs before the run may pause again: every resume makes progress.
      return this.runSlices(this.nextSlice(false));
    } catch (error) {
      throw this.traced(error);
    }
  }

  /** Runs the slices that follow one that ended with `outcome`, to the run's result. */
  private runSlices(outcome: Value | undefined | typeof SUSPENDED): Value | undefined {
    while (outcome === SUSPENDED) outcome = this.nextSlice(true);
    return outcome;
  }

  /** `error`, with the interpreter's frames it left noted if it is a runtime error (`traceFrames`). */
  private traced(error: unknown): unknown {
    if (error instanceof AtlasRuntimeError) this.traceFrames(error);
    return error;
  }

  /**
   * Between two slices: the safepoint, the pause of a run started by `start` (never inside a
   * callback's nested run), the loop offered to the hook; then the next slice.
   */
  private nextSlice(mayPause: boolean): Value | undefined | typeof SUSPENDED {
    this.safepoint();
    if (mayPause && this.pauseAt !== Infinity && this.callbackDepth === 0 && performance.now() >= this.pauseAt) throw PAUSE;
    if (this.resumeAtLoop && this.hook?.onLoop !== undefined) {
      const returned = this.offerLoop(this.hook);
      if (returned !== SUSPENDED) return returned;
    }
    return this.loop(this.resumeIp, this.resumeSp, this.resumeFp);
  }

  /**
   * Between slices: stops the run past its deadline, and lets the hook poll (installs,
   * interrupts). When the hook says its compile work has settled, the VM switches (once) to the
   * steady-state copy of its dispatch loop, if loaded (steady-dispatch.ts says why).
   */
  private safepoint(): void {
    if (this.deadline !== Infinity && performance.now() >= this.deadline) throw new AtlasInterrupted(true, this.timeBudgetMs);
    if (this.hook?.onSafepoint?.() === true && this.loop === Vm.dispatchLoop) this.loop = (steadyDispatchLoop() as DispatchLoop | undefined) ?? this.loop;
  }

  /**
   * Whether this VM runs the steady-state copy of its dispatch loop (steady-dispatch.ts): its
   * JIT hook said, at a safepoint, that its compile work had settled. For diagnostics and tests.
   */
  get steadyDispatch(): boolean {
    return this.loop !== Vm.dispatchLoop;
  }

  /**
   * A loop header of frame `resumeFp` got another slice of back-edges: the hook may run the
   * rest of the frame natively (on-stack replacement). Updates the resume state from what
   * it did; returns the run's result when the frame it finished was entered from `Vm.call`.
   */
  private offerLoop(hook: VmJitHook): Value | undefined | typeof SUSPENDED {
    const fp = this.resumeFp;
    const at = fp * Frame.Size;
    const base = this.frames[at + Frame.Base]!;
    const framesLeft = this.maxCallDepth - fp + 1;
    const answer = hook.onLoop!(this.resumeIp, this.bytecode, this.stack, base, this.resumeSp, framesLeft, this.maxStackSize - base, this);
    if (answer === undefined) return SUSPENDED;
    if (answer === SIDE_EXIT) {
      this.applyExit(fp);
      this.nextSliceBackEdges = 1;
      return SUSPENDED;
    }
    return this.returnFrom(fp, answer);
  }

  /** What `Return` does for frame `fp` whose code native code ran to its return with `result`. */
  private returnFrom(fp: number, result: Value): Value | undefined | typeof SUSPENDED {
    if (fp === 0) return result; // top-level code cannot Return; the main frame's result ends the run
    const at = fp * Frame.Size;
    const frameStart = this.frames[at + Frame.Base]!;
    const returnIp = this.frames[at + Frame.Return]!;
    this.frameUpvalues[fp] = NO_UPVALUES;
    let sp = frameStart > 0 ? frameStart - 1 : 0; // the callee's slot, as Return drops it
    this.stack[sp++] = result;
    if (returnIp === HOST_RETURN) return result;
    this.resumeIp = returnIp;
    this.resumeSp = sp;
    this.resumeFp = fp - 1;
    return SUSPENDED;
  }

  /**
   * Continues from the frames a side exit handed back: the first is frame `fp` (already
   * entered), each further one a call the one before made at its offset (a `Call`), pushed as
   * the interpreter would have on that call. Leaves the resume state at the innermost.
   */
  private applyExit(fp: number): void {
    const exits = this.hook!.exitFrames!;
    const stack = this.stack;
    let base = this.frames[fp * Frame.Size + Frame.Base]!;
    let sp = base;
    for (let k = 0; k < exits.length; k++) {
      if (k > 0) {
        const callAt = exits[k - 1]!.offset;
        const argc = this.bytecode.code[callAt + 1]!;
        const callee = stack[sp - argc - 1] as AtlasFunction;
        fp++;
        const at = fp * Frame.Size;
        if (at + Frame.Size > this.frames.length) this.growFrames();
        this.frames[at + Frame.Base] = base = sp - argc;
        this.frames[at + Frame.Locals] = callee.ref.localCount;
        this.frames[at + Frame.Return] = callAt + 2;
        this.frameUpvalues[fp] = NO_UPVALUES;
      }
      const values = exits[k]!.values;
      for (let i = 0; i < values.length; i++) stack[base + i] = values[i]!;
      sp = base + values.length;
    }
    this.resumeIp = exits[exits.length - 1]!.offset;
    this.resumeSp = sp;
    this.resumeFp = fp;
  }

  /**
   * Records the interpreter's frames of an error that left the dispatch loop (which noted its
   * `resumeIp`/`resumeFp`) or the native code of a loop entered at a safepoint (`resumeAtLoop`),
   * innermost first, down to the frame the run or host call entered. Frames native code ran are
   * already recorded (see `NativeCaller.resultOf`): a call's native frames are those above
   * frame `resumeFp`, which is at that call; a loop's include frame `resumeFp` itself.
   */
  private traceFrames(error: AtlasRuntimeError): void {
    const frames = this.frames;
    let fp = this.resumeFp;
    let offset = error.hasFrames ? this.resumeIp : error.offset;
    if (this.resumeAtLoop && error.hasFrames) {
      if (fp === 0) return;
      offset = frames[fp * Frame.Size + Frame.Return]!;
      if (offset === HOST_RETURN) return;
      offset -= CALL_SIZE;
      fp--;
    }
    for (;;) {
      error.addFrame(this.frameName(fp), offset);
      if (fp === 0) return;
      const returnIp = frames[fp * Frame.Size + Frame.Return]!;
      if (returnIp === HOST_RETURN) return;
      offset = returnIp - CALL_SIZE;
      fp--;
    }
  }

  /** The function frame `fp` runs: the callee below its arguments (frame 0 is top-level code). */
  private frameName(fp: number): string {
    if (fp === 0) return '<main>';
    const callee = this.stack[this.frames[fp * Frame.Size + Frame.Base]! - 1];
    return callee instanceof AtlasFunction || callee instanceof AtlasClosure ? callee.ref.name : '<unknown>';
  }

  /** Completes a runtime error leaving `run`/`call` with its frames' positions. */
  private report(error: unknown): void {
    if (error instanceof AtlasRuntimeError) error.complete(this.bytecode);
  }

  /** Saves the loop state at the end of a slice (the frames are already in `frames`). */
  private suspend(ip: number, sp: number, fp: number, atLoop: boolean): typeof SUSPENDED {
    this.resumeIp = ip;
    this.resumeSp = sp;
    this.resumeFp = fp;
    this.resumeAtLoop = atLoop;
    return SUSPENDED;
  }

  /**
   * The dispatch loop. Starts at `entryIp` with `entrySp` stack slots in use and frame
   * `entryFp` current.
   * Returns the run's result (top of stack or undefined) when the code halts or falls off
   * the end, or the returned value when a frame entered from `Vm.call` returns.
   *
   * Every value that flows into ip, sp, fp, base and localCount is an int32 (`| 0` on the
   * FunctionRef fields), so TurboFan keeps them untagged in registers.
   */
  private execute(entryIp: number, entrySp: number, entryFp: number): Value | undefined | typeof SUSPENDED {
    // Parameters arrive tagged; `| 0` types them int32, so the loop phis stay untagged.
    let ip = entryIp | 0;
    let sp = entrySp | 0;
    let fp = entryFp | 0;
    const words = this.words;
    const len = words.length - 1; // the code's length: the last word is the end word
    const constants = this.constants;
    const constantCount = constants.length;
    const cells = this.cells;
    const builtinAt = this.builtinAt;
    const stack = this.stack;
    const hook = this.hook;
    const gate = this.gate;
    const maxCallDepth = this.maxCallDepth;
    const maxStackSize = this.maxStackSize;
    let frames = this.frames;
    const frameUpvalues = this.frameUpvalues;
    let base = frames[fp * Frame.Size + Frame.Base]!;
    let localCount = frames[fp * Frame.Size + Frame.Locals]!;
    let upvalues = frameUpvalues[fp]!;
    // Slices end after SLICE_BUDGET interpreted calls or SLICE_BUDGET back-edges, counted
    // apart so that a loop with calls in its body still reaches its header's safepoint.
    let budget = SLICE_BUDGET;
    let backEdges = this.nextSliceBackEdges;
    this.nextSliceBackEdges = SLICE_BUDGET;

    // The catch only notes where the error left this loop, for its stack (see `traceFrames`).
    try {
      dispatch: for (;;) {
        // No bounds check: past either end the word is Invalid (see the default case).
        const word = words[ip]!;
        switch (word & Word.OpMask) {
          case Op.Constant: {
            const k = word >> Word.OperandShift;
            if (k >= constantCount) throw this.fail('UnknownOpcode', ip);
            stack[sp++] = constants[k]!;
            ip += 3;
            break;
          }
          case Op.Null:
            stack[sp++] = null;
            ip += 1;
            break;
          case Op.True:
            stack[sp++] = true;
            ip += 1;
            break;
          case Op.False:
            stack[sp++] = false;
            ip += 1;
            break;

          case Op.GetLocal:
          case Op.GetLocalGetLocal:
          case Op.GetLocalConstant: {
            const slot = base + (word >> Word.OperandShift);
            if (slot >= sp) throw this.fail('StackUnderflow', ip);
            stack[sp] = stack[slot]!;
            sp++;
            ip += 3;
            const op = word & Word.OpMask;
            if (op === Op.GetLocal) break;
            // Superinstruction: the second half, with its operand from its own word.
            const operand = words[ip]! >> Word.OperandShift;
            if (op === Op.GetLocalGetLocal) {
              if (base + operand >= sp) throw this.fail('StackUnderflow', ip);
              stack[sp] = stack[base + operand]!;
            } else {
              if (operand >= constantCount) throw this.fail('UnknownOpcode', ip);
              stack[sp] = constants[operand]!;
            }
            sp++;
            ip += 3;
            break;
          }
          case Op.SetLocal:
          case Op.SetLocalPop: { // peeks
            const index = word >> Word.OperandShift;
            if (sp === 0 || index >= localCount) throw this.fail('StackUnderflow', ip);
            const value = stack[sp - 1]!;
            const slot = base + index;
            if (slot >= sp) {
              // Q11: the reference pads with nulls only when writing the last declared slot.
              const need = slot - sp + 1;
              if (base + localCount > sp + need) throw this.fail('StackUnderflow', ip);
              for (let i = 0; i < need; i++) stack[sp++] = null;
            }
            stack[slot] = value;
            ip += 3;
            if ((word & Word.OpMask) === Op.SetLocalPop) {
              sp--; // the fused Pop; sp >= 1 here
              ip += 1;
            }
            break;
          }
          case Op.GetGlobal: {
            const k = word >> Word.OperandShift;
            if (k >= constantCount) throw this.fail('UnknownOpcode', ip);
            const cell = cells[k];
            stack[sp++] = cell !== undefined ? cell.value : (builtinAt[k] ?? this.resolveGlobal(k, ip));
            ip += 3;
            break;
          }
          case Op.SetGlobal:
          case Op.SetGlobalPop: { // peeks
            const k = word >> Word.OperandShift;
            if (k >= constantCount) throw this.fail('UnknownOpcode', ip);
            const cell = cells[k] ?? this.globalCell(k, ip);
            if (sp === 0) throw this.fail('StackUnderflow', ip);
            const old = cell.value;
            const value = stack[sp - 1]!;
            cell.value = value;
            // Only a reference value coming or going can change what a hook assumes (GlobalsView).
            if (hook !== undefined && ((typeof old === 'object' && old !== null) || (typeof value === 'object' && value !== null))) this.globalWrites++;
            ip += 3;
            if ((word & Word.OpMask) === Op.SetGlobalPop) {
              sp--; // the fused Pop
              ip += 1;
            }
            break;
          }
          case Op.MakeClosure: {
            const closure = this.makeClosure(word >> Word.OperandShift, ip, sp);
            sp -= closure.upvalues.length;
            stack[sp++] = closure;
            ip += 5;
            break;
          }
          case Op.GetUpvalue: {
            const i = word >> Word.OperandShift;
            if (i >= upvalues.length) {
              throw this.fail('TypeError', ip, `Upvalue index ${i} out of bounds (closure has ${upvalues.length} upvalues)`);
            }
            stack[sp++] = upvalues[i]!;
            ip += 3;
            break;
          }
          case Op.SetUpvalue: { // peeks; writes the frame's private copy (Q21)
            const i = word >> Word.OperandShift;
            if (sp === 0) throw this.fail('StackUnderflow', ip);
            if (i >= upvalues.length) {
              throw this.fail('TypeError', ip, `SetUpvalue: index ${i} out of bounds (closure has ${upvalues.length} upvalues)`);
            }
            const copy = upvalues.slice();
            copy[i] = stack[sp - 1]!;
            upvalues = copy;
            frameUpvalues[fp] = copy;
            ip += 3;
            break;
          }

          case Op.Add:
          case Op.AddSetLocal: {
            if (sp < 2) throw this.fail('StackUnderflow', ip);
            const b = stack[sp - 1]!;
            const a = stack[sp - 2]!;
            if (typeof a === 'number' && typeof b === 'number') {
              const r = a + b;
              if (!Number.isFinite(r)) throw this.fail('InvalidNumericResult', ip);
              stack[sp - 2] = r;
            } else if (typeof a === 'string' && typeof b === 'string') {
              stack[sp - 2] = this.concat(a, b, ip);
            } else {
              throw this.fail('TypeError', ip, 'Invalid operands for +');
            }
            sp--;
            ip += 1;
            if ((word & Word.OpMask) !== Op.Add) { // + SetLocal j; Pop, when slot j exists
              const j = words[ip]! >> Word.OperandShift;
              if (j < localCount && base + j < sp) {
                stack[base + j] = stack[sp - 1]!;
                sp--;
                ip += 4;
              }
            }
            break;
          }
          case Op.Sub:
          case Op.SubSetLocal: {
            if (sp < 2) throw this.numericOperandError(ip, sp);
            const b = stack[sp - 1]!;
            const a = stack[sp - 2]!;
            if (typeof a !== 'number' || typeof b !== 'number') throw this.numericOperandError(ip, sp);
            const r = a - b;
            if (!Number.isFinite(r)) throw this.fail('InvalidNumericResult', ip);
            stack[sp - 2] = r;
            sp--;
            ip += 1;
            if ((word & Word.OpMask) !== Op.Sub) { // + SetLocal j; Pop, when slot j exists
              const j = words[ip]! >> Word.OperandShift;
              if (j < localCount && base + j < sp) {
                stack[base + j] = stack[sp - 1]!;
                sp--;
                ip += 4;
              }
            }
            break;
          }
          case Op.Mul:
          case Op.MulSetLocal: {
            if (sp < 2) throw this.numericOperandError(ip, sp);
            const b = stack[sp - 1]!;
            const a = stack[sp - 2]!;
            if (typeof a !== 'number' || typeof b !== 'number') throw this.numericOperandError(ip, sp);
            const r = a * b;
            if (!Number.isFinite(r)) throw this.fail('InvalidNumericResult', ip);
            stack[sp - 2] = r;
            sp--;
            ip += 1;
            if ((word & Word.OpMask) !== Op.Mul) { // + SetLocal j; Pop, when slot j exists
              const j = words[ip]! >> Word.OperandShift;
              if (j < localCount && base + j < sp) {
                stack[base + j] = stack[sp - 1]!;
                sp--;
                ip += 4;
              }
            }
            break;
          }
          case Op.Div:
          case Op.DivSetLocal: {
            if (sp < 2) throw this.numericOperandError(ip, sp);
            const b = stack[sp - 1]!;
            const a = stack[sp - 2]!;
            if (typeof a !== 'number' || typeof b !== 'number') throw this.numericOperandError(ip, sp);
            if (b === 0) throw this.fail('DivideByZero', ip); // also -0, and before the NaN check
            const r = a / b;
            if (!Number.isFinite(r)) throw this.fail('InvalidNumericResult', ip);
            stack[sp - 2] = r;
            sp--;
            ip += 1;
            if ((word & Word.OpMask) !== Op.Div) { // + SetLocal j; Pop, when slot j exists
              const j = words[ip]! >> Word.OperandShift;
              if (j < localCount && base + j < sp) {
                stack[base + j] = stack[sp - 1]!;
                sp--;
                ip += 4;
              }
            }
            break;
          }
          case Op.Mod:
          case Op.ModSetLocal: { // truncated remainder, like JS %
            if (sp < 2) throw this.numericOperandError(ip, sp);
            const b = stack[sp - 1]!;
            const a = stack[sp - 2]!;
            if (typeof a !== 'number' || typeof b !== 'number') throw this.numericOperandError(ip, sp);
            if (b === 0) throw this.fail('DivideByZero', ip);
            const r = a % b;
            if (!Number.isFinite(r)) throw this.fail('InvalidNumericResult', ip);
            stack[sp - 2] = r;
            sp--;
            ip += 1;
            if ((word & Word.OpMask) !== Op.Mod) { // + SetLocal j; Pop, when slot j exists
              const j = words[ip]! >> Word.OperandShift;
              if (j < localCount && base + j < sp) {
                stack[base + j] = stack[sp - 1]!;
                sp--;
                ip += 4;
              }
            }
            break;
          }
          case Op.Negate: { // result unchecked; -0 possible
            if (sp === 0) throw this.fail('StackUnderflow', ip);
            const v = stack[sp - 1];
            if (typeof v !== 'number') throw this.fail('TypeError', ip, 'Cannot negate non-number');
            stack[sp - 1] = -v;
            ip += 1;
            break;
          }

          case Op.Equal:
          case Op.NotEqual: {
            if (sp < 2) throw this.fail('StackUnderflow', ip);
            const b = stack[sp - 1]!;
            const a = stack[sp - 2]!;
            const equal = typeof a === 'object' && a !== null ? this.deepEqual(a, b, ip) : a === b;
            stack[sp - 2] = (word & Word.OpMask) === Op.Equal ? equal : !equal;
            sp--;
            ip += 1;
            break;
          }
          case Op.Compare:
          case Op.CompareJumpIfFalse: { // Less, LessEqual, Greater, GreaterEqual (the operand)
            if (sp < 2) throw this.numericOperandError(ip, sp);
            const b = stack[sp - 1]!;
            const a = stack[sp - 2]!;
            if (typeof a !== 'number' || typeof b !== 'number') throw this.numericOperandError(ip, sp);
            const kind = word >> Word.OperandShift;
            const holds = kind === Cmp.Less ? a < b : kind === Cmp.LessEqual ? a <= b : kind === Cmp.Greater ? a > b : a >= b;
            if ((word & Word.OpMask) === Op.Compare) {
              stack[sp - 2] = holds;
              sp--;
              ip += 1;
              break;
            }
            // Superinstruction: the JumpIfFalse at ip + 1 pops the comparison right away.
            sp -= 2;
            if (holds) {
              ip += 4;
              break;
            }
            const d = words[ip + 1]! >> Word.OperandShift;
            ip += 4 + d;
            if (d < 0 && --backEdges === 0) return this.suspend(ip, sp, fp, true); // a taken back-edge
            break;
          }

          case Op.AddConstant:
          case Op.SubConstant:
          case Op.MulConstant:
          case Op.DivConstant:
          case Op.ModConstant:
          case Op.AddLocal:
          case Op.SubLocal:
          case Op.MulLocal:
          case Op.DivLocal:
          case Op.ModLocal: { // Constant k or GetLocal i, then the operator at ip + 3
            const op = word & Word.OpMask;
            const operand = word >> Word.OperandShift;
            let b: Value;
            if (op < Op.AddLocal) {
              if (operand >= constantCount) throw this.fail('UnknownOpcode', ip);
              b = constants[operand]!;
            } else {
              if (base + operand >= sp) throw this.fail('StackUnderflow', ip);
              b = stack[base + operand]!;
            }
            if (sp > 0) {
              const a = stack[sp - 1]!;
              if (typeof a === 'number' && typeof b === 'number') {
                const arithmetic = op < Op.AddLocal ? op - Op.AddConstant : op - Op.AddLocal;
                // Division and remainder by ±0 give ±∞ or NaN, so they take the slow path too.
                const r = arithmetic === 0 ? a + b : arithmetic === 1 ? a - b : arithmetic === 2 ? a * b : arithmetic === 3 ? a / b : a % b;
                if (Number.isFinite(r)) {
                  stack[sp - 1] = r;
                  ip += 4;
                  break;
                }
              }
            }
            // Anything else: just the load; the operator then runs (and raises) on its own.
            stack[sp++] = b;
            ip += 3;
            break;
          }
          case Op.LocalAddConstant:
          case Op.LocalSubConstant:
          case Op.LocalMulConstant:
          case Op.LocalDivConstant:
          case Op.LocalModConstant:
          case Op.LocalAddLocal:
          case Op.LocalSubLocal:
          case Op.LocalMulLocal:
          case Op.LocalDivLocal:
          case Op.LocalModLocal: { // GetLocal i, then Constant k or GetLocal j at ip + 3, then the operator at ip + 6
            const slot = base + (word >> Word.OperandShift);
            if (slot >= sp) throw this.fail('StackUnderflow', ip);
            const a = stack[slot]!;
            const op = word & Word.OpMask;
            const operand = words[ip + 3]! >> Word.OperandShift;
            if (typeof a === 'number') {
              // The second load must succeed as is (a GetLocal of the slot the first one pushes
              // takes the slow path too).
              const b = op < Op.LocalAddLocal
                ? (operand < constantCount ? constants[operand]! : null)
                : (base + operand < sp ? stack[base + operand]! : null);
              if (typeof b === 'number') {
                const arithmetic = op < Op.LocalAddLocal ? op - Op.LocalAddConstant : op - Op.LocalAddLocal;
                const r = arithmetic === 0 ? a + b : arithmetic === 1 ? a - b : arithmetic === 2 ? a * b : arithmetic === 3 ? a / b : a % b;
                if (Number.isFinite(r)) {
                  stack[sp++] = r;
                  ip += 7;
                  break;
                }
              }
            }
            stack[sp++] = a; // just the GetLocal
            ip += 3;
            break;
          }
          case Op.ConstantCompareJump:
          case Op.LocalCompareJump: { // Constant k or GetLocal i at ip, comparison at ip + 3, JumpIfFalse at ip + 4
            const operand = word >> Word.OperandShift;
            let b: Value;
            if ((word & Word.OpMask) === Op.ConstantCompareJump) {
              if (operand >= constantCount) throw this.fail('UnknownOpcode', ip);
              b = constants[operand]!;
            } else {
              if (base + operand >= sp) throw this.fail('StackUnderflow', ip);
              b = stack[base + operand]!;
            }
            if (sp > 0) {
              const a = stack[sp - 1]!;
              if (typeof a === 'number' && typeof b === 'number') {
                sp--;
                if (compares(words[ip + 3]! >> Word.OperandShift, a, b)) {
                  ip += 7;
                  break;
                }
                const d = words[ip + 4]! >> Word.OperandShift;
                ip += 7 + d;
                if (d < 0 && --backEdges === 0) return this.suspend(ip, sp, fp, true); // a taken back-edge
                break;
              }
            }
            stack[sp++] = b;
            ip += 3;
            break;
          }
          case Op.EqualJumpIfFalse:
          case Op.ConstantEqualJump:
          case Op.LocalEqualJump: { // [Constant k | GetLocal i,] Equal or NotEqual, JumpIfFalse
            const op = word & Word.OpMask;
            let b: Value;
            let next = ip; // the equality instruction
            if (op === Op.EqualJumpIfFalse) {
              if (sp < 2) throw this.fail('StackUnderflow', ip);
              b = stack[sp - 1]!;
            } else {
              const operand = word >> Word.OperandShift;
              if (op === Op.ConstantEqualJump) {
                if (operand >= constantCount) throw this.fail('UnknownOpcode', ip);
                b = constants[operand]!;
              } else {
                if (base + operand >= sp) throw this.fail('StackUnderflow', ip);
                b = stack[base + operand]!;
              }
              next = ip + 3;
              if (sp === 0) {
                stack[sp++] = b; // just the load; Equal then raises its underflow
                ip = next;
                break;
              }
            }
            const a = stack[op === Op.EqualJumpIfFalse ? sp - 2 : sp - 1]!;
            // A left operand with parts compares deeply (and may fail): off the fast path.
            if (typeof a === 'object' && a !== null) {
              if (op !== Op.EqualJumpIfFalse) {
                stack[sp++] = b;
                ip = next;
                break;
              }
              const equal = this.deepEqual(a, b, ip);
              stack[sp - 2] = (word >> Word.OperandShift) === 0 ? equal : !equal;
              sp--;
              ip += 1;
              break;
            }
            sp -= op === Op.EqualJumpIfFalse ? 2 : 1;
            if ((a === b) === ((words[next]! >> Word.OperandShift) === 0)) {
              ip = next + 4;
              break;
            }
            const d = words[next + 1]! >> Word.OperandShift;
            ip = next + 4 + d;
            if (d < 0 && --backEdges === 0) return this.suspend(ip, sp, fp, true); // a taken back-edge
            break;
          }
          case Op.GetLocalConstantCompareJump:
          case Op.GetLocalLocalCompareJump: { // GetLocal i, Constant k or GetLocal j at ip + 3, comparison at ip + 6, JumpIfFalse at ip + 7
            const slot = base + (word >> Word.OperandShift);
            if (slot >= sp) throw this.fail('StackUnderflow', ip);
            const holds = fusedCondition(word, words, ip, stack[slot]!, constants, stack, base, sp);
            if (holds === 1) {
              ip += 10;
              break;
            }
            if (holds === 0) {
              const d = words[ip + 7]! >> Word.OperandShift;
              ip += 10 + d;
              if (d < 0 && --backEdges === 0) return this.suspend(ip, sp, fp, true); // a taken back-edge
              break;
            }
            stack[sp] = stack[slot]!; // just the GetLocal
            sp++;
            ip += 3;
            break;
          }
          case Op.GetLocalAddConstantSetLocal:
          case Op.GetLocalAddConstantSetLocalLoop: { // GetLocal i, Constant k, Add, SetLocal j, Pop[, Loop]
            const slot = base + (word >> Word.OperandShift);
            if (slot >= sp) throw this.fail('StackUnderflow', ip);
            const a = stack[slot]!;
            const k = words[ip + 3]! >> Word.OperandShift;
            const j = words[ip + 7]! >> Word.OperandShift;
            // The stored slot must exist already: padding (Q11) and errors take the slow path.
            if (k < constantCount && typeof a === 'number' && j < localCount && base + j < sp) {
              const b = constants[k]!;
              if (typeof b === 'number') {
                const r = a + b;
                if (Number.isFinite(r)) {
                  stack[base + j] = r;
                  if ((word & Word.OpMask) === Op.GetLocalAddConstantSetLocal) {
                    ip += 11;
                    break;
                  }
                  // The Loop at ip + 11, as its own case runs it.
                  const d = words[ip + 11]! >> Word.OperandShift;
                  if (d < 0) {
                    if (sp > maxStackSize) throw this.stackOverflow(ip + 11);
                    if (--backEdges === 0) return this.suspend(ip + 14 + d, sp, fp, true);
                  }
                  ip += 14 + d;
                  // A loop header that tests `x < k` runs here too, saving its dispatch
                  // (anything off its fast path is left to its own word).
                  const header = ip >>> 0 < len ? words[ip]! : Op.Invalid;
                  const headerOp = header & Word.OpMask;
                  if (headerOp !== Op.GetLocalConstantCompareJump && headerOp !== Op.GetLocalLocalCompareJump) break;
                  const tested = base + (header >> Word.OperandShift);
                  if (tested >= sp) break;
                  const holds = fusedCondition(header, words, ip, stack[tested]!, constants, stack, base, sp);
                  if (holds === 1) {
                    ip += 10;
                  } else if (holds === 0) {
                    const exit = words[ip + 7]! >> Word.OperandShift;
                    ip += 10 + exit;
                    if (exit < 0 && --backEdges === 0) return this.suspend(ip, sp, fp, true); // a taken back-edge
                  }
                  break;
                }
              }
            }
            stack[sp++] = a; // just the GetLocal
            ip += 3;
            break;
          }

          case Op.Not: {
            if (sp === 0) throw this.fail('StackUnderflow', ip);
            const v = stack[sp - 1];
            if (typeof v !== 'boolean') throw this.fail('TypeError', ip, 'Cannot apply ! to non-boolean');
            stack[sp - 1] = !v;
            ip += 1;
            break;
          }
          case Op.And: // decodes, but the reference never implemented it (Q3)
          case Op.Or:
            throw this.fail('UnknownOpcode', ip);

          case Op.Jump:
          case Op.Loop: { // Loop is the same as Jump
            const d = word >> Word.OperandShift;
            if (d < 0) {
              if (sp > maxStackSize) throw this.stackOverflow(ip);
              if (--backEdges === 0) return this.suspend(ip + 3 + d, sp, fp, true);
            }
            ip += 3 + d;
            break;
          }
          case Op.JumpIfFalse: { // pops; only `true` is truthy
            if (sp === 0) throw this.fail('StackUnderflow', ip);
            if (stack[--sp] === true) {
              ip += 3;
              break;
            }
            const d = word >> Word.OperandShift;
            ip += 3 + d;
            if (d < 0 && --backEdges === 0) return this.suspend(ip, sp, fp, true); // a taken back-edge
            break;
          }

          case Op.Call: {
            const argc = word >> Word.OperandShift;
            if (argc >= sp) throw this.fail('StackUnderflow', ip);
            const callee = stack[sp - 1 - argc]!;
            let fn: FunctionRef;
            let calleeUpvalues: readonly Value[];
            let exited = false;
            if (callee instanceof AtlasFunction) {
              fn = callee.ref;
              if (fn.offset === 0 || argc !== fn.arity) throw this.fail('TypeError', ip, this.checkCallable(callee, argc));
              // A call the gate lets through runs interpreted without asking the hook.
              const gateSlot = callee.gateSlot;
              if (gate !== undefined && gateSlot >= 0 && gate[gateSlot]! > 0) {
                gate[gateSlot]!--;
              } else if (hook !== undefined) {
                const result = hook.onCall(fn, this.bytecode, stack, sp - argc, maxCallDepth - fp, maxStackSize - (sp - argc), this);
                if (result === SIDE_EXIT) {
                  exited = true;
                } else if (result !== undefined) {
                  // Exactly what Return does: drop args and callee, push the result.
                  sp -= argc + 1;
                  stack[sp++] = result;
                  ip += 2;
                  break;
                }
              }
              calleeUpvalues = NO_UPVALUES;
            } else if (callee instanceof AtlasClosure) {
              fn = callee.ref;
              if (fn.offset === 0 || argc !== fn.arity) throw this.fail('TypeError', ip, this.checkCallable(callee, argc));
              calleeUpvalues = callee.upvalues;
            } else if (callee instanceof AtlasBuiltin) {
              const args = stack.slice(sp - argc, sp);
              sp -= argc + 1;
              this.siteOffset = ip;
              this.siteSp = sp;
              this.siteFp = fp;
              const result = this.callBuiltin(callee.name, args, ip, this.callbackContext);
              stack[sp++] = result;
              frames = this.frames; // callbacks may have grown the frame storage
              ip += 2;
              break;
            } else if (callee === AtlasOption.None && argc === 0) {
              // `None()` is a zero-argument constructor call; the callee already is the result.
              ip += 2;
              break;
            } else {
              throw this.fail('TypeError', ip, 'Cannot call non-function value');
            }
            // Enter the function: the arguments become its first locals (docs/bytecode.md §3.3).
            if (fp >= maxCallDepth || sp > maxStackSize) throw this.stackOverflow(ip);
            fp++;
            const at = fp * Frame.Size;
            if (at + Frame.Size > frames.length) frames = this.growFrames();
            frames[at + Frame.Base] = base = sp - argc;
            frames[at + Frame.Locals] = localCount = fn.localCount | 0;
            frames[at + Frame.Return] = ip + 2;
            frameUpvalues[fp] = upvalues = calleeUpvalues;
            ip = fn.offset | 0;
            if (exited) {
              // Native code ran the call part-way: continue its frames where it left.
              this.applyExit(fp);
              frames = this.frames;
              fp = this.resumeFp;
              sp = this.resumeSp;
              ip = this.resumeIp;
              base = frames[fp * Frame.Size + Frame.Base]!;
              localCount = frames[fp * Frame.Size + Frame.Locals]!;
              upvalues = NO_UPVALUES;
            }
            if (--budget === 0) {
              // The back-edges count on into the next slice: a loop that makes a call every
              // iteration would otherwise never reach its header's safepoint.
              this.nextSliceBackEdges = backEdges;
              return this.suspend(ip, sp, fp, false);
            }
            break;
          }
          case Op.Return:
          case Op.ReturnLocal: { // docs/bytecode.md §3.4
            let result: Value;
            if ((word & Word.OpMask) === Op.Return) {
              result = sp > 0 ? stack[--sp]! : null;
            } else { // GetLocal i; Return: the pushed local is popped again at once
              const slot = base + (word >> Word.OperandShift);
              if (slot >= sp) throw this.fail('StackUnderflow', ip);
              result = stack[slot]!;
            }
            if (fp === 0) {
              // Return in the main frame: the reference restarts at offset 0 (docs/bytecode.md Q2); we stop with
              // the value, as the spec recommends.
              stack[0] = result;
              sp = 1;
              break dispatch;
            }
            const at = fp * Frame.Size;
            const frameStart = frames[at + Frame.Base]!;
            const returnIp = frames[at + Frame.Return]!;
            frameUpvalues[fp] = NO_UPVALUES; // drop the reference for the GC
            fp--;
            if (sp > frameStart) sp = frameStart;
            if (frameStart > 0 && sp > 0) sp--; // the callee
            stack[sp++] = result;
            if (returnIp === HOST_RETURN) return result;
            ip = returnIp;
            base = frames[at - Frame.Size + Frame.Base]!;
            localCount = frames[at - Frame.Size + Frame.Locals]!;
            upvalues = frameUpvalues[fp]!;
            break;
          }

          case Op.Array: { // the deepest value becomes element 0
            const n = word >> Word.OperandShift;
            if (n > sp) throw this.fail('StackUnderflow', ip);
            const array = new AtlasArray(stack.slice(sp - n, sp));
            sp -= n;
            stack[sp++] = array;
            ip += 3;
            break;
          }
          case Op.GetIndex: {
            if (sp < 2) throw this.fail('StackUnderflow', ip);
            const index = stack[sp - 1]!;
            const target = stack[sp - 2]!;
            if (target instanceof AtlasJson) {
              if (typeof index !== 'number' && typeof index !== 'string') throw this.fail('TypeError', ip, 'JSON index must be string or number');
              stack[sp - 2] = target.index(index);
              sp--;
              ip += 1;
              break;
            }
            if (!(target instanceof AtlasArray)) throw this.fail('TypeError', ip, 'Cannot index non-array/json');
            // Non-numbers, fractions, negatives, NaN and ±∞ are InvalidIndex; -0 is index 0.
            if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) throw this.fail('InvalidIndex', ip);
            if (index >= target.elements.length) throw this.fail('OutOfBounds', ip);
            stack[sp - 2] = target.elements[index]!;
            sp--;
            ip += 1;
            break;
          }
          case Op.SetIndex: { // pops value, index, array; pushes the modified array
            if (sp === 0) throw this.fail('StackUnderflow', ip);
            const value = stack[sp - 1]!;
            if (sp === 1) throw this.fail('StackUnderflow', ip);
            const index = stack[sp - 2]!;
            // Q17: a non-number index here is a TypeError, not InvalidIndex.
            if (typeof index !== 'number') throw this.fail('TypeError', ip, 'Expected number');
            if (sp === 2) throw this.fail('StackUnderflow', ip);
            const target = stack[sp - 3]!;
            if (!(target instanceof AtlasArray)) throw this.fail('TypeError', ip, 'Cannot index non-array');
            if (!Number.isInteger(index) || index < 0) throw this.fail('InvalidIndex', ip);
            if (index >= target.elements.length) throw this.fail('OutOfBounds', ip);
            stack[sp - 3] = target.with(index, value);
            sp -= 2;
            ip += 1;
            break;
          }

          case Op.Pop: // the operand is 1 when the next byte is Halt or there is none (Q1)
            if (word === Op.Pop) {
              if (sp === 0) throw this.fail('StackUnderflow', ip);
              sp--;
            }
            ip += 1;
            break;
          case Op.Dup:
            if (sp === 0) throw this.fail('StackUnderflow', ip);
            stack[sp] = stack[sp - 1]!;
            sp++;
            ip += 1;
            break;

          case Op.IsOptionSome:
          case Op.IsOptionNone:
          case Op.IsResultOk:
          case Op.IsResultErr:
          case Op.IsArray: {
            if (sp === 0) throw this.fail('StackUnderflow', ip);
            stack[sp - 1] = testKind(word & Word.OpMask, stack[sp - 1]!);
            ip += 1;
            break;
          }
          case Op.ExtractOptionValue: {
            if (sp === 0) throw this.fail('StackUnderflow', ip);
            const v = stack[sp - 1];
            if (!(v instanceof AtlasOption && v.isSome)) {
              throw new AtlasRuntimeError('TypeError', ip, DUMMY_SPAN, 'ExtractOptionValue requires Option::Some');
            }
            stack[sp - 1] = v.value;
            ip += 1;
            break;
          }
          case Op.ExtractResultValue: { // the inner value of Ok or Err
            if (sp === 0) throw this.fail('StackUnderflow', ip);
            const v = stack[sp - 1];
            if (!(v instanceof AtlasResult)) {
              throw new AtlasRuntimeError('TypeError', ip, DUMMY_SPAN, 'ExtractResultValue requires Result');
            }
            stack[sp - 1] = v.value;
            ip += 1;
            break;
          }
          case Op.GetArrayLen: {
            if (sp === 0) throw this.fail('StackUnderflow', ip);
            const v = stack[sp - 1];
            if (!(v instanceof AtlasArray)) throw new AtlasRuntimeError('TypeError', ip, DUMMY_SPAN, 'GetArrayLen requires Array');
            stack[sp - 1] = v.elements.length;
            ip += 1;
            break;
          }

          case Op.Halt: // stops the whole run, even inside a function
            break dispatch;

          default: // a byte that is not an opcode, or a truncated instruction
            // Running off either end (a jump may land outside the code, docs/bytecode.md §1.2) is
            // a normal stop: the end word at `len` is Invalid, and a read past the words is too.
            if (ip >>> 0 >= len) break dispatch;
            throw this.fail('UnknownOpcode', ip);
        }
      }
      const top = sp > 0 ? stack[sp - 1] : undefined;
      // Halt (or running off the code) inside a callback stops the whole run, not just the callback.
      if (this.callbackDepth > 0) throw new HaltSignal(top ?? null);
      return top;
    } catch (error) {
      this.resumeIp = ip;
      this.resumeFp = fp;
      this.resumeAtLoop = false;
      throw error;
    }
  }

  /**
   * `==` on values with parts. JavaScript's stack bounds how deeply nested values can be
   * compared; past it the comparison is a runtime error of the program, not a host crash.
   */
  private deepEqual(a: Value, b: Value, offset: number): boolean {
    try {
      return valuesEqual(a, b);
    } catch (error) {
      if (error instanceof RangeError) throw this.fail('StackOverflow', offset, 'values nested too deeply to compare');
      throw error;
    }
  }

  /** `+` on strings; a result longer than JavaScript strings can be is a runtime error. */
  private concat(a: string, b: string, offset: number): string {
    try {
      return a + b;
    } catch (error) {
      if (error instanceof RangeError) throw this.fail('Unsupported', offset, 'string longer than the runtime supports');
      throw error;
    }
  }

  private fail(kind: RuntimeErrorKind, offset: number, detail?: string): AtlasRuntimeError {
    return runtimeErrorAt(this.bytecode, kind, offset, detail);
  }

  private stackOverflow(offset: number): AtlasRuntimeError {
    return this.fail(
      'StackOverflow',
      offset,
      `call depth limit ${this.maxCallDepth} or stack size limit ${this.maxStackSize} exceeded`,
    );
  }

  /** The reference's `pop_number` order: b is popped and checked before a. */
  private numericOperandError(offset: number, sp: number): AtlasRuntimeError {
    if (sp === 0) return this.fail('StackUnderflow', offset);
    if (typeof this.stack[sp - 1] !== 'number') return this.fail('TypeError', offset, 'Expected number');
    if (sp === 1) return this.fail('StackUnderflow', offset);
    return this.fail('TypeError', offset, 'Expected number');
  }

  /** The name operand of GetGlobal/SetGlobal: constant k must be a string. */
  private globalName(k: number, offset: number): string {
    const name = this.names[k];
    if (name === undefined) throw this.fail('TypeError', offset, 'Expected string constant for variable name');
    return name;
  }

  /** GetGlobal's lookup order (docs/bytecode.md §2.4): None, user globals, builtins, math constants. */
  private resolveGlobal(k: number, offset: number): Value {
    const name = this.globalName(k, offset);
    if (name === 'None') {
      this.builtinAt[k] = AtlasOption.None;
      return AtlasOption.None;
    }
    const cell = this.globals.get(name);
    if (cell !== undefined) {
      this.cells[k] = cell;
      return cell.value;
    }
    const found = BUILTIN_VALUES.get(name) ?? MATH_CONSTANTS.get(name);
    if (found === undefined) throw this.fail('UndefinedVariable', offset, name);
    this.builtinAt[k] = found;
    return found;
  }

  /** A global of a new name: it shadows any builtin of that name from now on. */
  private addGlobal(name: string, cell: GlobalCell): void {
    this.globals.set(name, cell);
    this.globalWrites++;
    this.builtinAt.fill(undefined);
  }

  /** The cell SetGlobal writes, created on first definition and cached for constant k. */
  private globalCell(k: number, offset: number): GlobalCell {
    const name = this.globalName(k, offset);
    let cell = this.globals.get(name);
    if (cell === undefined) {
      cell = { value: null };
      this.addGlobal(name, cell);
    }
    // GetGlobal "None" always yields Option::None, so its constant never caches a cell.
    if (name !== 'None') this.cells[k] = cell;
    return cell;
  }

  /** MakeClosure k n: constant k must be a function; the n captured values keep their order. */
  private makeClosure(k: number, offset: number, sp: number): AtlasClosure {
    const fn = this.constants[k];
    if (!(fn instanceof AtlasFunction)) throw this.fail('TypeError', offset, 'MakeClosure: constant is not a function');
    const code = this.bytecode.code;
    const n = (code[offset + 3]! << 8) | code[offset + 4]!;
    if (n > sp) throw this.fail('StackUnderflow', offset);
    return new AtlasClosure(fn.ref, this.stack.slice(sp - n, sp));
  }

  private callBuiltin(name: string, args: readonly Value[], offset: number, ctx: BuiltinContext): Value {
    const builtin = BUILTINS.get(name);
    if (builtin === undefined) throw this.fail('UnknownFunction', offset, name);
    try {
      return builtin(args, ctx);
    } catch (e) {
      if (e instanceof StdlibError) throw this.fail(e.kind, offset, e.detail);
      throw e;
    }
  }

  /**
   * A callback intrinsic's call of `callee` (CallbackContext.callback), for the builtin call the
   * site fields describe. A builtin callee runs with the intrinsic's offset for its errors and
   * without a way to call back; a user function or closure runs in a frame above the site's
   * stack, through the JIT hook as a bytecode call would, in a nested run of the dispatch loop.
   */
  private invokeCallback(callee: Value, args: readonly Value[]): Value {
    const offset = this.siteOffset;
    const sp = this.siteSp;
    const fp = this.siteFp;
    // Callbacks count like interpreted calls towards safepoints, so a long map over short
    // callbacks still sees interrupts, its time budget and newly installed code.
    if (--this.callbackTicks === 0) {
      this.callbackTicks = SLICE_BUDGET;
      this.safepoint();
    }
    try {
      if (callee instanceof AtlasBuiltin) return this.callBuiltin(callee.name, args, offset, this.builtinContext);
      if (callee instanceof AtlasFunction || callee instanceof AtlasClosure) return this.runCallback(callee, args, offset, sp, fp);
      throw this.fail('TypeError', offset, 'Expected function value'); // the intrinsics check callability first
    } catch (error) {
      // Each callback nests the dispatch loop on JavaScript's stack, which bounds how deeply
      // callbacks can run callbacks: past it the program gets a runtime error, not the host.
      if (error instanceof RangeError && error.message.includes('call stack')) {
        throw this.fail('StackOverflow', offset, 'callbacks nested too deeply for the host stack');
      }
      throw error;
    } finally {
      // A nested builtin call moved the site; the intrinsic's next callback needs its own.
      this.siteOffset = offset;
      this.siteSp = sp;
      this.siteFp = fp;
    }
  }

  /** Runs user function or closure `callee` as a callback until it returns (see invokeCallback). */
  private runCallback(callee: AtlasFunction | AtlasClosure, args: readonly Value[], offset: number, sp: number, fp: number): Value {
    const notCallable = this.checkCallable(callee, args.length);
    if (notCallable !== undefined) throw this.fail('TypeError', offset, notCallable);
    const fn = callee.ref;
    const stack = this.stack;
    const argBase = sp + 1;
    const top = argBase + args.length;
    if (fp >= this.maxCallDepth || top > this.maxStackSize) throw this.stackOverflow(offset);
    // The frame as Call lays it out: callee, then the arguments as its first locals.
    stack[sp] = callee;
    for (let i = 0; i < args.length; i++) stack[argBase + i] = args[i]!;
    let exited = false;
    const hook = this.hook;
    if (hook !== undefined && callee instanceof AtlasFunction && !this.gateLetsThrough(callee)) {
      const answer = hook.onCall(fn, this.bytecode, stack, argBase, this.maxCallDepth - fp, this.maxStackSize - argBase, this);
      if (answer === SIDE_EXIT) exited = true;
      else if (answer !== undefined) return answer;
    }
    const cfp = fp + 1;
    const at = cfp * Frame.Size;
    if (at + Frame.Size > this.frames.length) this.growFrames();
    this.frames[at + Frame.Base] = argBase;
    this.frames[at + Frame.Locals] = fn.localCount;
    // Its Return hands the value back here, as for a host call.
    this.frames[at + Frame.Return] = HOST_RETURN;
    this.frameUpvalues[cfp] = callee instanceof AtlasClosure ? callee.upvalues : NO_UPVALUES;
    this.callbackDepth++;
    try {
      if (!exited) return this.runFrom(fn.offset, top, cfp) ?? null;
      this.applyExit(cfp);
      return this.runFrom(this.resumeIp, this.resumeSp, this.resumeFp) ?? null;
    } finally {
      this.callbackDepth--;
    }
  }

  /** Doubles the frame storage; returns the new `frames`. */
  private growFrames(): Int32Array<ArrayBuffer> {
    const frames = new Int32Array(this.frames.length * 2);
    frames.set(this.frames);
    this.frames = frames;
    const upvalues = this.frameUpvalues;
    while (upvalues.length < frames.length / Frame.Size) upvalues.push(NO_UPVALUES);
    return frames;
  }
}

/**
 * The fused condition `GetLocal i; Constant k | GetLocal j; comparison; JumpIfFalse` whose
 * word `word` is at `ip`, with local i holding `a` (frame base `base`, `sp` slots in use): 1
 * when it holds (execution goes on after the jump), 0 when the jump is taken, -1 when it
 * needs the instructions one by one (a non-number, a constant index past the pool, a slot j
 * that only the first load would fill).
 */
function fusedCondition(
  word: number, words: Int32Array, ip: number, a: Value, constants: readonly Value[], stack: readonly Value[], base: number, sp: number,
): number {
  if (typeof a !== 'number') return -1;
  const operand = words[ip + 3]! >> Word.OperandShift;
  let b: Value;
  if ((word & Word.OpMask) === Op.GetLocalConstantCompareJump) {
    if (operand >= constants.length) return -1;
    b = constants[operand]!;
  } else {
    if (base + operand >= sp) return -1;
    b = stack[base + operand]!;
  }
  if (typeof b !== 'number') return -1;
  return compares(words[ip + 6]! >> Word.OperandShift, a, b) ? 1 : 0;
}

/**
 * The dispatch words with one Invalid word after the code's last position: code that runs
 * off its end lands on it, and the loop needs no bounds check per instruction (see `execute`).
 */
function withEndWord(words: Int32Array): Int32Array {
  const padded = new Int32Array(words.length + 1);
  padded.set(words);
  return padded;
}

/** Less, LessEqual, Greater or GreaterEqual (a `Cmp`) on two numbers. */
function compares(kind: number, a: number, b: number): boolean {
  return kind === Cmp.Less ? a < b : kind === Cmp.LessEqual ? a <= b : kind === Cmp.Greater ? a > b : a >= b;
}

/** IsOptionSome / IsOptionNone / IsResultOk / IsResultErr / IsArray. */
function testKind(op: number, v: Value): boolean {
  switch (op) {
    case Op.IsOptionSome: return v instanceof AtlasOption && v.isSome;
    case Op.IsOptionNone: return v === AtlasOption.None;
    case Op.IsResultOk: return v instanceof AtlasResult && v.isOk;
    case Op.IsResultErr: return v instanceof AtlasResult && !v.isOk;
    default: return v instanceof AtlasArray;
  }
}

function checkLimit(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`VmOptions.${name} must be a non-negative integer, got ${value}`);
  return value;
}

function checkBudget(value: number): number {
  if (typeof value !== 'number' || !(value >= 0) || value === Infinity) {
    throw new RangeError(`VmOptions.timeBudgetMs must be a finite number of ms >= 0, got ${String(value)}`);
  }
  return value;
}
