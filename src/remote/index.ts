/** A whole Atlas runtime (Vm + JitEngine) hosted in a worker thread behind a comlink proxy. */
export { spawnRuntime, type RemoteRuntime } from './spawn-runtime.js';
export type { RuntimeApi, RuntimeOptions, RuntimeStats, RuntimeCounters, ProgramSummary } from './runtime-api.js';
export { AtlasInterrupted, RemoteRuntimeError, type RemoteRuntimeErrorCode } from './remote-errors.js';
export { RuntimeHost, type RuntimeHostOptions } from './runtime-host.js';
export { InterruptSignal } from './interrupt-signal.js';
export { installErrorTransfer, encodeError, decodeError, type WireError } from './error-transfer.js';
export { installValueTransfer, encodeValue, decodeValue, type WireValue } from './value-transfer.js';
