//! The math builtins that cannot be exact IEEE operations (docs/math-builtins.md §5): `sin`,
//! `cos`, `tan`, `asin`, `acos`, `atan`, `log` and `pow` are the host C library's, and
//! `random` is a uniform draw in [0, 1). Each is one `extern "C"` function here, and both
//! paths use it: the interpreter through the N-API exports in `api.rs`, native code by
//! calling the function's address (`translate/lowering/math.rs`). So a result never depends
//! on whether the code computing it was hot, which a pair of implementations (V8's `Math.*`
//! and libm differ by an ulp in a few per cent of inputs) could not promise.
//!
//! Rust's `f64::sin` & co. are calls of the C library's functions of the same names (the
//! reference's `stdlib/math.rs` computes them the same way), so results are also
//! bit-identical to the reference's on the same host.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The math builtins by code: the number that crosses from TypeScript for a builtin global
/// (`builtinGlobals`), and the order of `NAMES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathFn {
    Abs,
    Floor,
    Ceil,
    Round,
    Min,
    Max,
    Sqrt,
    Pow,
    Log,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Clamp,
    Sign,
    Random,
}

/// The builtin names in code order.
pub const NAMES: [&str; 18] = [
    "abs", "floor", "ceil", "round", "min", "max", "sqrt", "pow", "log", "sin", "cos", "tan", "asin", "acos", "atan",
    "clamp", "sign", "random",
];

const ALL: [MathFn; 18] = [
    MathFn::Abs,
    MathFn::Floor,
    MathFn::Ceil,
    MathFn::Round,
    MathFn::Min,
    MathFn::Max,
    MathFn::Sqrt,
    MathFn::Pow,
    MathFn::Log,
    MathFn::Sin,
    MathFn::Cos,
    MathFn::Tan,
    MathFn::Asin,
    MathFn::Acos,
    MathFn::Atan,
    MathFn::Clamp,
    MathFn::Sign,
    MathFn::Random,
];

impl MathFn {
    pub fn from_code(code: u32) -> Option<Self> {
        ALL.get(code as usize).copied()
    }

    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    pub fn arity(self) -> usize {
        match self {
            Self::Random => 0,
            Self::Min | Self::Max | Self::Pow => 2,
            Self::Clamp => 3,
            _ => 1,
        }
    }

    /// The C-library function native code calls for this builtin, if it is not inlined.
    pub fn library_function(self) -> Option<LibraryFn> {
        Some(match self {
            Self::Sin => LibraryFn::Unary(sin),
            Self::Cos => LibraryFn::Unary(cos),
            Self::Tan => LibraryFn::Unary(tan),
            Self::Asin => LibraryFn::Unary(asin),
            Self::Acos => LibraryFn::Unary(acos),
            Self::Atan => LibraryFn::Unary(atan),
            Self::Log => LibraryFn::Unary(log),
            Self::Pow => LibraryFn::Binary(pow),
            Self::Random => LibraryFn::Nullary(random),
            _ => return None,
        })
    }
}

/// What a global name that no user global shadows resolves to (docs/math-builtins.md §1.3):
/// a math builtin, or one of the five constants (which native code reads as a constant).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Builtin {
    Function(MathFn),
    Constant(f64),
}

/// The constants' names, after the functions' in the code order.
pub const CONSTANT_NAMES: [&str; 5] = ["PI", "E", "SQRT2", "LN2", "LN10"];

/// The constants after the functions in the code order: PI, E, SQRT2, LN2, LN10.
const CONSTANTS: [f64; 5] = [
    std::f64::consts::PI,
    std::f64::consts::E,
    std::f64::consts::SQRT_2,
    std::f64::consts::LN_2,
    std::f64::consts::LN_10,
];

impl Builtin {
    /// Codes 0..18 are the functions (`MathFn`), 18..23 the constants.
    pub fn from_code(code: u32) -> Option<Self> {
        MathFn::from_code(code).map(Self::Function).or_else(|| {
            let index = (code as usize).checked_sub(ALL.len())?;
            CONSTANTS.get(index).copied().map(Self::Constant)
        })
    }
}

/// A called implementation, by its signature.
#[derive(Clone, Copy)]
pub enum LibraryFn {
    Nullary(extern "C" fn() -> f64),
    Unary(extern "C" fn(f64) -> f64),
    Binary(extern "C" fn(f64, f64) -> f64),
}

impl LibraryFn {
    pub fn address(self) -> usize {
        match self {
            Self::Nullary(f) => f as usize,
            Self::Unary(f) => f as usize,
            Self::Binary(f) => f as usize,
        }
    }

    pub fn arity(self) -> usize {
        match self {
            Self::Nullary(_) => 0,
            Self::Unary(_) => 1,
            Self::Binary(_) => 2,
        }
    }
}

pub extern "C" fn sin(x: f64) -> f64 {
    x.sin()
}

pub extern "C" fn cos(x: f64) -> f64 {
    x.cos()
}

pub extern "C" fn tan(x: f64) -> f64 {
    x.tan()
}

pub extern "C" fn asin(x: f64) -> f64 {
    x.asin()
}

pub extern "C" fn acos(x: f64) -> f64 {
    x.acos()
}

pub extern "C" fn atan(x: f64) -> f64 {
    x.atan()
}

/// The natural logarithm (Atlas `log` has no base parameter).
pub extern "C" fn log(x: f64) -> f64 {
    x.ln()
}

/// C99 `pow`: `pow(1, y)` is 1 for every y, NaN included, unlike JavaScript's.
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    x.powf(y)
}

/// A uniform double in [0, 1) from a per-thread generator seeded by the OS: any uniform
/// source is as good as the reference's, which no program can reproduce either.
pub extern "C" fn random() -> f64 {
    fastrand::f64()
}

/// The operands and result of the interpreter's calls of the library functions: two f64
/// cells shared with JavaScript (a Float64Array over them), so that a call crosses into the
/// addon without converting arguments or a result (napi's generated argument handling
/// costs several times the crossing). JavaScript writes the operands, calls the function's
/// argument-less callback, and reads the result from cell 0. Rust touches the cells only
/// atomically, so unsynchronized access from JavaScript is sound.
#[repr(C, align(8))]
pub struct OperandCells {
    cells: [AtomicU64; OPERAND_CELLS],
}

pub const OPERAND_CELLS: usize = 2;

impl OperandCells {
    pub fn new() -> Arc<Self> {
        Arc::new(Self { cells: [const { AtomicU64::new(0) }; OPERAND_CELLS] })
    }

    /// The cells' first byte, for the JavaScript view.
    pub fn base_ptr(&self) -> *mut f64 {
        self.cells.as_ptr() as *mut f64
    }

    fn get(&self, i: usize) -> f64 {
        f64::from_bits(self.cells[i].load(Ordering::Relaxed))
    }

    fn set(&self, i: usize, value: f64) {
        self.cells[i].store(value.to_bits(), Ordering::Relaxed);
    }

    /// Calls `f` on the operands in the cells and leaves its result in cell 0.
    pub fn apply(&self, f: LibraryFn) {
        let result = match f {
            LibraryFn::Nullary(f) => f(),
            LibraryFn::Unary(f) => f(self.get(0)),
            LibraryFn::Binary(f) => f(self.get(0), self.get(1)),
        };
        self.set(0, result);
    }
}

thread_local! {
    static CELLS: RefCell<Option<Arc<OperandCells>>> = const { RefCell::new(None) };
}

/// Makes `cells` this thread's operand cells (replacing any earlier ones).
pub fn install_cells(cells: Arc<OperandCells>) {
    CELLS.with(|slot| *slot.borrow_mut() = Some(cells));
}

/// Applies `f` to this thread's operand cells; false if the thread has none.
pub fn apply_on_this_thread(f: LibraryFn) -> bool {
    CELLS.with(|slot| slot.borrow().as_deref().map(|cells| cells.apply(f)).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_names_and_arities() {
        for (code, name) in NAMES.iter().enumerate() {
            let f = MathFn::from_code(code as u32).unwrap();
            assert_eq!(f.name(), *name);
            assert_eq!(f as usize, code);
            if let Some(library) = f.library_function() {
                assert_eq!(library.arity(), f.arity(), "{name}");
            }
        }
        assert_eq!(MathFn::from_code(18), None);
        assert_eq!(Builtin::from_code(0), Some(Builtin::Function(MathFn::Abs)));
        assert_eq!(Builtin::from_code(18), Some(Builtin::Constant(std::f64::consts::PI)));
        assert_eq!(Builtin::from_code(22), Some(Builtin::Constant(std::f64::consts::LN_10)));
        assert_eq!(Builtin::from_code(23), None);
    }

    #[test]
    fn c_library_special_cases() {
        assert_eq!(pow(1.0, f64::NAN), 1.0);
        assert_eq!(pow(-1.0, f64::INFINITY), 1.0);
        assert_eq!(log(0.0), f64::NEG_INFINITY);
        assert!(log(-1.0).is_nan());
        assert_eq!(sin(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(atan(f64::INFINITY), std::f64::consts::FRAC_PI_2);
        let cells = OperandCells::new();
        cells.set(0, 2.0);
        cells.set(1, 10.0);
        cells.apply(LibraryFn::Binary(pow));
        assert_eq!(cells.get(0), 1024.0);
        for _ in 0..1000 {
            let r = random();
            assert!((0.0..1.0).contains(&r));
        }
    }
}
