export { Opcode, type OpcodeName, type OpcodeInfo, type OperandLayout, OPCODE_TABLE, opcodeInfo, opcodeName, isJump } from './opcode.js';
export { Bytecode, functionRef, type Constant, type ConstantKind, type FunctionRef, type Ownership, type Span, type DebugEntry } from './bytecode.js';
export { decodeAt, instructions, jumpTarget, readU16, readI16, DecodeError, type Instruction, type DecodeErrorRule } from './decoder.js';
export { BytecodeBuilder, Label, type FunctionInProgress } from './builder.js';
