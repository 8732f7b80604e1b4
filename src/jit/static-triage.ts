/**
 * Refusals certain before any translation, found on the main thread when a function or loop
 * gets hot, so that no compile job (and, for a program where nothing can compile, no compile
 * worker) is spent on them. Measured on strings-arrays, where both hot units are refused: the
 * run's wall time in-process is 805 ms interpreted, 914 ms with both refusals made by a
 * worker, 830 ms with them made here (BENCHMARKS.md, "Never slower").
 *
 * The triage predicts only what the translator certainly does, with side exits on (as the
 * engine always asks): a path of the code ends at an instruction it cannot lower, and code
 * whose every path from its entry ends so before it returns, halts or takes a back edge is
 * refused (`AlwaysExits`; at its very first instruction, with that instruction's reason).
 * Certain ends: a `Constant` that is not a number or a function; a `GetGlobal` of a global
 * that is neither a native slot (a number, bool or null in the VM), a known function nor a
 * math builtin; a `Call` of a known function whose own first instruction is such a constant
 * (the translator leaves it out of the module, and calls of it leave). Anything else is
 * assumed to translate, so a wrong guess can only send a job the worker refuses, never keep
 * compilable code from compiling.
 */
import type { Bytecode, FunctionRef } from '../bytecode/bytecode.js';
import { decodeAt, type Instruction, jumpTarget } from '../bytecode/decoder.js';
import { functionEnd } from '../bytecode/program-analysis.js';
import { isJump, Opcode } from '../bytecode/opcode.js';
import type { GlobalsView } from '../vm/index.js';
import { MATH_BUILTIN_NAMES, MATH_CONSTANTS } from '../vm/math-names.js';

/** A refusal found by the triage: the translator's message, and the offset it names. */
export interface TriagedRefusal {
  readonly message: string;
  readonly offset: number;
}

/** What the triage looks at: the code's frame, where it is entered, and one past its end. */
export interface TriageUnit {
  readonly fn: FunctionRef;
  readonly entry: number;
  readonly end: number;
}

const NATIVE_CONSTANT_KINDS: ReadonlySet<string> = new Set(['number', 'function']);
/** The globals native code reads as math builtins and constants (`builtin-globals.ts`). */
const MATH_GLOBALS: ReadonlySet<string> = new Set([...MATH_BUILTIN_NAMES, ...MATH_CONSTANTS.keys()]);

/**
 * The translator's certain refusal of `unit` (compiled from `view`'s globals; without a view,
 * as far as the program's text decides it), if any.
 */
export function certainRefusal(bytecode: Bytecode, unit: TriageUnit, view: GlobalsView | undefined): TriagedRefusal | undefined {
  try {
    const first = firstInstructionRefusal(bytecode, decodeAt(bytecode.code, unit.entry), view);
    if (first !== undefined) return { message: first, offset: unit.entry };
    return alwaysExits(bytecode, unit, view) ? { message: `every path from offset ${unit.entry} leaves to the interpreter before it returns or loops`, offset: unit.entry } : undefined;
  } catch {
    // Code the decoder rejects is the validator's to report, and the worker's to refuse.
    return undefined;
  }
}

/**
 * The translator's refusal when the entry's instruction already leaves (a side exit there
 * would do nothing natively, so the translator refuses with that instruction's reason).
 */
function firstInstructionRefusal(bytecode: Bytecode, ins: Instruction, view: GlobalsView | undefined): string | undefined {
  if (ins.info.byte === Opcode.GetGlobal && !nativeGlobal(bytecode, ins.operands[0]!, view)) {
    return `GetGlobal at offset ${ins.offset} uses a global's value, whose type is not known statically`;
  }
  return constantRefusal(bytecode, ins);
}

/** The translator's refusal of a `Constant` it cannot hold (its message), if `ins` is one. */
function constantRefusal(bytecode: Bytecode, ins: Instruction): string | undefined {
  if (ins.info.byte !== Opcode.Constant) return undefined;
  const index = ins.operands[0]!;
  const kind = bytecode.constants[index]?.kind;
  if (kind === undefined || NATIVE_CONSTANT_KINDS.has(kind)) return undefined;
  return `Constant ${index} at offset ${ins.offset} is a ${kind} constant`;
}

/** Whether every path from the entry meets a certain end before a return, a halt, a back edge or the end. */
function alwaysExits(bytecode: Bytecode, unit: TriageUnit, view: GlobalsView | undefined): boolean {
  const callees = bytecode.analysis.bodySummary(unit.fn).callees;
  const seen = new Set<number>([unit.entry]);
  const work = [unit.entry];
  const follow = (pc: number) => {
    if (!seen.has(pc)) {
      seen.add(pc);
      work.push(pc);
    }
  };
  for (let pc = work.pop(); pc !== undefined; pc = work.pop()) {
    // Running off the code is a normal stop, as a return is.
    if (pc < 0 || pc >= unit.end) return false;
    const ins = decodeAt(bytecode.code, pc);
    if (endsPath(bytecode, ins, callees.get(pc)?.fn, view)) continue;
    const op = ins.info.byte;
    if (op === Opcode.Return || op === Opcode.Halt) return false;
    if (isJump(op)) {
      const target = jumpTarget(ins);
      if (target <= pc) return false;
      follow(target);
      if (op !== Opcode.JumpIfFalse) continue;
    }
    follow(ins.next);
  }
  return true;
}

/** The top-level code as a function: entered at 0, no parameters, its top-level locals. */
function mainFrame(bytecode: Bytecode): FunctionRef {
  return { name: '<main>', arity: 0, offset: 0, localCount: bytecode.topLevelLocalCount, paramOwnership: [], paramNames: [], returnOwnership: 'none' };
}

/** What a loop at `header` compiles as: its frame's function (or the top-level code) entered at the header, to the frame's end. */
export function loopUnit(bytecode: Bytecode, header: number): TriageUnit {
  const fn = bytecode.functions().find((f) => f.offset !== 0 && f.offset <= header && header < functionEnd(bytecode, f));
  return { fn: fn ?? mainFrame(bytecode), entry: header, end: fn === undefined ? bytecode.code.length : functionEnd(bytecode, fn) };
}

/**
 * Whether anything in `bytecode` may compile: a function or a loop its text alone does not
 * show certainly refused. A program for which this is false runs no better with the JIT: a
 * host that runs it can leave the engine out altogether (the command does).
 */
export function programMayCompile(bytecode: Bytecode): boolean {
  // One unit at a time, functions first: each needs its function's flow analysis (for its
  // end), and the first that may compile answers (a command asks this of every program it
  // may load the JIT for, before its workers start).
  const mayCompile = (unit: TriageUnit) => certainRefusal(bytecode, unit, undefined) === undefined;
  for (const fn of bytecode.functions()) {
    if (fn.offset !== 0 && mayCompile({ fn, entry: fn.offset, end: functionEnd(bytecode, fn) })) return true;
  }
  return bytecode.analysis.loopHeaders.some((header) => mayCompile(loopUnit(bytecode, header)));
}

/** Whether the translator certainly leaves to the interpreter at `ins` (`callee`: the function a `Call` there calls). */
function endsPath(bytecode: Bytecode, ins: Instruction, callee: FunctionRef | undefined, view: GlobalsView | undefined): boolean {
  switch (ins.info.byte) {
    case Opcode.Constant:
      return constantRefusal(bytecode, ins) !== undefined;
    case Opcode.GetGlobal:
      return !nativeGlobal(bytecode, ins.operands[0]!, view);
    case Opcode.Call:
      return callee !== undefined && constantRefusal(bytecode, decodeAt(bytecode.code, callee.offset)) !== undefined;
    default:
      return false;
  }
}

/**
 * Whether a read of global constant `index` may stay in native code: a slot (a number, bool or
 * null in the VM), a known function or a math builtin. Without a VM (before the program runs)
 * any global the program writes may still become a slot; one it never writes is a builtin or
 * undefined, and leaves unless it is a math builtin.
 */
function nativeGlobal(bytecode: Bytecode, index: number, view: GlobalsView | undefined): boolean {
  const name = bytecode.constants[index];
  if (name?.kind !== 'string') return true; // malformed: the worker's to judge
  if (bytecode.analysis.functionGlobals.has(name.value)) return true;
  const value = view?.getGlobal(name.value);
  if (value !== undefined) return typeof value === 'number' || typeof value === 'boolean' || value === null;
  return MATH_GLOBALS.has(name.value) || (view === undefined && bytecode.analysis.writtenGlobals.has(name.value));
}
