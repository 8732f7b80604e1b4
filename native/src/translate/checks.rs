//! Runtime checks of arithmetic results: division by zero at once, and finiteness (NaN
//! or ±∞ is InvalidNumericResult) deferred so that a stretch of arithmetic is tested with
//! one branch.
//!
//! A stretch holds at most `MAX_DEFERRED` results. Its cold path tests every result of the
//! stretch, so each one stays live until the stretch is flushed: an unbounded stretch (a long
//! straight-line body without calls, divisions or branches) kept thousands of values live at
//! once, and register allocation, whose cost grows with the number of simultaneously live
//! values, made compile time grow quadratically with the body's length.

use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{InstBuilder, Value};

use super::Translator;
use crate::outcome::TrapCode;

/// The most results one flush tests. Small enough that the values a stretch keeps live fit
/// in registers, large enough that the fast path pays one branch per many operations.
pub(super) const MAX_DEFERRED: usize = 16;

/// A result whose finiteness check is deferred.
#[derive(Clone, Copy)]
pub(super) struct Unchecked {
    value: Value,
    pc: usize,
    /// A later unchecked Add/Sub/Mul consumed it (see `cover`).
    covered: bool,
}

impl Translator<'_> {
    /// Div/Mod: `b == 0.0` (also -0.0) is DivideByZero, checked before the result.
    pub(super) fn check_divisor(&mut self, divisor: Value, pc: usize) {
        self.flush_checks();
        let zero = self.b.ins().f64const(0.0);
        let is_zero = self.b.ins().fcmp(FloatCC::Equal, divisor, zero);
        self.trap_if(is_zero, TrapCode::DivideByZero, pc);
    }

    /// NaN or ±∞ is InvalidNumericResult. The check is deferred to the next point where
    /// an error or an exit could be observed (`flush_checks`), so the results of a whole
    /// stretch of arithmetic are tested with one branch.
    pub(super) fn check_finite(&mut self, result: Value, pc: usize) {
        self.unchecked.push(Unchecked { value: result, pc, covered: false });
        if self.unchecked.len() >= MAX_DEFERRED {
            self.flush_checks();
        }
    }

    /// An Add/Sub/Mul result is NaN or ±∞ whenever an operand is, so while the result is
    /// checked its unchecked operands need no test of their own on the fast path (the cold
    /// path still tests them, in order, to report the first failure). Not so for Div and
    /// Mod: `x / ∞` and `fmod(x, ∞)` are finite.
    pub(super) fn cover(&mut self, operands: [Value; 2]) {
        for entry in &mut self.unchecked {
            if operands.contains(&entry.value) {
                entry.covered = true;
            }
        }
    }

    /// Tests the deferred results with one branch: `v - v` is 0 for a finite v and NaN for
    /// NaN and ±∞, and it is taken of the sum of the results, which is non-finite whenever
    /// one of them is (and, rarely, when finite ones overflow together). On failure a cold
    /// path tests the results one by one in program order and traps at the first
    /// non-finite one, as the interpreter would have (nothing observable happened in
    /// between: every check, trap, call and exit flushes first); a false alarm continues.
    pub(super) fn flush_checks(&mut self) {
        if self.unchecked.is_empty() {
            return;
        }
        let unchecked = std::mem::take(&mut self.unchecked);
        let mut sum = None;
        for entry in unchecked.iter().filter(|entry| !entry.covered) {
            sum = Some(match sum {
                None => entry.value,
                Some(total) => self.b.ins().fadd(total, entry.value),
            });
        }
        let sum = sum.expect("the last unchecked result is never covered");
        let bad = self.non_finite(sum);
        let locate = self.b.create_block();
        self.b.set_cold_block(locate);
        let continue_ = self.b.create_block();
        self.b.ins().brif(bad, locate, &[], continue_, &[]);
        self.b.switch_to_block(locate);
        for entry in &unchecked {
            let this_one = self.non_finite(entry.value);
            let trap = self.b.create_block();
            self.b.set_cold_block(trap);
            let next = self.b.create_block();
            self.b.set_cold_block(next);
            self.b.ins().brif(this_one, trap, &[], next, &[]);
            self.b.switch_to_block(trap);
            self.exit_trap(TrapCode::InvalidNumericResult, entry.pc);
            self.b.switch_to_block(next);
        }
        self.b.ins().jump(continue_, &[]);
        self.b.switch_to_block(continue_);
    }

    /// `v - v` is unordered (NaN) exactly when v is NaN or ±∞.
    fn non_finite(&mut self, value: Value) -> Value {
        let difference = self.b.ins().fsub(value, value);
        self.b.ins().fcmp(FloatCC::Unordered, difference, difference)
    }

    /// Branches to a cold block that exits with the trap when `condition` holds.
    /// `condition` must not depend on unchecked results (see `flush_checks`).
    pub(super) fn trap_if(&mut self, condition: Value, code: TrapCode, pc: usize) {
        self.flush_checks();
        let trap = self.b.create_block();
        self.b.set_cold_block(trap);
        let continue_ = self.b.create_block();
        self.b.ins().brif(condition, trap, &[], continue_, &[]);
        self.b.switch_to_block(trap);
        self.exit_trap(code, pc);
        self.b.switch_to_block(continue_);
    }
}
