/**
 * What one instruction does to its frame's stack and where control goes next: the two facts
 * the flow analysis (and anything else that follows control flow) needs per instruction.
 */
import type { Instruction } from './decoder.js';
import { Opcode } from './opcode.js';

export interface StackEffect {
  /** Values the instruction needs on the frame's stack (peeking ops need 1 but pop 0). */
  readonly needs: number;
  readonly pops: number;
  readonly pushes: number;
}

const PEEKING: ReadonlySet<number> = new Set([Opcode.SetLocal, Opcode.SetGlobal, Opcode.SetUpvalue, Opcode.Dup]);

/**
 * The stack effect of one instruction, operands included: `Call n` is n+1→1 (callee under the
 * args), `Array n` is n→1, `MakeClosure k n` is n→1, `Return` pops its result, Halt needs nothing.
 * Given the code, a Pop directly followed by a 0xFF byte (or ending the code) pops nothing, as
 * in the VM (docs/bytecode.md Q1); it still needs a value, which compiled code always has there.
 */
export function stackEffect(ins: Instruction, code?: Uint8Array): StackEffect {
  const byte = ins.info.byte;
  if (byte === Opcode.Pop && code !== undefined && (ins.next >= code.length || code[ins.next] === Opcode.Halt)) {
    return { needs: 1, pops: 0, pushes: 0 };
  }
  if (byte === Opcode.Call) return { needs: ins.operands[0]! + 1, pops: ins.operands[0]! + 1, pushes: 1 };
  if (byte === Opcode.Array) return { needs: ins.operands[0]!, pops: ins.operands[0]!, pushes: 1 };
  if (byte === Opcode.MakeClosure) return { needs: ins.operands[1]!, pops: ins.operands[1]!, pushes: 1 };
  if (byte === Opcode.Return) return { needs: 1, pops: 1, pushes: 0 };
  if (byte === Opcode.Halt) return { needs: 0, pops: 0, pushes: 0 };
  const [pops, pushes] = ins.info.effect!;
  return { needs: PEEKING.has(byte) ? Math.max(1, pops) : pops, pops, pushes };
}

/** Where control can go after `ins`: the offsets of the next instructions (none after Return/Halt). */
export function successors(ins: Instruction): number[] {
  const byte = ins.info.byte;
  if (byte === Opcode.Return || byte === Opcode.Halt) return [];
  if (byte === Opcode.Jump || byte === Opcode.Loop) return [ins.next + ins.operands[0]!];
  if (byte === Opcode.JumpIfFalse) return [ins.next, ins.next + ins.operands[0]!];
  return [ins.next];
}
