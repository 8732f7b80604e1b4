/**
 * The call tree of a function to compile: the user functions it reaches through statically
 * known calls (`GetGlobal f; args…; Call n`, spec §3.6), which the translator compiles into
 * the same module as direct calls, and the globals that must hold those functions for the
 * native code to be valid (the run-time guard, see `callTreeHolds`).
 *
 * A global qualifies when the program assigns it exactly once, in a function declaration's
 * prologue (`ProgramAnalysis.functionGlobals`). It can still be undefined (a call before the prologue ran) or
 * be reassigned by the host (`Vm.setGlobal`), so every native run of the tree is preceded by a
 * check that each global still holds its function — cached on the VM's global version, so the
 * check is one comparison while no global is written.
 */
import type { Bytecode, FunctionRef } from '../bytecode/bytecode.js';
import { AtlasFunction, type GlobalsView } from '../vm/index.js';
import type { NativeCallee } from './native.js';

/** Global `name` must hold the function `fn` (a function constant of the program). */
export interface GlobalDependency {
  readonly name: string;
  readonly fn: FunctionRef;
}

export type CallTree =
  | {
      readonly ok: true;
      /** Functions 1.. of the module (the root is function 0). */
      readonly callees: readonly NativeCallee[];
      /** `Call` offset → index of the function it calls. */
      readonly calls: ReadonlyMap<number, number>;
      readonly globals: readonly GlobalDependency[];
    }
  /** A reachable `GetGlobal` reads a global that is not a known function: native code cannot type it. */
  | { readonly ok: false; readonly reason: string };

/** The translator's limit (native/src/input.rs MAX_FUNCTIONS). */
const MAX_FUNCTIONS = 256;

/** Resolves the call tree of `root`. Calls the analysis cannot resolve are left out (the translator refuses them). */
export function resolveCallTree(bytecode: Bytecode, root: FunctionRef): CallTree {
  const analysis = bytecode.analysis;
  const rootSummary = analysis.bodySummary(root);
  // Most hot functions call nothing: they share one empty tree.
  if (rootSummary.callees.size === 0 && rootSummary.globalReads.length === 0) return LEAF_TREE;
  const known = analysis.functionGlobals;
  const index = new Map<number, number>([[root.offset, 0]]);
  const order: FunctionRef[] = [root];
  const calls = new Map<number, number>();
  const globals = new Map<string, GlobalDependency>();
  for (let i = 0; i < order.length; i++) {
    // Summaries are kept from validation, so this costs lookups, not analyses.
    const summary = analysis.bodySummary(order[i]!);
    for (const { offset, nameIndex } of summary.globalReads) {
      const name = bytecode.constants[nameIndex];
      const fnIndex = name?.kind === 'string' ? known.get(name.value) : undefined;
      const constant = fnIndex === undefined ? undefined : bytecode.constants[fnIndex];
      if (name?.kind !== 'string' || constant?.kind !== 'function') {
        return { ok: false, reason: `GetGlobal at offset ${offset} reads a global that is not a known function` };
      }
      globals.set(name.value, { name: name.value, fn: constant.value });
    }
    for (const [at, callee] of summary.callees) {
      const fn = callee.fn;
      // The interpreter raises TypeError for these calls: leave them to it.
      if (fn.offset === 0 || callee.argc !== fn.arity) continue;
      let target = index.get(fn.offset);
      if (target === undefined) {
        if (order.length >= MAX_FUNCTIONS) continue;
        target = order.length;
        index.set(fn.offset, target);
        order.push(fn);
      }
      calls.set(at, target);
    }
  }
  const callees = order.slice(1).map((fn) => ({ start: fn.offset, end: analysis.functionEnd(fn), arity: fn.arity, localCount: fn.localCount }));
  return { ok: true, callees, calls, globals: [...globals.values()] };
}

const LEAF_TREE: CallTree = { ok: true, callees: [], calls: new Map(), globals: [] };

/** Whether every global the tree calls through holds its function in `view`. */
export function callTreeHolds(globals: readonly GlobalDependency[], view: GlobalsView): boolean {
  for (const { name, fn } of globals) {
    const value = view.getGlobal(name);
    if (!(value instanceof AtlasFunction) || value.ref !== fn) return false;
  }
  return true;
}
