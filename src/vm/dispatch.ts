/**
 * The pre-decoded form of the code that the interpreter loop dispatches on.
 *
 * Every code position `i` gets one 32-bit word: the dense dispatch number of the opcode at
 * `i` in the low 8 bits and its (first) operand, already assembled and sign-extended, in the
 * upper 24 bits. The loop then needs one typed-array load per instruction instead of one for
 * the opcode and one per operand byte, and it switches on small dense numbers, which V8
 * compiles to a jump table (it builds a jump table only when the case labels are integer
 * literals spread over less than ~3x their count; the reference bytes spread 0x01..0xFF over
 * 45 opcodes, which would become a chain of compares).
 *
 * Words are computed for every position, not just for instruction starts, because
 * unvalidated code may jump into the middle of an instruction, and the reference then
 * decodes from there. A position whose instruction would run past the end of the code is
 * Invalid: the reference raises UnknownOpcode for a truncated operand (docs/bytecode.md §2.2).
 */
import { OPCODE_TABLE, Opcode, type OpcodeName } from '../bytecode/opcode.js';

/**
 * Dense dispatch numbers (a `const enum`, so tsc inlines them as literals). The four ordering
 * comparisons share `Compare`, with the comparison in the operand bits.
 *
 * The last five are superinstructions: an instruction fused with the one after it, for the
 * pairs compiled code is full of (`x = e;` is SetLocal+Pop, a loop or if condition is a
 * comparison + JumpIfFalse, operands are loaded with GetLocal/Constant). A fused word only
 * changes how execution continues from that position: the second instruction keeps its own
 * word, so a jump straight to it still works, and each half raises its errors at its own
 * offset.
 */
export const enum Op {
  Invalid = 0,
  Constant, Null, True, False,
  GetLocal, SetLocal, GetGlobal, SetGlobal, MakeClosure, GetUpvalue, SetUpvalue,
  Add, Sub, Mul, Div, Mod, Negate,
  Equal, NotEqual, Compare,
  Not, And, Or,
  Jump, JumpIfFalse, Loop,
  Call, Return,
  Array, GetIndex, SetIndex,
  Pop, Dup,
  IsOptionSome, IsOptionNone, IsResultOk, IsResultErr, ExtractOptionValue, ExtractResultValue, IsArray, GetArrayLen,
  Halt,
  // Superinstructions.
  GetLocalGetLocal, GetLocalConstant, SetLocalPop, SetGlobalPop, CompareJumpIfFalse,
}

/** The comparison of a `Compare` word (its operand). */
export const enum Cmp {
  Less = 0, LessEqual, Greater, GreaterEqual,
}

/** Layout of a dispatch word (a `const enum` too, for the same reason). */
export const enum Word {
  OpMask = 0xff,
  OperandShift = 8,
}

/** Every opcode's dense number (a Record, so tsc checks that none is missing). */
const OP_OF_NAME: Record<OpcodeName, Op> = {
  Constant: Op.Constant, Null: Op.Null, True: Op.True, False: Op.False,
  GetLocal: Op.GetLocal, SetLocal: Op.SetLocal, GetGlobal: Op.GetGlobal, SetGlobal: Op.SetGlobal,
  MakeClosure: Op.MakeClosure, GetUpvalue: Op.GetUpvalue, SetUpvalue: Op.SetUpvalue,
  Add: Op.Add, Sub: Op.Sub, Mul: Op.Mul, Div: Op.Div, Mod: Op.Mod, Negate: Op.Negate,
  Equal: Op.Equal, NotEqual: Op.NotEqual, Less: Op.Compare, LessEqual: Op.Compare,
  Greater: Op.Compare, GreaterEqual: Op.Compare,
  Not: Op.Not, And: Op.And, Or: Op.Or,
  Jump: Op.Jump, JumpIfFalse: Op.JumpIfFalse, Loop: Op.Loop,
  Call: Op.Call, Return: Op.Return,
  Array: Op.Array, GetIndex: Op.GetIndex, SetIndex: Op.SetIndex,
  Pop: Op.Pop, Dup: Op.Dup,
  IsOptionSome: Op.IsOptionSome, IsOptionNone: Op.IsOptionNone, IsResultOk: Op.IsResultOk,
  IsResultErr: Op.IsResultErr, ExtractOptionValue: Op.ExtractOptionValue,
  ExtractResultValue: Op.ExtractResultValue, IsArray: Op.IsArray, GetArrayLen: Op.GetArrayLen,
  Halt: Op.Halt,
};

const COMPARISON: Partial<Record<OpcodeName, Cmp>> = {
  Less: Cmp.Less, LessEqual: Cmp.LessEqual, Greater: Cmp.Greater, GreaterEqual: Cmp.GreaterEqual,
};

/**
 * The word for position `i`. Operands: u8 and u16 as unsigned, i16 sign-extended, and for
 * MakeClosure only the constant index (the loop reads its count from the code). Pop's
 * operand is 1 when the reference skips it: the next byte is Halt or there is none (docs/bytecode.md Q1).
 */
function wordAt(code: Uint8Array, i: number): number {
  const info = OPCODE_TABLE[code[i]!];
  if (info === undefined || i + info.size > code.length) return Op.Invalid;
  const op = OP_OF_NAME[info.name];
  let operand = 0;
  switch (info.operands) {
    case 'u8':
      operand = code[i + 1]!;
      break;
    case 'u16':
    case 'u16u16':
      operand = (code[i + 1]! << 8) | code[i + 2]!;
      break;
    case 'i16':
      operand = (((code[i + 1]! << 8) | code[i + 2]!) << 16) >> 16;
      break;
    case 'none':
      if (op === Op.Pop) operand = i + 1 >= code.length || code[i + 1] === Opcode.Halt ? 1 : 0;
      if (op === Op.Compare) operand = COMPARISON[info.name]!;
      break;
  }
  return op | (operand << Word.OperandShift);
}

/** The superinstruction for `first` followed by the word `next`, if there is one. */
function fusedOp(first: Op, next: number): Op | undefined {
  const second = next & Word.OpMask;
  switch (first) {
    case Op.GetLocal:
      if (second === Op.GetLocal) return Op.GetLocalGetLocal;
      if (second === Op.Constant) return Op.GetLocalConstant;
      return undefined;
    case Op.SetLocal:
      return next === Op.Pop ? Op.SetLocalPop : undefined; // only a Pop that pops (Q1)
    case Op.SetGlobal:
      return next === Op.Pop ? Op.SetGlobalPop : undefined;
    case Op.Compare:
      return second === Op.JumpIfFalse ? Op.CompareJumpIfFalse : undefined;
    default:
      return undefined;
  }
}

export function dispatchWords(code: Uint8Array): Int32Array {
  const words = new Int32Array(code.length);
  for (let i = 0; i < code.length; i++) words[i] = wordAt(code, i);
  // Ascending order: the word after position i is read before it is fused itself. Fusing
  // keeps the operand bits, which is all the loop reads from a second instruction's word.
  for (let i = 0; i < code.length; i++) {
    const op = (words[i]! & Word.OpMask) as Op;
    if (op === Op.Invalid) continue;
    const next = i + OPCODE_TABLE[code[i]!]!.size;
    if (next >= code.length) continue;
    const fused = fusedOp(op, words[next]!);
    if (fused !== undefined) words[i] = (words[i]! & ~Word.OpMask) | fused;
  }
  return words;
}
