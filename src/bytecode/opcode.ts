/**
 * Atlas opcodes with the byte values of the reference implementation (docs/bytecode.md §1.3).
 * The table below is the single source of truth for names, operand layouts and fixed
 * stack effects; the decoder, validator, disassembler and interpreter all read it.
 */
export const Opcode = {
  Constant: 0x01,
  Null: 0x02,
  True: 0x03,
  False: 0x04,
  GetLocal: 0x10,
  SetLocal: 0x11,
  GetGlobal: 0x12,
  SetGlobal: 0x13,
  MakeClosure: 0x14,
  GetUpvalue: 0x15,
  SetUpvalue: 0x16,
  Add: 0x20,
  Sub: 0x21,
  Mul: 0x22,
  Div: 0x23,
  Mod: 0x24,
  Negate: 0x25,
  Equal: 0x30,
  NotEqual: 0x31,
  Less: 0x32,
  LessEqual: 0x33,
  Greater: 0x34,
  GreaterEqual: 0x35,
  Not: 0x40,
  And: 0x41,
  Or: 0x42,
  Jump: 0x50,
  JumpIfFalse: 0x51,
  Loop: 0x52,
  Call: 0x60,
  Return: 0x61,
  Array: 0x70,
  GetIndex: 0x71,
  SetIndex: 0x72,
  Pop: 0x80,
  Dup: 0x81,
  IsOptionSome: 0x90,
  IsOptionNone: 0x91,
  IsResultOk: 0x92,
  IsResultErr: 0x93,
  ExtractOptionValue: 0x94,
  ExtractResultValue: 0x95,
  IsArray: 0x96,
  GetArrayLen: 0x97,
  Halt: 0xff,
} as const;

export type OpcodeName = keyof typeof Opcode;
export type Opcode = (typeof Opcode)[OpcodeName];

/** How the operand bytes after an opcode are laid out (all big-endian, docs/bytecode.md §1.1). */
export type OperandLayout = 'none' | 'u8' | 'u16' | 'i16' | 'u16u16';

export interface OpcodeInfo {
  readonly name: OpcodeName;
  readonly byte: Opcode;
  readonly operands: OperandLayout;
  /** Total instruction size in bytes, opcode included. */
  readonly size: number;
  /**
   * Values popped and pushed when the effect does not depend on an operand.
   * `null` for Call, Array, MakeClosure (operand-dependent) and Return/Halt (terminators).
   */
  readonly effect: readonly [pops: number, pushes: number] | null;
}

const OPERAND_BYTES: Record<OperandLayout, number> = { none: 0, u8: 1, u16: 2, i16: 2, u16u16: 4 };

function layoutOf(name: OpcodeName): OperandLayout {
  switch (name) {
    case 'Constant': case 'GetLocal': case 'SetLocal': case 'GetGlobal': case 'SetGlobal':
    case 'GetUpvalue': case 'SetUpvalue': case 'Array':
      return 'u16';
    case 'MakeClosure':
      return 'u16u16';
    case 'Jump': case 'JumpIfFalse': case 'Loop':
      return 'i16';
    case 'Call':
      return 'u8';
    default:
      return 'none';
  }
}

/** Fixed stack effects (docs/bytecode.md §1.3 "pops→pushes"); SetLocal/SetGlobal/SetUpvalue peek. */
function effectOf(name: OpcodeName): readonly [number, number] | null {
  switch (name) {
    case 'Constant': case 'Null': case 'True': case 'False': case 'GetLocal': case 'GetGlobal':
    case 'GetUpvalue': case 'Dup':
      return [0, 1];
    case 'SetLocal': case 'SetGlobal': case 'SetUpvalue': case 'Jump': case 'Loop':
      return [0, 0];
    case 'Negate': case 'Not': case 'IsOptionSome': case 'IsOptionNone': case 'IsResultOk':
    case 'IsResultErr': case 'ExtractOptionValue': case 'ExtractResultValue': case 'IsArray':
    case 'GetArrayLen':
      return [1, 1];
    case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Mod': case 'Equal': case 'NotEqual':
    case 'Less': case 'LessEqual': case 'Greater': case 'GreaterEqual': case 'And': case 'Or':
    case 'GetIndex':
      return [2, 1];
    case 'SetIndex':
      return [3, 1];
    case 'Pop': case 'JumpIfFalse':
      return [1, 0];
    default:
      return null; // Call, Array, MakeClosure, Return, Halt
  }
}

/** 256-entry lookup: `OPCODE_TABLE[byte]` is the opcode's info, or undefined for a bad byte. */
export const OPCODE_TABLE: ReadonlyArray<OpcodeInfo | undefined> = (() => {
  const table: (OpcodeInfo | undefined)[] = new Array(256).fill(undefined);
  for (const name of Object.keys(Opcode) as OpcodeName[]) {
    const operands = layoutOf(name);
    table[Opcode[name]] = {
      name, byte: Opcode[name], operands, size: 1 + OPERAND_BYTES[operands], effect: effectOf(name),
    };
  }
  return table;
})();

export function opcodeInfo(byte: number): OpcodeInfo | undefined {
  return OPCODE_TABLE[byte];
}

export function opcodeName(byte: number): string {
  return OPCODE_TABLE[byte]?.name ?? `0x${byte.toString(16).padStart(2, '0')}`;
}

/** Jump-family opcodes: the operand is an i16 relative to the end of the instruction. */
export function isJump(byte: number): boolean {
  return byte === Opcode.Jump || byte === Opcode.JumpIfFalse || byte === Opcode.Loop;
}
