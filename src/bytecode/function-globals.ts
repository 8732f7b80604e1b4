/**
 * Globals that statically hold one function (for call-arity checks in the validator and direct
 * calls in the JIT): found once per program by `ProgramAnalysis.functionGlobals`.
 */
import type { Bytecode } from './bytecode.js';
import type { Instruction } from './decoder.js';
import type { ScannedInstruction } from './linear-scan.js';
import { Opcode, isJump } from './opcode.js';

/**
 * Globals that statically hold one function constant: name → constant index.
 *
 * A name qualifies when the whole code contains exactly ONE `SetGlobal` of it (counting dead
 * code too, which only makes this more conservative), and that SetGlobal is the docs/bytecode.md §3.2 prologue
 * pattern: it directly follows `Constant kf` with `kf` a function constant, and nothing but that
 * fall-through can reach it (it is no jump target and no function entry). `None` never qualifies
 * because GetGlobal resolves it to Option::None before user globals (docs/bytecode.md §2.4).
 *
 * The scan is linear, so it is only trustworthy for code without JumpMisaligned issues; the
 * validator rejects such code anyway.
 */
export function findFunctionGlobals(bytecode: Bytecode, scan: readonly ScannedInstruction[]): Map<string, number> {
  const entered = enteredOffsets(bytecode, scan);
  const setCount = new Map<string, number>();
  const candidate = new Map<string, number>();
  let previous: Instruction | undefined;
  for (const entry of scan) {
    const ins = entry.instruction;
    if (ins !== undefined && ins.info.byte === Opcode.SetGlobal) {
      const name = bytecode.stringAt(ins.operands[0]!);
      if (name !== undefined) {
        setCount.set(name, (setCount.get(name) ?? 0) + 1);
        const fn = previous !== undefined && !entered.has(ins.offset) ? loadedFunction(bytecode, previous) : undefined;
        if (fn !== undefined) candidate.set(name, fn);
        else candidate.delete(name);
      }
    }
    previous = ins;
  }
  const out = new Map<string, number>();
  for (const [name, k] of candidate) if (setCount.get(name) === 1 && name !== 'None') out.set(name, k);
  return out;
}

/** Offsets control can reach other than by falling through: jump targets and function entries. */
function enteredOffsets(bytecode: Bytecode, scan: readonly ScannedInstruction[]): Set<number> {
  const entered = new Set<number>();
  for (const entry of scan) {
    const ins = entry.instruction;
    if (ins !== undefined && isJump(ins.info.byte)) entered.add(ins.next + ins.operands[0]!);
  }
  for (const c of bytecode.constants) if (c.kind === 'function') entered.add(c.value.offset);
  return entered;
}

/** The function constant index `ins` pushes, if it is `Constant k` of a function constant. */
function loadedFunction(bytecode: Bytecode, ins: Instruction): number | undefined {
  if (ins.info.byte !== Opcode.Constant) return undefined;
  return bytecode.constants[ins.operands[0]!]?.kind === 'function' ? ins.operands[0]! : undefined;
}
