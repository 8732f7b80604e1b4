//! `Call n` of a statically known function (docs/bytecode.md §3.3), as a direct native call;
//! a math builtin's call is lowered by `math.rs`.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, FuncRef, InstBuilder, MemFlagsData, Value};

use super::super::entry::import_translated;
use super::super::scan::Instruction;
use super::super::{offset32, Flow, Translator};
use crate::frame::{CalleeRef, Rejection, Slot};
use crate::input::{InputError, InputErrorKind};
use crate::invoke_area::{ARGS_FROM_VALUE, TRACE_DEPTH_FROM_VALUE, TRACE_RECORDS};
use crate::math::Builtin;
use crate::outcome::{RefusalReason, ValueKind, STATUS_SIDE_EXIT, STATUS_TRAP};

impl Translator<'_> {
    /// Calls the function the call table names for this `Call`, with number arguments
    /// only. Bails out where the interpreter's frame or stack limit would raise
    /// StackOverflow.
    pub(super) fn call(&mut self, i: Instruction) -> Result<Flow, Rejection> {
        let (pc, argc) = (i.pc, usize::from(self.input.code[i.pc + 1]));
        let depth = self.frame.depth();
        if depth < argc + 1 {
            return Err(
                InputError::new(InputErrorKind::StackUnderflow, pc, "Call needs its callee and arguments").into()
            );
        }
        if let Slot::Callee(CalleeRef::Global(k)) = self.frame.slots()[depth - argc - 1] {
            if let Some(&Builtin::Function(f)) = self.input.builtins.get(&(k as usize)) {
                return self.call_math(i, f, argc);
            }
        }
        let unknown = |message: String| Self::refusal(RefusalReason::UnknownCallee, i.name, pc, message);
        if !matches!(self.frame.slots()[depth - argc - 1], Slot::Callee(_)) {
            return Err(unknown(format!("Call at offset {pc} calls a value that is not a known function")));
        }
        let Some(&index) = self.input.calls.get(&pc) else {
            return Err(unknown(format!("Call at offset {pc} has no statically known callee")));
        };
        if self.env.left_out[index] {
            return Err(unknown(format!("Call at offset {pc} calls a function that is not compiled natively")));
        }
        if self.input.functions[index].arity != argc {
            return Err(unknown(format!(
                "Call at offset {pc} passes {argc} argument(s) to a function of another arity"
            )));
        }
        let mut args = vec![self.out];
        let passed: Vec<Slot<_>> = self.frame.slots()[depth - argc..].to_vec();
        let kinds: Option<Vec<ValueKind>> = passed.iter().map(Slot::kind).collect();
        let Some(kinds) = kinds else {
            return Err(unknown(format!("Call at offset {pc} passes a function as an argument")));
        };
        if kinds != self.param_kinds(index) {
            // A callee not settled yet takes what this call passes (the module is translated
            // again with it); one settled by another call, or the root, cannot be called so.
            if index == 0 || self.env.param_settled[index] {
                return Err(unknown(format!(
                    "Call at offset {pc} passes arguments of other kinds than its callee takes"
                )));
            }
            self.env.demands.borrow_mut().push((index, kinds));
        }
        for slot in passed {
            let value = self.as_f64(slot);
            args.push(value);
        }
        self.flush_checks();
        let no_frame = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, self.frames, 1);
        let no_slots = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, self.slots, depth as i64);
        let over = self.b.ins().bor(no_frame, no_slots);
        let bailout = self.bailout_block();
        self.branch_to_if(over, bailout);
        let frames = self.b.ins().iadd_imm_s(self.frames, -1);
        let slots = self.b.ins().iadd_imm_s(self.slots, -((depth - argc) as i64));
        args.splice(1..1, [frames, slots, self.floor]);
        let callee = self.callee_ref(index);
        let at_call: Vec<Slot<_>> = self.frame.slots().to_vec();
        // The callee reads and writes globals in the invoke area: hand it this function's
        // values, and take back what it left there, on every path out of the call.
        self.globals.store(&mut self.b, self.out);
        let call = self.b.ins().call(callee, &args);
        let (status, value) = (self.b.inst_results(call)[0], self.b.inst_results(call)[1]);
        self.globals.load(&mut self.b, self.out);
        // A trap, halt, interrupt or bail-out below ends this function the same way; a side
        // exit below adds this frame to the exit record first.
        let propagate = self.b.create_block();
        self.b.set_cold_block(propagate);
        let continue_ = self.b.create_block();
        let exceptional = self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, status, i64::from(STATUS_TRAP));
        self.b.ins().brif(exceptional, propagate, &[], continue_, &[]);
        self.b.switch_to_block(propagate);
        let exited = self.b.create_block();
        self.b.set_cold_block(exited);
        let other = self.b.create_block();
        self.b.set_cold_block(other);
        let is_exit = self.b.ins().icmp_imm_u(IntCC::Equal, status, i64::from(STATUS_SIDE_EXIT));
        self.b.ins().brif(is_exit, exited, &[], other, &[]);
        self.b.switch_to_block(other);
        let traced = self.b.create_block();
        self.b.set_cold_block(traced);
        let leave = self.b.create_block();
        self.b.set_cold_block(leave);
        let is_trap = self.b.ins().icmp_imm_u(IntCC::Equal, status, i64::from(STATUS_TRAP));
        self.b.ins().brif(is_trap, traced, &[], leave, &[]);
        self.b.switch_to_block(traced);
        self.record_trap_call(pc, self.input.functions[index].start);
        self.b.ins().jump(leave, &[]);
        self.b.switch_to_block(leave);
        self.b.ins().return_(&[status, value]);
        self.b.switch_to_block(exited);
        self.append_exit_frame(pc, &at_call);
        self.b.switch_to_block(continue_);
        self.frame.drop_top(argc + 1);
        let result = match self.env.return_kinds[index] {
            ValueKind::Number => Slot::Number(value),
            ValueKind::Bool => {
                let zero = self.b.ins().f64const(0.0);
                Slot::Bool(self.b.ins().fcmp(FloatCC::NotEqual, value, zero))
            }
            ValueKind::Null => Slot::Null,
        };
        self.frame.push(result);
        Ok(Flow::Next(i.next))
    }

    /// A call at `pc` of the function starting at `callee_start` returned the trap status: the
    /// pair is recorded in the trap trace (see `TRACE_DEPTH`), so that the error names this
    /// frame and its call site. Past the last pair, each record overwrites the last one, which
    /// so ends holding the outermost.
    fn record_trap_call(&mut self, pc: usize, callee_start: usize) {
        let flags = MemFlagsData::trusted();
        // A u32 word, zero-extended to i64 by the load.
        let count = self.b.ins().uload32(flags, self.out, TRACE_DEPTH_FROM_VALUE);
        let last = self.b.ins().iconst(types::I64, (TRACE_RECORDS - 1) as i64);
        let at = self.b.ins().umin(count, last);
        let shift = self.b.ins().imul_imm_u(at, 16);
        let record = self.b.ins().iadd(self.out, shift);
        let call_site = self.b.ins().f64const(f64::from(offset32(pc)));
        let callee = self.b.ins().f64const(f64::from(offset32(callee_start)));
        self.b.ins().store(flags, call_site, record, ARGS_FROM_VALUE);
        self.b.ins().store(flags, callee, record, ARGS_FROM_VALUE + 8);
        let next = self.b.ins().iadd_imm_s(count, 1);
        let next: Value = self.b.ins().ireduce(types::I32, next);
        self.b.ins().store(flags, next, self.out, TRACE_DEPTH_FROM_VALUE);
    }

    /// The kinds function `index` takes its parameters as: the root's entry kinds (for a
    /// recursive call of a root entered at its start), else as settled (`param_kinds`).
    fn param_kinds(&self, index: usize) -> Vec<ValueKind> {
        if index == 0 {
            self.input.entry.kinds.clone()
        } else {
            self.env.param_kinds[index].clone()
        }
    }

    /// The function reference of module function `index`, imported on first use.
    fn callee_ref(&mut self, index: usize) -> FuncRef {
        if let Some(&callee) = self.callees.get(&index) {
            return callee;
        }
        let callee = import_translated(&mut self.b, self.env, index, self.input.functions[index].arity);
        self.callees.insert(index, callee);
        callee
    }
}
