export { Opcode, type OpcodeName, type OpcodeInfo, type OperandLayout, OPCODE_TABLE, opcodeInfo, opcodeName, isJump } from './opcode.js';
export { Bytecode, functionRef, type Constant, type ConstantKind, type FunctionRef, type Ownership, type Span, type DebugEntry } from './bytecode.js';
export { decodeAt, instructions, jumpTarget, readU16, readI16, DecodeError, type Instruction, type DecodeErrorRule } from './decoder.js';
export { BytecodeBuilder, Label, type FunctionInProgress } from './builder.js';
export { analyzeFunction, analyzeBody, functionEnd, functionGlobals, linearScan, stackEffect, successors, type FunctionAnalysis, type AnalyzedInstruction, type AnalysisOptions, type KnownCallee, type FlowProblem, type FlowRule, type ScannedInstruction, type StackEffect } from './control-flow.js';
export { validate, assertValid, BytecodeValidationError, type ValidationIssue, type ValidationRule } from './validator.js';
export { disassemble, describeConstant, describeInstruction } from './disassembler.js';
export { readAtb, writeAtb, AtbFormatError, ATB_MAGIC, ATB_VERSION } from './atb.js';
