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
export { SourceText, type Location } from './compiler/source-text.js';
export { codeFrame, type CodeFrameOptions } from './compiler/code-frame.js';
export {
  Vm, AtlasRuntimeError, HaltSignal, type RunProgress, type VmOptions, type Value, type HostValue, type VmJitHook, type RuntimeErrorKind, type FunctionHandle,
  MAX_ERROR_FRAMES, type AtlasFrame,
} from './vm/index.js';
export { JitEngine, type FunctionState, type JitFunctionStats, type JitStats } from './jit/jit-engine.js';
export { CompileWorkers } from './jit/compile-workers.js';
export { JitUnavailableError } from './jit/native/addon.js';
export type { JitConfig } from './jit/jit-config.js';
export { JIT_CHANNELS, type JitEvent, type JitEventName, type JitTier } from './jit/jit-events.js';
// From the modules themselves rather than the remote barrel, which would load comlink and a
// runtime host up front; `spawnRuntime` loads what it needs when first called.
export { spawnRuntime, type RemoteRuntime } from './remote/spawn-runtime.js';
export { AtlasInterrupted, RemoteRuntimeError } from './remote/remote-errors.js';
export type { RuntimeApi, RuntimeOptions, RuntimeStats, ProgramSummary } from './remote/runtime-api.js';
