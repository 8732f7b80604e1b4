/**
 * The interface between the interpreter and a JIT engine: the interpreter asks the hook
 * before entering a user function, and lets it poll for installed code on loop back-edges.
 */
import type { Bytecode, FunctionRef } from '../bytecode/bytecode.js';
import type { Value } from './values.js';

/** Where a user global's value lives; a global keeps its cell for the VM's life. */
export interface GlobalCell {
  value: Value;
}

/**
 * What a hook may read of the running VM's globals: native code that calls functions through
 * globals is only valid while those globals hold them. `globalVersion` changes whenever that
 * may have changed: a new global, `Vm.setGlobal`, and a bytecode `SetGlobal` (while a hook is
 * installed) whose old or new value is a reference value (a function, closure, array, …). A
 * write of a number, bool, string or null over one of those leaves it, so loops that update
 * global counters do not make a hook re-check its assumptions on every entry.
 */
export interface GlobalsView {
  getGlobal(name: string): Value | undefined;
  /** Writes a user global as `SetGlobal` would. */
  setGlobal(name: string, value: Value): void;
  /**
   * The cell of user global `name`, if defined: reading it is reading the global. A hook may
   * write through it only a number, bool, string or null over a value of those kinds (which
   * leaves `globalVersion` as `SetGlobal` would); anything else goes through `setGlobal`.
   */
  cellOf(name: string): GlobalCell | undefined;
  readonly globalVersion: number;
}

/**
 * Returned by a hook instead of a value when native code ran part of the frame and left at an
 * instruction it does not handle: the VM continues interpreting from `exitFrames` (the frame,
 * and the calls native code was in when it left).
 */
export const SIDE_EXIT: unique symbol = Symbol('atlas-jit.side-exit');

/**
 * A frame a side exit hands back: where it continues (for all but the innermost, the `Call`
 * of the next frame) and its stack, locals first.
 */
export interface ExitFrame {
  readonly offset: number;
  readonly values: readonly Value[];
}

/** What the hook answers for a call or a loop: interpret (undefined), a result, or a side exit. */
export type HookAnswer = Value | undefined | typeof SIDE_EXIT;

export interface VmJitHook {
  /** Called before a user function is entered (from bytecode `Call` and from `vm.call`).
   *  The arguments are stack[argBase .. argBase+fn.arity). Return undefined to interpret the
   *  call normally, or a Value to use as the call's result (the VM then pops callee+args and
   *  pushes the result exactly like a Return would). May throw AtlasRuntimeError (a native trap)
   *  or HaltSignal. Closures are always interpreted and never reach the hook.
   *  The VM also passes its limits as they stand at this call — `framesLeft`: frames its call-depth
   *  limit still allows (the callee's own frame included; < 1 means entering it overflows) and
   *  `slotsLeft`: value-stack slots its stack limit leaves above `argBase` — and its globals, so
   *  that native code can stop (and let the interpreter raise StackOverflow) exactly where the
   *  interpreter would, and check the globals it calls through. */
  onCall(
    fn: FunctionRef, program: Bytecode, stack: readonly Value[], argBase: number,
    framesLeft?: number, slotsLeft?: number, globals?: GlobalsView,
  ): HookAnswer;
  /** The hook's call gate for `program`, or undefined when it wants every call: entry `i`
   *  counts the calls of function constant `i` (`AtlasFunction.gateSlot`) the VM may still run
   *  without calling `onCall`. The VM runs a call unasked while the entry is positive and
   *  decrements it; at zero it calls `onCall` (which may set it again). Asked once per run.
   *  Optional. */
  callGate?(program: Bytecode): Int32Array | undefined;
  /** Optional: `onCall` for a call the host makes (`Vm.call`, function handles): the arguments
   *  are `stack[1 .. 1+fn.arity)` and no frame is below them. It answers exactly as `onCall`
   *  would; a hook offers it when it can answer such a call faster (host calls pay the hook's
   *  cost once per call, with no interpreted work around it to hide it). */
  onHostCall?(
    fn: FunctionRef, program: Bytecode, stack: readonly Value[], framesLeft: number, slotsLeft: number, globals: GlobalsView,
  ): HookAnswer;
  /** After `SIDE_EXIT`: the frames to continue, outermost first (frame 0 is the one the hook
   *  was asked to run; each further one was called by the one before, at its offset). */
  readonly exitFrames?: readonly ExitFrame[] | undefined;
  /** Called at a loop header every `SAFEPOINT_INTERVAL` back-edges of that frame (after
   *  `onSafepoint`), with the frame's stack `stack[base .. sp)` (locals first) and the limits as
   *  for `onCall` (`framesLeft` counting this frame itself). The hook may run the rest of the
   *  frame natively from here (on-stack replacement): a value is the frame's return value (the
   *  VM then returns from the frame as `Return` would), `SIDE_EXIT` hands the frame back at
   *  another instruction, undefined lets the interpreter go on. Optional. */
  onLoop?(
    header: number, program: Bytecode, stack: readonly Value[], base: number, sp: number,
    framesLeft: number, slotsLeft: number, globals: GlobalsView,
  ): HookAnswer;
  /** Called about every 64 loop back-edges (Loop opcode and backward Jumps) so the JIT can poll
   *  its install mailbox without waiting for the event loop. Optional. Interpreted calls count
   *  like back-edges, so deep recursion without loops reaches safepoints too. May throw
   *  HaltSignal to stop the run (e.g. an interrupt). Returns true when the hook's compile work
   *  has settled with hot code left to the interpreter (something was refused or deoptimized,
   *  and nothing is queued or compiling): the VM then moves to its steady-state dispatch loop
   *  (`steady-dispatch.ts`). */
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook with nothing to report returns nothing (void), as most do.
  onSafepoint?(): boolean | void;
  /** Called when `Vm.run`/`Vm.call` starts, with the run's time budget in ms (undefined: none).
   *  A hook that runs code the interpreter cannot interrupt (native loops) enforces the budget
   *  there, e.g. from a watchdog thread. Optional. */
  onRunStart?(timeBudgetMs: number | undefined): void;
  /** Called when that run ends (normally or not). Optional. */
  onRunEnd?(): void;
}

/** Thrown by a hook (e.g. native code that executed `Halt`) to stop the run with `value`. */
export class HaltSignal {
  constructor(readonly value: Value) {}
}

/** How many loop back-edges (or, separately, interpreted calls) pass between two safepoints. */
export const SAFEPOINT_INTERVAL = 64;
