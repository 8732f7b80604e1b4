//! Constants, globals, locals and stack shuffling: opcodes that only move typed slots.

use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, InstBuilder};

use super::super::scan::Instruction;
use super::super::{Flow, Translator};
use crate::frame::{CalleeRef, Rejection, Slot};
use crate::input::{ConstantKind, InputError, InputErrorKind, PoolEntry};
use crate::math::Builtin;
use crate::opcode as op;
use crate::outcome::{RefusalReason, ValueKind};

/// Where global slot `slot` lies from the invoke area's result value.
impl Translator<'_> {
    pub(super) fn constant(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let (index, pc) = (usize::from(i.u16_operand(&self.input.code)), i.pc);
        let slot = match self.pool_entry(index, i)? {
            PoolEntry::Number(n) => Slot::Number(self.b.ins().f64const(n)),
            // A function constant is a callee (the call table says which one is called).
            PoolEntry::Other(ConstantKind::Function) => Slot::Callee(CalleeRef::Constant(index as u32)),
            PoolEntry::Other(kind) => {
                return Err(Self::refusal(
                    RefusalReason::NonNumberConstant,
                    i.name,
                    pc,
                    format!("Constant {index} at offset {pc} is a {} constant", kind.name()),
                ))
            }
        };
        self.frame.push(slot);
        Ok(Flow::Next(i.next))
    }

    /// GetGlobal: a global held in the invoke area's global slots is read from there with the
    /// kind it was compiled for (the caller checked it before the run). Any other global pushes
    /// a callee, which only a `Call` of the call table may consume: without side exits every
    /// read global is guarded by the caller to hold its function; with them only the
    /// `callee_globals` are, and a read of another global leaves to the interpreter here,
    /// which resolves it (and raises UndefinedVariable where it should).
    pub(super) fn get_global(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let (index, pc) = (usize::from(i.u16_operand(&self.input.code)), i.pc);
        if self.pool_entry(index, i)? != PoolEntry::Other(ConstantKind::String) {
            return Err(Self::refusal(
                RefusalReason::UntypedValue,
                i.name,
                pc,
                format!("GetGlobal {index} at offset {pc} does not name its global with a string constant"),
            ));
        }
        if let Some(&slot) = self.input.globals.slots.get(&index) {
            let value = self.b.use_var(self.globals.var(slot));
            let loaded = match self.input.globals.kinds[slot] {
                ValueKind::Number => Slot::Number(value),
                ValueKind::Bool => {
                    let zero = self.b.ins().f64const(0.0);
                    Slot::Bool(self.b.ins().fcmp(FloatCC::NotEqual, value, zero))
                }
                ValueKind::Null => Slot::Null,
            };
            self.frame.push(loaded);
        } else if let Some(&builtin) = self.input.builtins.get(&index) {
            // No user global shadows it (the caller guards that): a constant is its value,
            // a function a callee that only a `Call` consumes (`math.rs`).
            let slot = match builtin {
                Builtin::Constant(value) => Slot::Number(self.b.ins().f64const(value)),
                Builtin::Function(_) => Slot::Callee(CalleeRef::Global(index as u32)),
            };
            self.frame.push(slot);
        } else if !self.input.side_exits || self.input.callee_globals.contains(&index) {
            self.frame.push(Slot::Callee(CalleeRef::Global(index as u32)));
        } else {
            return Err(Self::untyped(pc, i.name));
        }
        Ok(Flow::Next(i.next))
    }

    /// SetGlobal (peeks): stores into the global's slot when the value keeps the kind the slot
    /// was compiled for. Deferred checks fire first, so a value the interpreter would have
    /// trapped on never reaches a global the caller copies back.
    pub(super) fn set_global(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let (index, pc) = (usize::from(i.u16_operand(&self.input.code)), i.pc);
        let value = self.frame.peek(pc, i.name)?;
        let slot = self.input.globals.slots.get(&index).copied();
        let Some(slot) = slot.filter(|&slot| value.kind() == Some(self.input.globals.kinds[slot])) else {
            return Err(Self::refusal(
                RefusalReason::UnsupportedOpcode,
                i.name,
                pc,
                format!("SetGlobal {index} at offset {pc} writes a global not held natively, or changes its kind"),
            ));
        };
        self.flush_checks();
        let stored = self.as_f64(value);
        self.b.def_var(self.globals.var(slot), stored);
        Ok(Flow::Next(i.next))
    }

    /// The pool entry an instruction's operand names; malformed input if there is none.
    fn pool_entry(&self, index: usize, i: Instruction) -> Result<PoolEntry, Rejection> {
        let pool = &self.input.pool;
        pool.get(index).copied().ok_or_else(|| {
            let message = format!("{} {index} but the pool holds {} constant(s)", i.name, pool.len());
            InputError::new(InputErrorKind::ConstantOutOfRange, i.pc, message).into()
        })
    }

    pub(super) fn null(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        self.frame.push(Slot::Null);
        Ok(Flow::Next(i.next))
    }

    /// True and False.
    pub(super) fn boolean(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let value = self.b.ins().iconst(types::I8, i64::from(i.byte == op::TRUE));
        self.frame.push(Slot::Bool(value));
        Ok(Flow::Next(i.next))
    }

    pub(super) fn get_local(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let slot = self.frame.get_local(usize::from(i.u16_operand(&self.input.code)), i.pc)?;
        self.frame.push(slot);
        Ok(Flow::Next(i.next))
    }

    pub(super) fn set_local(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        self.frame.set_local(usize::from(i.u16_operand(&self.input.code)), i.pc)?;
        Ok(Flow::Next(i.next))
    }

    pub(super) fn dup(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let slot = self.frame.peek(i.pc, i.name)?;
        self.frame.push(slot);
        Ok(Flow::Next(i.next))
    }

    /// Pop does nothing when the next byte is Halt or it is the program's last byte (docs/bytecode.md Q1).
    pub(super) fn pop(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let following = self.input.code.get(i.pc + 1);
        if following.is_some() && following != Some(&op::HALT) {
            self.frame.take_exit_value(i.pc, i.name, true).map_err(Rejection::Refused)?;
        }
        Ok(Flow::Next(i.next))
    }
}
