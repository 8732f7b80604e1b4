/**
 * Decoding of single instructions and iteration over an instruction stream.
 * Operands are big-endian (docs/bytecode.md §1.1); jump operands are i16 relative to the byte after
 * the operand (docs/bytecode.md §1.2).
 */
import { type OpcodeInfo, type OpcodeName, OPCODE_TABLE, isJump } from './opcode.js';

export interface Instruction {
  readonly offset: number;
  readonly info: OpcodeInfo;
  /** Decoded operands: [] / [u8] / [u16] / [i16] / [u16, u16]. */
  readonly operands: readonly number[];
  /** Offset of the next instruction. */
  readonly next: number;
}

export type DecodeErrorRule = 'UnknownOpcode' | 'TruncatedInstruction';

export class DecodeError extends Error {
  constructor(
    readonly rule: DecodeErrorRule,
    readonly offset: number,
    detail: string,
  ) {
    super(`${rule} at offset ${offset}: ${detail}`);
    this.name = 'DecodeError';
  }
}

export function readU16(code: Uint8Array, at: number): number {
  return (code[at]! << 8) | code[at + 1]!;
}

export function readI16(code: Uint8Array, at: number): number {
  return (readU16(code, at) << 16) >> 16;
}

/** Decodes the instruction at `offset`, reading no further than `end`. */
export function decodeAt(code: Uint8Array, offset: number, end = code.length): Instruction {
  const byte = code[offset]!;
  const info = OPCODE_TABLE[byte];
  if (info === undefined) {
    throw new DecodeError('UnknownOpcode', offset, `byte 0x${byte.toString(16).padStart(2, '0')} is not an opcode`);
  }
  const next = offset + info.size;
  if (next > end) {
    throw new DecodeError('TruncatedInstruction', offset, `${info.name} needs ${info.size - 1} operand byte(s)`);
  }
  return { offset, info, operands: readOperands(code, offset + 1, info), next };
}

function readOperands(code: Uint8Array, at: number, info: OpcodeInfo): number[] {
  switch (info.operands) {
    case 'none': return [];
    case 'u8': return [code[at]!];
    case 'u16': return [readU16(code, at)];
    case 'i16': return [readI16(code, at)];
    case 'u16u16': return [readU16(code, at), readU16(code, at + 2)];
  }
}

/** Iterates the instructions in [start, end); throws DecodeError on a bad byte. */
export function* instructions(code: Uint8Array, start = 0, end = code.length): Generator<Instruction> {
  let offset = start;
  while (offset < end) {
    const ins = decodeAt(code, offset, end);
    yield ins;
    offset = ins.next;
  }
}

/** The absolute target of a Jump/JumpIfFalse/Loop instruction. */
export function jumpTarget(ins: Instruction): number {
  if (!isJump(ins.info.byte)) throw new TypeError(`${ins.info.name} is not a jump`);
  return ins.next + ins.operands[0]!;
}

/** Whether `ins` is a jump to itself or backwards: a loop's back-edge. */
export function isBackEdge(ins: Instruction): boolean {
  return isJump(ins.info.byte) && jumpTarget(ins) <= ins.offset;
}

export function isNamed(ins: Instruction, name: OpcodeName): boolean {
  return ins.info.name === name;
}
