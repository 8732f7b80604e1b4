//! Decoding and the control-flow pre-pass: which instructions are reachable and where
//! blocks start (jump targets and the fall-through of JumpIfFalse).

use std::collections::{BTreeMap, BTreeSet};

use super::lowering;
use crate::frame::Rejection;
use crate::input::{Body, InputError, InputErrorKind};
use crate::opcode;
use crate::outcome::{Refusal, RefusalReason};

/// One decoded instruction: its opcode byte and name, its offset and the offset after its
/// operands.
#[derive(Clone, Copy, Debug)]
pub(super) struct Instruction {
    pub byte: u8,
    pub name: &'static str,
    pub pc: usize,
    pub next: usize,
}

impl Instruction {
    /// The big-endian u16 operand (constant, local and jump operands).
    pub fn u16_operand(&self, code: &[u8]) -> u16 {
        u16::from_be_bytes([code[self.pc + 1], code[self.pc + 2]])
    }

    /// The target of a jump (docs/bytecode.md §1.2: `pc + 3 + d`), which must be inside the body.
    pub fn jump_target(&self, code: &[u8], body: &Body) -> Result<usize, Rejection> {
        let (pc, name) = (self.pc, self.name);
        let target = pc as i64 + 3 + i64::from(self.u16_operand(code) as i16);
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
}

/// The instructions of `body` in address order, as (offset, opcode byte), up to a byte that
/// is no opcode or an instruction its end cuts off: a quick look at what a body holds, where
/// `scan` follows its control flow and checks it.
pub(super) fn linear<'a>(code: &'a [u8], body: &Body) -> impl Iterator<Item = (usize, u8)> + 'a {
    let end = body.end.min(code.len());
    let mut pc = body.start;
    std::iter::from_fn(move || {
        let byte = *code.get(pc).filter(|_| pc < end)?;
        let (_, operands) = opcode::describe(byte)?;
        let at = pc;
        pc += 1 + operands;
        (pc <= end).then_some((at, byte))
    })
}

/// Decodes the instruction at `pc`, which must lie inside the body with all its operands.
pub(super) fn decode(code: &[u8], body: &Body, pc: usize) -> Result<Instruction, Rejection> {
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
    Ok(Instruction { byte, name, pc, next })
}

/// Follows every path from `start` (the body's start, or an OSR entry); returns the block
/// leaders. Refuses paths that run past the body's end or jump out of it, unless the code
/// may leave there (`side_exits`: translation then ends the path with a side exit), and
/// jumps into the middle of an instruction. A path ends at an opcode without a lowering:
/// translating it is refused (or leaves) there.
pub(super) fn scan(code: &[u8], body: &Body, start: usize, side_exits: bool) -> Result<BTreeSet<usize>, Rejection> {
    let mut reached: BTreeMap<usize, usize> = BTreeMap::new();
    let mut leaders = BTreeSet::from([start]);
    let mut work = vec![start];
    let target = |instruction: &Instruction| match instruction.jump_target(code, body) {
        Err(_) if side_exits => Ok(None),
        other => other.map(Some),
    };
    while let Some(pc) = work.pop() {
        if reached.contains_key(&pc) || (side_exits && pc >= body.end) {
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
        let instruction = decode(code, body, pc)?;
        let next = instruction.next;
        reached.insert(pc, next);
        match instruction.byte {
            opcode::RETURN | opcode::HALT => {}
            opcode::JUMP | opcode::LOOP => {
                if let Some(target) = target(&instruction)? {
                    leaders.insert(target);
                    work.push(target);
                }
            }
            opcode::JUMP_IF_FALSE => {
                leaders.insert(next);
                work.push(next);
                if let Some(target) = target(&instruction)? {
                    leaders.insert(target);
                    work.push(target);
                }
            }
            byte if lowering::lowering(byte).is_some() => work.push(next),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opcode as op;

    fn scan_all(code: &[u8]) -> Result<BTreeSet<usize>, Rejection> {
        scan(code, &Body { start: 0, end: code.len(), arity: 0, local_count: 0 }, 0, false)
    }

    fn refusal_reason(result: Result<BTreeSet<usize>, Rejection>) -> Option<RefusalReason> {
        match result {
            Err(Rejection::Refused(refusal)) => Some(refusal.reason),
            _ => None,
        }
    }

    #[test]
    fn jump_targets_and_fall_throughs_lead_blocks() {
        // 0 True; 1 JumpIfFalse +1 (to 5, falls through to 4); 4 Null; 5 Null; 6 Return.
        let code = [op::TRUE, op::JUMP_IF_FALSE, 0, 1, op::NULL, op::NULL, op::RETURN];
        assert_eq!(scan_all(&code).ok(), Some(BTreeSet::from([0, 4, 5])));
    }

    #[test]
    fn paths_into_an_instruction_or_past_the_end_are_refused() {
        // The branch lands on 5, an operand byte of the Constant at 4.
        let code = [op::TRUE, op::JUMP_IF_FALSE, 0, 1, op::CONSTANT, op::NULL, op::RETURN, op::RETURN];
        assert_eq!(refusal_reason(scan_all(&code)), Some(RefusalReason::JumpOutOfBody));
        assert_eq!(refusal_reason(scan_all(&[op::NULL])), Some(RefusalReason::MissingTerminator));
        assert_eq!(refusal_reason(scan_all(&[op::JUMP, 0xff, 0xf0, op::RETURN])), Some(RefusalReason::JumpOutOfBody));
    }

    #[test]
    fn a_path_ends_at_an_unsupported_opcode() {
        // GetUpvalue has no lowering: the scan stops there instead of demanding a terminator.
        assert_eq!(scan_all(&[op::NULL, op::GET_UPVALUE, 0, 0]).ok(), Some(BTreeSet::from([0])));
    }
}
