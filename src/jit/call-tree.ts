/**
 * The call tree of a function to compile: the user functions it reaches through statically
 * known calls (`GetGlobal f; args…; Call n`, docs/bytecode.md §3.6), which the translator compiles into
 * the same module as direct calls, and the globals the native code reads, with what each must
 * hold for that code to be valid (the run-time guard, see `callTreeHolds`).
 *
 * Whether the code compiles is the translator's decision alone: it treats every `GetGlobal` as
 * pushing a callee that only a `Call` of the tree's table may call and that nothing may use as
 * a value (refusals UnknownCallee and UntypedValue). So a read the analysis cannot resolve is
 * not refused here; it only becomes a guard, because code that merely discards the value would
 * otherwise skip the interpreter's UndefinedVariable error.
 *
 * A global is a known function when the program assigns it exactly once, in a function
 * declaration's prologue (`ProgramAnalysis.functionGlobals`). It can still be undefined (a call
 * before the prologue ran) or be reassigned by the host (`Vm.setGlobal`), so every native run
 * of the tree is preceded by the guard — cached on the VM's global version, so the check is one
 * comparison while no global is written.
 */
import type { Bytecode, FunctionRef } from '../bytecode/bytecode.js';
import { AtlasFunction, type GlobalsView, type Value } from '../vm/index.js';
import { MAX_FUNCTIONS, type NativeCallee } from './native.js';

/**
 * What global `name` must hold for the native code to be valid: the function `fn` (a function
 * constant of the program) when it is a known function global, which the code may call through.
 * With `fn` undefined the analysis could not resolve the read, so compiled code only discards
 * the value, and the global must merely exist as a user global: then GetGlobal cannot raise.
 * (That is stricter than the interpreter, which also resolves None, builtins and math
 * constants; such a read just keeps the code's calls interpreted.)
 */
export interface GlobalDependency {
  readonly name: string;
  readonly fn: FunctionRef | undefined;
  /**
   * The code reads the global as a math builtin or constant (`builtin-globals.ts`): it must
   * hold no user global, which would shadow the builtin (`fn` is then undefined).
   */
  readonly builtin?: true;
}

export interface CallTree {
  /** Functions 1.. of the module (the root is function 0). */
  readonly callees: readonly NativeCallee[];
  /** `Call` offset → index of the function it calls. */
  readonly calls: ReadonlyMap<number, number>;
  /** The functions 1.. themselves (`callees[i]` is `functions[i]`'s body), to name native frames. */
  readonly functions: readonly FunctionRef[];
  /** Every global a reachable `GetGlobal` of the tree reads, once. */
  readonly globals: readonly GlobalDependency[];
}

/** Resolves the call tree of `root`. Calls the analysis cannot resolve are left out (the translator refuses them). */
export function resolveCallTree(bytecode: Bytecode, root: FunctionRef): CallTree {
  const analysis = bytecode.analysis;
  const rootSummary = analysis.bodySummary(root);
  // Most hot functions call nothing: they share one empty tree.
  if (rootSummary.callees.size === 0 && rootSummary.globalReads.length === 0) return LEAF_TREE;
  const index = new Map<FunctionRef, number>([[root, 0]]);
  const order: FunctionRef[] = [root];
  const calls = new Map<number, number>();
  const globals = new Map<string, GlobalDependency>();
  for (let i = 0; i < order.length; i++) {
    // Summaries are kept from validation, so this costs lookups, not analyses.
    const summary = analysis.bodySummary(order[i]!);
    for (const { nameIndex } of summary.globalReads) {
      const name = bytecode.stringAt(nameIndex);
      // A name that is no string is refused by the translator (and rejected by the validator).
      if (name !== undefined) globals.set(name, { name, fn: knownFunction(bytecode, name) });
    }
    for (const [at, callee] of summary.callees) {
      const fn = callee.fn;
      // The interpreter raises TypeError for these calls: leave them to it.
      if (fn.offset === 0 || callee.argc !== fn.arity) continue;
      let target = index.get(fn);
      if (target === undefined) {
        if (order.length >= MAX_FUNCTIONS) continue;
        target = order.length;
        index.set(fn, target);
        order.push(fn);
      }
      calls.set(at, target);
    }
  }
  const callees = order.slice(1).map((fn) => ({ start: fn.offset, end: analysis.functionEnd(fn), arity: fn.arity, localCount: fn.localCount }));
  return { callees, calls, functions: order.slice(1), globals: [...globals.values()] };
}

const LEAF_TREE: CallTree = { callees: [], calls: new Map(), functions: [], globals: [] };

/** The function global `name` statically holds, if it is one of the program's function globals. */
function knownFunction(bytecode: Bytecode, name: string): FunctionRef | undefined {
  const k = bytecode.analysis.functionGlobals.get(name);
  const constant = k === undefined ? undefined : bytecode.constants[k];
  return constant?.kind === 'function' ? constant.value : undefined;
}

/** Whether every global the tree reads holds what its dependency asks for in `view`. */
export function callTreeHolds(globals: readonly GlobalDependency[], view: GlobalsView): boolean {
  for (const dependency of globals) if (!holds(view.getGlobal(dependency.name), dependency)) return false;
  return true;
}

function holds(value: Value | undefined, { fn, builtin }: GlobalDependency): boolean {
  if (builtin === true) return value === undefined;
  if (fn === undefined) return value !== undefined;
  return value instanceof AtlasFunction && value.ref === fn;
}

/** What a compiled tree's guard remembers: its globals, and where and when they last held. */
export interface TreeGuard {
  readonly guardGlobals: readonly GlobalDependency[];
  guardView: GlobalsView | undefined;
  guardVersion: number;
}

/**
 * Whether the globals the tree calls through hold their functions in the running VM; the
 * answer is kept until the VM writes a global (its version moves).
 */
export function guardHolds(guard: TreeGuard, view: GlobalsView | undefined): boolean {
  const globals = guard.guardGlobals;
  if (globals.length === 0) return true;
  if (view === undefined) return false;
  if (guard.guardView === view && guard.guardVersion === view.globalVersion) return true;
  if (!callTreeHolds(globals, view)) return false;
  guard.guardView = view;
  guard.guardVersion = view.globalVersion;
  return true;
}
