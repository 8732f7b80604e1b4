//! The per-thread memory through which JavaScript passes arguments in and reads results
//! out, so that an invoke converts nothing but the handle and the status.
//!
//! Layout in f64 slots (mirrored by `src/jit/native.ts`):
//! `[0, 256)` arguments · 256 result value · 257 status · 258 trap code · 259 trap offset ·
//! 260 kind of a halted value · 261 the handle to invoke (written by JavaScript).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::outcome::Status;

pub const ARG_SLOTS: usize = 256;
pub const VALUE_SLOT: usize = 256;
pub const STATUS_SLOT: usize = 257;
pub const TRAP_CODE_SLOT: usize = 258;
pub const TRAP_OFFSET_SLOT: usize = 259;
pub const HALT_KIND_SLOT: usize = 260;
pub const HANDLE_SLOT: usize = 261;
pub const SLOT_COUNT: usize = 262;

/// Atomic cells so that Rust's reads and writes stay defined while JavaScript (and the
/// generated code) access the same memory as plain f64s.
pub struct InvokeArea {
    cells: [AtomicU64; SLOT_COUNT],
}

impl InvokeArea {
    pub fn new() -> Arc<Self> {
        Arc::new(Self { cells: std::array::from_fn(|_| AtomicU64::new(0)) })
    }

    /// Start of the whole area, for the JavaScript view.
    pub fn base_ptr(&self) -> *mut f64 {
        self.cells[0].as_ptr().cast()
    }

    pub fn args_ptr(&self) -> *const f64 {
        self.cells[0].as_ptr().cast_const().cast()
    }

    pub fn value_ptr(&self) -> *mut f64 {
        self.cells[VALUE_SLOT].as_ptr().cast()
    }

    pub fn get(&self, slot: usize) -> f64 {
        f64::from_bits(self.cells[slot].load(Ordering::Relaxed))
    }

    pub fn set(&self, slot: usize, value: f64) {
        self.cells[slot].store(value.to_bits(), Ordering::Relaxed);
    }

    /// The handle JavaScript asked to invoke, if the slot holds a valid one.
    pub fn requested_handle(&self) -> Option<u32> {
        let value = self.get(HANDLE_SLOT);
        (value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value)).then_some(value as u32)
    }

    /// Publishes the status and the trap or halt details of a finished call.
    pub fn record(&self, status: Status) {
        self.set(STATUS_SLOT, f64::from(status.code()));
        match status {
            Status::Returned(_) => {}
            Status::Trapped { code, offset } => {
                self.set(TRAP_CODE_SLOT, f64::from(code as u8));
                self.set(TRAP_OFFSET_SLOT, f64::from(offset));
            }
            Status::Halted(kind) => self.set(HALT_KIND_SLOT, f64::from(kind as u8)),
        }
    }
}
