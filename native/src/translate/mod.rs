//! Bytecode → Cranelift IR for the functions of one call tree, with the VM's semantics
//! (docs/bytecode.md §2.4, §3.3) and statically tracked slot kinds.
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
//! The module's entry `(args, out) -> u32` (`entry`) loads the root's arguments and the
//! limits from the area, calls the root and stores the result and status.
//!
//! Control flow: a pre-pass (`scan`) finds the reachable instructions and the block leaders
//! (jump targets and the fall-through of JumpIfFalse). Each leader becomes a Cranelift block
//! whose parameters are the payloads of the frame's slots (SSA values for every local and
//! temporary); the first edge into a leader fixes its stack shape (depth and slot kinds),
//! and every other edge must bring the same shape, or the function is refused. Each
//! instruction is then lowered by its opcode's method (`lowering`).
//!
//! Dynamic runtime errors (division by zero, NaN/∞ results) are checked in stretches of at
//! most 16 results, each with one branch to a cold block that finds the first failure and
//! stores its trap (`checks`, `exits`); type errors are known statically and end their path
//! with an unconditional trap. (Testing all dynamic checks once at the exit was tried: it
//! keeps every intermediate result alive to the end, and register allocation grew
//! quadratically with the body's length.)

mod budget;
mod checks;
mod entry;
mod exits;
mod global_vars;
mod lowering;
mod reach;
mod return_kinds;
mod scan;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{self, types, Block, BlockArg, FuncRef, InstBuilder, UserExternalName, Value};
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};

pub use budget::{Budget, MAX_UNITS};
pub use entry::{
    fmod_preserving_signature, fmod_signature, internal_signature, native_signature, translate_entry,
    translate_fmod_preserving, STACK_BUDGET,
};
pub use return_kinds::translate_module;

use crate::frame::{Frame, Rejection, Slot};
use crate::input::{Body, ModuleInput};
use crate::opcode;
use crate::outcome::{Exit, Refusal, RefusalReason, TrapCode, ValueKind};
use checks::Unchecked;
use entry::CONTROL_PARAMS;

/// Where the translator finds its environment: the target, the names under which the
/// module links `fmod` and each of its functions, and whether to poll the interrupt flag.
pub struct TranslateEnv {
    pub frontend: TargetFrontendConfig,
    pub fmod: UserExternalName,
    /// The module's wrapper of `fmod` that clobbers no register (`fmod_preserving_signature`),
    /// and whether any translated function calls it (then the module defines it).
    pub fmod_preserving: UserExternalName,
    pub fmod_used: std::cell::Cell<bool>,
    pub functions: Vec<UserExternalName>,
    /// The kind each function is assumed to return where it is called natively (checked
    /// against what its returns produce; see `Translated::return_kinds`).
    pub return_kinds: Vec<ValueKind>,
    /// The kinds each callee takes its parameters as (the root's are its entry kinds): numbers
    /// at first; a call site that passes other kinds asks for them (`demands`), and the first
    /// to ask settles them. A later call site that disagrees cannot call it natively.
    pub param_kinds: Vec<Vec<ValueKind>>,
    pub param_settled: Vec<bool>,
    pub demands: std::cell::RefCell<Vec<(usize, Vec<ValueKind>)>>,
    /// Callees that could not be translated (with side exits on): the root leaves at its
    /// calls of them, and they get a stub body.
    pub left_out: Vec<bool>,
    pub interrupt_checks: bool,
    /// What the module's translation may emit (`budget`).
    pub budget: Budget,
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
    let is_root = index == 0;
    let start = if is_root { input.entry.offset } else { body.start };
    let side_exits = input.side_exits;
    let leaders = scan::scan(&input.code, &body, start, side_exits)?;
    let mut builder = FunctionBuilder::new(func, builder_ctx);
    let entry = builder.create_block();
    builder.append_block_params_for_function_params(entry);
    builder.switch_to_block(entry);
    let params = builder.block_params(entry).to_vec();
    let kinds = if is_root { &input.entry.kinds } else { &env.param_kinds[index] };
    let frame = Frame::from_slots(entry_slots(&mut builder, &params[CONTROL_PARAMS..], kinds), body.local_count);
    let globals = global_vars::GlobalVars::declare(&mut builder, input, &body);
    globals.load(&mut builder, params[0]);
    let back_edges = is_root.then(|| {
        let var = builder.declare_var(types::I64);
        let zero = builder.ins().iconst(types::I64, 0);
        builder.def_var(var, zero);
        var
    });
    let mut translator = Translator {
        b: builder,
        input,
        body,
        env,
        out: params[0],
        frames: params[1],
        slots: params[2],
        floor: params[3],
        frame,
        side_exits,
        translated_any: false,
        leaders,
        blocks: HashMap::new(),
        work: Vec::new(),
        exits: Vec::new(),
        fmod: None,
        callees: HashMap::new(),
        status_exits: BTreeMap::new(),
        unchecked: Vec::new(),
        deepest_back_edge: None,
        charged: (0, 0),
        edge_args: 0,
        leader: None,
        flow: reach::ExitFreeFlow::default(),
        globals,
        back_edges,
    };
    translator.entry_checks();
    // The stack-limit check of every back edge is hoisted to one check at entry, in a block
    // filled once the deepest back edge is known (bailing out early is as exact as late).
    let limits = translator.b.create_block();
    translator.b.ins().jump(limits, &[]);
    let (block, args) = translator.edge(start)?;
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
    translator.charge(start)?;
    if side_exits && !translator.flow.finishes_from(start) {
        return Err(Translator::refusal(
            RefusalReason::AlwaysExits,
            &opcode::name_of(input.code[start]),
            start,
            format!("every path from offset {start} leaves to the interpreter before it returns or loops"),
        ));
    }
    translator.b.seal_all_blocks();
    let exit = summarize(&translator.exits);
    let mut return_kinds: Vec<ValueKind> =
        translator.exits.iter().filter_map(|e| if let Exit::Return(kind) = e { Some(*kind) } else { None }).collect();
    return_kinds.sort();
    return_kinds.dedup();
    translator.b.finalize(env.frontend);
    Ok(Translated { exit, return_kinds })
}

/// The root's entry frame from its f64 parameters: a bool arrives as 0/1, a null as 0.
fn entry_slots(b: &mut FunctionBuilder, params: &[Value], kinds: &[ValueKind]) -> Vec<Slot<Value>> {
    params
        .iter()
        .zip(kinds)
        .map(|(&param, kind)| match kind {
            ValueKind::Number => Slot::Number(param),
            ValueKind::Bool => {
                let zero = b.ins().f64const(0.0);
                Slot::Bool(b.ins().fcmp(FloatCC::NotEqual, param, zero))
            }
            ValueKind::Null => Slot::Null,
        })
        .collect()
}

/// A function the module declares but never calls (a callee left to the interpreter): it
/// only has to be valid code.
pub fn translate_stub(func: &mut ir::Function, builder_ctx: &mut FunctionBuilderContext, env: &TranslateEnv) {
    let mut b = FunctionBuilder::new(func, builder_ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let status = b.ins().iconst(types::I32, i64::from(crate::outcome::STATUS_BAILOUT));
    let zero = b.ins().f64const(0.0);
    b.ins().return_(&[status, zero]);
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

/// Where translation goes on after an instruction.
enum Flow {
    Next(usize),
    /// The block ended (a jump, branch, return, halt or unconditional trap was emitted).
    End,
}

/// The state of translating one function; its methods are spread over this module's
/// children by concern (lowering, checks, exits).
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
    /// Whether an instruction this function cannot translate leaves to the interpreter (when
    /// the input allows it) instead of refusing the module. A callee's exit record is
    /// completed by its callers (`append_exit_frame`).
    side_exits: bool,
    /// An instruction was translated: from now on a side exit leaves after native work.
    translated_any: bool,
    leaders: BTreeSet<usize>,
    /// Each leader's block and the stack shape fixed by the first edge into it.
    blocks: HashMap<usize, (Block, Vec<Slot<()>>)>,
    work: Vec<usize>,
    exits: Vec<Exit>,
    /// The imported fmod wrapper and the stack slot its result comes back in, once `Mod` needs them.
    fmod: Option<(FuncRef, ir::StackSlot)>,
    callees: HashMap<usize, FuncRef>,
    /// Cold blocks that return a status with no value (interrupted, bailed out): one per
    /// status, made on first use, filled by `fill_status_blocks` once the body is done.
    status_exits: BTreeMap<u32, Block>,
    /// Arithmetic results whose finiteness check is deferred, in program order.
    unchecked: Vec<Unchecked>,
    /// The greatest stack depth at a backward Jump/Loop, where the interpreter checks its
    /// stack limit.
    deepest_back_edge: Option<usize>,
    /// The IR instructions already charged to the budget, and the frame slots not yet
    /// charged (a unit per `SLOTS_PER_UNIT`).
    charged: (usize, usize),
    /// Values passed along edges since the last charge.
    edge_args: usize,
    /// The leader whose block is being translated (none before the entry's jump).
    leader: Option<usize>,
    /// Where the blocks go without side-exiting, to refuse code that always leaves early.
    flow: reach::ExitFreeFlow,
    /// The globals the body uses, in SSA variables between the boundaries where the invoke
    /// area must hold them (`global_vars`).
    globals: global_vars::GlobalVars,
    /// The root's count of back-edges taken in this run (in a register), stored when the run
    /// side-exits so the engine can weigh the native work against the cost of leaving. Callees
    /// have none: the root's loop is what an exit interrupts.
    back_edges: Option<Variable>,
}

impl Translator<'_> {
    /// The block being translated finishes a run without leaving to the interpreter.
    fn finishes_here(&mut self) {
        if let Some(leader) = self.leader {
            self.flow.finishes(leader);
        }
    }

    fn refusal(reason: RefusalReason, name: &str, pc: usize, message: String) -> Rejection {
        Rejection::Refused(Refusal::new(reason, name, pc, message))
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
                        Slot::Null | Slot::Callee(_) => {}
                    }
                }
                self.blocks.insert(target, (block, shape));
                self.work.push(target);
                block
            }
        };
        let args: Vec<BlockArg> =
            self.frame.slots().iter().filter_map(|slot| slot.payload().map(|&v| BlockArg::Value(v))).collect();
        self.edge_args += args.len();
        if let Some(from) = self.leader {
            self.flow.edge(from, target);
        }
        Ok((block, args))
    }

    /// Charges what was emitted since the last charge (each IR instruction, and each
    /// value passed along an edge as `SLOTS_PER_EDGE_ARG` slots) and the frame the next
    /// instruction is translated with (see `budget`). Over the budget, the module is refused
    /// (never a side exit: what is left would still be translated).
    fn charge(&mut self, pc: usize) -> Result<(), Rejection> {
        let insts = self.b.func.dfg.num_insts();
        let units = insts - self.charged.0;
        self.charged.0 = insts;
        let edge_slots = std::mem::take(&mut self.edge_args) * budget::SLOTS_PER_EDGE_ARG;
        self.charged.1 += self.frame.depth() + edge_slots;
        let slot_units = self.charged.1 / budget::SLOTS_PER_UNIT;
        self.charged.1 %= budget::SLOTS_PER_UNIT;
        if self.env.budget.charge(units + slot_units) {
            return Ok(());
        }
        let name = self.input.code.get(pc).map_or_else(|| "<end>".to_owned(), |&byte| opcode::name_of(byte));
        Err(budget::too_large(&name, pc))
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
                Slot::Callee(callee) => Slot::Callee(*callee),
            })
            .collect();
        self.frame = Frame::from_slots(slots, self.body.local_count);
        self.leader = Some(start);
        let mut pc = start;
        loop {
            self.charge(pc)?;
            if pc != start && self.leaders.contains(&pc) {
                match self.edge(pc) {
                    Ok((target, args)) => _ = self.b.ins().jump(target, &args),
                    Err(rejection) => self.side_exit_or(pc, rejection)?,
                }
                return Ok(());
            }
            let before = self.frame.clone();
            match self.step(pc) {
                Ok(Flow::Next(next)) => {
                    self.translated_any = true;
                    pc = next;
                }
                Ok(Flow::End) => {
                    self.translated_any = true;
                    return Ok(());
                }
                Err(rejection) => {
                    // Leave with the frame as it was before the instruction: the interpreter
                    // executes it.
                    self.frame = before;
                    return self.side_exit_or(pc, rejection);
                }
            }
        }
    }

    /// Lowers the instruction at `pc`, or refuses an opcode outside the native subset.
    fn step(&mut self, pc: usize) -> Result<Flow, Rejection> {
        if pc >= self.body.end {
            return Err(Self::refusal(
                RefusalReason::MissingTerminator,
                "<end>",
                pc,
                format!("the body reaches its end at offset {pc} without Return or Halt"),
            ));
        }
        let instruction = scan::decode(&self.input.code, &self.body, pc)?;
        let Some(lower) = lowering::lowering(instruction.byte) else {
            let name = instruction.name;
            return Err(Self::refusal(
                RefusalReason::UnsupportedOpcode,
                name,
                pc,
                format!("{name} at offset {pc} is outside the native subset"),
            ));
        };
        lower(self, instruction)
    }

    /// Pops a value operand; a callee used as a value is refused (its type is unknown).
    fn operand(&mut self, pc: usize, name: &str) -> Result<Slot<Value>, Rejection> {
        let slot = self.frame.pop(pc, name)?;
        if let Slot::Callee(_) = slot {
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
}

fn describe_shape(shape: &[Slot<()>]) -> String {
    let names: Vec<&str> = shape.iter().map(|slot| slot.kind().map_or("function", ValueKind::name)).collect();
    format!("[{}]", names.join(", "))
}

/// Offsets fit in 32 bits: `FunctionInput::validate` bounds the code length.
fn offset32(pc: usize) -> u32 {
    u32::try_from(pc).expect("offset bounded by FunctionInput::validate")
}
