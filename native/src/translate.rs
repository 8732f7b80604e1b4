//! Bytecode → Cranelift IR for one straight-line function, with the VM's semantics
//! (spec §2.4) and statically tracked slot kinds.
//!
//! The generated function has the signature `(args: *const f64, out: *mut f64) -> u32`:
//! it reads its `arity` number parameters from `args`; `out` is the invoke area's result
//! value, followed by its control words (`invoke_area.rs`). It stores the result value, the
//! status and the trap or halt details there, and returns the status. Dynamic runtime
//! errors (division by zero, NaN/∞ results) branch to cold blocks that store a trap; type
//! errors are known statically and end the function with an unconditional trap.
//!
//! (Testing all dynamic checks once at the exit was tried: it keeps every intermediate
//! condition alive to the end, and the register pressure made both compile time and code
//! size worse than one cold branch per check.)

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    self, types, AbiParam, BlockArg, ExtFuncData, ExternalName, FuncRef, InstBuilder, MemFlagsData, Signature,
    UserExternalName, Value,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

use crate::frame::{Frame, Rejection, Slot};
use crate::input::{FunctionInput, InputError, InputErrorKind, PoolEntry};
use crate::invoke_area::{HALT_KIND_FROM_VALUE, STATUS_FROM_VALUE, TRAP_CODE_FROM_VALUE, TRAP_OFFSET_FROM_VALUE};
use crate::opcode;
use crate::outcome::{Exit, Refusal, RefusalReason, TrapCode, STATUS_HALTED, STATUS_TRAP};

/// The signature of every translated function.
pub fn native_signature(call_conv: CallConv) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.push(AbiParam::new(types::I64));
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I32));
    sig
}

/// The signature of the imported `fmod(f64, f64) -> f64` used by `Mod`.
pub fn fmod_signature(call_conv: CallConv) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.push(AbiParam::new(types::F64));
    sig.params.push(AbiParam::new(types::F64));
    sig.returns.push(AbiParam::new(types::F64));
    sig
}

/// Where the translator finds its environment: the target and the name under which the
/// module links `fmod`.
pub struct TranslateEnv {
    pub frontend: TargetFrontendConfig,
    pub fmod: UserExternalName,
}

/// Translates `input` into `func`, whose signature must be `native_signature`.
/// Returns how the function exits, or why it was not translated.
pub fn translate(
    input: &FunctionInput,
    func: &mut ir::Function,
    builder_ctx: &mut FunctionBuilderContext,
    env: &TranslateEnv,
) -> Result<Exit, Rejection> {
    input.validate()?;
    let mut builder = FunctionBuilder::new(func, builder_ctx);
    let entry = builder.create_block();
    builder.append_block_params_for_function_params(entry);
    builder.switch_to_block(entry);
    builder.seal_block(entry);
    let (args, out) = (builder.block_params(entry)[0], builder.block_params(entry)[1]);
    let params: Vec<Value> = (0..input.arity)
        .map(|i| builder.ins().load(types::F64, MemFlagsData::trusted(), args, (i * 8) as i32))
        .collect();
    let mut translator = Translator {
        frame: Frame::new(params, input.local_count),
        b: builder,
        input,
        out,
        fmod_name: env.fmod.clone(),
        fmod: None,
    };
    let exit = translator.run()?;
    translator.b.finalize(env.frontend);
    Ok(exit)
}

enum Flow {
    Next(usize),
    Exit(Exit),
}

struct Translator<'a> {
    b: FunctionBuilder<'a>,
    input: &'a FunctionInput,
    frame: Frame<Value>,
    out: Value,
    fmod_name: UserExternalName,
    fmod: Option<FuncRef>,
}

impl Translator<'_> {
    /// Translates from `start` up to the first `Return`/`Halt` or unconditional trap;
    /// the bytes after it are dead.
    fn run(&mut self) -> Result<Exit, Rejection> {
        let mut pc = self.input.start;
        loop {
            if pc >= self.input.end {
                return Err(Rejection::Refused(Refusal {
                    reason: RefusalReason::MissingTerminator,
                    opcode: "<end>".to_owned(),
                    offset: pc,
                    message: format!("the body reaches its end at offset {pc} without Return or Halt"),
                }));
            }
            match self.step(pc)? {
                Flow::Next(next) => pc = next,
                Flow::Exit(exit) => return Ok(exit),
            }
        }
    }

    fn step(&mut self, pc: usize) -> Result<Flow, Rejection> {
        let byte = self.input.code[pc];
        let Some((name, operand_bytes)) = opcode::describe(byte) else {
            return Err(InputError::new(
                InputErrorKind::UnknownOpcode,
                pc,
                format!("byte 0x{byte:02x} is not an opcode"),
            )
            .into());
        };
        let next = pc + 1 + operand_bytes;
        if next > self.input.end {
            return Err(InputError::new(
                InputErrorKind::TruncatedInstruction,
                pc,
                format!("{name} needs {operand_bytes} operand byte(s) before the body's end at {}", self.input.end),
            )
            .into());
        }
        let operand = || usize::from(u16::from_be_bytes([self.input.code[pc + 1], self.input.code[pc + 2]]));
        match byte {
            opcode::CONSTANT => self.constant(operand(), pc)?,
            opcode::NULL => self.frame.push(Slot::Null),
            opcode::TRUE | opcode::FALSE => {
                let value = self.b.ins().iconst(types::I8, i64::from(byte == opcode::TRUE));
                self.frame.push(Slot::Bool(value));
            }
            opcode::GET_LOCAL => {
                let slot = self.frame.get_local(operand(), pc)?;
                self.frame.push(slot);
            }
            opcode::SET_LOCAL => self.frame.set_local(operand(), pc)?,
            opcode::ADD | opcode::SUB | opcode::MUL | opcode::DIV | opcode::MOD => {
                return self.arithmetic(byte, name, pc, next)
            }
            opcode::NEGATE => return self.negate(pc, next),
            opcode::EQUAL | opcode::NOT_EQUAL => self.equality(byte == opcode::NOT_EQUAL, name, pc)?,
            opcode::LESS | opcode::LESS_EQUAL | opcode::GREATER | opcode::GREATER_EQUAL => {
                return self.ordering(byte, name, pc, next)
            }
            opcode::NOT => return self.not(pc, next),
            opcode::DUP => {
                let slot = self.frame.peek(pc, name)?;
                self.frame.push(slot);
            }
            opcode::POP => self.pop(pc)?,
            opcode::RETURN => {
                let value = self.frame.take_exit_value(pc, name, true).map_err(Rejection::Refused)?;
                self.exit_with(value, value.kind() as u32);
                return Ok(Flow::Exit(Exit::Return(value.kind())));
            }
            opcode::HALT => {
                let value = self.frame.take_exit_value(pc, name, false).map_err(Rejection::Refused)?;
                self.store_control(HALT_KIND_FROM_VALUE, value.kind() as u32);
                self.exit_with(value, STATUS_HALTED);
                return Ok(Flow::Exit(Exit::Halt(value.kind())));
            }
            _ => {
                return Err(Rejection::Refused(Refusal {
                    reason: RefusalReason::UnsupportedOpcode,
                    opcode: name.to_owned(),
                    offset: pc,
                    message: format!("{name} at offset {pc} is outside the native subset"),
                }))
            }
        }
        Ok(Flow::Next(next))
    }

    fn constant(&mut self, index: usize, pc: usize) -> Result<(), Rejection> {
        match self.input.pool.get(index) {
            Some(&PoolEntry::Number(n)) => {
                let value = self.b.ins().f64const(n);
                self.frame.push(Slot::Number(value));
                Ok(())
            }
            Some(&PoolEntry::Other(kind)) => Err(Rejection::Refused(Refusal {
                reason: RefusalReason::NonNumberConstant,
                opcode: "Constant".to_owned(),
                offset: pc,
                message: format!("Constant {index} at offset {pc} is a {} constant", kind.name()),
            })),
            None => Err(InputError::new(
                InputErrorKind::ConstantOutOfRange,
                pc,
                format!("Constant {index} but the pool holds {} constant(s)", self.input.pool.len()),
            )
            .into()),
        }
    }

    /// Add/Sub/Mul/Div/Mod (spec §2.4): b is popped (and type-checked) first.
    fn arithmetic(&mut self, byte: u8, name: &str, pc: usize, next: usize) -> Result<Flow, Rejection> {
        let b = self.frame.pop(pc, name)?;
        let a = self.frame.pop(pc, name)?;
        let (Slot::Number(x), Slot::Number(y)) = (a, b) else {
            let code = if byte == opcode::ADD { TrapCode::InvalidAdd } else { TrapCode::ExpectedNumber };
            return Ok(self.static_trap(code, pc));
        };
        let result = match byte {
            opcode::ADD => self.b.ins().fadd(x, y),
            opcode::SUB => self.b.ins().fsub(x, y),
            opcode::MUL => self.b.ins().fmul(x, y),
            opcode::DIV => {
                self.check_divisor(y, pc);
                self.b.ins().fdiv(x, y)
            }
            _ => {
                self.check_divisor(y, pc);
                self.call_fmod(x, y)
            }
        };
        self.check_finite(result, pc);
        self.frame.push(Slot::Number(result));
        Ok(Flow::Next(next))
    }

    fn negate(&mut self, pc: usize, next: usize) -> Result<Flow, Rejection> {
        match self.frame.pop(pc, "Negate")? {
            Slot::Number(x) => {
                // Not checked (spec §2.4): -0 is a valid result.
                let negated = self.b.ins().fneg(x);
                self.frame.push(Slot::Number(negated));
                Ok(Flow::Next(next))
            }
            _ => Ok(self.static_trap(TrapCode::NegateNonNumber, pc)),
        }
    }

    fn not(&mut self, pc: usize, next: usize) -> Result<Flow, Rejection> {
        match self.frame.pop(pc, "Not")? {
            Slot::Bool(x) => {
                let negated = self.b.ins().bxor_imm_u(x, 1);
                self.frame.push(Slot::Bool(negated));
                Ok(Flow::Next(next))
            }
            _ => Ok(self.static_trap(TrapCode::NotNonBool, pc)),
        }
    }

    /// Equal/NotEqual (spec §2.5): values of different kinds are never equal; no errors.
    fn equality(&mut self, negate: bool, name: &str, pc: usize) -> Result<(), Rejection> {
        let b = self.frame.pop(pc, name)?;
        let a = self.frame.pop(pc, name)?;
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
        Ok(())
    }

    /// Less/LessEqual/Greater/GreaterEqual: numbers only, IEEE (false on NaN).
    fn ordering(&mut self, byte: u8, name: &str, pc: usize, next: usize) -> Result<Flow, Rejection> {
        let b = self.frame.pop(pc, name)?;
        let a = self.frame.pop(pc, name)?;
        let (Slot::Number(x), Slot::Number(y)) = (a, b) else {
            return Ok(self.static_trap(TrapCode::ExpectedNumber, pc));
        };
        let cc = match byte {
            opcode::LESS => FloatCC::LessThan,
            opcode::LESS_EQUAL => FloatCC::LessThanOrEqual,
            opcode::GREATER => FloatCC::GreaterThan,
            _ => FloatCC::GreaterThanOrEqual,
        };
        let result = self.b.ins().fcmp(cc, x, y);
        self.frame.push(Slot::Bool(result));
        Ok(Flow::Next(next))
    }

    /// Pop does nothing when the next byte is Halt or it is the program's last byte (Q1).
    fn pop(&mut self, pc: usize) -> Result<(), Rejection> {
        let next = self.input.code.get(pc + 1);
        if next.is_none() || next == Some(&opcode::HALT) {
            return Ok(());
        }
        self.frame.take_exit_value(pc, "Pop", true).map_err(Rejection::Refused)?;
        Ok(())
    }

    /// Div/Mod: `b == 0.0` (also -0.0) is DivideByZero, checked before the result.
    fn check_divisor(&mut self, divisor: Value, pc: usize) {
        let zero = self.b.ins().f64const(0.0);
        let is_zero = self.b.ins().fcmp(FloatCC::Equal, divisor, zero);
        self.trap_if(is_zero, TrapCode::DivideByZero, pc);
    }

    /// NaN or ±∞ is InvalidNumericResult: `!(|r| < ∞)` catches both in one compare.
    fn check_finite(&mut self, result: Value, pc: usize) {
        let magnitude = self.b.ins().fabs(result);
        let infinity = self.b.ins().f64const(f64::INFINITY);
        let bad = self.b.ins().fcmp(FloatCC::UnorderedOrGreaterThanOrEqual, magnitude, infinity);
        self.trap_if(bad, TrapCode::InvalidNumericResult, pc);
    }

    fn call_fmod(&mut self, x: Value, y: Value) -> Value {
        let fmod = match self.fmod {
            Some(fmod) => fmod,
            None => {
                let signature = self.b.import_signature(fmod_signature(self.b.func.signature.call_conv));
                let name = self.b.func.declare_imported_user_function(self.fmod_name.clone());
                let fmod = self.b.import_function(ExtFuncData {
                    name: ExternalName::user(name),
                    signature,
                    colocated: false,
                    patchable: false,
                });
                self.fmod = Some(fmod);
                fmod
            }
        };
        let call = self.b.ins().call(fmod, &[x, y]);
        self.b.inst_results(call)[0]
    }

    /// Branches to a cold block that exits with the trap when `condition` holds.
    fn trap_if(&mut self, condition: Value, code: TrapCode, pc: usize) {
        let trap = self.b.create_block();
        let continue_ = self.b.create_block();
        self.b.set_cold_block(trap);
        let no_args: &[BlockArg] = &[];
        self.b.ins().brif(condition, trap, no_args, continue_, no_args);
        self.b.seal_block(trap);
        self.b.seal_block(continue_);
        self.b.switch_to_block(trap);
        self.exit_trap(code, pc);
        self.b.switch_to_block(continue_);
    }

    /// An unconditional trap: the rest of the body is dead.
    fn static_trap(&mut self, code: TrapCode, pc: usize) -> Flow {
        self.exit_trap(code, pc);
        Flow::Exit(Exit::Trap(code))
    }

    fn exit_trap(&mut self, code: TrapCode, pc: usize) {
        self.store_control(TRAP_CODE_FROM_VALUE, code as u32);
        self.store_control(TRAP_OFFSET_FROM_VALUE, offset32(pc));
        self.exit_status(STATUS_TRAP);
    }

    /// Stores the result value (bool as 0/1, null as 0), then exits with `status`.
    fn exit_with(&mut self, value: Slot<Value>, status: u32) {
        let stored = match value {
            Slot::Number(x) => x,
            Slot::Bool(flag) => {
                let one = self.b.ins().f64const(1.0);
                let zero = self.b.ins().f64const(0.0);
                self.b.ins().select(flag, one, zero)
            }
            Slot::Null => self.b.ins().f64const(0.0),
        };
        self.b.ins().store(MemFlagsData::trusted(), stored, self.out, 0);
        self.exit_status(status);
    }

    /// Stores `status` to the status word and returns it.
    fn exit_status(&mut self, status: u32) {
        self.store_control(STATUS_FROM_VALUE, status);
        let status = self.b.ins().iconst(types::I32, i64::from(status));
        self.b.ins().return_(&[status]);
    }

    fn store_control(&mut self, offset_from_value: i32, word: u32) {
        let word = self.b.ins().iconst(types::I32, i64::from(word));
        self.b.ins().store(MemFlagsData::trusted(), word, self.out, offset_from_value);
    }
}

/// Offsets fit in 32 bits: `FunctionInput::validate` bounds the code length.
fn offset32(pc: usize) -> u32 {
    u32::try_from(pc).expect("offset bounded by FunctionInput::validate")
}
