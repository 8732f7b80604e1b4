/**
 * atlas-jit's public API. Everything a user needs is exported here; nothing else in the
 * package is a contract.
 */
export {
  Opcode, Bytecode, BytecodeBuilder, validate, assertValid, BytecodeValidationError, disassemble,
  readAtb, writeAtb, AtbFormatError,
  type OpcodeName, type Constant, type FunctionRef, type Span, type DebugEntry, type ValidationIssue, type ValidationRule,
} from './bytecode/index.js';
export { compile, CompileError } from './compiler/index.js';
export { Vm, AtlasRuntimeError, HaltSignal, type VmOptions, type Value, type VmJitHook, type RuntimeErrorKind } from './vm/index.js';
export { JitEngine, type JitStats } from './jit/jit-engine.js';
export type { JitConfig } from './jit/jit-config.js';
export { JIT_CHANNELS, type JitEvent, type JitEventName } from './jit/jit-events.js';
export {
  spawnRuntime, AtlasInterrupted, RemoteRuntimeError,
  type RemoteRuntime, type RuntimeApi, type RuntimeOptions, type RuntimeStats, type ProgramSummary,
} from './remote/index.js';
