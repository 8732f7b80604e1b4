//! Globals held natively live in SSA variables while a function runs, not in the invoke
//! area: a loop over global `var`s then keeps them in registers instead of storing and
//! reloading each one every iteration (a store-to-load round trip on the loop's critical
//! path). The invoke area's slot stays the place of record at every boundary the engine or
//! another function can see: a function loads the globals it uses on entry and after each
//! native call (the callee may have written them), and stores them before each native call
//! and wherever it leaves (return, halt, trap, side exit, interrupt, bail-out).

use std::collections::BTreeMap;

use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use cranelift_frontend::{FunctionBuilder, Variable};

use super::scan::linear;
use crate::input::{Body, ModuleInput};
use crate::invoke_area::GLOBALS_FROM_VALUE;
use crate::opcode as op;

/// The invoke-area offset (from the result value) of global slot `slot`.
pub fn global_slot(slot: usize) -> i32 {
    GLOBALS_FROM_VALUE + 8 * slot as i32
}

/// The variables of the global slots one function's body reads or writes, each holding the
/// slot's value as the invoke area stores it (an f64; a bool as 0 or 1).
#[derive(Default)]
pub struct GlobalVars {
    vars: BTreeMap<usize, Variable>,
}

impl GlobalVars {
    /// Declares a variable per slot `body` names with `GetGlobal`/`SetGlobal`.
    pub fn declare(b: &mut FunctionBuilder, input: &ModuleInput, body: &Body) -> Self {
        let mut vars = BTreeMap::new();
        let code = &input.code;
        for (pc, byte) in linear(code, body) {
            if byte == op::GET_GLOBAL || byte == op::SET_GLOBAL {
                let index = usize::from(u16::from_be_bytes([code[pc + 1], code[pc + 2]]));
                if let Some(&slot) = input.globals.slots.get(&index) {
                    vars.entry(slot).or_insert_with(|| b.declare_var(types::F64));
                }
            }
        }
        Self { vars }
    }

    /// The variable of `slot` (declared for every slot the body names).
    pub fn var(&self, slot: usize) -> Variable {
        self.vars[&slot]
    }

    /// Defines every variable from the invoke area (on entry and after a native call).
    pub fn load(&self, b: &mut FunctionBuilder, out: Value) {
        for (&slot, &var) in &self.vars {
            let value = b.ins().load(types::F64, MemFlagsData::trusted(), out, global_slot(slot));
            b.def_var(var, value);
        }
    }

    /// Writes every variable back to the invoke area (before a native call, and on leaving).
    pub fn store(&self, b: &mut FunctionBuilder, out: Value) {
        for (&slot, &var) in &self.vars {
            let value = b.use_var(var);
            b.ins().store(MemFlagsData::trusted(), value, out, global_slot(slot));
        }
    }
}
