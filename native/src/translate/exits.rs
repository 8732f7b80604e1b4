//! How a translated function leaves: returning a status and value, storing trap and halt
//! details in the invoke area, and the cold blocks for interrupts and bail-outs.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, Block, InstBuilder, MemFlagsData, Value};

use super::{offset32, Flow, Translator};
use crate::frame::{CalleeRef, Rejection, Slot};
use crate::invoke_area::{
    ARGS_FROM_VALUE, BACK_EDGES_FROM_VALUE, EXIT_DEPTH_FROM_VALUE, EXIT_KINDS_FROM_VALUE, FRAME_SLOTS,
    INTERRUPT_FROM_VALUE, TRAP_CODE_FROM_VALUE, TRAP_OFFSET_FROM_VALUE,
};
use crate::outcome::{
    Exit, ExitSlotKind, TrapCode, EXIT_HEADER_KIND, STATUS_BAILOUT, STATUS_INTERRUPTED, STATUS_SIDE_EXIT, STATUS_TRAP,
};

impl Translator<'_> {
    /// Function entry: poll the interrupt flag, and bail out before the machine stack runs
    /// below the budget (recursion deeper than native code may go).
    pub(super) fn entry_checks(&mut self) {
        self.check_interrupt();
        let sp = self.b.ins().get_stack_pointer(types::I64);
        let low = self.b.ins().icmp(IntCC::UnsignedLessThan, sp, self.floor);
        let bailout = self.bailout_block();
        self.branch_to_if(low, bailout);
    }

    /// One more back-edge in the root's count (an add in a register).
    pub(super) fn count_back_edge(&mut self) {
        if let Some(var) = self.back_edges {
            let count = self.b.use_var(var);
            let count = self.b.ins().iadd_imm_s(count, 1);
            self.b.def_var(var, count);
        }
    }

    /// Stores the root's back-edge count for the engine, saturated to the u32 word.
    fn store_back_edges(&mut self) {
        if let Some(var) = self.back_edges {
            let count = self.b.use_var(var);
            let most = self.b.ins().iconst(types::I64, i64::from(u32::MAX));
            let count = self.b.ins().umin(count, most);
            let count = self.b.ins().ireduce(types::I32, count);
            self.b.ins().store(MemFlagsData::trusted(), count, self.out, BACK_EDGES_FROM_VALUE);
        }
    }

    /// One load and a branch: the flag is an atomic word any thread may set.
    pub(super) fn check_interrupt(&mut self) {
        if !self.env.interrupt_checks {
            return;
        }
        let address = self.b.ins().iadd_imm_s(self.out, i64::from(INTERRUPT_FROM_VALUE));
        // An atomic load, so Cranelift never merges it with an earlier load of the flag.
        let flag = self.b.ins().atomic_load(types::I32, MemFlagsData::trusted(), address);
        let interrupted = self.status_exit(STATUS_INTERRUPTED);
        self.branch_to_if(flag, interrupted);
    }

    /// Continues in a fresh block unless `condition`, which goes to `target`.
    pub(super) fn branch_to_if(&mut self, condition: Value, target: Block) {
        let continue_ = self.b.create_block();
        self.b.ins().brif(condition, target, &[], continue_, &[]);
        self.b.switch_to_block(continue_);
    }

    pub(super) fn bailout_block(&mut self) -> Block {
        self.status_exit(STATUS_BAILOUT)
    }

    /// The cold block that returns `status` with no value and no details, made on first use
    /// and filled by `fill_status_blocks` (Cranelift fills one block at a time).
    fn status_exit(&mut self, status: u32) -> Block {
        if let Some(&block) = self.status_exits.get(&status) {
            return block;
        }
        let block = self.b.create_block();
        self.b.set_cold_block(block);
        self.status_exits.insert(status, block);
        block
    }

    pub(super) fn fill_status_blocks(&mut self) {
        let exits: Vec<(u32, Block)> = self.status_exits.iter().map(|(&status, &block)| (status, block)).collect();
        for (status, block) in exits {
            self.b.switch_to_block(block);
            self.finish_status(status);
        }
    }

    /// An unconditional trap: the rest of the path is dead.
    pub(super) fn static_trap(&mut self, code: TrapCode, pc: usize) -> Flow {
        self.flush_checks();
        self.exit_trap(code, pc);
        self.exits.push(Exit::Trap(code));
        self.finishes_here();
        Flow::End
    }

    pub(super) fn exit_trap(&mut self, code: TrapCode, pc: usize) {
        let code = self.b.ins().iconst(types::I32, i64::from(code as u32));
        let offset = self.b.ins().iconst(types::I32, i64::from(offset32(pc)));
        self.exit_trap_at(code, offset);
    }

    /// A trap with the code and at the offset held by `code` and `offset` (i32s).
    pub(super) fn exit_trap_at(&mut self, code: Value, offset: Value) {
        let flags = MemFlagsData::trusted();
        self.b.ins().store(flags, code, self.out, TRAP_CODE_FROM_VALUE);
        self.b.ins().store(flags, offset, self.out, TRAP_OFFSET_FROM_VALUE);
        self.finish_status(STATUS_TRAP);
    }

    /// A value as the f64 the area holds: bool as 0/1, null as 0.
    pub(super) fn as_f64(&mut self, value: Slot<Value>) -> Value {
        match value {
            Slot::Number(x) => x,
            Slot::Bool(flag) => {
                let one = self.b.ins().f64const(1.0);
                let zero = self.b.ins().f64const(0.0);
                self.b.ins().select(flag, one, zero)
            }
            Slot::Null | Slot::Callee(_) => self.b.ins().f64const(0.0),
        }
    }

    /// Where translation cannot go on at `pc`, with side exits on (otherwise the rejection
    /// stands): the code leaves there, handing the interpreter its frame. Code that would
    /// leave before doing anything is not worth having, and a frame too deep for the invoke
    /// area cannot be handed over: those rejections stand too.
    pub(super) fn side_exit_or(&mut self, pc: usize, rejection: Rejection) -> Result<(), Rejection> {
        let useless = !self.translated_any;
        let too_deep = self.frame.depth() + 1 > FRAME_SLOTS;
        if !self.side_exits || useless || too_deep || matches!(rejection, Rejection::Invalid(_)) {
            return Err(rejection);
        }
        self.side_exit(pc);
        Ok(())
    }

    /// Starts the exit record with this frame at `pc` (it is the innermost) and returns the
    /// side-exit status. Deferred checks fire first: the interpreter must not see a value that
    /// native code would have trapped on.
    fn side_exit(&mut self, pc: usize) {
        self.flush_checks();
        let slots = self.frame.slots().to_vec();
        self.write_exit_frame(self.out, pc, &slots);
        self.store_control(EXIT_DEPTH_FROM_VALUE, (slots.len() + 1) as u32);
        self.store_back_edges();
        self.finish_status(STATUS_SIDE_EXIT);
        self.exits.push(Exit::SideExit);
    }

    /// A call returned the side-exit status: this frame, stopped at the `Call` at `pc` with
    /// `slots` (callee and arguments on top), joins the exit record after the frames below
    /// it, and the status goes on up. When the record has no room left, the run bails out
    /// instead, which is as exact (nothing the interpreter sees was written).
    pub(super) fn append_exit_frame(&mut self, pc: usize, slots: &[Slot<Value>]) {
        let flags = MemFlagsData::trusted();
        // A u32 word, zero-extended to i64 by the load.
        let used = self.b.ins().uload32(flags, self.out, EXIT_DEPTH_FROM_VALUE);
        let total = self.b.ins().iadd_imm_s(used, (slots.len() + 1) as i64);
        let full = self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThan, total, FRAME_SLOTS as i64);
        let bailout = self.bailout_block();
        self.branch_to_if(full, bailout);
        // The record continues at slot `used`: the frame's address shifted by that many slots
        // (its kinds by that many bytes, which `write_exit_frame` applies from the same base).
        let shift = self.b.ins().imul_imm_u(used, 8);
        let base = self.b.ins().iadd(self.out, shift);
        self.write_exit_frame_shifted(base, used, pc, slots);
        let total = self.b.ins().ireduce(types::I32, total);
        self.b.ins().store(flags, total, self.out, EXIT_DEPTH_FROM_VALUE);
        self.store_back_edges();
        self.finish_status(STATUS_SIDE_EXIT);
    }

    /// Writes a frame record (a header slot holding `pc`, then the slots with their kinds) at
    /// the start of the area's frame slots.
    fn write_exit_frame(&mut self, out: Value, pc: usize, slots: &[Slot<Value>]) {
        let zero = self.b.ins().iconst(types::I64, 0);
        self.write_exit_frame_shifted(out, zero, pc, slots);
    }

    /// `write_exit_frame` at slot `at`: `values_base` is `out` shifted by `at` f64s.
    fn write_exit_frame_shifted(&mut self, values_base: Value, at: Value, pc: usize, slots: &[Slot<Value>]) {
        let kinds_base = self.b.ins().iadd(self.out, at);
        let header = self.b.ins().f64const(f64::from(offset32(pc)));
        self.store_slot(values_base, kinds_base, 0, header, EXIT_HEADER_KIND);
        for (index, slot) in slots.iter().enumerate() {
            let (kind, payload) = match *slot {
                Slot::Number(_) => (ExitSlotKind::Number, self.as_f64(*slot)),
                Slot::Bool(_) => (ExitSlotKind::Bool, self.as_f64(*slot)),
                Slot::Null => (ExitSlotKind::Null, self.as_f64(*slot)),
                Slot::Callee(CalleeRef::Global(k)) => (ExitSlotKind::GlobalCallee, self.b.ins().f64const(f64::from(k))),
                Slot::Callee(CalleeRef::Constant(k)) => {
                    (ExitSlotKind::ConstantCallee, self.b.ins().f64const(f64::from(k)))
                }
            };
            self.store_slot(values_base, kinds_base, index + 1, payload, kind as u8);
        }
    }

    fn store_slot(&mut self, values_base: Value, kinds_base: Value, index: usize, payload: Value, kind: u8) {
        let flags = MemFlagsData::trusted();
        let at = index as i32;
        self.b.ins().store(flags, payload, values_base, ARGS_FROM_VALUE + 8 * at);
        let kind = self.b.ins().iconst(types::I8, i64::from(kind));
        self.b.ins().store(flags, kind, kinds_base, EXIT_KINDS_FROM_VALUE + at);
    }

    fn finish_status(&mut self, status: u32) {
        let zero = self.b.ins().f64const(0.0);
        self.finish(status, zero);
    }

    /// Returns `status` and `value`, with the globals written back: whoever reads the invoke
    /// area next (the engine, or a native caller after this call) sees this function's writes.
    pub(super) fn finish(&mut self, status: u32, value: Value) {
        self.globals.store(&mut self.b, self.out);
        let status = self.b.ins().iconst(types::I32, i64::from(status));
        self.b.ins().return_(&[status, value]);
    }

    pub(super) fn store_control(&mut self, offset_from_value: i32, word: u32) {
        let word = self.b.ins().iconst(types::I32, i64::from(word));
        self.b.ins().store(MemFlagsData::trusted(), word, self.out, offset_from_value);
    }
}
