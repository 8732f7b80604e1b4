/**
 * The interpreter's steady-state dispatch loop: the same loop as `Vm`'s, from a second copy of
 * the interpreter module (`interpreter.steady.ts`, generated at build time), which V8 profiles
 * and optimizes apart from the first.
 *
 * Why: V8 optimizes the dispatch loop for the type feedback it has gathered. With a JIT on,
 * that feedback first comes from the warm-up (calls through the hook, compiles in flight,
 * loops offered for OSR); once a function or loop was refused and the interpreter keeps
 * running it, the loop optimized for the warm-up stays measurably slower than one optimized
 * for what runs from then on (strings-arrays, nothing compilable: 1003 → 908 ms in-process,
 * `--no-jit` 890; BENCHMARKS.md). A VM whose JIT hook says its compile work has settled
 * (`VmJitHook.onSafepoint`) therefore switches, once, to this copy. The copy is the same
 * code, so what it means is the same: only V8's profile of it is new.
 *
 * The copy loads asynchronously (a module import), so a JIT engine loads it when it is
 * created; a VM without it simply keeps its first loop.
 */
// Kept untyped here: each copy of the interpreter module has its own `Vm` type (which
// TypeScript cannot equate), and the interpreter casts this to its own `DispatchLoop`.
let steady: unknown;
let loading: Promise<void> | undefined;

/** Loads the steady-state copy (once per process; later calls wait for the same load). */
export function loadSteadyDispatch(): Promise<void> {
  loading ??= import('./interpreter.steady.js').then((copy) => {
    steady = copy.Vm.dispatchLoop;
  });
  return loading;
}

/** The steady-state loop (a `DispatchLoop`), or undefined until `loadSteadyDispatch` has finished. */
export function steadyDispatchLoop(): unknown {
  return steady;
}
