//! Runtime checks of arithmetic results, deferred so that a stretch of arithmetic is tested
//! with one branch: a zero divisor of Div/Mod (also -0) is DivideByZero, a NaN or ±∞ result
//! InvalidNumericResult. A zero divisor always gives a NaN or ±∞ result, so the one test of
//! finiteness covers both; only the cold path tells them apart.
//!
//! A stretch holds at most `MAX_DEFERRED` results. Its cold path tests every result of the
//! stretch, so each one stays live until the stretch is flushed: an unbounded stretch (a long
//! straight-line body without calls or branches) kept thousands of values live at once, and
//! register allocation, whose cost grows with the number of simultaneously live values, made
//! compile time grow quadratically with the body's length.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, Value};

use super::{offset32, Translator};
use crate::outcome::TrapCode;

/// No trap: what the search for the first failed check yields when there is none (trap
/// words hold a small code above an offset; see `trap_word`).
const NO_TRAP: i64 = -1;

/// The most results one flush tests. Small enough that the values a stretch keeps live fit
/// in registers, large enough that the fast path pays one branch per many operations.
pub(super) const MAX_DEFERRED: usize = 16;

/// A result whose check is deferred.
#[derive(Clone, Copy)]
pub(super) struct Unchecked {
    value: Value,
    pc: usize,
    /// The divisor of a Div or Mod, which must not be zero.
    divisor: Option<Value>,
    /// A later unchecked Add/Sub/Mul consumed it (see `cover`).
    covered: bool,
}

impl Translator<'_> {
    /// Checks an arithmetic result (and the divisor of a Div or Mod) at the next point where
    /// an error or an exit could be observed (`flush_checks`), or when the stretch is full.
    pub(super) fn check_result(&mut self, result: Value, divisor: Option<Value>, pc: usize) {
        self.unchecked.push(Unchecked { value: result, pc, divisor, covered: false });
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
    /// block finds the first non-finite result in program order, as the interpreter would
    /// have (nothing observable happened in between: every check, trap, call and exit
    /// flushes first), with a chain of selects rather than a branch and a trap block per
    /// result, and traps there; a false alarm continues.
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
        // The first failed entry's trap, as a word holding its code above its offset.
        let mut first = self.b.ins().iconst(types::I64, NO_TRAP);
        for entry in unchecked.iter().rev() {
            let failed = self.non_finite(entry.value);
            let trap = self.trap_word(entry);
            first = self.b.ins().select(failed, trap, first);
        }
        let found = self.b.ins().icmp_imm_u(IntCC::NotEqual, first, NO_TRAP);
        // A trap block per flush: one block shared by all flushes, taking the trap as a
        // parameter, made register allocation quadratic (it merges the parameter with every
        // incoming argument into one live range).
        let trap = self.b.create_block();
        self.b.set_cold_block(trap);
        self.b.ins().brif(found, trap, &[], continue_, &[]);
        self.b.switch_to_block(trap);
        let offset = self.b.ins().ireduce(types::I32, first);
        let code = self.b.ins().ushr_imm_u(first, 32);
        let code = self.b.ins().ireduce(types::I32, code);
        self.exit_trap_at(code, offset);
        self.b.switch_to_block(continue_);
    }

    /// The trap of a failed entry as a word (code << 32 | offset): a Div/Mod by zero is
    /// DivideByZero, whose check the interpreter makes before computing the result, anything
    /// else InvalidNumericResult. One word, so that finding the first failure takes one
    /// select per entry.
    fn trap_word(&mut self, entry: &Unchecked) -> Value {
        let word = |code: TrapCode| i64::from(code as u32) << 32 | i64::from(offset32(entry.pc));
        let invalid = self.b.ins().iconst(types::I64, word(TrapCode::InvalidNumericResult));
        let Some(divisor) = entry.divisor else { return invalid };
        let zero = self.b.ins().f64const(0.0);
        let by_zero = self.b.ins().fcmp(FloatCC::Equal, divisor, zero);
        let divide = self.b.ins().iconst(types::I64, word(TrapCode::DivideByZero));
        self.b.ins().select(by_zero, divide, invalid)
    }

    /// `v - v` is unordered (NaN) exactly when v is NaN or ±∞.
    fn non_finite(&mut self, value: Value) -> Value {
        let difference = self.b.ins().fsub(value, value);
        self.b.ins().fcmp(FloatCC::Unordered, difference, difference)
    }
}
