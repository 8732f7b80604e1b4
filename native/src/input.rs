//! The translator's input — one function of a program — and the checks that make it safe
//! to translate. The Rust side never trusts its caller: every range the translator relies
//! on is re-checked here or at the instruction that uses it.

use std::fmt;

#[cfg(not(test))]
use napi_derive::napi;

use crate::invoke_area::{FRAME_SLOTS, GLOBAL_SLOTS};
use crate::math::Builtin;
use crate::named::named_enum;
use crate::outcome::ValueKind;

named_enum! {
    /// Kinds of constant-pool entries; the index in `ALL` is the code `src/jit/native/contract.ts`
    /// marshals a kind as.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum ConstantKind {
        Number = "number",
        Null = "null",
        Bool = "bool",
        String = "string",
        Function = "function",
        Builtin = "builtin",
    }
}

impl ConstantKind {
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code)).copied()
    }
}

/// One constant-pool entry: only numbers carry a value the translator can use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PoolEntry {
    Number(f64),
    Other(ConstantKind),
}

/// The most parameters a function can have: `Call`'s argument count is a u8 (docs/bytecode.md §1.3).
pub const MAX_ARITY: usize = 255;

/// One function body of a module: where it lies in the code and its frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Body {
    pub start: usize,
    pub end: usize,
    pub arity: usize,
    pub local_count: usize,
}

/// The most functions one module (a root and the callees it reaches) may hold.
#[cfg_attr(not(test), napi)]
pub const MAX_FUNCTIONS: u32 = 256;

/// A call tree to compile into one module: `functions[0]` is the root; `calls` maps the
/// offset of a `Call` instruction to the index of the function it statically calls (the
/// caller resolved `GetGlobal f; args; Call n` and guards the global at run time).
#[derive(Clone, Debug)]
pub struct ModuleInput {
    pub code: Vec<u8>,
    pub pool: Vec<PoolEntry>,
    pub functions: Vec<Body>,
    pub calls: std::collections::BTreeMap<usize, usize>,
    /// Where the root is entered and the kinds of the frame it is entered with: its start
    /// and its parameters for a call, a loop header and the live frame for an OSR entry.
    pub entry: Entry,
    /// Whether the root may leave at an instruction it cannot translate (a side exit) instead
    /// of refusing the module; callees that cannot be translated then stay uncompiled, and
    /// the root leaves at its calls of them.
    pub side_exits: bool,
    /// The globals the code reads and writes natively, by slot: each slot's kind, and which
    /// string constants name which slot. The caller copies them in and out around a run.
    pub globals: Globals,
    /// String constants naming globals guarded to hold the functions the call table calls:
    /// with side exits on, a read of any other global that is not in `globals` leaves.
    pub callee_globals: std::collections::BTreeSet<usize>,
    /// String constants naming globals that resolve to a math builtin or constant (the caller
    /// guards that no user global of that name exists): a read of a constant is its value, a
    /// read of a function may only be called.
    pub builtins: std::collections::BTreeMap<usize, Builtin>,
}

/// The root's entry: an offset in its body and the frame's slot kinds there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub offset: usize,
    pub kinds: Vec<ValueKind>,
}

/// Globals held in the invoke area's global slots.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Globals {
    pub kinds: Vec<ValueKind>,
    /// String constant index → slot.
    pub slots: std::collections::BTreeMap<usize, usize>,
}

impl ModuleInput {
    /// A module of one function without calls.
    pub fn single(input: &FunctionInput) -> Self {
        Self {
            code: input.code.clone(),
            pool: input.pool.clone(),
            functions: vec![input.body()],
            calls: Default::default(),
            entry: Entry { offset: input.start, kinds: vec![ValueKind::Number; input.arity] },
            side_exits: false,
            globals: Globals::default(),
            callee_globals: Default::default(),
            builtins: Default::default(),
        }
    }

    /// Sets the root's entry from its marshalled form: an offset and one kind code per slot.
    pub fn with_entry(mut self, offset: usize, kinds: &[u8]) -> Result<Self, InputError> {
        let kinds = kinds
            .iter()
            .map(|&code| ValueKind::from_code(code))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| InputError::new(InputErrorKind::InvalidRange, offset, "unknown entry slot kind code"))?;
        self.entry = Entry { offset, kinds };
        Ok(self)
    }

    /// Sets the global slots from their marshalled forms: a kind code per slot, and two
    /// words per name (string constant index, slot).
    pub fn with_globals(mut self, kinds: &[u8], names: &[u32], callee_globals: &[u32]) -> Result<Self, InputError> {
        let bad = |message: String| InputError::new(InputErrorKind::InvalidRange, 0, message);
        let kinds = kinds
            .iter()
            .map(|&code| ValueKind::from_code(code))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad("unknown global slot kind code".to_owned()))?;
        if !names.len().is_multiple_of(2) {
            return Err(bad(format!("global name table of {} words", names.len())));
        }
        self.globals =
            Globals { kinds, slots: names.chunks_exact(2).map(|pair| (pair[0] as usize, pair[1] as usize)).collect() };
        self.callee_globals = callee_globals.iter().map(|&k| k as usize).collect();
        Ok(self)
    }

    /// Sets the builtin globals from their marshalled form: two words per name (string
    /// constant index, builtin code as in `Builtin::from_code`).
    pub fn with_builtins(mut self, pairs: &[u32]) -> Result<Self, InputError> {
        let bad = |message: String| InputError::new(InputErrorKind::InvalidRange, 0, message);
        if !pairs.len().is_multiple_of(2) {
            return Err(bad(format!("builtin global table of {} words", pairs.len())));
        }
        for pair in pairs.chunks_exact(2) {
            let builtin =
                Builtin::from_code(pair[1]).ok_or_else(|| bad(format!("unknown builtin code {}", pair[1])))?;
            self.builtins.insert(pair[0] as usize, builtin);
        }
        Ok(self)
    }

    /// Builds the function list and call table from their marshalled forms: four u32 per
    /// callee (start, end, arity, localCount) and two per call (offset, function index).
    pub fn with_callees(mut self, callees: &[u32], calls: &[u32]) -> Result<Self, InputError> {
        let bad = |message: String| Err(InputError::new(InputErrorKind::InvalidRange, 0, message));
        if !callees.len().is_multiple_of(4) || !calls.len().is_multiple_of(2) {
            return bad(format!("callee table of {} and call table of {} words", callees.len(), calls.len()));
        }
        for c in callees.chunks_exact(4) {
            self.functions.push(Body {
                start: c[0] as usize,
                end: c[1] as usize,
                arity: c[2] as usize,
                local_count: c[3] as usize,
            });
        }
        for c in calls.chunks_exact(2) {
            self.calls.insert(c[0] as usize, c[1] as usize);
        }
        Ok(self)
    }

    pub fn validate(&self) -> Result<(), InputError> {
        let bad = |message: String| Err(InputError::new(InputErrorKind::InvalidRange, 0, message));
        if self.functions.is_empty() || self.functions.len() > MAX_FUNCTIONS as usize {
            return bad(format!("a module holds 1..={MAX_FUNCTIONS} functions, got {}", self.functions.len()));
        }
        for body in &self.functions {
            validate_body(self.code.len(), body)?;
        }
        if let Some((&offset, &index)) = self.calls.iter().find(|(_, &index)| index >= self.functions.len()) {
            return bad(format!("the call at offset {offset} names function {index} of {}", self.functions.len()));
        }
        self.validate_entry()?;
        self.validate_globals()
    }

    /// A call enters at the root's start with one slot per parameter; an OSR entry inside the
    /// body with at most a frame's worth of slots.
    fn validate_entry(&self) -> Result<(), InputError> {
        let (root, entry) = (&self.functions[0], &self.entry);
        let bad = |message: String| Err(InputError::new(InputErrorKind::InvalidRange, entry.offset, message));
        if entry.offset < root.start || entry.offset >= root.end {
            return bad(format!("entry {} lies outside the root's body {}..{}", entry.offset, root.start, root.end));
        }
        if entry.offset == root.start && entry.kinds.len() != root.arity {
            return bad(format!("a call enters with {} slot(s) for {} parameter(s)", entry.kinds.len(), root.arity));
        }
        if entry.kinds.len() > FRAME_SLOTS {
            return bad(format!("an entry frame of {} slots exceeds {FRAME_SLOTS}", entry.kinds.len()));
        }
        // Function 0 of an OSR module is its loop, not its function: a recursive call must
        // name the function as a callee of its own.
        if entry.offset != root.start && self.calls.values().any(|&index| index == 0) {
            return bad("a call names the OSR entry as its callee".to_owned());
        }
        Ok(())
    }

    fn validate_globals(&self) -> Result<(), InputError> {
        let bad = |message: String| Err(InputError::new(InputErrorKind::InvalidRange, 0, message));
        if self.globals.kinds.len() > GLOBAL_SLOTS {
            return bad(format!("{} global slots exceed {GLOBAL_SLOTS}", self.globals.kinds.len()));
        }
        let names = self
            .globals
            .slots
            .iter()
            .map(|(&k, &slot)| (k, Some(slot)))
            .chain(self.callee_globals.iter().map(|&k| (k, None)));
        if let Some(k) =
            self.builtins.keys().find(|&k| self.globals.slots.contains_key(k) || self.callee_globals.contains(k))
        {
            return bad(format!("global name constant {k} names a builtin and a user global"));
        }
        let names = names.chain(self.builtins.keys().map(|&k| (k, None)));
        for (k, slot) in names {
            if self.pool.get(k) != Some(&PoolEntry::Other(ConstantKind::String)) {
                return bad(format!("global name constant {k} is not a string constant"));
            }
            if slot.is_some_and(|slot| slot >= self.globals.kinds.len()) {
                return bad(format!("global name constant {k} names slot {slot:?} of {}", self.globals.kinds.len()));
            }
        }
        Ok(())
    }
}

/// One function to translate. `code` is the whole program (docs/bytecode.md Q1 looks at the byte after a
/// `Pop`, which may lie outside the function); the body is `code[start..end]`.
#[derive(Clone, Debug)]
pub struct FunctionInput {
    pub code: Vec<u8>,
    pub start: usize,
    pub end: usize,
    pub arity: usize,
    pub local_count: usize,
    pub pool: Vec<PoolEntry>,
}

named_enum! {
    /// What was wrong with malformed input (`NativeInputRule` in `src/jit/native/contract.ts`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum InputErrorKind {
        /// start/end/arity/localCount or the constant pool are inconsistent.
        InvalidRange = "InvalidRange",
        UnknownOpcode = "UnknownOpcode",
        TruncatedInstruction = "TruncatedInstruction",
        ConstantOutOfRange = "ConstantOutOfRange",
        LocalOutOfRange = "LocalOutOfRange",
        StackUnderflow = "StackUnderflow",
    }
}

/// Malformed input: something a validator should have rejected before translation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub kind: InputErrorKind,
    pub offset: usize,
    pub message: String,
}

impl InputError {
    pub fn new(kind: InputErrorKind, offset: usize, message: impl Into<String>) -> Self {
        Self { kind, offset, message: message.into() }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at offset {}: {}", self.kind.name(), self.offset, self.message)
    }
}

impl FunctionInput {
    /// Builds the pool from the marshalled kind codes and number values.
    pub fn pool_from_parts(kinds: &[u8], numbers: &[f64]) -> Result<Vec<PoolEntry>, InputError> {
        if kinds.len() != numbers.len() {
            return Err(InputError::new(
                InputErrorKind::InvalidRange,
                0,
                format!("constant pool has {} kinds but {} values", kinds.len(), numbers.len()),
            ));
        }
        kinds
            .iter()
            .zip(numbers)
            .enumerate()
            .map(|(index, (&code, &value))| match ConstantKind::from_code(code) {
                Some(ConstantKind::Number) => Ok(PoolEntry::Number(value)),
                Some(kind) => Ok(PoolEntry::Other(kind)),
                None => Err(InputError::new(
                    InputErrorKind::InvalidRange,
                    0,
                    format!("constant {index} has unknown kind code {code}"),
                )),
            })
            .collect()
    }

    pub fn body(&self) -> Body {
        Body { start: self.start, end: self.end, arity: self.arity, local_count: self.local_count }
    }

    /// Checks the frame description against the code (the body is checked as it is read).
    pub fn validate(&self) -> Result<(), InputError> {
        validate_body(self.code.len(), &self.body())
    }
}

/// Checks one frame description against the code length.
fn validate_body(code_len: usize, body: &Body) -> Result<(), InputError> {
    let bad = |message: String| Err(InputError::new(InputErrorKind::InvalidRange, body.start, message));
    if code_len > u32::MAX as usize {
        return bad(format!("code of {code_len} bytes exceeds the 4 GiB offset range"));
    }
    if body.start >= body.end || body.end > code_len {
        return bad(format!(
            "function body {}..{} is not a non-empty range inside the code (length {code_len})",
            body.start, body.end
        ));
    }
    if body.arity > MAX_ARITY {
        return bad(format!("arity {} exceeds {MAX_ARITY}", body.arity));
    }
    if body.local_count < body.arity || body.local_count > 0x1_0000 {
        return bad(format!(
            "localCount {} must be at least the arity {} and at most 65536",
            body.local_count, body.arity
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(code: &[u8], start: usize, end: usize, arity: usize, local_count: usize) -> FunctionInput {
        FunctionInput { code: code.to_vec(), start, end, arity, local_count, pool: vec![] }
    }

    #[test]
    fn accepts_a_well_formed_frame() {
        assert!(input(&[0x02, 0x61], 0, 2, 0, 0).validate().is_ok());
        assert!(input(&[0x02, 0x61], 1, 2, 2, 3).validate().is_ok());
    }

    #[test]
    fn rejects_bad_ranges() {
        for bad in [
            input(&[0x02, 0x61], 1, 1, 0, 0),
            input(&[0x02, 0x61], 0, 3, 0, 0),
            input(&[0x02, 0x61], 0, 2, 256, 256),
            input(&[0x02, 0x61], 0, 2, 2, 1),
            input(&[0x02, 0x61], 0, 2, 0, 0x1_0001),
        ] {
            assert_eq!(bad.validate().unwrap_err().kind, InputErrorKind::InvalidRange);
        }
    }

    #[test]
    fn builds_the_pool_and_rejects_unknown_kinds() {
        let pool = FunctionInput::pool_from_parts(&[0, 3], &[1.5, 0.0]).unwrap();
        assert_eq!(pool, vec![PoolEntry::Number(1.5), PoolEntry::Other(ConstantKind::String)]);
        assert!(FunctionInput::pool_from_parts(&[9], &[0.0]).is_err());
        assert!(FunctionInput::pool_from_parts(&[0], &[]).is_err());
    }
}
