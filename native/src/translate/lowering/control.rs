//! Jumps, branches and the instructions that leave the function (Return, Halt).

use cranelift_codegen::ir::InstBuilder;

use super::super::scan::Instruction;
use super::super::{Flow, Translator};
use crate::frame::{Rejection, Slot};
use crate::invoke_area::HALT_KIND_FROM_VALUE;
use crate::outcome::{Exit, STATUS_HALTED};

impl Translator<'_> {
    /// Jump/Loop. A backward one is where the interpreter checks its stack limit (and
    /// counts toward its safepoint): native code checks the interrupt here and the same limit
    /// once at entry (see `translate_function`).
    pub(super) fn jump(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let target = i.jump_target(&self.input.code, &self.body)?;
        self.flush_checks();
        if target <= i.pc {
            // The interpreter checks its stack limit here; the check is hoisted to entry.
            let depth = self.frame.depth();
            self.deepest_back_edge = Some(self.deepest_back_edge.map_or(depth, |d| d.max(depth)));
            self.count_back_edge();
            self.check_interrupt();
            self.finishes_here();
        }
        let (block, args) = self.edge(target)?;
        self.b.ins().jump(block, &args);
        Ok(Flow::End)
    }

    /// JumpIfFalse pops the condition and jumps unless it is exactly `true` (docs/bytecode.md §2.4):
    /// a number or null always jumps.
    pub(super) fn jump_if_false(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let target = i.jump_target(&self.input.code, &self.body)?;
        let condition = self.operand(i.pc, i.name)?;
        self.flush_checks();
        if target <= i.pc {
            // Counted whether or not it is taken: the count only weighs a run's native work.
            self.count_back_edge();
            self.check_interrupt();
            self.finishes_here();
        }
        match condition {
            Slot::Bool(flag) => {
                // Blocks are laid out in translation order and the worklist is a stack: the
                // edge made last is translated next, so a loop body directly follows its
                // condition and only the loop exit branches.
                let (jump_block, jump_args) = self.edge(target)?;
                let (next_block, next_args) = self.edge(i.next)?;
                self.b.ins().brif(flag, next_block, &next_args, jump_block, &jump_args);
            }
            _ => {
                let (jump_block, jump_args) = self.edge(target)?;
                self.b.ins().jump(jump_block, &jump_args);
            }
        }
        Ok(Flow::End)
    }

    pub(super) fn return_(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let value = self.frame.take_exit_value(i.pc, i.name, true).map_err(Rejection::Refused)?;
        let kind = self.value_kind(value, i.pc, i.name)?;
        self.flush_checks();
        let stored = self.as_f64(value);
        self.finish(kind as u32, stored);
        self.exits.push(Exit::Return(kind));
        self.finishes_here();
        Ok(Flow::End)
    }

    /// Halt stops the whole program with the value, whatever the call depth: the status
    /// propagates up through every native caller.
    pub(super) fn halt(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let value = self.frame.take_exit_value(i.pc, i.name, false).map_err(Rejection::Refused)?;
        let kind = self.value_kind(value, i.pc, i.name)?;
        self.flush_checks();
        self.store_control(HALT_KIND_FROM_VALUE, kind as u32);
        let stored = self.as_f64(value);
        self.finish(STATUS_HALTED, stored);
        self.exits.push(Exit::Halt(kind));
        self.finishes_here();
        Ok(Flow::End)
    }
}
