//! Atlas opcode bytes and names (docs/bytecode.md §1.3), as the Rust side needs them to re-decode its
//! input: the translator must tell a valid-but-unsupported opcode (a refusal) from a byte
//! that is no opcode at all (malformed input), and name the opcode in either case.
//!
//! `opcodes!` holds the one list: each line gives the constant, its byte, its name and its
//! operand byte count, and both the constants and the lookup table are derived from it.
//! Which opcodes the translator supports is decided by `translate::lowering`, not here.

macro_rules! opcodes {
    ($($constant:ident = $byte:literal, $name:literal, $operands:literal;)*) => {
        $(pub const $constant: u8 = $byte;)*

        /// Every opcode of the reference VM with its name and operand byte count.
        const OPCODES: &[(u8, &str, usize)] = &[$(($byte, $name, $operands)),*];
    };
}

opcodes! {
    CONSTANT = 0x01, "Constant", 2;
    NULL = 0x02, "Null", 0;
    TRUE = 0x03, "True", 0;
    FALSE = 0x04, "False", 0;
    GET_LOCAL = 0x10, "GetLocal", 2;
    SET_LOCAL = 0x11, "SetLocal", 2;
    GET_GLOBAL = 0x12, "GetGlobal", 2;
    SET_GLOBAL = 0x13, "SetGlobal", 2;
    MAKE_CLOSURE = 0x14, "MakeClosure", 4;
    GET_UPVALUE = 0x15, "GetUpvalue", 2;
    SET_UPVALUE = 0x16, "SetUpvalue", 2;
    ADD = 0x20, "Add", 0;
    SUB = 0x21, "Sub", 0;
    MUL = 0x22, "Mul", 0;
    DIV = 0x23, "Div", 0;
    MOD = 0x24, "Mod", 0;
    NEGATE = 0x25, "Negate", 0;
    EQUAL = 0x30, "Equal", 0;
    NOT_EQUAL = 0x31, "NotEqual", 0;
    LESS = 0x32, "Less", 0;
    LESS_EQUAL = 0x33, "LessEqual", 0;
    GREATER = 0x34, "Greater", 0;
    GREATER_EQUAL = 0x35, "GreaterEqual", 0;
    NOT = 0x40, "Not", 0;
    AND = 0x41, "And", 0;
    OR = 0x42, "Or", 0;
    JUMP = 0x50, "Jump", 2;
    JUMP_IF_FALSE = 0x51, "JumpIfFalse", 2;
    LOOP = 0x52, "Loop", 2;
    CALL = 0x60, "Call", 1;
    RETURN = 0x61, "Return", 0;
    ARRAY = 0x70, "Array", 2;
    GET_INDEX = 0x71, "GetIndex", 0;
    SET_INDEX = 0x72, "SetIndex", 0;
    POP = 0x80, "Pop", 0;
    DUP = 0x81, "Dup", 0;
    IS_OPTION_SOME = 0x90, "IsOptionSome", 0;
    IS_OPTION_NONE = 0x91, "IsOptionNone", 0;
    IS_RESULT_OK = 0x92, "IsResultOk", 0;
    IS_RESULT_ERR = 0x93, "IsResultErr", 0;
    EXTRACT_OPTION_VALUE = 0x94, "ExtractOptionValue", 0;
    EXTRACT_RESULT_VALUE = 0x95, "ExtractResultValue", 0;
    IS_ARRAY = 0x96, "IsArray", 0;
    GET_ARRAY_LEN = 0x97, "GetArrayLen", 0;
    HALT = 0xff, "Halt", 0;
}

/// Name and operand byte count of an opcode byte; `None` for a byte that is no opcode.
pub fn describe(byte: u8) -> Option<(&'static str, usize)> {
    OPCODES.iter().find(|(b, _, _)| *b == byte).map(|&(_, name, operands)| (name, operands))
}

/// The opcode's name, or `0xNN` for a byte that is no opcode.
pub fn name_of(byte: u8) -> String {
    match describe(byte) {
        Some((name, _)) => name.to_owned(),
        None => format!("0x{byte:02x}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_and_names_are_unique() {
        for (i, (byte, name, _)) in OPCODES.iter().enumerate() {
            for (other_byte, other_name, _) in &OPCODES[i + 1..] {
                assert_ne!(byte, other_byte, "{name} and {other_name} share a byte");
                assert_ne!(name, other_name);
            }
        }
        assert_eq!(OPCODES.len(), 45);
    }

    #[test]
    fn constants_name_their_opcode() {
        assert_eq!(describe(CONSTANT), Some(("Constant", 2)));
        assert_eq!(describe(MAKE_CLOSURE), Some(("MakeClosure", 4)));
        assert_eq!(describe(CALL), Some(("Call", 1)));
        assert_eq!(describe(HALT), Some(("Halt", 0)));
    }

    #[test]
    fn unknown_bytes_are_named_in_hex() {
        assert_eq!(describe(0x05), None);
        assert_eq!(name_of(0x05), "0x05");
        assert_eq!(name_of(0x60), "Call");
    }
}
