//! Constants, globals, locals and stack shuffling: opcodes that only move typed slots.

use cranelift_codegen::ir::{types, InstBuilder};

use super::super::scan::Instruction;
use super::super::{Flow, Translator};
use crate::frame::{Rejection, Slot};
use crate::input::{ConstantKind, InputError, InputErrorKind, PoolEntry};
use crate::opcode as op;
use crate::outcome::RefusalReason;

impl Translator<'_> {
    pub(super) fn constant(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let (index, pc) = (usize::from(i.u16_operand(&self.input.code)), i.pc);
        let slot = match self.pool_entry(index, i)? {
            PoolEntry::Number(n) => Slot::Number(self.b.ins().f64const(n)),
            // A function constant is a callee (the call table says which one is called).
            PoolEntry::Other(ConstantKind::Function) => Slot::Callee,
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

    /// GetGlobal pushes a callee: the engine only sends code whose global reads all name
    /// functions, and checks before each run that they still hold them. Any other use of
    /// the value is refused where it happens.
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
        self.frame.push(Slot::Callee);
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
