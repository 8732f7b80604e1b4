export {
  AtlasArray, AtlasFunction, AtlasClosure, AtlasBuiltin, AtlasOption, AtlasResult, AtlasJson,
  typeName, valuesEqual, formatNumber, display, charCount,
  type Value, type HostValue, type TypeName, type JsonData,
} from './values.js';
export { AtlasRuntimeError, AtlasInterrupted, runtimeErrorAt, rustDebugString, NO_OFFSET, MAX_ERROR_FRAMES, type AtlasFrame, type RuntimeErrorKind } from './errors.js';
export { BUILTINS, BUILTIN_VALUES, MATH_CONSTANTS, StdlibError, type BuiltinFn, type BuiltinContext } from './builtins.js';
export { fromHostValue, fromHostArg, fromHostArgs } from './host.js';
export type { FunctionHandle } from './function-handle.js';
export { HaltSignal, SAFEPOINT_INTERVAL, SIDE_EXIT, type ExitFrame, type HookAnswer, type VmJitHook, type GlobalsView, type GlobalCell } from './jit-hook.js';
export { Vm, DEFAULT_MAX_CALL_DEPTH, DEFAULT_MAX_STACK_SIZE, type RunProgress, type VmOptions } from './interpreter.js';
export { loadSteadyDispatch } from './steady-dispatch.js';
