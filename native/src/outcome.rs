//! What a compiled function reports back: its statically known result kind, how it
//! exits, the trap codes and status numbers its machine code stores into the invoke area,
//! and why a function may be refused.

/// The static type of a stack slot, and so of a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    Number = 0,
    Bool = 1,
    Null = 2,
}

impl ValueKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Bool => "bool",
            Self::Null => "null",
        }
    }
}

/// Runtime errors native code can raise, numbered as `TrapCode` in `src/jit/native.ts`.
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
}

impl Exit {
    pub fn name(self) -> &'static str {
        match self {
            Self::Return(_) => "return",
            Self::Halt(_) => "halt",
            Self::Trap(_) => "trap",
        }
    }

    /// The kind of the value a completed run produces; `Null` for an always-trapping function.
    pub fn value_kind(self) -> ValueKind {
        match self {
            Self::Return(kind) | Self::Halt(kind) => kind,
            Self::Trap(_) => ValueKind::Null,
        }
    }
}

/// The status the generated code stores (and returns): 0 number, 1 bool, 2 null (a
/// `Return` of that kind), 3 trap, 4 halted.
pub const STATUS_TRAP: u32 = 3;
pub const STATUS_HALTED: u32 = 4;

/// Why the translator declined a function: a normal outcome, never an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalReason {
    /// An opcode outside the straight-line numeric subset (globals, calls, jumps, ...).
    UnsupportedOpcode,
    /// `Constant` of a string, bool, null, function or builtin constant.
    NonNumberConstant,
    /// `Return`, `Pop` or `Halt` would take a value from below the frame, where the VM's
    /// behaviour depends on the caller's stack.
    FrameUnderflow,
    /// `SetLocal` past the stack top where the VM's padding rule raises StackUnderflow.
    SetLocalUnderflow,
    /// The body ends without a `Return` or `Halt`; the VM would run on past `end`.
    MissingTerminator,
}

impl RefusalReason {
    pub fn name(self) -> &'static str {
        match self {
            Self::UnsupportedOpcode => "UnsupportedOpcode",
            Self::NonNumberConstant => "NonNumberConstant",
            Self::FrameUnderflow => "FrameUnderflow",
            Self::SetLocalUnderflow => "SetLocalUnderflow",
            Self::MissingTerminator => "MissingTerminator",
        }
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
