/**
 * The interface between the interpreter and a JIT engine: the interpreter asks the hook
 * before entering a user function, and lets it poll for installed code on loop back-edges.
 */
import type { Bytecode, FunctionRef } from '../bytecode/bytecode.js';
import type { Value } from './values.js';

export interface VmJitHook {
  /** Called before a user function is entered (from bytecode `Call` and from `vm.call`).
   *  The arguments are stack[argBase .. argBase+fn.arity). Return undefined to interpret the
   *  call normally, or a Value to use as the call's result (the VM then pops callee+args and
   *  pushes the result exactly like a Return would). May throw AtlasRuntimeError (a native trap)
   *  or HaltSignal. Closures are always interpreted and never reach the hook. */
  onCall(fn: FunctionRef, program: Bytecode, stack: readonly Value[], argBase: number): Value | undefined;
  /** Called about every 64 loop back-edges (Loop opcode and backward Jumps) so the JIT can poll
   *  its install mailbox without waiting for the event loop. Optional. Interpreted calls count
   *  like back-edges, so deep recursion without loops reaches safepoints too. May throw
   *  HaltSignal to stop the run (e.g. an interrupt). */
  onSafepoint?(): void;
}

/** Thrown by a hook (e.g. native code that executed `Halt`) to stop the run with `value`. */
export class HaltSignal {
  constructor(readonly value: Value) {}
}

/** How many loop back-edges (and interpreted calls) pass between two `onSafepoint` calls. */
export const SAFEPOINT_INTERVAL = 64;
