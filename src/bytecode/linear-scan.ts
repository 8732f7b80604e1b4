/**
 * The linear instruction scan: the code decoded front to back the way the reference validator
 * does it (docs/bytecode.md §5, pass 1), without following control flow. The validator's linear passes, the
 * function-globals search and the disassembler read it.
 */
import { DecodeError, type Instruction, decodeAt } from './decoder.js';
import { type OpcodeInfo, OPCODE_TABLE } from './opcode.js';

/** One step of the linear decode: a decoded instruction, or the bad byte that stopped it. */
export interface ScannedInstruction {
  readonly offset: number;
  /** The opcode's info; undefined for a byte that is not an opcode. */
  readonly info: OpcodeInfo | undefined;
  /** The decoded instruction; undefined when `error` is set. */
  readonly instruction: Instruction | undefined;
  readonly error: DecodeError | undefined;
}

/**
 * Decodes `code` front to back: an unknown byte is skipped (it still counts as an instruction
 * start), a truncated instruction ends the scan because the next start is unknowable.
 */
export function linearScan(code: Uint8Array): ScannedInstruction[] {
  const out: ScannedInstruction[] = [];
  let offset = 0;
  while (offset < code.length) {
    const info = OPCODE_TABLE[code[offset]!];
    const decoded = tryDecode(code, offset);
    if (decoded instanceof DecodeError) {
      out.push({ offset, info, instruction: undefined, error: decoded });
      if (decoded.rule === 'TruncatedInstruction') break;
      offset += 1;
    } else {
      out.push({ offset, info, instruction: decoded, error: undefined });
      offset = decoded.next;
    }
  }
  return out;
}

/** The instruction at `offset`, or the DecodeError that says why there is none (never throws it). */
export function tryDecode(code: Uint8Array, offset: number): Instruction | DecodeError {
  try {
    return decodeAt(code, offset);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
}
