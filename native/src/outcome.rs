//! What a compiled function reports back: its statically known result kind, how it
//! exits, the trap codes and status numbers its machine code stores into the invoke area,
//! and why a function may be refused.

#[cfg(not(test))]
use napi_derive::napi;

use crate::named::named_enum;

named_enum! {
    /// The static type of a stack slot, and so of a result; its code (0 number, 1 bool,
    /// 2 null) is also the status of a `Return` of that kind and the halt kind word.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    pub enum ValueKind {
        Number = "number",
        Bool = "bool",
        Null = "null",
    }
}

impl ValueKind {
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code)).copied()
    }
}

/// Runtime errors native code can raise, numbered as `TrapCode` in `src/jit/native/contract.ts`.
#[cfg_attr(not(test), napi)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrapCode {
    DivideByZero = 1,
    InvalidNumericResult = 2,
    /// TypeError "Cannot apply ! to non-boolean".
    NotNonBool = 3,
    /// TypeError "Expected number".
    ExpectedNumber = 4,
    /// TypeError "Invalid operands for +".
    InvalidAdd = 5,
    /// TypeError "Cannot negate non-number".
    NegateNonNumber = 6,
}

/// How every run of a translated function ends when no dynamic trap fires first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Return(ValueKind),
    Halt(ValueKind),
    /// A type error that fires unconditionally (types are static).
    Trap(TrapCode),
    /// A side exit to the interpreter.
    SideExit,
}

named_enum! {
    /// What a frame slot handed back by a side exit holds; its code is the kind byte the
    /// code stores beside the slot's f64 (for callees, the f64 is a constant index).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum ExitSlotKind {
        Number = "number",
        Bool = "bool",
        Null = "null",
        /// The function held by the global named by string constant `value`.
        GlobalCallee = "global",
        /// Function constant `value`.
        ConstantCallee = "function",
    }
}

impl Exit {
    pub fn name(self) -> &'static str {
        match self {
            Self::Return(_) => "return",
            Self::Halt(_) => "halt",
            Self::Trap(_) => "trap",
            Self::SideExit => "sideExit",
        }
    }

    /// The kind of the value a completed run produces; `Null` for an always-trapping function.
    pub fn value_kind(self) -> ValueKind {
        match self {
            Self::Return(kind) | Self::Halt(kind) => kind,
            Self::Trap(_) | Self::SideExit => ValueKind::Null,
        }
    }
}

/// The status the generated code stores (and returns), as `InvokeStatus` in
/// `src/jit/native/contract.ts`.
#[cfg_attr(not(test), napi)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvokeStatus {
    /// A `Return` of a number, bool or null (the `ValueKind` codes).
    Number = 0,
    Bool = 1,
    Null = 2,
    Trap = 3,
    Halted = 4,
    /// The interrupt flag was set.
    Interrupted = 5,
    /// The call would pass the interpreter's frame or stack limit, or the native stack
    /// budget: nothing observable happened, so the caller re-runs it interpreted.
    BailedOut = 6,
    /// The code left at an instruction it does not handle natively; its frames are in the
    /// invoke area (a record per frame: offset, slot values and kinds) for the interpreter.
    SideExit = 7,
}

pub const STATUS_TRAP: u32 = InvokeStatus::Trap as u32;
pub const STATUS_HALTED: u32 = InvokeStatus::Halted as u32;
pub const STATUS_INTERRUPTED: u32 = InvokeStatus::Interrupted as u32;
pub const STATUS_BAILOUT: u32 = InvokeStatus::BailedOut as u32;
pub const STATUS_SIDE_EXIT: u32 = InvokeStatus::SideExit as u32;

/// The kind byte of a side exit's frame header slot: its f64 is the offset where the frame
/// stopped (the exit's instruction for the innermost frame, the `Call` for the others).
pub const EXIT_HEADER_KIND: u8 = 255;

named_enum! {
    /// Why the translator declined a function: a normal outcome, never an error.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum RefusalReason {
        /// An opcode outside the native subset (global writes, closures, arrays, ...).
        UnsupportedOpcode = "UnsupportedOpcode",
        /// `Constant` of a string, bool, null, function or builtin constant.
        NonNumberConstant = "NonNumberConstant",
        /// `Return`, `Pop` or `Halt` would take a value from below the frame, where the VM's
        /// behaviour depends on the caller's stack.
        FrameUnderflow = "FrameUnderflow",
        /// `SetLocal` past the stack top where the VM's padding rule raises StackUnderflow.
        SetLocalUnderflow = "SetLocalUnderflow",
        /// The body ends without a `Return` or `Halt`; the VM would run on past `end`.
        MissingTerminator = "MissingTerminator",
        /// A jump leaves the body or lands inside an instruction.
        JumpOutOfBody = "JumpOutOfBody",
        /// Two paths reach one instruction with different stack depths or slot types.
        MergeMismatch = "MergeMismatch",
        /// A `Call` whose callee is not statically known (no entry in the call table), or
        /// whose arguments are not all numbers.
        UnknownCallee = "UnknownCallee",
        /// A value whose type the translator cannot represent is used: a global read other
        /// than a known function's callee, or such a callee used as a value.
        UntypedValue = "UntypedValue",
        /// A function called natively returns values of different kinds on different paths.
        CalleeReturnType = "CalleeReturnType",
        /// The module's translation passes the size budget (`translate::MAX_UNITS`): it would
        /// take too long to compile.
        TooLarge = "TooLarge",
        /// With side exits on, every path from the entry leaves to the interpreter before it
        /// returns, halts, traps or loops: the code would cost a frame transfer and do nothing.
        AlwaysExits = "AlwaysExits",
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub reason: RefusalReason,
    /// The opcode's name (`0xNN` style never occurs: unknown bytes are input errors).
    pub opcode: String,
    pub offset: usize,
    pub message: String,
}

impl Refusal {
    pub fn new(reason: RefusalReason, opcode: &str, offset: usize, message: impl Into<String>) -> Self {
        Self { reason, opcode: opcode.to_owned(), offset, message: message.into() }
    }
}
