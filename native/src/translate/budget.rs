//! The size budget of one module's translation. Compile time grows with the IR Cranelift
//! is given, and with the frame the translator carries: every instruction is translated
//! with the whole frame at hand, every edge passes it, and register allocation computes
//! liveness per block for every value live across it. Counting these, and refusing a
//! module that needs more than `MAX_UNITS`, keeps every compile short, where a big body
//! used to run into the compile timeout after many seconds.
//!
//! A unit is one IR instruction, or `SLOTS_PER_UNIT` frame slots present while a bytecode
//! instruction is translated, or `SLOTS_PER_UNIT / SLOTS_PER_EDGE_ARG` values passed along
//! edges (measured: a slot costs far less than an instruction, and most edge arguments
//! pass a value unchanged, which Cranelift removes before its costly passes, in a pass that
//! is not linear either).

use std::cell::Cell;

use crate::frame::Rejection;
use crate::outcome::{Refusal, RefusalReason};

/// The most units one module may take. A straight-line body of arithmetic takes 8 to 18
/// units per operation; this many compile in well under a second on a 2020s x86-64 core.
pub const MAX_UNITS: usize = 200_000;

/// Frame slots per unit.
pub const SLOTS_PER_UNIT: usize = 512;

/// What one edge argument counts as, in frame slots.
pub const SLOTS_PER_EDGE_ARG: usize = 128;

/// Units used so far by the functions of one translation round.
#[derive(Default)]
pub struct Budget {
    used: Cell<usize>,
}

impl Budget {
    /// Starts a round (each round translates the whole module again).
    pub fn reset(&self) {
        self.used.set(0);
    }

    pub fn used(&self) -> usize {
        self.used.get()
    }

    /// Adds `units`; false once the module has passed the limit.
    pub fn charge(&self, units: usize) -> bool {
        let used = self.used.get() + units;
        self.used.set(used);
        used <= MAX_UNITS
    }
}

/// The refusal of a module that passed the limit at `pc`.
pub fn too_large(opcode: &str, pc: usize) -> Rejection {
    Rejection::Refused(Refusal::new(
        RefusalReason::TooLarge,
        opcode,
        pc,
        format!(
            "the translation passes its budget of {MAX_UNITS} IR units at offset {pc}: \
             the body (or its call tree) is too large to compile in reasonable time"
        ),
    ))
}
