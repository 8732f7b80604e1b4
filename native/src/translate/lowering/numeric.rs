//! Arithmetic, negation, comparisons and Not (docs/bytecode.md §2.4, §2.5): numbers are f64, bools
//! i8; an operand of the wrong kind is a type error known statically.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, BlockArg, ExtFuncData, ExternalName, InstBuilder, InstructionData, Opcode, StackSlotData, StackSlotKind,
    Value, ValueDef,
};
use cranelift_frontend::FunctionBuilder;

use super::super::entry::fmod_preserving_signature;
use super::super::scan::Instruction;
use super::super::{Flow, Translator};
use crate::frame::{Rejection, Slot};
use crate::opcode as op;
use crate::outcome::TrapCode;

impl Translator<'_> {
    /// Add/Sub/Mul/Div/Mod (docs/bytecode.md §2.4): b is popped (and type-checked) first.
    pub(super) fn arithmetic(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let (byte, pc) = (i.byte, i.pc);
        let b = self.operand(pc, i.name)?;
        let a = self.operand(pc, i.name)?;
        let (Slot::Number(x), Slot::Number(y)) = (a, b) else {
            let code = if byte == op::ADD { TrapCode::InvalidAdd } else { TrapCode::ExpectedNumber };
            return Ok(self.static_trap(code, pc));
        };
        if matches!(byte, op::ADD | op::SUB | op::MUL) {
            self.cover([x, y]);
        }
        let (result, divisor) = match byte {
            op::ADD => (self.b.ins().fadd(x, y), None),
            op::SUB => (self.b.ins().fsub(x, y), None),
            op::MUL => (self.b.ins().fmul(x, y), None),
            // A zero divisor is DivideByZero, found by the deferred check of the result.
            op::DIV => (self.b.ins().fdiv(x, y), Some(y)),
            _ => (self.remainder(x, y), Some(y)),
        };
        self.check_result(result, divisor, pc);
        self.frame.push(Slot::Number(result));
        Ok(Flow::Next(i.next))
    }

    pub(super) fn negate(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        match self.operand(i.pc, i.name)? {
            Slot::Number(x) => {
                // Not checked (docs/bytecode.md §2.4): -0 is a valid result.
                let negated = self.b.ins().fneg(x);
                self.frame.push(Slot::Number(negated));
                Ok(Flow::Next(i.next))
            }
            _ => Ok(self.static_trap(TrapCode::NegateNonNumber, i.pc)),
        }
    }

    pub(super) fn not(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        match self.operand(i.pc, i.name)? {
            Slot::Bool(x) => {
                let negated = self.b.ins().bxor_imm_u(x, 1);
                self.frame.push(Slot::Bool(negated));
                Ok(Flow::Next(i.next))
            }
            _ => Ok(self.static_trap(TrapCode::NotNonBool, i.pc)),
        }
    }

    /// Equal/NotEqual (docs/bytecode.md §2.5): values of different kinds are never equal; no errors.
    pub(super) fn equality(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let negate = i.byte == op::NOT_EQUAL;
        let b = self.operand(i.pc, i.name)?;
        let a = self.operand(i.pc, i.name)?;
        let result = match (a, b) {
            (Slot::Number(x), Slot::Number(y)) => {
                // IEEE: NaN != NaN and 0 == -0; NotEqual is "unordered or not equal".
                let cc = if negate { FloatCC::NotEqual } else { FloatCC::Equal };
                self.b.ins().fcmp(cc, x, y)
            }
            (Slot::Bool(x), Slot::Bool(y)) => {
                let cc = if negate { IntCC::NotEqual } else { IntCC::Equal };
                self.b.ins().icmp(cc, x, y)
            }
            (Slot::Null, Slot::Null) => self.b.ins().iconst(types::I8, i64::from(!negate)),
            _ => self.b.ins().iconst(types::I8, i64::from(negate)),
        };
        self.frame.push(Slot::Bool(result));
        Ok(Flow::Next(i.next))
    }

    /// Less/LessEqual/Greater/GreaterEqual: numbers only, IEEE (false on NaN).
    pub(super) fn ordering(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let b = self.operand(i.pc, i.name)?;
        let a = self.operand(i.pc, i.name)?;
        let (Slot::Number(x), Slot::Number(y)) = (a, b) else {
            return Ok(self.static_trap(TrapCode::ExpectedNumber, i.pc));
        };
        let cc = match i.byte {
            op::LESS => FloatCC::LessThan,
            op::LESS_EQUAL => FloatCC::LessThanOrEqual,
            op::GREATER => FloatCC::GreaterThan,
            _ => FloatCC::GreaterThanOrEqual,
        };
        let result = self.b.ins().fcmp(cc, x, y);
        self.frame.push(Slot::Bool(result));
        Ok(Flow::Next(i.next))
    }

    /// `fmod(x, y)`, exactly. When x and y are integers of magnitude at most 2^53 (the usual
    /// `i % n`), an i64 `srem` gives the same truncated remainder without calling fmod: both
    /// conversions are exact in that range, `srem` cannot overflow, and y ≠ 0 is tested too
    /// (an integer division by zero would fault; fmod's NaN for it is reported as DivideByZero
    /// by the deferred check).
    /// A zero remainder takes x's sign, as fmod's does (`-4 % 2` is -0). Other operands,
    /// NaN and ±∞ included, call fmod. A constant divisor (`i % 10`) is checked here, not at
    /// run time, and enters `srem` as an integer constant, which Cranelift lowers to a multiply
    /// by a magic number instead of a division (tens of cycles on a loop-carried chain).
    fn remainder(&mut self, x: Value, y: Value) -> Value {
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let done = self.b.create_block();
        let result = self.b.append_block_param(done, types::F64);
        let (x_ok, xi) = integer_below_2_53(&mut self.b, x);
        let divisor =
            self.f64_constant(y).filter(|d| d.trunc() == *d && *d != 0.0 && d.abs() < 9_007_199_254_740_992.0);
        let (ok, yi) = match divisor {
            // Exact: an integer below 2^53 in magnitude.
            Some(d) => (x_ok, self.b.ins().iconst(types::I64, d as i64)),
            None => {
                let (y_ok, yi) = integer_below_2_53(&mut self.b, y);
                let y_nonzero = self.b.ins().icmp_imm_s(IntCC::NotEqual, yi, 0);
                let both = self.b.ins().band(x_ok, y_ok);
                (self.b.ins().band(both, y_nonzero), yi)
            }
        };
        self.b.ins().brif(ok, fast, &[], slow, &[]);

        self.b.switch_to_block(fast);
        let ri = self.b.ins().srem(xi, yi);
        let rf = self.b.ins().fcvt_from_sint(types::F64, ri);
        // x's sign bit alone: +0 or -0, the sign fmod gives a zero remainder.
        let sign_bit = self.b.ins().f64const(-0.0);
        let signed_zero = self.b.ins().band(x, sign_bit);
        let is_zero = self.b.ins().icmp_imm_s(IntCC::Equal, ri, 0);
        let fast_result = self.b.ins().select(is_zero, signed_zero, rf);
        self.b.ins().jump(done, &[BlockArg::Value(fast_result)]);

        self.b.switch_to_block(slow);
        let slow_result = self.call_fmod(x, y);
        self.b.ins().jump(done, &[BlockArg::Value(slow_result)]);

        self.b.switch_to_block(done);
        result
    }

    /// `v`'s value when it is an `f64const` (a number constant pushed right before its use).
    fn f64_constant(&self, v: Value) -> Option<f64> {
        let ValueDef::Result(inst, _) = self.b.func.dfg.value_def(v) else {
            return None;
        };
        match self.b.func.dfg.insts[inst] {
            InstructionData::UnaryIeee64 { opcode: Opcode::F64const, imm } => Some(f64::from_bits(imm.bits())),
            _ => None,
        }
    }

    /// `fmod(x, y)` through the module's register-preserving wrapper: its result comes back
    /// through a stack slot of this function.
    fn call_fmod(&mut self, x: Value, y: Value) -> Value {
        let (fmod, slot) = match self.fmod {
            Some(pair) => pair,
            None => {
                let signature = self.b.import_signature(fmod_preserving_signature());
                let name = self.b.func.declare_imported_user_function(self.env.fmod_preserving.clone());
                let fmod = self.b.import_function(ExtFuncData {
                    name: ExternalName::user(name),
                    signature,
                    colocated: true,
                    patchable: false,
                });
                let slot = self.b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3));
                self.env.fmod_used.set(true);
                self.fmod = Some((fmod, slot));
                (fmod, slot)
            }
        };
        let at = self.b.ins().stack_addr(types::I64, slot, 0);
        self.b.ins().call(fmod, &[x, y, at]);
        self.b.ins().stack_load(types::I64, types::F64, slot, 0)
    }
}

/// Whether `v` is an integer of magnitude at most 2^53, and `v` as an i64 (meaningful when
/// it is). The conversion saturates (NaN gives 0, ±∞ and huge values an end of the i64
/// range), so converting back gives `v` exactly only for an integer in i64's range; the
/// range test then keeps |v| ≤ 2^53, where `srem` cannot overflow. Cheaper than testing
/// `trunc(v) == v` and `|v|` as floats, and the fast path reuses the integer.
fn integer_below_2_53(b: &mut FunctionBuilder, v: Value) -> (Value, Value) {
    const LIMIT: i64 = 1 << 53;
    let vi = b.ins().fcvt_to_sint_sat(types::I64, v);
    let back = b.ins().fcvt_from_sint(types::F64, vi);
    let exact = b.ins().fcmp(FloatCC::Equal, back, v);
    // -2^53 ≤ vi ≤ 2^53 as one unsigned compare of vi + 2^53 against 2^54.
    let shifted = b.ins().iadd_imm_s(vi, LIMIT);
    let in_range = b.ins().icmp_imm_u(IntCC::UnsignedLessThanOrEqual, shifted, 2 * LIMIT);
    (b.ins().band(exact, in_range), vi)
}
