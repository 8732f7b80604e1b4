/**
 * The interpreter hook of a hosted runtime: it checks the interrupt signal at the two
 * places the interpreter offers (every user-function call, every 64 loop back-edges), runs
 * the host's own safepoint task, and otherwise delegates to the JIT engine, when there is one.
 *
 * The interrupt signal reaches interpreted code here; native code is stopped by the engine's
 * own interrupt flag (see `JitEngine.interrupt`).
 */
import type { Bytecode, FunctionRef } from '../bytecode/bytecode.js';
import type { ExitFrame, GlobalsView, HookAnswer, Value, VmJitHook } from '../vm/index.js';
import type { InterruptSignal } from './interrupt-signal.js';
import { AtlasInterrupted } from './remote-errors.js';

export class InterruptibleHook implements VmJitHook {
  /** The number of the operation now running; 0 between operations. */
  operation = 0;

  constructor(
    private readonly signal: InterruptSignal,
    private readonly jit: VmJitHook | undefined,
    /** Runs at every safepoint after the engine's (the host answers statistics requests there). */
    private readonly atSafepoint?: () => void,
  ) {}

  onCall(
    fn: FunctionRef, program: Bytecode, stack: readonly Value[], argBase: number,
    framesLeft?: number, slotsLeft?: number, globals?: GlobalsView,
  ): HookAnswer {
    if (this.signal.stops(this.operation)) throw new AtlasInterrupted(true);
    return this.jit?.onCall(fn, program, stack, argBase, framesLeft, slotsLeft, globals);
  }

  onHostCall(
    fn: FunctionRef, program: Bytecode, stack: readonly Value[], framesLeft: number, slotsLeft: number, globals: GlobalsView,
  ): HookAnswer {
    if (this.signal.stops(this.operation)) throw new AtlasInterrupted(true);
    const jit = this.jit;
    if (jit === undefined) return undefined;
    return jit.onHostCall !== undefined
      ? jit.onHostCall(fn, program, stack, framesLeft, slotsLeft, globals)
      : jit.onCall(fn, program, stack, 1, framesLeft, slotsLeft, globals);
  }

  /** The engine's side-exit frames, which the VM reads right after `SIDE_EXIT`. */
  get exitFrames(): readonly ExitFrame[] | undefined {
    return this.jit?.exitFrames;
  }

  onLoop(
    header: number, program: Bytecode, stack: readonly Value[], base: number, sp: number,
    framesLeft: number, slotsLeft: number, globals: GlobalsView,
  ): HookAnswer {
    return this.jit?.onLoop?.(header, program, stack, base, sp, framesLeft, slotsLeft, globals);
  }

  onRunStart(timeBudgetMs: number | undefined): void {
    this.jit?.onRunStart?.(timeBudgetMs);
  }

  onRunEnd(): void {
    this.jit?.onRunEnd?.();
  }

  onSafepoint(): void {
    if (this.signal.stops(this.operation)) throw new AtlasInterrupted(true);
    this.jit?.onSafepoint?.();
    this.atSafepoint?.();
  }
}
