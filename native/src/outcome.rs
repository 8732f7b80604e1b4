//! What a compiled function reports back: its statically known result kind, how it
//! exits, the trap codes and status numbers its machine code stores into the invoke area,
//! and why a function may be refused.

/// The static type of a stack slot, and so of a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
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
/// `Return` of that kind), 3 trap, 4 halted, 5 interrupted (the interrupt flag was set),
/// 6 bailed out (the call would pass the interpreter's frame or stack limit, or the native
/// stack budget: nothing observable happened, so the caller re-runs it interpreted).
pub const STATUS_TRAP: u32 = 3;
pub const STATUS_HALTED: u32 = 4;
pub const STATUS_INTERRUPTED: u32 = 5;
pub const STATUS_BAILOUT: u32 = 6;

/// Why the translator declined a function: a normal outcome, never an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalReason {
    /// An opcode outside the native subset (global writes, closures, arrays, ...).
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
    /// A jump leaves the body or lands inside an instruction.
    JumpOutOfBody,
    /// Two paths reach one instruction with different stack depths or slot types.
    MergeMismatch,
    /// A `Call` whose callee is not statically known (no entry in the call table), or
    /// whose arguments are not all numbers.
    UnknownCallee,
    /// A value whose type the translator cannot represent is used: a global read other
    /// than a known function's callee, or such a callee used as a value.
    UntypedValue,
    /// A function called natively returns values of different kinds on different paths.
    CalleeReturnType,
}

impl RefusalReason {
    pub fn name(self) -> &'static str {
        match self {
            Self::UnsupportedOpcode => "UnsupportedOpcode",
            Self::NonNumberConstant => "NonNumberConstant",
            Self::FrameUnderflow => "FrameUnderflow",
            Self::SetLocalUnderflow => "SetLocalUnderflow",
            Self::MissingTerminator => "MissingTerminator",
            Self::JumpOutOfBody => "JumpOutOfBody",
            Self::MergeMismatch => "MergeMismatch",
            Self::UnknownCallee => "UnknownCallee",
            Self::UntypedValue => "UntypedValue",
            Self::CalleeReturnType => "CalleeReturnType",
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

impl Refusal {
    pub fn new(reason: RefusalReason, opcode: &str, offset: usize, message: impl Into<String>) -> Self {
        Self { reason, opcode: opcode.to_owned(), offset, message: message.into() }
    }
}
