//! The Rust side of the contract with `src/jit/native/contract.ts`, as values: what the TypeScript
//! side mirrors by hand (the invoke area's layout, the names that cross as strings, the
//! default limits) is handed over by `contract()`, and one test compares the two. Numeric
//! enums (`TrapCode`, `InvokeStatus`) and `MAX_FUNCTIONS` are addon exports of their own.

use napi_derive::napi;

use crate::input::{ConstantKind, InputErrorKind};
use crate::invoke_area::{
    ARG_SLOTS, BACK_EDGES, CONTROL_BYTE_OFFSET, CONTROL_WORDS, DEFAULT_FRAMES_LEFT, DEFAULT_SLOTS_LEFT, EXIT_DEPTH,
    EXIT_KINDS_BYTE_OFFSET, F64_LENGTH, FRAMES_LEFT, GLOBALS_BYTE_OFFSET, GLOBAL_SLOTS, HALT_KIND, HANDLE, INTERRUPT,
    SLOTS_LEFT, STACK_BUDGET, STATUS, TRACE_DEPTH, TRAP_CODE, TRAP_OFFSET, VALUE_BYTE_OFFSET,
};
use crate::math;
use crate::outcome::{Exit, ExitSlotKind, RefusalReason, TrapCode, ValueKind, EXIT_HEADER_KIND};
use crate::priority::CompilePriority;

/// Indices of the invoke area's u32 control words.
#[napi(object)]
pub struct ControlWords {
    pub status: u32,
    pub trap_code: u32,
    pub trap_offset: u32,
    pub halt_kind: u32,
    pub handle: u32,
    pub interrupt: u32,
    pub frames_left: u32,
    pub slots_left: u32,
    pub exit_depth: u32,
    pub stack_budget: u32,
    pub trace_depth: u32,
    pub back_edges: u32,
}

/// What `src/jit/native/contract.ts` must agree with. Name lists are in code order: a name's index
/// is the number that crosses for it.
#[napi(object)]
pub struct Contract {
    /// f64 argument slots at the start of the invoke area.
    pub arg_slots: u32,
    /// Index of the f64 result value in the area's Float64Array.
    pub value_slot: u32,
    /// The area's length in f64 slots.
    pub f64_length: u32,
    /// Byte offset and count of the u32 control words.
    pub control_byte_offset: u32,
    pub control_words: u32,
    pub control: ControlWords,
    /// Byte offset of the side-exit slot kinds (one byte per frame slot).
    pub exit_kinds_byte_offset: u32,
    /// Byte offset and count of the f64 global slots.
    pub globals_byte_offset: u32,
    pub global_slots: u32,
    /// The frames and stack slots a call may use when JavaScript never set the limits.
    pub default_frames_left: u32,
    pub default_slots_left: u32,
    pub value_kinds: Vec<String>,
    pub constant_kinds: Vec<String>,
    pub refusal_reasons: Vec<String>,
    pub input_rules: Vec<String>,
    pub exits: Vec<String>,
    pub exit_slot_kinds: Vec<String>,
    /// The kind byte of a side-exit frame record's header slot.
    pub exit_header_kind: u32,
    pub compile_priorities: Vec<String>,
    /// The math builtins and constants by code (`builtinGlobals`).
    pub builtin_globals: Vec<String>,
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).expect("contract values are small")
}

/// The Rust-side values of the contract with `src/jit/native/contract.ts`.
#[napi(catch_unwind)]
pub fn contract() -> Contract {
    let any_trap = Exit::Trap(TrapCode::DivideByZero);
    Contract {
        arg_slots: u32_of(ARG_SLOTS),
        value_slot: u32_of(VALUE_BYTE_OFFSET / 8),
        f64_length: u32_of(F64_LENGTH),
        control_byte_offset: u32_of(CONTROL_BYTE_OFFSET),
        control_words: u32_of(CONTROL_WORDS),
        control: ControlWords {
            status: u32_of(STATUS),
            trap_code: u32_of(TRAP_CODE),
            trap_offset: u32_of(TRAP_OFFSET),
            halt_kind: u32_of(HALT_KIND),
            handle: u32_of(HANDLE),
            interrupt: u32_of(INTERRUPT),
            frames_left: u32_of(FRAMES_LEFT),
            slots_left: u32_of(SLOTS_LEFT),
            exit_depth: u32_of(EXIT_DEPTH),
            stack_budget: u32_of(STACK_BUDGET),
            trace_depth: u32_of(TRACE_DEPTH),
            back_edges: u32_of(BACK_EDGES),
        },
        exit_kinds_byte_offset: u32_of(EXIT_KINDS_BYTE_OFFSET),
        globals_byte_offset: u32_of(GLOBALS_BYTE_OFFSET),
        global_slots: u32_of(GLOBAL_SLOTS),
        default_frames_left: DEFAULT_FRAMES_LEFT,
        default_slots_left: DEFAULT_SLOTS_LEFT,
        value_kinds: ValueKind::names(),
        constant_kinds: ConstantKind::names(),
        refusal_reasons: RefusalReason::names(),
        input_rules: InputErrorKind::names(),
        exits: [Exit::Return(ValueKind::Number), Exit::Halt(ValueKind::Number), any_trap, Exit::SideExit]
            .map(|exit| exit.name().to_owned())
            .to_vec(),
        exit_slot_kinds: ExitSlotKind::names(),
        exit_header_kind: u32::from(EXIT_HEADER_KIND),
        compile_priorities: CompilePriority::names(),
        builtin_globals: math::NAMES.iter().chain(&math::CONSTANT_NAMES).map(|&name| name.to_owned()).collect(),
    }
}
