//! Atlas opcode bytes and names (spec §1.3), as the Rust side needs them to re-decode its
//! input: the translator must tell a valid-but-unsupported opcode (a refusal) from a byte
//! that is no opcode at all (malformed input), and name the opcode in either case.

pub const CONSTANT: u8 = 0x01;
pub const NULL: u8 = 0x02;
pub const TRUE: u8 = 0x03;
pub const FALSE: u8 = 0x04;
pub const GET_LOCAL: u8 = 0x10;
pub const SET_LOCAL: u8 = 0x11;
pub const GET_GLOBAL: u8 = 0x12;
pub const ADD: u8 = 0x20;
pub const SUB: u8 = 0x21;
pub const MUL: u8 = 0x22;
pub const DIV: u8 = 0x23;
pub const MOD: u8 = 0x24;
pub const NEGATE: u8 = 0x25;
pub const EQUAL: u8 = 0x30;
pub const NOT_EQUAL: u8 = 0x31;
pub const LESS: u8 = 0x32;
pub const LESS_EQUAL: u8 = 0x33;
pub const GREATER: u8 = 0x34;
pub const GREATER_EQUAL: u8 = 0x35;
pub const NOT: u8 = 0x40;
pub const JUMP: u8 = 0x50;
pub const JUMP_IF_FALSE: u8 = 0x51;
pub const LOOP: u8 = 0x52;
pub const CALL: u8 = 0x60;
pub const RETURN: u8 = 0x61;
pub const POP: u8 = 0x80;
pub const DUP: u8 = 0x81;
pub const HALT: u8 = 0xff;

/// Every opcode of the reference VM with its operand byte count (spec §1.1, §1.3).
const OPCODES: [(u8, &str, usize); 45] = [
    (0x01, "Constant", 2),
    (0x02, "Null", 0),
    (0x03, "True", 0),
    (0x04, "False", 0),
    (0x10, "GetLocal", 2),
    (0x11, "SetLocal", 2),
    (0x12, "GetGlobal", 2),
    (0x13, "SetGlobal", 2),
    (0x14, "MakeClosure", 4),
    (0x15, "GetUpvalue", 2),
    (0x16, "SetUpvalue", 2),
    (0x20, "Add", 0),
    (0x21, "Sub", 0),
    (0x22, "Mul", 0),
    (0x23, "Div", 0),
    (0x24, "Mod", 0),
    (0x25, "Negate", 0),
    (0x30, "Equal", 0),
    (0x31, "NotEqual", 0),
    (0x32, "Less", 0),
    (0x33, "LessEqual", 0),
    (0x34, "Greater", 0),
    (0x35, "GreaterEqual", 0),
    (0x40, "Not", 0),
    (0x41, "And", 0),
    (0x42, "Or", 0),
    (0x50, "Jump", 2),
    (0x51, "JumpIfFalse", 2),
    (0x52, "Loop", 2),
    (0x60, "Call", 1),
    (0x61, "Return", 0),
    (0x70, "Array", 2),
    (0x71, "GetIndex", 0),
    (0x72, "SetIndex", 0),
    (0x80, "Pop", 0),
    (0x81, "Dup", 0),
    (0x90, "IsOptionSome", 0),
    (0x91, "IsOptionNone", 0),
    (0x92, "IsResultOk", 0),
    (0x93, "IsResultErr", 0),
    (0x94, "ExtractOptionValue", 0),
    (0x95, "ExtractResultValue", 0),
    (0x96, "IsArray", 0),
    (0x97, "GetArrayLen", 0),
    (0xff, "Halt", 0),
];

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
    fn every_named_constant_matches_the_table() {
        for (byte, name) in [
            (CONSTANT, "Constant"),
            (NULL, "Null"),
            (TRUE, "True"),
            (FALSE, "False"),
            (GET_LOCAL, "GetLocal"),
            (SET_LOCAL, "SetLocal"),
            (ADD, "Add"),
            (SUB, "Sub"),
            (MUL, "Mul"),
            (DIV, "Div"),
            (MOD, "Mod"),
            (NEGATE, "Negate"),
            (EQUAL, "Equal"),
            (NOT_EQUAL, "NotEqual"),
            (LESS, "Less"),
            (LESS_EQUAL, "LessEqual"),
            (GREATER, "Greater"),
            (GREATER_EQUAL, "GreaterEqual"),
            (NOT, "Not"),
            (RETURN, "Return"),
            (POP, "Pop"),
            (DUP, "Dup"),
            (HALT, "Halt"),
        ] {
            assert_eq!(describe(byte).map(|d| d.0), Some(name));
        }
    }

    #[test]
    fn unknown_bytes_are_named_in_hex() {
        assert_eq!(describe(0x05), None);
        assert_eq!(name_of(0x05), "0x05");
        assert_eq!(name_of(0x60), "Call");
    }
}
