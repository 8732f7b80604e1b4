//! Per-opcode lowering: one method of `Translator` per opcode (or family of opcodes) turns
//! the instruction into Cranelift IR over the typed frame. `lowering` is the one place that
//! says which opcodes the translator supports: the pre-pass follows paths through exactly
//! these, and translation refuses any other opcode where it is reached.
//!
//! Adding an opcode: list it in `opcode.rs`, write its lowering method (in the module of
//! its family) and map its byte to it here.

mod call;
mod control;
mod math;
mod numeric;
mod stack;

use super::scan::Instruction;
use super::{Flow, Translator};
use crate::frame::Rejection;
use crate::opcode as op;

/// Lowers one instruction; returns where translation continues.
pub(super) type Lower = fn(&mut Translator<'_>, Instruction) -> Result<Flow, Rejection>;

/// The lowering of `byte`, or `None` for an opcode outside the native subset.
pub(super) fn lowering(byte: u8) -> Option<Lower> {
    let lower: Lower = match byte {
        op::CONSTANT => |t, i| t.constant(i),
        op::NULL => |t, i| t.null(i),
        op::TRUE | op::FALSE => |t, i| t.boolean(i),
        op::GET_LOCAL => |t, i| t.get_local(i),
        op::SET_LOCAL => |t, i| t.set_local(i),
        op::GET_GLOBAL => |t, i| t.get_global(i),
        op::SET_GLOBAL => |t, i| t.set_global(i),
        op::ADD | op::SUB | op::MUL | op::DIV | op::MOD => |t, i| t.arithmetic(i),
        op::NEGATE => |t, i| t.negate(i),
        op::EQUAL | op::NOT_EQUAL => |t, i| t.equality(i),
        op::LESS | op::LESS_EQUAL | op::GREATER | op::GREATER_EQUAL => |t, i| t.ordering(i),
        op::NOT => |t, i| t.not(i),
        op::JUMP | op::LOOP => |t, i| t.jump(i),
        op::JUMP_IF_FALSE => |t, i| t.jump_if_false(i),
        op::CALL => |t, i| t.call(i),
        op::RETURN => |t, i| t.return_(i),
        op::POP => |t, i| t.pop(i),
        op::DUP => |t, i| t.dup(i),
        op::HALT => |t, i| t.halt(i),
        _ => return None,
    };
    Some(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_native_subset() {
        let supported: Vec<&str> =
            (0..=u8::MAX).filter(|&byte| lowering(byte).is_some()).map(|byte| op::describe(byte).unwrap().0).collect();
        assert_eq!(
            supported,
            [
                "Constant",
                "Null",
                "True",
                "False",
                "GetLocal",
                "SetLocal",
                "GetGlobal",
                "SetGlobal",
                "Add",
                "Sub",
                "Mul",
                "Div",
                "Mod",
                "Negate",
                "Equal",
                "NotEqual",
                "Less",
                "LessEqual",
                "Greater",
                "GreaterEqual",
                "Not",
                "Jump",
                "JumpIfFalse",
                "Loop",
                "Call",
                "Return",
                "Pop",
                "Dup",
                "Halt"
            ]
        );
    }
}
