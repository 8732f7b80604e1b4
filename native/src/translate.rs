//! Bytecode → Cranelift IR for the functions of one call tree, with the VM's semantics
//! (spec §2.4, §3.3) and statically tracked slot kinds.
//!
//! Every bytecode function becomes an internal function
//! `(out, frames, slots, floor, a0..an: f64) -> (status: i32, value: f64)`:
//! - `out` is the invoke area's result value, followed by its control words
//!   (`invoke_area.rs`): traps and halts store their details there;
//! - `frames` is how many more frames the interpreter's call-depth limit allows below this
//!   one, `slots` how many value-stack slots its stack limit leaves from this frame's base;
//!   a call or back edge where the interpreter would raise StackOverflow bails out instead
//!   (status 6), and so does a call that would take the machine stack below `floor`;
//! - the status is the invoke status: 0/1/2 a return of a number/bool/null, 3 trap,
//!   4 halted, 5 interrupted, 6 bailed out. A caller propagates any status but 0 at once.
//!
//! The module's entry `(args, out) -> u32` (`translate_entry`) loads the root's arguments
//! and the limits from the area, calls the root and stores the result and status.
//!
//! Control flow: a pre-pass (`scan`) finds the reachable instructions and the block leaders
//! (jump targets and the fall-through of JumpIfFalse). Each leader becomes a Cranelift block
//! whose parameters are the payloads of the frame's slots (SSA values for every local and
//! temporary); the first edge into a leader fixes its stack shape (depth and slot kinds),
//! and every other edge must bring the same shape, or the function is refused.
//!
//! Dynamic runtime errors (division by zero, NaN/∞ results) branch to cold blocks that
//! store a trap; type errors are known statically and end their path with an unconditional
//! trap. (Testing all dynamic checks once at the exit was tried: it keeps every intermediate
//! condition alive to the end, and the register pressure made both compile time and code
//! size worse than one cold branch per check.)

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    self, types, AbiParam, Block, BlockArg, ExtFuncData, ExternalName, FuncRef, InstBuilder, MemFlagsData, Signature,
    UserExternalName, Value,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

use crate::frame::{Frame, Rejection, Slot};
use crate::input::{Body, ConstantKind, InputError, InputErrorKind, ModuleInput, PoolEntry};
use crate::invoke_area::{
    FRAMES_LEFT_FROM_VALUE, HALT_KIND_FROM_VALUE, INTERRUPT_FROM_VALUE, SLOTS_LEFT_FROM_VALUE, STATUS_FROM_VALUE,
    TRAP_CODE_FROM_VALUE, TRAP_OFFSET_FROM_VALUE,
};
use crate::opcode;
use crate::outcome::{
    Exit, Refusal, RefusalReason, TrapCode, ValueKind, STATUS_BAILOUT, STATUS_HALTED, STATUS_INTERRUPTED, STATUS_TRAP,
};

/// Machine stack native calls may use below the entry, whatever the thread: deep native
/// recursion bails out to the interpreter (whose frames live on the heap) instead of
/// overflowing the stack. Node's main thread has 8 MiB and V8 keeps its own use under
/// 1 MiB; workers have 4 MiB.
pub const STACK_BUDGET: i64 = 512 * 1024;

/// The control parameters every internal function takes before its arguments.
const CONTROL_PARAMS: usize = 4;

/// The signature of the module's entry, which the invoker calls.
pub fn native_signature(call_conv: CallConv) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.push(AbiParam::new(types::I64));
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I32));
    sig
}

/// The signature of a translated function of `arity` parameters (see the module comment).
pub fn internal_signature(call_conv: CallConv, arity: usize) -> Signature {
    let mut sig = Signature::new(call_conv);
    for _ in 0..CONTROL_PARAMS {
        sig.params.push(AbiParam::new(types::I64));
    }
    for _ in 0..arity {
        sig.params.push(AbiParam::new(types::F64));
    }
    sig.returns.push(AbiParam::new(types::I32));
    sig.returns.push(AbiParam::new(types::F64));
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

/// Where the translator finds its environment: the target, the names under which the
/// module links `fmod` and each of its functions, and whether to poll the interrupt flag.
pub struct TranslateEnv {
    pub frontend: TargetFrontendConfig,
    pub fmod: UserExternalName,
    pub functions: Vec<UserExternalName>,
    /// The kind each function is assumed to return where it is called natively (checked
    /// against what its returns produce; see `Translated::return_kinds`).
    pub return_kinds: Vec<ValueKind>,
    pub interrupt_checks: bool,
}

/// A translated function: how it exits, and the kinds its `Return`s produce (sorted, no
/// duplicates), which must be exactly its assumed kind if it is called natively.
pub struct Translated {
    pub exit: Exit,
    pub return_kinds: Vec<ValueKind>,
}

/// Translates function `index` of `input` into `func`, whose signature must be
/// `internal_signature` for its arity. Returns how it exits, or why it was not translated.
/// `input` must have passed `ModuleInput::validate`.
pub fn translate_function(
    input: &ModuleInput,
    index: usize,
    func: &mut ir::Function,
    builder_ctx: &mut FunctionBuilderContext,
    env: &TranslateEnv,
) -> Result<Translated, Rejection> {
    let body = input.functions[index];
    let leaders = scan(&input.code, &body)?;
    let mut builder = FunctionBuilder::new(func, builder_ctx);
    let entry = builder.create_block();
    builder.append_block_params_for_function_params(entry);
    builder.switch_to_block(entry);
    let params = builder.block_params(entry).to_vec();
    let mut translator = Translator {
        b: builder,
        input,
        body,
        env,
        out: params[0],
        frames: params[1],
        slots: params[2],
        floor: params[3],
        frame: Frame::new(params[CONTROL_PARAMS..].iter().copied(), body.local_count),
        leaders,
        blocks: HashMap::new(),
        work: Vec::new(),
        exits: Vec::new(),
        fmod: None,
        callees: HashMap::new(),
        status_exits: BTreeMap::new(),
        unchecked: Vec::new(),
        deepest_back_edge: None,
    };
    translator.entry_checks();
    // The stack-limit check of every back edge is hoisted to one check at entry, in a block
    // filled once the deepest back edge is known (bailing out early is as exact as late).
    let limits = translator.b.create_block();
    translator.b.ins().jump(limits, &[]);
    let (block, args) = translator.edge(body.start)?;
    while let Some(pc) = translator.work.pop() {
        translator.translate_block(pc)?;
    }
    translator.b.switch_to_block(limits);
    if let Some(depth) = translator.deepest_back_edge {
        let over = translator.b.ins().icmp_imm_s(IntCC::SignedLessThan, translator.slots, depth as i64);
        let bailout = translator.bailout_block();
        translator.branch_to_if(over, bailout);
    }
    translator.b.ins().jump(block, &args);
    translator.fill_status_blocks();
    translator.b.seal_all_blocks();
    let exit = summarize(&translator.exits);
    let mut return_kinds: Vec<ValueKind> =
        translator.exits.iter().filter_map(|e| if let Exit::Return(kind) = e { Some(*kind) } else { None }).collect();
    return_kinds.sort();
    return_kinds.dedup();
    translator.b.finalize(env.frontend);
    Ok(Translated { exit, return_kinds })
}

/// Builds the module's entry (signature `native_signature`): reads the limits and the
/// root's arguments from the invoke area, calls the root, stores value and status.
pub fn translate_entry(
    root: &Body,
    func: &mut ir::Function,
    builder_ctx: &mut FunctionBuilderContext,
    env: &TranslateEnv,
) {
    let call_conv = func.signature.call_conv;
    let mut b = FunctionBuilder::new(func, builder_ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let (args, out) = (b.block_params(entry)[0], b.block_params(entry)[1]);
    let flags = MemFlagsData::trusted();
    let frames = b.ins().uload32(flags, out, FRAMES_LEFT_FROM_VALUE);
    let slots = b.ins().uload32(flags, out, SLOTS_LEFT_FROM_VALUE);
    // The root's own frame must fit, as the interpreter checks on entering it.
    let no_frame = b.ins().icmp_imm_s(IntCC::SignedLessThan, frames, 1);
    let no_slots = b.ins().icmp_imm_s(IntCC::SignedLessThan, slots, root.arity as i64);
    let bail = b.ins().bor(no_frame, no_slots);
    let bail_block = b.create_block();
    let run = b.create_block();
    b.set_cold_block(bail_block);
    b.ins().brif(bail, bail_block, &[], run, &[]);
    b.switch_to_block(bail_block);
    let status = b.ins().iconst(types::I32, i64::from(STATUS_BAILOUT));
    b.ins().store(flags, status, out, STATUS_FROM_VALUE);
    b.ins().return_(&[status]);

    b.switch_to_block(run);
    let frames = b.ins().iadd_imm_s(frames, -1);
    let sp = b.ins().get_stack_pointer(types::I64);
    let floor = b.ins().iadd_imm_s(sp, -STACK_BUDGET);
    let mut call_args = vec![out, frames, slots, floor];
    call_args.extend((0..root.arity).map(|i| b.ins().load(types::F64, flags, args, (i * 8) as i32)));
    let signature = b.import_signature(internal_signature(call_conv, root.arity));
    let name = b.func.declare_imported_user_function(env.functions[0].clone());
    let callee =
        b.import_function(ExtFuncData { name: ExternalName::user(name), signature, colocated: true, patchable: false });
    let call = b.ins().call(callee, &call_args);
    let (status, value) = (b.inst_results(call)[0], b.inst_results(call)[1]);
    b.ins().store(flags, value, out, 0);
    b.ins().store(flags, status, out, STATUS_FROM_VALUE);
    b.ins().return_(&[status]);
    b.seal_all_blocks();
    b.finalize(env.frontend);
}

/// How a function exits, for the compile result: the kind of its first `Return` (each run
/// reports its actual kind in the status), else its first `Halt`, else its first trap.
fn summarize(exits: &[Exit]) -> Exit {
    let first = |pick: fn(&Exit) -> bool| exits.iter().copied().find(pick);
    first(|e| matches!(e, Exit::Return(_)))
        .or_else(|| first(|e| matches!(e, Exit::Halt(_))))
        .or_else(|| exits.first().copied())
        .unwrap_or(Exit::Trap(TrapCode::InvalidNumericResult))
}

/// Opcodes the translator handles; the scan ends a path at any other (it is refused there).
fn supported(byte: u8) -> bool {
    use opcode::*;
    matches!(
        byte,
        CONSTANT
            | NULL
            | TRUE
            | FALSE
            | GET_LOCAL
            | SET_LOCAL
            | GET_GLOBAL
            | ADD
            | SUB
            | MUL
            | DIV
            | MOD
            | NEGATE
            | EQUAL
            | NOT_EQUAL
            | LESS
            | LESS_EQUAL
            | GREATER
            | GREATER_EQUAL
            | NOT
            | JUMP
            | JUMP_IF_FALSE
            | LOOP
            | CALL
            | RETURN
            | POP
            | DUP
            | HALT
    )
}

/// Decodes the instruction at `pc`: its name and the offset after its operands.
fn decode(code: &[u8], body: &Body, pc: usize) -> Result<(u8, &'static str, usize), Rejection> {
    let byte = code[pc];
    let Some((name, operand_bytes)) = opcode::describe(byte) else {
        return Err(
            InputError::new(InputErrorKind::UnknownOpcode, pc, format!("byte 0x{byte:02x} is not an opcode")).into()
        );
    };
    let next = pc + 1 + operand_bytes;
    if next > body.end {
        return Err(InputError::new(
            InputErrorKind::TruncatedInstruction,
            pc,
            format!("{name} needs {operand_bytes} operand byte(s) before the body's end at {}", body.end),
        )
        .into());
    }
    Ok((byte, name, next))
}

/// The target of the jump at `pc` (spec §1.2: `pc + 3 + d`), which must be inside the body.
fn jump_target(code: &[u8], body: &Body, pc: usize, name: &str) -> Result<usize, Rejection> {
    let d = i16::from_be_bytes([code[pc + 1], code[pc + 2]]);
    let target = pc as i64 + 3 + i64::from(d);
    if target < body.start as i64 || target >= body.end as i64 {
        return Err(Rejection::Refused(Refusal::new(
            RefusalReason::JumpOutOfBody,
            name,
            pc,
            format!("{name} at offset {pc} jumps to {target}, outside the body {}..{}", body.start, body.end),
        )));
    }
    Ok(target as usize)
}

/// Follows every path from the body's start; returns the block leaders. Refuses paths that
/// run past the body's end and jumps into the middle of an instruction.
fn scan(code: &[u8], body: &Body) -> Result<BTreeSet<usize>, Rejection> {
    let mut reached: BTreeMap<usize, usize> = BTreeMap::new();
    let mut leaders = BTreeSet::from([body.start]);
    let mut work = vec![body.start];
    while let Some(pc) = work.pop() {
        if reached.contains_key(&pc) {
            continue;
        }
        if pc >= body.end {
            return Err(Rejection::Refused(Refusal::new(
                RefusalReason::MissingTerminator,
                "<end>",
                pc,
                format!("the body reaches its end at offset {pc} without Return or Halt"),
            )));
        }
        let (byte, name, next) = decode(code, body, pc)?;
        reached.insert(pc, next);
        match byte {
            opcode::RETURN | opcode::HALT => {}
            opcode::JUMP | opcode::LOOP => {
                let target = jump_target(code, body, pc, name)?;
                leaders.insert(target);
                work.push(target);
            }
            opcode::JUMP_IF_FALSE => {
                let target = jump_target(code, body, pc, name)?;
                leaders.extend([target, next]);
                work.extend([next, target]);
            }
            _ if supported(byte) => work.push(next),
            _ => {}
        }
    }
    let mut previous_end = 0;
    for (&pc, &next) in &reached {
        if pc < previous_end {
            return Err(Rejection::Refused(Refusal::new(
                RefusalReason::JumpOutOfBody,
                &opcode::name_of(code[pc]),
                pc,
                format!("offset {pc} is reached but lies inside the instruction before it"),
            )));
        }
        previous_end = next;
    }
    Ok(leaders)
}

enum Flow {
    Next(usize),
    /// The block ended (a jump, branch, return, halt or unconditional trap was emitted).
    End,
}

struct Translator<'a> {
    b: FunctionBuilder<'a>,
    input: &'a ModuleInput,
    body: Body,
    env: &'a TranslateEnv,
    out: Value,
    frames: Value,
    slots: Value,
    floor: Value,
    frame: Frame<Value>,
    leaders: BTreeSet<usize>,
    /// Each leader's block and the stack shape fixed by the first edge into it.
    blocks: HashMap<usize, (Block, Vec<Slot<()>>)>,
    work: Vec<usize>,
    exits: Vec<Exit>,
    fmod: Option<FuncRef>,
    callees: HashMap<usize, FuncRef>,
    /// Cold blocks that return a status with no value (interrupted, bailed out): one per
    /// status, made on first use, filled by `fill_status_blocks` once the body is done.
    status_exits: BTreeMap<u32, Block>,
    /// Arithmetic results whose finiteness check is deferred, in program order, each with
    /// whether a later unchecked Add/Sub/Mul consumed it (see `cover`).
    unchecked: Vec<(Value, usize, bool)>,
    /// The greatest stack depth at a backward Jump/Loop, where the interpreter checks its
    /// stack limit.
    deepest_back_edge: Option<usize>,
}

impl Translator<'_> {
    fn refusal(reason: RefusalReason, name: &str, pc: usize, message: String) -> Rejection {
        Rejection::Refused(Refusal::new(reason, name, pc, message))
    }

    /// Function entry: poll the interrupt flag, and bail out before the machine stack runs
    /// below the budget (recursion deeper than native code may go).
    fn entry_checks(&mut self) {
        self.check_interrupt();
        let sp = self.b.ins().get_stack_pointer(types::I64);
        let low = self.b.ins().icmp(IntCC::UnsignedLessThan, sp, self.floor);
        let bailout = self.bailout_block();
        self.branch_to_if(low, bailout);
    }

    /// One load and a branch: the flag is an atomic word any thread may set.
    fn check_interrupt(&mut self) {
        if !self.env.interrupt_checks {
            return;
        }
        let address = self.b.ins().iadd_imm_s(self.out, i64::from(INTERRUPT_FROM_VALUE));
        // An atomic load, so Cranelift never merges it with an earlier load of the flag.
        let flag = self.b.ins().atomic_load(types::I32, MemFlagsData::trusted(), address);
        let interrupted = self.interrupted_block();
        self.branch_to_if(flag, interrupted);
    }

    /// Continues in a fresh block unless `condition`, which goes to `target`.
    fn branch_to_if(&mut self, condition: Value, target: Block) {
        let continue_ = self.b.create_block();
        self.b.ins().brif(condition, target, &[], continue_, &[]);
        self.b.switch_to_block(continue_);
    }

    fn interrupted_block(&mut self) -> Block {
        self.status_exit(STATUS_INTERRUPTED)
    }

    fn bailout_block(&mut self) -> Block {
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

    fn fill_status_blocks(&mut self) {
        let exits: Vec<(u32, Block)> = self.status_exits.iter().map(|(&status, &block)| (status, block)).collect();
        for (status, block) in exits {
            self.b.switch_to_block(block);
            self.finish_status(status);
        }
    }

    /// The block of leader `target` and the arguments the current frame passes to it.
    fn edge(&mut self, target: usize) -> Result<(Block, Vec<BlockArg>), Rejection> {
        self.flush_checks();
        let shape: Vec<Slot<()>> = self.frame.slots().iter().map(Slot::shape).collect();
        let block = match self.blocks.get(&target) {
            Some((block, expected)) if *expected == shape => *block,
            Some((_, expected)) => {
                return Err(Self::refusal(
                    RefusalReason::MergeMismatch,
                    &opcode::name_of(self.input.code[target]),
                    target,
                    format!(
                        "paths reach offset {target} with different stacks: {} and {}",
                        describe_shape(expected),
                        describe_shape(&shape)
                    ),
                ))
            }
            None => {
                let block = self.b.create_block();
                for slot in &shape {
                    match slot {
                        Slot::Number(()) => _ = self.b.append_block_param(block, types::F64),
                        Slot::Bool(()) => _ = self.b.append_block_param(block, types::I8),
                        Slot::Null | Slot::Callee => {}
                    }
                }
                self.blocks.insert(target, (block, shape));
                self.work.push(target);
                block
            }
        };
        let args = self.frame.slots().iter().filter_map(|slot| slot.payload().map(|&v| BlockArg::Value(v))).collect();
        Ok((block, args))
    }

    /// Translates the block of leader `start` up to its end or the next leader.
    fn translate_block(&mut self, start: usize) -> Result<(), Rejection> {
        let (block, shape) = self.blocks[&start].clone();
        self.b.switch_to_block(block);
        let mut params = self.b.block_params(block).to_vec().into_iter();
        let slots = shape
            .iter()
            .map(|slot| match slot {
                Slot::Number(()) => Slot::Number(params.next().expect("a parameter per number")),
                Slot::Bool(()) => Slot::Bool(params.next().expect("a parameter per bool")),
                Slot::Null => Slot::Null,
                Slot::Callee => Slot::Callee,
            })
            .collect();
        self.frame = Frame::from_slots(slots, self.body.local_count);
        let mut pc = start;
        loop {
            if pc != start && self.leaders.contains(&pc) {
                let (target, args) = self.edge(pc)?;
                self.b.ins().jump(target, &args);
                return Ok(());
            }
            match self.step(pc)? {
                Flow::Next(next) => pc = next,
                Flow::End => return Ok(()),
            }
        }
    }

    fn step(&mut self, pc: usize) -> Result<Flow, Rejection> {
        let (byte, name, next) = decode(&self.input.code, &self.body, pc)?;
        let code = &self.input.code;
        let operand = || usize::from(u16::from_be_bytes([code[pc + 1], code[pc + 2]]));
        match byte {
            opcode::CONSTANT => self.constant(operand(), pc)?,
            opcode::GET_GLOBAL => self.get_global(operand(), pc)?,
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
            opcode::JUMP | opcode::LOOP => return self.jump(pc, name),
            opcode::JUMP_IF_FALSE => return self.jump_if_false(pc, next),
            opcode::CALL => return self.call(pc, usize::from(self.input.code[pc + 1]), next),
            opcode::RETURN => return self.return_(pc),
            opcode::HALT => {
                let value = self.frame.take_exit_value(pc, name, false).map_err(Rejection::Refused)?;
                let kind = self.value_kind(value, pc, name)?;
                self.flush_checks();
                self.store_control(HALT_KIND_FROM_VALUE, kind as u32);
                let stored = self.as_f64(value);
                self.finish(STATUS_HALTED, stored);
                self.exits.push(Exit::Halt(kind));
                return Ok(Flow::End);
            }
            _ => {
                return Err(Self::refusal(
                    RefusalReason::UnsupportedOpcode,
                    name,
                    pc,
                    format!("{name} at offset {pc} is outside the native subset"),
                ))
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
            // A function constant is a callee (the call table says which one is called).
            Some(&PoolEntry::Other(ConstantKind::Function)) => {
                self.frame.push(Slot::Callee);
                Ok(())
            }
            Some(&PoolEntry::Other(kind)) => Err(Self::refusal(
                RefusalReason::NonNumberConstant,
                "Constant",
                pc,
                format!("Constant {index} at offset {pc} is a {} constant", kind.name()),
            )),
            None => Err(InputError::new(
                InputErrorKind::ConstantOutOfRange,
                pc,
                format!("Constant {index} but the pool holds {} constant(s)", self.input.pool.len()),
            )
            .into()),
        }
    }

    /// GetGlobal pushes a callee: the engine only sends code whose global reads all name
    /// functions, and checks before each run that they still hold them. Any other use of
    /// the value is refused where it happens.
    fn get_global(&mut self, index: usize, pc: usize) -> Result<(), Rejection> {
        match self.input.pool.get(index) {
            Some(PoolEntry::Other(ConstantKind::String)) => {
                self.frame.push(Slot::Callee);
                Ok(())
            }
            Some(_) => Err(Self::refusal(
                RefusalReason::UntypedValue,
                "GetGlobal",
                pc,
                format!("GetGlobal {index} at offset {pc} does not name its global with a string constant"),
            )),
            None => Err(InputError::new(
                InputErrorKind::ConstantOutOfRange,
                pc,
                format!("GetGlobal {index} but the pool holds {} constant(s)", self.input.pool.len()),
            )
            .into()),
        }
    }

    /// Pops a value operand; a callee used as a value is refused (its type is unknown).
    fn operand(&mut self, pc: usize, name: &str) -> Result<Slot<Value>, Rejection> {
        let slot = self.frame.pop(pc, name)?;
        if slot == Slot::Callee {
            return Err(Self::untyped(pc, name));
        }
        Ok(slot)
    }

    fn untyped(pc: usize, name: &str) -> Rejection {
        Self::refusal(
            RefusalReason::UntypedValue,
            name,
            pc,
            format!("{name} at offset {pc} uses a global's value, whose type is not known statically"),
        )
    }

    fn value_kind(&self, slot: Slot<Value>, pc: usize, name: &str) -> Result<ValueKind, Rejection> {
        slot.kind().ok_or_else(|| Self::untyped(pc, name))
    }

    /// Add/Sub/Mul/Div/Mod (spec §2.4): b is popped (and type-checked) first.
    fn arithmetic(&mut self, byte: u8, name: &str, pc: usize, next: usize) -> Result<Flow, Rejection> {
        let b = self.operand(pc, name)?;
        let a = self.operand(pc, name)?;
        let (Slot::Number(x), Slot::Number(y)) = (a, b) else {
            let code = if byte == opcode::ADD { TrapCode::InvalidAdd } else { TrapCode::ExpectedNumber };
            return Ok(self.static_trap(code, pc));
        };
        if matches!(byte, opcode::ADD | opcode::SUB | opcode::MUL) {
            self.cover([x, y]);
        }
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
                self.remainder(x, y)
            }
        };
        self.check_finite(result, pc);
        self.frame.push(Slot::Number(result));
        Ok(Flow::Next(next))
    }

    fn negate(&mut self, pc: usize, next: usize) -> Result<Flow, Rejection> {
        match self.operand(pc, "Negate")? {
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
        match self.operand(pc, "Not")? {
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
        let b = self.operand(pc, name)?;
        let a = self.operand(pc, name)?;
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
        let b = self.operand(pc, name)?;
        let a = self.operand(pc, name)?;
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

    /// Jump/Loop. A backward one is where the interpreter checks its stack limit (and
    /// counts toward its safepoint): native code checks the interrupt here and the same limit
    /// once at entry (see `translate_function`).
    fn jump(&mut self, pc: usize, name: &str) -> Result<Flow, Rejection> {
        let target = jump_target(&self.input.code, &self.body, pc, name)?;
        self.flush_checks();
        if target <= pc {
            // The interpreter checks its stack limit here; the check is hoisted to entry.
            let depth = self.frame.depth();
            self.deepest_back_edge = Some(self.deepest_back_edge.map_or(depth, |d| d.max(depth)));
            self.check_interrupt();
        }
        let (block, args) = self.edge(target)?;
        self.b.ins().jump(block, &args);
        Ok(Flow::End)
    }

    /// JumpIfFalse pops the condition and jumps unless it is exactly `true` (spec §2.4):
    /// a number or null always jumps.
    fn jump_if_false(&mut self, pc: usize, next: usize) -> Result<Flow, Rejection> {
        let target = jump_target(&self.input.code, &self.body, pc, "JumpIfFalse")?;
        let condition = self.operand(pc, "JumpIfFalse")?;
        self.flush_checks();
        if target <= pc {
            self.check_interrupt();
        }
        match condition {
            Slot::Bool(flag) => {
                // Blocks are laid out in translation order and the worklist is a stack: the
                // edge made last is translated next, so a loop body directly follows its
                // condition and only the loop exit branches.
                let (jump_block, jump_args) = self.edge(target)?;
                let (next_block, next_args) = self.edge(next)?;
                self.b.ins().brif(flag, next_block, &next_args, jump_block, &jump_args);
            }
            _ => {
                let (jump_block, jump_args) = self.edge(target)?;
                self.b.ins().jump(jump_block, &jump_args);
            }
        }
        Ok(Flow::End)
    }

    /// `Call n` of a statically known function (spec §3.3), as a direct native call. Bails
    /// out where the interpreter's frame or stack limit would raise StackOverflow.
    fn call(&mut self, pc: usize, argc: usize, next: usize) -> Result<Flow, Rejection> {
        let depth = self.frame.depth();
        if depth < argc + 1 {
            return Err(
                InputError::new(InputErrorKind::StackUnderflow, pc, "Call needs its callee and arguments").into()
            );
        }
        let unknown = |message: String| Self::refusal(RefusalReason::UnknownCallee, "Call", pc, message);
        if self.frame.slots()[depth - argc - 1] != Slot::Callee {
            return Err(unknown(format!("Call at offset {pc} calls a value that is not a known function")));
        }
        let Some(&index) = self.input.calls.get(&pc) else {
            return Err(unknown(format!("Call at offset {pc} has no statically known callee")));
        };
        if self.input.functions[index].arity != argc {
            return Err(unknown(format!(
                "Call at offset {pc} passes {argc} argument(s) to a function of another arity"
            )));
        }
        let mut args = vec![self.out];
        for slot in &self.frame.slots()[depth - argc..] {
            match slot {
                Slot::Number(value) => args.push(*value),
                _ => return Err(unknown(format!("Call at offset {pc} passes a non-number argument"))),
            }
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
        let call = self.b.ins().call(callee, &args);
        let (status, value) = (self.b.inst_results(call)[0], self.b.inst_results(call)[1]);
        // A trap, halt, interrupt or bail-out below ends this function the same way.
        let propagate = self.b.create_block();
        self.b.set_cold_block(propagate);
        let continue_ = self.b.create_block();
        let exceptional = self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, status, i64::from(STATUS_TRAP));
        self.b.ins().brif(exceptional, propagate, &[], continue_, &[]);
        self.b.switch_to_block(propagate);
        self.b.ins().return_(&[status, value]);
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
        Ok(Flow::Next(next))
    }

    fn callee_ref(&mut self, index: usize) -> FuncRef {
        if let Some(&callee) = self.callees.get(&index) {
            return callee;
        }
        let call_conv = self.b.func.signature.call_conv;
        let signature = self.b.import_signature(internal_signature(call_conv, self.input.functions[index].arity));
        let name = self.b.func.declare_imported_user_function(self.env.functions[index].clone());
        let callee = self.b.import_function(ExtFuncData {
            name: ExternalName::user(name),
            signature,
            colocated: true,
            patchable: false,
        });
        self.callees.insert(index, callee);
        callee
    }

    fn return_(&mut self, pc: usize) -> Result<Flow, Rejection> {
        let value = self.frame.take_exit_value(pc, "Return", true).map_err(Rejection::Refused)?;
        let kind = self.value_kind(value, pc, "Return")?;
        self.flush_checks();
        let stored = self.as_f64(value);
        self.finish(kind as u32, stored);
        self.exits.push(Exit::Return(kind));
        Ok(Flow::End)
    }

    /// Div/Mod: `b == 0.0` (also -0.0) is DivideByZero, checked before the result.
    fn check_divisor(&mut self, divisor: Value, pc: usize) {
        self.flush_checks();
        let zero = self.b.ins().f64const(0.0);
        let is_zero = self.b.ins().fcmp(FloatCC::Equal, divisor, zero);
        self.trap_if(is_zero, TrapCode::DivideByZero, pc);
    }

    /// NaN or ±∞ is InvalidNumericResult. The check is deferred to the next point where
    /// an error or an exit could be observed (`flush_checks`), so the results of a whole
    /// stretch of arithmetic are tested with one branch.
    fn check_finite(&mut self, result: Value, pc: usize) {
        self.unchecked.push((result, pc, false));
    }

    /// An Add/Sub/Mul result is NaN or ±∞ whenever an operand is, so while the result is
    /// checked its unchecked operands need no test of their own on the fast path (the cold
    /// path still tests them, in order, to report the first failure). Not so for Div and
    /// Mod: `x / ∞` and `fmod(x, ∞)` are finite.
    fn cover(&mut self, operands: [Value; 2]) {
        for entry in &mut self.unchecked {
            if operands.contains(&entry.0) {
                entry.2 = true;
            }
        }
    }

    /// Tests the deferred results with one branch: `v - v` is 0 for a finite v and NaN for
    /// NaN and ±∞, and it is taken of the sum of the results, which is non-finite whenever
    /// one of them is (and, rarely, when finite ones overflow together). On failure a cold
    /// path tests the results one by one in program order and traps at the first
    /// non-finite one, as the interpreter would have (nothing observable happened in
    /// between: every check, trap, call and exit flushes first); a false alarm continues.
    fn flush_checks(&mut self) {
        if self.unchecked.is_empty() {
            return;
        }
        let unchecked = std::mem::take(&mut self.unchecked);
        let mut sum = None;
        for &(value, _, _) in unchecked.iter().filter(|entry| !entry.2) {
            sum = Some(match sum {
                None => value,
                Some(total) => self.b.ins().fadd(total, value),
            });
        }
        let sum = sum.expect("the last unchecked result is never covered");
        let difference = self.b.ins().fsub(sum, sum);
        let bad = self.b.ins().fcmp(FloatCC::Unordered, difference, difference);
        let locate = self.b.create_block();
        self.b.set_cold_block(locate);
        let continue_ = self.b.create_block();
        self.b.ins().brif(bad, locate, &[], continue_, &[]);
        self.b.switch_to_block(locate);
        for &(value, pc, _) in &unchecked {
            let difference = self.b.ins().fsub(value, value);
            let this_one = self.b.ins().fcmp(FloatCC::Unordered, difference, difference);
            let trap = self.b.create_block();
            self.b.set_cold_block(trap);
            let next = self.b.create_block();
            self.b.set_cold_block(next);
            self.b.ins().brif(this_one, trap, &[], next, &[]);
            self.b.switch_to_block(trap);
            self.exit_trap(TrapCode::InvalidNumericResult, pc);
            self.b.switch_to_block(next);
        }
        self.b.ins().jump(continue_, &[]);
        self.b.switch_to_block(continue_);
    }

    /// `fmod(x, y)`, exactly. When x and y are integers below 2^53 in magnitude (the usual
    /// `i % n`), an i64 `srem` gives the same truncated remainder without calling fmod: both
    /// conversions are exact in that range, `srem` cannot overflow, and y ≠ 0 is tested too
    /// (the divisor check already trapped on it; an integer division by zero would fault).
    /// A zero remainder takes x's sign, as fmod's does (`-4 % 2` is -0). Other operands,
    /// NaN and ±∞ included, call fmod.
    fn remainder(&mut self, x: Value, y: Value) -> Value {
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let done = self.b.create_block();
        let result = self.b.append_block_param(done, types::F64);
        let integral = |b: &mut FunctionBuilder, v: Value| {
            let whole = b.ins().trunc(v);
            let is_whole = b.ins().fcmp(FloatCC::Equal, whole, v);
            let magnitude = b.ins().fabs(v);
            let limit = b.ins().f64const(9_007_199_254_740_992.0); // 2^53
            let small = b.ins().fcmp(FloatCC::LessThan, magnitude, limit);
            b.ins().band(is_whole, small)
        };
        let x_ok = integral(&mut self.b, x);
        let y_ok = integral(&mut self.b, y);
        let zero = self.b.ins().f64const(0.0);
        let y_nonzero = self.b.ins().fcmp(FloatCC::NotEqual, y, zero);
        let both = self.b.ins().band(x_ok, y_ok);
        let ok = self.b.ins().band(both, y_nonzero);
        self.b.ins().brif(ok, fast, &[], slow, &[]);

        self.b.switch_to_block(fast);
        let xi = self.b.ins().fcvt_to_sint_sat(types::I64, x);
        let yi = self.b.ins().fcvt_to_sint_sat(types::I64, y);
        let ri = self.b.ins().srem(xi, yi);
        let rf = self.b.ins().fcvt_from_sint(types::F64, ri);
        let signed_zero = self.b.ins().fcopysign(zero, x);
        let is_zero = self.b.ins().icmp_imm_s(IntCC::Equal, ri, 0);
        let fast_result = self.b.ins().select(is_zero, signed_zero, rf);
        self.b.ins().jump(done, &[BlockArg::Value(fast_result)]);

        self.b.switch_to_block(slow);
        let slow_result = self.call_fmod(x, y);
        self.b.ins().jump(done, &[BlockArg::Value(slow_result)]);

        self.b.switch_to_block(done);
        result
    }

    fn call_fmod(&mut self, x: Value, y: Value) -> Value {
        let fmod = match self.fmod {
            Some(fmod) => fmod,
            None => {
                let signature = self.b.import_signature(fmod_signature(self.b.func.signature.call_conv));
                let name = self.b.func.declare_imported_user_function(self.env.fmod.clone());
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
    /// `condition` must not depend on unchecked results (see `flush_checks`).
    fn trap_if(&mut self, condition: Value, code: TrapCode, pc: usize) {
        self.flush_checks();
        let trap = self.b.create_block();
        self.b.set_cold_block(trap);
        let continue_ = self.b.create_block();
        self.b.ins().brif(condition, trap, &[], continue_, &[]);
        self.b.switch_to_block(trap);
        self.exit_trap(code, pc);
        self.b.switch_to_block(continue_);
    }

    /// An unconditional trap: the rest of the path is dead.
    fn static_trap(&mut self, code: TrapCode, pc: usize) -> Flow {
        self.flush_checks();
        self.exit_trap(code, pc);
        self.exits.push(Exit::Trap(code));
        Flow::End
    }

    fn exit_trap(&mut self, code: TrapCode, pc: usize) {
        self.store_control(TRAP_CODE_FROM_VALUE, code as u32);
        self.store_control(TRAP_OFFSET_FROM_VALUE, offset32(pc));
        self.finish_status(STATUS_TRAP);
    }

    /// A value as the f64 the area holds: bool as 0/1, null as 0.
    fn as_f64(&mut self, value: Slot<Value>) -> Value {
        match value {
            Slot::Number(x) => x,
            Slot::Bool(flag) => {
                let one = self.b.ins().f64const(1.0);
                let zero = self.b.ins().f64const(0.0);
                self.b.ins().select(flag, one, zero)
            }
            Slot::Null | Slot::Callee => self.b.ins().f64const(0.0),
        }
    }

    fn finish_status(&mut self, status: u32) {
        let zero = self.b.ins().f64const(0.0);
        self.finish(status, zero);
    }

    fn finish(&mut self, status: u32, value: Value) {
        let status = self.b.ins().iconst(types::I32, i64::from(status));
        self.b.ins().return_(&[status, value]);
    }

    fn store_control(&mut self, offset_from_value: i32, word: u32) {
        let word = self.b.ins().iconst(types::I32, i64::from(word));
        self.b.ins().store(MemFlagsData::trusted(), word, self.out, offset_from_value);
    }
}

fn describe_shape(shape: &[Slot<()>]) -> String {
    let names: Vec<&str> = shape
        .iter()
        .map(|slot| match slot {
            Slot::Number(()) => "number",
            Slot::Bool(()) => "bool",
            Slot::Null => "null",
            Slot::Callee => "function",
        })
        .collect();
    format!("[{}]", names.join(", "))
}

/// Offsets fit in 32 bits: `FunctionInput::validate` bounds the code length.
fn offset32(pc: usize) -> u32 {
    u32::try_from(pc).expect("offset bounded by FunctionInput::validate")
}
