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
 * The rest are superinstructions: an instruction fused with the ones after it, for the
 * sequences compiled code is full of (`x = e;` is SetLocal+Pop, a loop or if condition is a
 * comparison + JumpIfFalse, operands are loaded with GetLocal/Constant, `i = i + 1` is
 * GetLocal Constant Add SetLocal Pop). A fused word only changes how execution continues
 * from that position: every later instruction keeps its own word, so a jump straight to it
 * still works. Each fused case has a fast path for numbers only; anything else (a type
 * error, a non-finite result, a division by zero, a slot that needs the reference's padding)
 * runs just the first instruction and lets the rest dispatch one by one, so every error is
 * raised by its own instruction at its own offset.
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
  /** Constant k + Add/Sub/Mul/Div/Mod: the top of the stack with constant k (same order as Add..Mod). */
  AddConstant, SubConstant, MulConstant, DivConstant, ModConstant,
  /** GetLocal i + Add/Sub/Mul/Div/Mod: the top of the stack with local i. */
  AddLocal, SubLocal, MulLocal, DivLocal, ModLocal,
  /** Constant / GetLocal + comparison + JumpIfFalse: the top of the stack compared with it. */
  ConstantCompareJump, LocalCompareJump,
  /** GetLocal i + Constant k + comparison + JumpIfFalse: a loop or if condition `x < k`. */
  GetLocalConstantCompareJump,
  /** GetLocal i + Constant k + Add + SetLocal j + Pop: `j = i + k;`, the loop counter step. */
  GetLocalAddConstantSetLocal,
  /** Equal/NotEqual + JumpIfFalse, and Constant / GetLocal before them (`n % d == 0`). */
  EqualJumpIfFalse, ConstantEqualJump, LocalEqualJump,
  /** GetLocal i + Constant k + Add/Sub/Mul/Div/Mod: `n - 1`. */
  LocalAddConstant, LocalSubConstant, LocalMulConstant, LocalDivConstant, LocalModConstant,
  /** GetLocal i + GetLocal j + Add/Sub/Mul/Div/Mod: `n % d`. */
  LocalAddLocal, LocalSubLocal, LocalMulLocal, LocalDivLocal, LocalModLocal,
  /** GetLocalAddConstantSetLocal + Loop (or Jump): the end of a counted loop's body. */
  GetLocalAddConstantSetLocalLoop,
  /** GetLocal i + Return: `return x;`. */
  ReturnLocal,
  /** GetLocal i + GetLocal j + comparison + JumpIfFalse: a loop condition `i < n`. */
  GetLocalLocalCompareJump,
  /** Add/Sub/Mul/Div/Mod + SetLocal j + Pop: `s = s + x;` (same order as Add..Mod). */
  AddSetLocal, SubSetLocal, MulSetLocal, DivSetLocal, ModSetLocal,
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
      if (op === Op.NotEqual) operand = 1; // read by the fused equality jumps
      break;
  }
  return op | (operand << Word.OperandShift);
}

/** Add..Mod in the order of the AddConstant..ModConstant and AddLocal..ModLocal runs. */
function isArithmetic(op: number): boolean {
  return op >= Op.Add && op <= Op.Mod;
}

/**
 * The superinstruction that starts at instruction `i`, if any. `plain` holds the unfused
 * words; `at(n)` is the position of the instruction n steps after i (or -1 past the end or
 * after an invalid instruction). Longer sequences win; a GetLocal before an operand that
 * fuses with a comparison and its jump stays plain, so the operand's fused word does the work.
 */
function fusedOp(plain: Int32Array, i: number, at: (n: number) => number): Op | undefined {
  const opAt = (n: number): number => {
    const p = at(n);
    return p < 0 ? Op.Invalid : plain[p]! & Word.OpMask;
  };
  const first = plain[i]! & Word.OpMask;
  const second = opAt(1);
  const isCompareJump = (n: number): boolean => opAt(n) === Op.Compare && opAt(n + 1) === Op.JumpIfFalse;
  const isEqualJump = (n: number): boolean => (opAt(n) === Op.Equal || opAt(n) === Op.NotEqual) && opAt(n + 1) === Op.JumpIfFalse;
  switch (first) {
    case Op.GetLocal:
      if (second === Op.Constant) {
        // Only a Pop that pops (Q1).
        if (opAt(2) === Op.Add && opAt(3) === Op.SetLocal && at(4) >= 0 && plain[at(4)] === Op.Pop) {
          return opAt(5) === Op.Loop || opAt(5) === Op.Jump ? Op.GetLocalAddConstantSetLocalLoop : Op.GetLocalAddConstantSetLocal;
        }
        if (isCompareJump(2)) return Op.GetLocalConstantCompareJump;
      }
      if (second === Op.GetLocal && isCompareJump(2)) return Op.GetLocalLocalCompareJump;
      if (second === Op.GetLocal || second === Op.Constant) {
        const third = opAt(2);
        if (isArithmetic(third)) return (second === Op.Constant ? Op.LocalAddConstant : Op.LocalAddLocal) + (third - Op.Add);
        if (isCompareJump(2) || isEqualJump(2)) return undefined;
        return second === Op.GetLocal ? Op.GetLocalGetLocal : Op.GetLocalConstant;
      }
      if (isArithmetic(second)) return Op.AddLocal + (second - Op.Add);
      if (second === Op.Return) return Op.ReturnLocal;
      if (isCompareJump(1)) return Op.LocalCompareJump;
      return isEqualJump(1) ? Op.LocalEqualJump : undefined;
    case Op.Constant:
      if (isArithmetic(second)) return Op.AddConstant + (second - Op.Add);
      if (isCompareJump(1)) return Op.ConstantCompareJump;
      return isEqualJump(1) ? Op.ConstantEqualJump : undefined;
    case Op.SetLocal:
      return at(1) >= 0 && plain[at(1)] === Op.Pop ? Op.SetLocalPop : undefined; // only a Pop that pops (Q1)
    case Op.SetGlobal:
      return at(1) >= 0 && plain[at(1)] === Op.Pop ? Op.SetGlobalPop : undefined;
    case Op.Add:
    case Op.Sub:
    case Op.Mul:
    case Op.Div:
    case Op.Mod: // only a Pop that pops (Q1)
      return second === Op.SetLocal && at(2) >= 0 && plain[at(2)] === Op.Pop ? Op.AddSetLocal + (first - Op.Add) : undefined;
    case Op.Compare:
      return second === Op.JumpIfFalse ? Op.CompareJumpIfFalse : undefined;
    case Op.Equal:
    case Op.NotEqual:
      return second === Op.JumpIfFalse ? Op.EqualJumpIfFalse : undefined;
    default:
      return undefined;
  }
}

export function dispatchWords(code: Uint8Array): Int32Array {
  const plain = new Int32Array(code.length);
  for (let i = 0; i < code.length; i++) plain[i] = wordAt(code, i);
  const words = plain.slice();
  for (let i = 0; i < code.length; i++) {
    if ((plain[i]! & Word.OpMask) === Op.Invalid) continue;
    // Fusing keeps the operand bits, which is all the loop reads from a later instruction's word.
    const fused = fusedOp(plain, i, (n) => nthAfter(code, plain, i, n));
    if (fused !== undefined) words[i] = (plain[i]! & ~Word.OpMask) | fused;
  }
  return words;
}

/** The position of the instruction `n` steps after the one at `i`, or -1 (past the end, or an invalid one on the way). */
function nthAfter(code: Uint8Array, plain: Int32Array, i: number, n: number): number {
  let p = i;
  for (let k = 0; k < n; k++) {
    if ((plain[p]! & Word.OpMask) === Op.Invalid) return -1;
    p += OPCODE_TABLE[code[p]!]!.size;
    if (p >= code.length) return -1;
  }
  return p;
}
