//! The size budget of one module's translation. Compile time grows with the IR Cranelift
//! is given, and with the frame the translator carries: every instruction is translated
//! with the whole frame at hand, and register allocation computes liveness per block for
//! every value live across it. Counting both, and refusing a module that needs more than
//! `MAX_UNITS`, keeps every compile short, where a big body used to run into the compile
//! timeout after many seconds.
//!
//! A unit is one IR instruction, one value passed along an edge, or `SLOTS_PER_UNIT` frame
//! slots present while a bytecode instruction is translated (measured: a deep frame costs
//! that much less per slot than an instruction does).

use std::cell::Cell;

use crate::frame::Rejection;
use crate::outcome::{Refusal, RefusalReason};

/// The most units one module may take. A straight-line body of arithmetic takes 8 to 18
/// units per operation; this many compile in well under a second on a 2020s x86-64 core.
pub const MAX_UNITS: usize = 200_000;

/// Frame slots per unit.
pub const SLOTS_PER_UNIT: usize = 512;

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
