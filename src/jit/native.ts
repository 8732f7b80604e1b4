/**
 * The typed wrapper around the native addon (`native/atlas-jit-native.node`, the Rust crate
 * in `native/`), and the only module that loads it. The addon translates an Atlas function
 * (loops and branches included) and the functions it calls directly to machine code with
 * Cranelift, keeps it in a process-wide registry under a small integer handle, and runs it.
 *
 * Compiling: `compileFunction` returns a handle or a typed refusal (a normal outcome), and
 * throws `NativeInputError` for malformed input a validator should have rejected.
 * Invoking: each thread owns one shared buffer. `NativeInvoker` writes the handle and the
 * arguments there, makes one argument-less N-API call, and reads status and results back, so
 * a call converts nothing. Code compiled on any thread can be invoked on any other thread.
 *
 * The Rust side is the source of the contract: the addon's interface is typed from the
 * declarations napi generates (`native/native.d.ts`, committed), and the values this module
 * mirrors (invoke-area layout, status and trap codes, the names that cross as strings,
 * `MAX_FUNCTIONS`) are checked against the addon's own by test/native-contract.test.ts.
 */
export * from './native/contract.js';
export {
  addonProfile, emptyNativeCall, hostIsa, JitUnavailableError, lowerThreadPriority, nativeAddonPath, requireAddon, verifierDefault,
} from './native/addon.js';
export * from './native/compile.js';
export * from './native/invoke.js';
