//! Finalized machine code of one function and the module memory that holds it.
//! This module holds the crate's only `unsafe` code paths into machine code: calling it
//! and freeing it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use cranelift_jit::JITModule;

use crate::invoke_area::InvokeArea;
use crate::outcome::Exit;

/// Number of `NativeCode` values alive in the process: the code memory not yet freed.
static LIVE_CODE: AtomicUsize = AtomicUsize::new(0);

pub fn live_code_count() -> usize {
    LIVE_CODE.load(Ordering::Relaxed)
}

/// A `JITModule` whose memory is freed when this owner is dropped (cranelift-jit leaks
/// module memory on a plain drop).
///
/// Invariant: nobody calls a function pointer obtained from the module after the owner
/// is dropped. `NativeCode` upholds it by never letting its entry pointer escape.
pub struct OwnedModule(Option<JITModule>);

impl OwnedModule {
    pub fn new(module: JITModule) -> Self {
        Self(Some(module))
    }

    pub fn get(&mut self) -> &mut JITModule {
        self.0.as_mut().expect("module present until drop")
    }
}

impl Drop for OwnedModule {
    fn drop(&mut self) {
        if let Some(module) = self.0.take() {
            // SAFETY: by the type's invariant no function of this module is executing or
            // will be called again: the only holder of an entry pointer is `NativeCode`,
            // which drops its module only when the last `Arc` to it goes away, and every
            // running invocation holds such an `Arc` for the duration of the call.
            unsafe { module.free_memory() };
        }
    }
}

/// The machine-code entry `(args, out) -> status` (see `translate/entry.rs`).
type Entry = unsafe extern "C" fn(*const f64, *mut f64) -> u32;

pub struct NativeCode {
    /// Address of the finalized function inside `module`.
    entry: usize,
    /// `JITModule` is `Send` but not `Sync`; the mutex makes `NativeCode` shareable across
    /// threads. It is never locked: the module is only touched again when dropped.
    #[allow(dead_code, reason = "held so that dropping the code frees its memory")]
    module: Mutex<OwnedModule>,
    pub code_size: usize,
    pub exit: Exit,
    pub arity: usize,
}

impl NativeCode {
    /// `entry` must be the finalized address of a function of `module` translated with
    /// `translate::native_signature`, reading `arity` parameters.
    pub fn new(module: OwnedModule, entry: *const u8, code_size: usize, exit: Exit, arity: usize) -> Self {
        LIVE_CODE.fetch_add(1, Ordering::Relaxed);
        Self { entry: entry as usize, module: Mutex::new(module), code_size, exit, arity }
    }

    /// Runs the function on the arguments in `area` and returns its status; the result
    /// value, status and trap/halt details land in the area.
    #[inline]
    pub fn call(&self, area: &InvokeArea) -> u32 {
        // SAFETY: `entry` is the address of finalized code in `self.module`, which lives
        // as long as `self` (it is freed only in `OwnedModule::drop`), and `&self` keeps
        // `self` alive for the whole call. The code was generated for exactly this
        // signature with the host's default (C) calling convention. It reads `arity`
        // ≤ 256 f64s from `args`, which has `ARG_SLOTS` = 256, and writes the f64 at `out`,
        // the u32 control words after it, up to `FRAME_SLOTS` f64s of a side exit's frame
        // back into `args` with one kind byte each, and reads and writes up to `GLOBAL_SLOTS`
        // global slots, all inside `area` (`#[repr(C)]`, offsets checked at compile time in
        // `invoke_area.rs`; the translator bounds frame depth and slot indices by the same
        // constants, and the input validation bounds the global table); the area's cells are atomics, which
        // tolerate these unsynchronized plain accesses, and JS on this thread cannot run
        // meanwhile. The code touches no other memory except calling `atlas_jit_fmod`.
        unsafe {
            let entry: Entry = std::mem::transmute::<usize, Entry>(self.entry);
            entry(area.args_ptr(), area.value_ptr())
        }
    }
}

impl Drop for NativeCode {
    fn drop(&mut self) {
        LIVE_CODE.fetch_sub(1, Ordering::Relaxed);
        // The module memory itself is freed by `OwnedModule::drop` right after this.
    }
}
