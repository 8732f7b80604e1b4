//! What a compiled function reports back: its statically known result kind, how it
//! exits, the trap codes, and the status word its machine code returns.
//!
//! Status word (u64) returned by every compiled function:
//! - bits 0..8: status — 0 number, 1 bool, 2 null (a `Return` of that kind),
//!   3 trap, 4 halted (`Halt` executed);
//! - bits 8..16: the trap code (status 3) or the halted value's kind (status 4);
//! - bits 32..64: the bytecode offset of the trapping instruction (status 3).
//!
//! The value itself (number, bool as 0/1, null as 0) is stored to the result slot.

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

    fn from_bits(bits: u64) -> Option<Self> {
        match bits {
            0 => Some(Self::Number),
            1 => Some(Self::Bool),
            2 => Some(Self::Null),
            _ => None,
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

impl TrapCode {
    fn from_bits(bits: u64) -> Option<Self> {
        Some(match bits {
            1 => Self::DivideByZero,
            2 => Self::InvalidNumericResult,
            3 => Self::NotNonBool,
            4 => Self::ExpectedNumber,
            5 => Self::InvalidAdd,
            6 => Self::NegateNonNumber,
            _ => return None,
        })
    }
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

pub const STATUS_TRAP: u64 = 3;
pub const STATUS_HALTED: u64 = 4;

pub fn pack_return(kind: ValueKind) -> u64 {
    kind as u64
}

pub fn pack_halt(kind: ValueKind) -> u64 {
    STATUS_HALTED | (kind as u64) << 8
}

pub fn pack_trap(code: TrapCode, offset: u32) -> u64 {
    STATUS_TRAP | (code as u64) << 8 | u64::from(offset) << 32
}

/// A status word decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Returned(ValueKind),
    Halted(ValueKind),
    Trapped { code: TrapCode, offset: u32 },
}

impl Status {
    /// `None` only if the word was not produced by the translator (a bug, reported as such).
    pub fn decode(word: u64) -> Option<Self> {
        let detail = (word >> 8) & 0xff;
        match word & 0xff {
            s @ 0..=2 => ValueKind::from_bits(s).map(Self::Returned),
            STATUS_TRAP => TrapCode::from_bits(detail).map(|code| Self::Trapped { code, offset: (word >> 32) as u32 }),
            STATUS_HALTED => ValueKind::from_bits(detail).map(Self::Halted),
            _ => None,
        }
    }

    /// The numeric status `invoke` returns to JavaScript.
    pub fn code(self) -> u32 {
        match self {
            Self::Returned(kind) => kind as u32,
            Self::Trapped { .. } => STATUS_TRAP as u32,
            Self::Halted(_) => STATUS_HALTED as u32,
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_words_round_trip() {
        for kind in [ValueKind::Number, ValueKind::Bool, ValueKind::Null] {
            assert_eq!(Status::decode(pack_return(kind)), Some(Status::Returned(kind)));
            assert_eq!(Status::decode(pack_halt(kind)), Some(Status::Halted(kind)));
        }
        let word = pack_trap(TrapCode::NegateNonNumber, u32::MAX);
        assert_eq!(
            Status::decode(word),
            Some(Status::Trapped { code: TrapCode::NegateNonNumber, offset: u32::MAX })
        );
        assert_eq!(Status::decode(5), None);
        assert_eq!(Status::decode(STATUS_TRAP), None);
    }
}
