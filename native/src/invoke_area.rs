//! The per-thread memory through which JavaScript passes the handle and arguments in and
//! reads the results out, so that an invoke converts nothing at all. The generated code
//! writes the result and its status here itself.
//!
//! Layout (`#[repr(C)]`, mirrored by `src/jit/native/contract.ts` and checked against it through the
//! addon's `contract()`), 4408 bytes = 551 f64 slots:
//! - bytes 0..2048: 256 f64 frame slots: the arguments, or the frame an OSR entry takes, on
//!   the way in; the frame a side exit hands back, on the way out;
//! - bytes 2048..2056: the f64 result value (a bool as 0/1, null as 0);
//! - bytes 2056..2096: ten u32 control words — status, trap code, trap offset, kind of a
//!   halted value, the handle to invoke (written by JavaScript), the interrupt flag (any
//!   thread may set it; compiled code polls it), the call frames and value-stack slots the
//!   interpreter's limits leave to the call (written by JavaScript before each invoke), and
//!   the frame slots a side exit's records fill, the machine stack the call may use (written
//!   by the invoker from the thread's real stack), the count of trap-trace records (see
//!   `TRACE_DEPTH`), and one unused word;
//! - bytes 2104..2360: the kind of each frame slot a side exit hands back (`ExitSlotKind`);
//! - bytes 2360..4408: 256 f64 global slots, the values of the globals the code reads and
//!   writes (JavaScript fills them before the call and reads back the written ones after).

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;

pub const ARG_SLOTS: usize = 256;

/// Indices of the control words.
pub const STATUS: usize = 0;
pub const TRAP_CODE: usize = 1;
pub const TRAP_OFFSET: usize = 2;
pub const HALT_KIND: usize = 3;
pub const HANDLE: usize = 4;
pub const INTERRUPT: usize = 5;
pub const FRAMES_LEFT: usize = 6;
pub const SLOTS_LEFT: usize = 7;
pub const EXIT_DEPTH: usize = 8;
pub const STACK_BUDGET: usize = 9;
/// Trap-trace records written since JavaScript last reset the word: when a call returns the
/// trap status, the caller records the call's offset and its callee's start in frame-slot pair
/// `min(count, TRACE_RECORDS - 1)` and counts it, so the error path can name every native
/// frame of the call tree (the last pair always holds the outermost record). Nothing on the
/// fast path writes it; JavaScript resets it after reading a trap.
pub const TRACE_DEPTH: usize = 10;
/// Trap-trace records the frame slots hold (two slots each).
pub const TRACE_RECORDS: usize = ARG_SLOTS / 2;
/// Back-edges the module's root function took in the run, written when the run side-exits:
/// how much native work a run did before it left, which decides whether leaving is worth it.
pub const BACK_EDGES: usize = 11;
pub const CONTROL_WORDS: usize = 12;
/// Frame slots a side exit can hand back (the argument slots).
pub const FRAME_SLOTS: usize = ARG_SLOTS;
pub const GLOBAL_SLOTS: usize = 256;

pub const DEFAULT_FRAMES_LEFT: u32 = 100_000;
pub const DEFAULT_SLOTS_LEFT: u32 = 1 << 24;

/// Byte offsets from the result value, as the generated code addresses them.
pub const STATUS_FROM_VALUE: i32 = 8 + 4 * STATUS as i32;
pub const TRAP_CODE_FROM_VALUE: i32 = 8 + 4 * TRAP_CODE as i32;
pub const TRAP_OFFSET_FROM_VALUE: i32 = 8 + 4 * TRAP_OFFSET as i32;
pub const HALT_KIND_FROM_VALUE: i32 = 8 + 4 * HALT_KIND as i32;
pub const INTERRUPT_FROM_VALUE: i32 = 8 + 4 * INTERRUPT as i32;
pub const FRAMES_LEFT_FROM_VALUE: i32 = 8 + 4 * FRAMES_LEFT as i32;
pub const SLOTS_LEFT_FROM_VALUE: i32 = 8 + 4 * SLOTS_LEFT as i32;
pub const EXIT_DEPTH_FROM_VALUE: i32 = 8 + 4 * EXIT_DEPTH as i32;
pub const STACK_BUDGET_FROM_VALUE: i32 = 8 + 4 * STACK_BUDGET as i32;
pub const TRACE_DEPTH_FROM_VALUE: i32 = 8 + 4 * TRACE_DEPTH as i32;
pub const BACK_EDGES_FROM_VALUE: i32 = 8 + 4 * BACK_EDGES as i32;
pub const ARGS_FROM_VALUE: i32 = -(VALUE_BYTE_OFFSET as i32);
pub const EXIT_KINDS_FROM_VALUE: i32 = (EXIT_KINDS_BYTE_OFFSET - VALUE_BYTE_OFFSET) as i32;
pub const GLOBALS_FROM_VALUE: i32 = (GLOBALS_BYTE_OFFSET - VALUE_BYTE_OFFSET) as i32;

/// Byte offset of the result value and of the control words from the area's start.
pub const VALUE_BYTE_OFFSET: usize = ARG_SLOTS * 8;
pub const CONTROL_BYTE_OFFSET: usize = VALUE_BYTE_OFFSET + 8;
pub const EXIT_KINDS_BYTE_OFFSET: usize = CONTROL_BYTE_OFFSET + 4 * CONTROL_WORDS;
pub const GLOBALS_BYTE_OFFSET: usize = EXIT_KINDS_BYTE_OFFSET + FRAME_SLOTS;

/// The area's size in f64 units: the length of JavaScript's Float64Array over it.
pub const F64_LENGTH: usize = std::mem::size_of::<InvokeArea>() / 8;

/// Atomic cells so that Rust's accesses stay defined while JavaScript and the generated
/// code access the same memory as plain numbers.
#[repr(C, align(8))]
pub struct InvokeArea {
    args: [AtomicU64; ARG_SLOTS],
    value: AtomicU64,
    control: [AtomicU32; CONTROL_WORDS],
    exit_kinds: [AtomicU8; FRAME_SLOTS],
    globals: [AtomicU64; GLOBAL_SLOTS],
}

const _: () = {
    assert!(std::mem::offset_of!(InvokeArea, value) == VALUE_BYTE_OFFSET);
    assert!(std::mem::offset_of!(InvokeArea, control) == CONTROL_BYTE_OFFSET);
    assert!(std::mem::offset_of!(InvokeArea, exit_kinds) == EXIT_KINDS_BYTE_OFFSET);
    assert!(std::mem::offset_of!(InvokeArea, globals) == GLOBALS_BYTE_OFFSET);
    assert!(std::mem::size_of::<InvokeArea>() == 4408);
};

impl InvokeArea {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            args: std::array::from_fn(|_| AtomicU64::new(0)),
            value: AtomicU64::new(0),
            control: std::array::from_fn(|word| AtomicU32::new(Self::initial_control(word))),
            exit_kinds: std::array::from_fn(|_| AtomicU8::new(0)),
            globals: std::array::from_fn(|_| AtomicU64::new(0)),
        })
    }

    /// The limits default to the interpreter's defaults (`DEFAULT_MAX_CALL_DEPTH`,
    /// `DEFAULT_MAX_STACK_SIZE` in `src/vm/interpreter.ts`) for callers that never set them.
    fn initial_control(word: usize) -> u32 {
        match word {
            FRAMES_LEFT => DEFAULT_FRAMES_LEFT,
            SLOTS_LEFT => DEFAULT_SLOTS_LEFT,
            _ => 0,
        }
    }

    /// Start of the area, for the JavaScript view.
    pub fn base_ptr(&self) -> *mut f64 {
        std::ptr::from_ref(self).cast_mut().cast()
    }

    pub fn args_ptr(&self) -> *const f64 {
        self.args[0].as_ptr().cast_const().cast()
    }

    /// The result value; the control words follow it (see the `*_FROM_VALUE` offsets).
    pub fn value_ptr(&self) -> *mut f64 {
        self.value.as_ptr().cast()
    }

    pub fn set_arg(&self, index: usize, value: f64) {
        self.args[index].store(value.to_bits(), Ordering::Relaxed);
    }

    pub fn value(&self) -> f64 {
        f64::from_bits(self.value.load(Ordering::Relaxed))
    }

    pub fn set_value(&self, value: f64) {
        self.value.store(value.to_bits(), Ordering::Relaxed);
    }

    pub fn arg(&self, index: usize) -> f64 {
        f64::from_bits(self.args[index].load(Ordering::Relaxed))
    }

    pub fn exit_kind(&self, index: usize) -> u8 {
        self.exit_kinds[index].load(Ordering::Relaxed)
    }

    pub fn global(&self, index: usize) -> f64 {
        f64::from_bits(self.globals[index].load(Ordering::Relaxed))
    }

    pub fn set_global(&self, index: usize, value: f64) {
        self.globals[index].store(value.to_bits(), Ordering::Relaxed);
    }

    pub fn control(&self, word: usize) -> u32 {
        self.control[word].load(Ordering::Relaxed)
    }

    pub fn set_control(&self, word: usize, value: u32) {
        self.control[word].store(value, Ordering::Relaxed);
    }
}
