//! atlas-jit-native: compiles Atlas bytecode functions (with their loops, branches and the
//! call trees they reach) to machine code with Cranelift and runs them (docs/design.md,
//! "Native code").
//!
//! Pipeline: `input` (what JavaScript hands over, re-validated) → `translate` (bytecode to
//! Cranelift IR over the typed `frame` model) → `backend` (ISA, opt level, one JITModule
//! per call tree) → `code` (owned machine code) → `registry` (process-wide handles) →
//! `invoker` (per-thread fast path over the shared `invoke_area`); `watchdog` interrupts
//! native code from other threads. `api` is the N-API surface, `contract` the values the
//! TypeScript side mirrors.

pub mod backend;
pub mod code;
pub mod frame;
pub mod input;
pub mod invoke_area;
pub mod invoker;
pub mod math;
mod named;
pub mod opcode;
pub mod outcome;
pub mod priority;
pub mod registry;
pub mod translate;
pub mod watchdog;

// The N-API layer links against symbols only Node provides, so unit tests leave it out
// (and the `#[napi]` enums and constants elsewhere are exports only outside tests).
#[cfg(not(test))]
mod api;
#[cfg(not(test))]
mod contract;
