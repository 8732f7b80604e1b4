/**
 * Math builtins and constants in native code (docs/math-builtins.md §6). A `GetGlobal` of a
 * math name resolves, in the interpreter, to the builtin only when no user global of that
 * name exists (docs/bytecode.md §2.4). So when a job is built, each global the code reads
 * whose name is a math builtin or constant, and which the VM the code got hot in does not
 * define, is handed to the translator as that builtin: a constant becomes its value, a
 * function's call is lowered inline or as a call of the addon's implementation. The code is
 * then valid only while the name stays undefined, which the record's guard checks before
 * every run (`call-tree.ts`, `GlobalDependency.builtin`); a program that defines such a global
 * runs interpreted, and honours it.
 */
import type { Bytecode } from '../bytecode/bytecode.js';
import type { GlobalsView } from '../vm/index.js';
import { MATH_BUILTIN_NAMES, MATH_CONSTANTS } from '../vm/math-names.js';
import type { GlobalDependency } from './call-tree.js';
import { type CodeRange, globalAccesses } from './global-slots.js';

/**
 * The math names by the translator's code (a name's index): the builtins in their order, then
 * the constants. The addon's `contract().builtinGlobals` must list the same.
 */
export const BUILTIN_GLOBAL_NAMES: readonly string[] = [...MATH_BUILTIN_NAMES, ...MATH_CONSTANTS.keys()];

const BUILTIN_CODES: ReadonlyMap<string, number> = new Map(BUILTIN_GLOBAL_NAMES.map((name, code) => [name, code]));

export interface BuiltinGlobals {
  /** String constant → builtin code, as the translator takes it. */
  readonly table: ReadonlyMap<number, number>;
  /** What the guard must check: each of these names holds no user global. */
  readonly guards: readonly GlobalDependency[];
}

export const NO_BUILTIN_GLOBALS: BuiltinGlobals = { table: new Map(), guards: [] };

/**
 * The reads in `ranges` of math names that `view` does not define (other than `calleeNames`,
 * which the call tree resolves to the program's own functions). Without a view (a compile
 * asked for directly) every math name is taken to be undefined: the guard checks it anyway.
 */
export function resolveBuiltinGlobals(bytecode: Bytecode, ranges: readonly CodeRange[], calleeNames: ReadonlySet<string>, view: GlobalsView | undefined): BuiltinGlobals {
  const table = new Map<number, number>();
  const names = new Set<string>();
  for (const { constant, name, writes } of globalAccesses(bytecode, ranges)) {
    const code = BUILTIN_CODES.get(name);
    if (writes || code === undefined || calleeNames.has(name) || view?.getGlobal(name) !== undefined) continue;
    table.set(constant, code);
    names.add(name);
  }
  if (table.size === 0) return NO_BUILTIN_GLOBALS;
  return { table, guards: [...names].map((name) => ({ name, fn: undefined, builtin: true })) };
}
