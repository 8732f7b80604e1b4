/**
 * What a compile job asks the translator to compile for one record: its body and the call
 * tree it reaches, where the code is entered (the start, or a loop header for on-stack
 * replacement) with the frame kinds profiled when it became hot, and the globals it keeps in
 * the invoke area's slots. Built once per job, off the call path (`CompilePipeline.prepare`).
 */
import type { Bytecode } from '../bytecode/bytecode.js';
import { resolveCallTree, type CallTree } from './call-tree.js';
import type { FunctionJobSource } from './compile-protocol.js';
import { resolveBuiltinGlobals } from './builtin-globals.js';
import { resolveGlobalSlots } from './global-slots.js';
import { MAX_FUNCTIONS, type NativeCallee } from './native.js';
import type { FunctionRecord } from './program-registry.js';

/** The input of `record`'s job; resolves (and keeps on the record) its tree, guard and global slots. */
export function jobSource(record: FunctionRecord, jobId: number): FunctionJobSource {
  const { fn, program, end } = record;
  const bytecode = program.bytecode;
  const tree = callTreeOf(record);
  const { callees, calls } = record.entry === fn.offset ? tree : osrCalls(tree, record);
  const calleeGuards = tree.globals.filter((global) => global.fn !== undefined);
  const calleeNames = new Set(calleeGuards.map((global) => global.name));
  const ranges = [{ start: fn.offset, end }, ...callees];
  record.globalSlots = resolveGlobalSlots(bytecode, ranges, calleeNames, record.view);
  const builtins = resolveBuiltinGlobals(bytecode, ranges, calleeNames, record.view);
  record.guardGlobals = builtins.guards.length === 0 ? calleeGuards : [...calleeGuards, ...builtins.guards];
  // The guard changed: its cached answer is void.
  record.guardView = undefined;
  return {
    jobId, name: fn.name, code: bytecode.code, constants: bytecode.constants,
    start: fn.offset, end, arity: fn.arity, localCount: fn.localCount, callees, calls,
    entry: record.entry, entryKinds: record.entryKinds, sideExits: true,
    globals: record.globalSlots.table, calleeGlobals: nameConstants(bytecode, calleeNames), builtinGlobals: builtins.table,
  };
}

/**
 * `record`'s call tree, resolved once. The guard keeps the globals that must hold the called
 * functions and those read as math builtins; a read of any other global is a side exit in the
 * code (or a global slot), so it needs no guard.
 */
function callTreeOf(record: FunctionRecord): CallTree {
  record.tree ??= resolveCallTree(record.program.bytecode, record.fn);
  return record.tree;
}

/**
 * The tree of an OSR entry: function 0 is the loop, not the function, so a recursive call of
 * the function calls it as a callee of its own (added at the end; left out, so a side exit,
 * when the module is full).
 */
function osrCalls(tree: CallTree, record: FunctionRecord): Pick<CallTree, 'callees' | 'calls'> {
  const recursive = [...tree.calls].filter(([, index]) => index === 0);
  if (recursive.length === 0) return tree;
  const { fn, end } = record;
  const self: NativeCallee = { start: fn.offset, end, arity: fn.arity, localCount: fn.localCount };
  const index = tree.callees.length + 1;
  const calls = new Map(tree.calls);
  for (const [at] of recursive) {
    if (index < MAX_FUNCTIONS) calls.set(at, index);
    else calls.delete(at);
  }
  return { callees: index < MAX_FUNCTIONS ? [...tree.callees, self] : tree.callees, calls };
}

/** Every string constant naming one of `names`. */
function nameConstants(bytecode: Bytecode, names: ReadonlySet<string>): number[] {
  const out: number[] = [];
  bytecode.constants.forEach((constant, k) => {
    if (constant.kind === 'string' && names.has(constant.value)) out.push(k);
  });
  return out;
}
