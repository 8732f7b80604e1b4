//! `Call n` of a math builtin (docs/math-builtins.md §6): `abs`, `floor`, `ceil`, `sqrt`,
//! `round`, `min`, `max`, `clamp` and `sign` inline, with sequences that give the
//! reference's bits (not Cranelift's `fmin`/`fmax`, which propagate NaN and order -0 before
//! +0); the library functions and `random` as calls of the one implementation in `math.rs`,
//! which the interpreter calls too. Results are not checked: NaN, ±∞ and -0 are ordinary
//! builtin results, and only the arithmetic that consumes them traps.
//!
//! A call the translator cannot prove equivalent leaves to the interpreter (or is refused):
//! a wrong argument count or an argument that is not a number, where the interpreter raises
//! the builtin's TypeError at the `Call`.

use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, Signature, Value};

use super::super::scan::Instruction;
use super::super::{Flow, Translator};
use crate::frame::{Rejection, Slot};
use crate::math::{LibraryFn, MathFn};
use crate::outcome::RefusalReason;

impl Translator<'_> {
    /// The call of builtin `f` at `i`, whose callee slot lies below its `argc` arguments.
    pub(super) fn call_math(&mut self, i: Instruction, f: MathFn, argc: usize) -> Result<Flow, Rejection> {
        let pc = i.pc;
        let leave = |message: String| Self::refusal(RefusalReason::UnknownCallee, i.name, pc, message);
        if argc != f.arity() {
            return Err(leave(format!("Call at offset {pc} passes {argc} argument(s) to {}()", f.name())));
        }
        let depth = self.frame.depth();
        let mut args = Vec::with_capacity(argc);
        for slot in &self.frame.slots()[depth - argc..] {
            let Slot::Number(x) = *slot else {
                return Err(leave(format!(
                    "Call at offset {pc} passes {}() an argument that is not a number",
                    f.name()
                )));
            };
            args.push(x);
        }
        // Pure functions of their arguments: nothing observable happens, so the deferred
        // finiteness checks need not be flushed first.
        let result = match f.library_function() {
            Some(library) => self.call_library(library, &args),
            None => self.inline_math(f, &args),
        };
        self.frame.drop_top(argc + 1);
        self.frame.push(Slot::Number(result));
        Ok(Flow::Next(i.next))
    }

    /// The exact sequences of docs/math-builtins.md §6 for the builtins that are IEEE
    /// operations or selections.
    fn inline_math(&mut self, f: MathFn, args: &[Value]) -> Value {
        let x = args[0];
        match f {
            MathFn::Abs => self.b.ins().fabs(x),
            MathFn::Floor => self.b.ins().floor(x),
            MathFn::Ceil => self.b.ins().ceil(x),
            MathFn::Sqrt => self.b.ins().sqrt(x),
            MathFn::Round => self.round(x),
            MathFn::Min => self.min_max(FloatCC::LessThan, x, args[1]),
            MathFn::Max => self.min_max(FloatCC::GreaterThan, x, args[1]),
            MathFn::Clamp => self.clamp(x, args[1], args[2]),
            MathFn::Sign => self.sign(x),
            _ => unreachable!("{} is a library function", f.name()),
        }
    }

    /// Ties to even (`nearest`); `+ 0.0` turns the -0 that `nearest` gives for x in
    /// [-0.5, 0) into +0, and the select keeps an input's own -0 (NaN and ±∞ pass through).
    fn round(&mut self, x: Value) -> Value {
        let nearest = self.b.ins().nearest(x);
        let zero = self.b.ins().f64const(0.0);
        let positive_zero = self.b.ins().fadd(nearest, zero);
        let is_zero = self.b.ins().fcmp(FloatCC::Equal, x, zero);
        self.b.ins().select(is_zero, x, positive_zero)
    }

    /// Rust's `f64::min` (`cc` LessThan) or `max` (GreaterThan) as the reference is built:
    /// `isNaN(a) ? b : (b cc a ? b : a)`. An ordered comparison is false when either operand
    /// is NaN, so a NaN `b` keeps `a`, and equal operands (±0 too) keep `a`.
    fn min_max(&mut self, cc: FloatCC, a: Value, b: Value) -> Value {
        let b_wins = self.b.ins().fcmp(cc, b, a);
        let ordered = self.b.ins().select(b_wins, b, a);
        let a_is_nan = self.b.ins().fcmp(FloatCC::Unordered, a, a);
        self.b.ins().select(a_is_nan, b, ordered)
    }

    /// NaN when `lo > hi` (false when either is NaN), else `min(max(v, lo), hi)`.
    fn clamp(&mut self, v: Value, lo: Value, hi: Value) -> Value {
        let raised = self.min_max(FloatCC::GreaterThan, v, lo);
        let clamped = self.min_max(FloatCC::LessThan, raised, hi);
        let inverted = self.b.ins().fcmp(FloatCC::GreaterThan, lo, hi);
        let nan = self.b.ins().f64const(f64::NAN);
        self.b.ins().select(inverted, nan, clamped)
    }

    /// 1 for x > 0, -1 for x < 0, else x itself (±0 keeps its sign, NaN stays NaN).
    fn sign(&mut self, x: Value) -> Value {
        let zero = self.b.ins().f64const(0.0);
        let one = self.b.ins().f64const(1.0);
        let minus_one = self.b.ins().f64const(-1.0);
        let negative = self.b.ins().fcmp(FloatCC::LessThan, x, zero);
        let not_positive = self.b.ins().select(negative, minus_one, x);
        let positive = self.b.ins().fcmp(FloatCC::GreaterThan, x, zero);
        self.b.ins().select(positive, one, not_positive)
    }

    /// Calls `library` by its address: the function lives in this addon for as long as any
    /// code does, so the module needs no symbol for it.
    fn call_library(&mut self, library: LibraryFn, args: &[Value]) -> Value {
        let call_conv = self.b.func.signature.call_conv;
        let mut signature = Signature::new(call_conv);
        signature.params.extend((0..library.arity()).map(|_| AbiParam::new(types::F64)));
        signature.returns.push(AbiParam::new(types::F64));
        let signature = self.b.import_signature(signature);
        let pointer = self.env.frontend.pointer_type();
        let address = self.b.ins().iconst(pointer, library.address() as i64);
        let call = self.b.ins().call_indirect(signature, address, args);
        self.b.inst_results(call)[0]
    }
}

#[cfg(test)]
mod tests {
    use crate::backend::{compile_module, OptLevel, Options};
    use crate::input::{ConstantKind, FunctionInput, ModuleInput, PoolEntry};
    use crate::invoke_area::{InvokeArea, STATUS};
    use crate::math::{self, MathFn};
    use crate::outcome::ValueKind;
    use crate::{invoker, opcode as op, registry};

    /// `fn f(x0, …) { return <builtin>(x0, …); }` with the builtin read through global
    /// constant 0, compiled and run on `args`; the returned bits.
    fn call(f: MathFn, args: &[f64]) -> f64 {
        let arity = f.arity();
        let mut code = vec![op::GET_GLOBAL, 0, 0];
        for i in 0..arity {
            code.extend([op::GET_LOCAL, 0, i as u8]);
        }
        code.extend([op::CALL, arity as u8, op::RETURN]);
        let input = FunctionInput {
            end: code.len(),
            code,
            start: 0,
            arity,
            local_count: arity,
            pool: vec![PoolEntry::Other(ConstantKind::String)],
        };
        let module = ModuleInput::single(&input).with_builtins(&[0, f as u32]).unwrap();
        let options = Options { opt_level: OptLevel::Speed, verify: true, interrupt_checks: true };
        let handle = registry::register(compile_module(&module, options).expect("compiles").code).unwrap();
        let area = InvokeArea::new();
        invoker::install_area(area.clone());
        for (i, &arg) in args.iter().enumerate() {
            area.set_arg(i, arg);
        }
        invoker::invoke(handle).expect("invokes");
        assert_eq!(area.control(STATUS), ValueKind::Number as u32);
        assert!(registry::release(handle));
        invoker::sweep_this_thread();
        area.value()
    }

    /// Rust's `f64::min`/`max` as the reference's build compiles them (docs/math-builtins.md
    /// §2.5): written out, because the std docs leave the sign of a zero tie open.
    fn min(a: f64, b: f64) -> f64 {
        if a.is_nan() || b < a {
            b
        } else {
            a
        }
    }

    fn max(a: f64, b: f64) -> f64 {
        if a.is_nan() || b > a {
            b
        } else {
            a
        }
    }

    /// The reference's algorithms (`stdlib/math.rs`), for comparison.
    fn reference(f: MathFn, a: &[f64]) -> f64 {
        let (x, y) = (a[0], a.get(1).copied().unwrap_or(0.0));
        match f {
            MathFn::Round => {
                if !x.is_finite() {
                    return x;
                }
                let (floor, r) = (x.floor(), x - x.floor());
                if r < 0.5 || (r == 0.5 && floor % 2.0 == 0.0) {
                    floor
                } else {
                    floor + 1.0
                }
            }
            MathFn::Min => min(x, y),
            MathFn::Max => max(x, y),
            MathFn::Clamp => {
                if y > a[2] {
                    f64::NAN
                } else {
                    min(max(x, y), a[2])
                }
            }
            MathFn::Sign if x.is_nan() => f64::NAN,
            MathFn::Sign if x > 0.0 => 1.0,
            MathFn::Sign if x < 0.0 => -1.0,
            MathFn::Sign => x,
            MathFn::Abs => x.abs(),
            MathFn::Floor => x.floor(),
            MathFn::Ceil => x.ceil(),
            MathFn::Sqrt => x.sqrt(),
            MathFn::Sin => math::sin(x),
            MathFn::Pow => math::pow(x, y),
            _ => unreachable!(),
        }
    }

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    #[test]
    fn builtins_give_the_reference_bits() {
        let specials = [0.0, -0.0, 0.5, -0.5, 1.5, -2.5, -0.2, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 5e-324, 3.7];
        let unary = [MathFn::Abs, MathFn::Floor, MathFn::Ceil, MathFn::Sqrt, MathFn::Round, MathFn::Sign, MathFn::Sin];
        for f in unary {
            for &x in &specials {
                assert!(same(call(f, &[x]), reference(f, &[x])), "{}({x})", f.name());
            }
        }
        for f in [MathFn::Min, MathFn::Max, MathFn::Pow] {
            for &x in &specials {
                for &y in &specials {
                    assert!(same(call(f, &[x, y]), reference(f, &[x, y])), "{}({x}, {y})", f.name());
                }
            }
        }
        for args in
            [[5.0, 10.0, 0.0], [f64::NAN, 0.0, 10.0], [5.0, f64::NAN, 10.0], [-0.0, 0.0, 10.0], [0.0, -0.0, 1.0]]
        {
            assert!(same(call(MathFn::Clamp, &args), reference(MathFn::Clamp, &args)), "clamp{args:?}");
        }
    }
}
