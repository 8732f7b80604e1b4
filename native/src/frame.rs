//! The statically typed model of one VM frame (docs/bytecode.md §3.3): the arguments are the frame's
//! first stack slots, `let` values pushed later become higher slots, and every slot's
//! kind is known at translation time. `V` is the slot's payload — a Cranelift value in the
//! translator, anything `Copy` in unit tests.

use crate::input::{InputError, InputErrorKind};
use crate::outcome::{Refusal, RefusalReason, ValueKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot<V> {
    Number(V),
    Bool(V),
    /// Null carries no payload: every null is the same value.
    Null,
    /// A statically known function about to be called (pushed by `GetGlobal f` or a
    /// function `Constant`); it has no runtime representation and may only be called,
    /// copied or popped. A side exit hands it to the interpreter as what it came from.
    Callee(CalleeRef),
}

/// Where a callee slot's function comes from, so the interpreter can rebuild the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalleeRef {
    /// The global named by this string constant (guarded to hold a known function).
    Global(u32),
    /// This function constant.
    Constant(u32),
}

impl<V> Slot<V> {
    /// The kind of a value slot; `None` for a callee.
    pub fn kind(&self) -> Option<ValueKind> {
        match self {
            Self::Number(_) => Some(ValueKind::Number),
            Self::Bool(_) => Some(ValueKind::Bool),
            Self::Null => Some(ValueKind::Null),
            Self::Callee(_) => None,
        }
    }

    /// The slot's type without its payload: what must agree where paths merge.
    pub fn shape(&self) -> Slot<()> {
        match self {
            Self::Number(_) => Slot::Number(()),
            Self::Bool(_) => Slot::Bool(()),
            Self::Null => Slot::Null,
            Self::Callee(callee) => Slot::Callee(*callee),
        }
    }

    pub fn payload(&self) -> Option<&V> {
        match self {
            Self::Number(v) | Self::Bool(v) => Some(v),
            Self::Null | Self::Callee(_) => None,
        }
    }
}

/// Why translation stopped without producing code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    Invalid(InputError),
    Refused(Refusal),
}

impl From<InputError> for Rejection {
    fn from(error: InputError) -> Self {
        Self::Invalid(error)
    }
}

#[derive(Clone)]
pub struct Frame<V> {
    slots: Vec<Slot<V>>,
    local_count: usize,
}

impl<V: Copy> Frame<V> {
    /// A frame holding the parameters (numbers, docs/bytecode.md §3.3) as locals 0..arity-1.
    pub fn new(params: impl IntoIterator<Item = V>, local_count: usize) -> Self {
        Self { slots: params.into_iter().map(Slot::Number).collect(), local_count }
    }

    /// A frame entered with `slots` (a block's parameters).
    pub fn from_slots(slots: Vec<Slot<V>>, local_count: usize) -> Self {
        Self { slots, local_count }
    }

    pub fn slots(&self) -> &[Slot<V>] {
        &self.slots
    }

    /// Removes the top `n` slots (a call's callee and arguments).
    pub fn drop_top(&mut self, n: usize) {
        self.slots.truncate(self.slots.len().saturating_sub(n));
    }

    pub fn depth(&self) -> usize {
        self.slots.len()
    }

    pub fn push(&mut self, slot: Slot<V>) {
        self.slots.push(slot);
    }

    /// Pops an operand; reaching below the frame is malformed input.
    pub fn pop(&mut self, offset: usize, opcode: &str) -> Result<Slot<V>, InputError> {
        self.slots.pop().ok_or_else(|| underflow(offset, opcode))
    }

    pub fn peek(&self, offset: usize, opcode: &str) -> Result<Slot<V>, InputError> {
        self.slots.last().copied().ok_or_else(|| underflow(offset, opcode))
    }

    /// The value a `Return`/`Pop`/`Halt` takes: with an empty frame the VM would use the
    /// caller's stack (the callee slot, docs/bytecode.md §3.4), which the translator cannot see.
    pub fn take_exit_value(&mut self, offset: usize, opcode: &str, pop: bool) -> Result<Slot<V>, Refusal> {
        let value = self.slots.last().copied().ok_or_else(|| Refusal {
            reason: RefusalReason::FrameUnderflow,
            opcode: opcode.to_owned(),
            offset,
            message: format!("{opcode} at offset {offset} needs a value but the frame's stack is empty"),
        })?;
        if pop {
            self.slots.pop();
        }
        Ok(value)
    }

    /// GetLocal i (docs/bytecode.md §2.4): reads slot i, which must exist in the frame.
    pub fn get_local(&self, index: usize, offset: usize) -> Result<Slot<V>, InputError> {
        self.slots.get(index).copied().ok_or_else(|| {
            InputError::new(
                InputErrorKind::LocalOutOfRange,
                offset,
                format!("GetLocal {index} but the frame holds {} value(s)", self.slots.len()),
            )
        })
    }

    /// SetLocal i (docs/bytecode.md §2.4): stores TOS (which stays) into slot i. Writing past the top
    /// pads with nulls only when i is the last declared local; otherwise the VM raises
    /// StackUnderflow, which native code cannot report, so the function is refused.
    pub fn set_local(&mut self, index: usize, offset: usize) -> Result<(), Rejection> {
        if index >= self.local_count {
            return Err(InputError::new(
                InputErrorKind::LocalOutOfRange,
                offset,
                format!("SetLocal {index} outside the frame's {} local(s)", self.local_count),
            )
            .into());
        }
        let value = self.peek(offset, "SetLocal")?;
        if index < self.slots.len() {
            self.slots[index] = value;
            return Ok(());
        }
        if index + 1 < self.local_count {
            return Err(Rejection::Refused(Refusal {
                reason: RefusalReason::SetLocalUnderflow,
                opcode: "SetLocal".to_owned(),
                offset,
                message: format!(
                    "SetLocal {index} at offset {offset} writes past the stack top ({} value(s)) below the last local; the VM raises StackUnderflow there",
                    self.slots.len()
                ),
            }));
        }
        self.slots.resize(index, Slot::Null);
        self.slots.push(value);
        Ok(())
    }
}

fn underflow(offset: usize, opcode: &str) -> InputError {
    InputError::new(
        InputErrorKind::StackUnderflow,
        offset,
        format!("{opcode} needs more values than the frame's stack holds"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(params: &[u8], local_count: usize) -> Frame<u8> {
        Frame::new(params.iter().copied(), local_count)
    }

    #[test]
    fn params_are_the_first_locals() {
        let f = frame(&[7, 8], 2);
        assert_eq!(f.get_local(1, 0), Ok(Slot::Number(8)));
        assert_eq!(f.get_local(2, 5).unwrap_err().kind, InputErrorKind::LocalOutOfRange);
    }

    #[test]
    fn set_local_inside_the_stack_overwrites_and_keeps_tos() {
        let mut f = frame(&[1, 2], 2);
        f.push(Slot::Bool(9));
        f.set_local(0, 0).unwrap();
        assert_eq!(f.get_local(0, 0), Ok(Slot::Bool(9)));
        assert_eq!(f.depth(), 3);
    }

    #[test]
    fn set_local_of_the_last_local_pads_with_nulls() {
        let mut f = frame(&[1], 4);
        f.set_local(3, 0).unwrap();
        assert_eq!(f.depth(), 4);
        assert_eq!(f.get_local(1, 0), Ok(Slot::Null));
        assert_eq!(f.get_local(2, 0), Ok(Slot::Null));
        assert_eq!(f.get_local(3, 0), Ok(Slot::Number(1)));
        assert_eq!(f.get_local(0, 0), Ok(Slot::Number(1)));
    }

    #[test]
    fn set_local_padding_below_the_last_local_is_refused() {
        let mut f = frame(&[1], 4);
        match f.set_local(2, 3) {
            Err(Rejection::Refused(r)) => assert_eq!(r.reason, RefusalReason::SetLocalUnderflow),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn set_local_errors() {
        let mut f = frame(&[], 1);
        assert!(matches!(f.set_local(0, 0), Err(Rejection::Invalid(e)) if e.kind == InputErrorKind::StackUnderflow));
        assert!(matches!(f.set_local(1, 0), Err(Rejection::Invalid(e)) if e.kind == InputErrorKind::LocalOutOfRange));
    }

    #[test]
    fn exits_with_an_empty_frame_are_refused() {
        let mut f = frame(&[], 0);
        assert_eq!(f.take_exit_value(4, "Return", true).unwrap_err().reason, RefusalReason::FrameUnderflow);
        assert_eq!(f.pop(4, "Add").unwrap_err().kind, InputErrorKind::StackUnderflow);
    }
}
