/**
 * The interface between the interpreter and a JIT engine: the interpreter asks the hook
 * before entering a user function, and lets it poll for installed code on loop back-edges.
 */
import type { Bytecode, FunctionRef } from '../bytecode/bytecode.js';
import type { Value } from './values.js';

/**
 * What a hook may read of the running VM's globals: native code that calls functions through
 * globals is only valid while those globals hold them. `globalVersion` changes on every global
 * write (bytecode SetGlobal while a hook is installed, and `Vm.setGlobal`), so a hook can
 * re-check its assumptions only when it moved.
 */
export interface GlobalsView {
  getGlobal(name: string): Value | undefined;
  readonly globalVersion: number;
}

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
  ): Value | undefined;
  /** Called about every 64 loop back-edges (Loop opcode and backward Jumps) so the JIT can poll
   *  its install mailbox without waiting for the event loop. Optional. Interpreted calls count
   *  like back-edges, so deep recursion without loops reaches safepoints too. May throw
   *  HaltSignal to stop the run (e.g. an interrupt). */
  onSafepoint?(): void;
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

/** How many loop back-edges (and interpreted calls) pass between two `onSafepoint` calls. */
export const SAFEPOINT_INTERVAL = 64;
