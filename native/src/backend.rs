//! From a translated call tree to callable machine code: the host ISA (from
//! cranelift-native) at the requested opt level, one `JITModule` per tree (so that
//! releasing it really frees its memory), and the real code size. Debugging aids, printed
//! to stderr: `ATLAS_JIT_DISASM=1` the machine code of every compiled function,
//! `ATLAS_JIT_TIMING=1` the time of our translation and of each Cranelift pass per tree.

use std::sync::OnceLock;
use std::time::Instant;

use cranelift_codegen::ir::UserExternalName;
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};

use crate::code::{NativeCode, OwnedModule};
use crate::frame::Rejection;
use crate::input::{FunctionInput, ModuleInput};
use crate::outcome::ValueKind;
use crate::translate::{
    fmod_preserving_signature, fmod_signature, native_signature, translate_entry, translate_fmod_preserving,
    translate_module, Budget, TranslateEnv, MAX_UNITS,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptLevel {
    None = 0,
    Speed = 1,
    SpeedAndSize = 2,
}

impl OptLevel {
    pub fn from_number(level: u32) -> Option<Self> {
        match level {
            0 => Some(Self::None),
            1 => Some(Self::Speed),
            2 => Some(Self::SpeedAndSize),
            _ => None,
        }
    }

    fn setting(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Speed => "speed",
            Self::SpeedAndSize => "speed_and_size",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub opt_level: OptLevel,
    /// Run Cranelift's IR verifier (on in debug builds and when tests ask for it).
    pub verify: bool,
    /// Poll the interrupt flag at function entry and on back edges (off only to measure
    /// what the polls cost).
    pub interrupt_checks: bool,
}

/// The verifier default: on in debug builds, or when `ATLAS_JIT_VERIFY=1`.
pub fn verify_by_default() -> bool {
    cfg!(debug_assertions) || std::env::var_os("ATLAS_JIT_VERIFY").is_some_and(|v| v == "1")
}

pub struct Compiled {
    pub code: NativeCode,
    pub compile_micros: f64,
    /// The size budget units the translation used (of `MAX_UNITS`).
    pub units: usize,
}

#[derive(Debug)]
pub enum CompileError {
    Rejected(Rejection),
    /// Cranelift failed (a verifier error would be a translator bug).
    Backend(String),
}

impl From<Rejection> for CompileError {
    fn from(rejection: Rejection) -> Self {
        Self::Rejected(rejection)
    }
}

fn backend<E: std::fmt::Debug>(what: &str) -> impl FnOnce(E) -> CompileError + '_ {
    // Debug, not Display: a verifier failure's Display is only "Verifier errors".
    move |error| CompileError::Backend(format!("{what}: {error:?}"))
}

/// The linkage name of the `fmod` the generated code calls for `Mod`.
const FMOD_SYMBOL: &str = "atlas_jit_fmod";

/// IEEE fmod, the truncated remainder (`%` on f64 is libm's fmod), exact for all inputs.
extern "C" fn atlas_jit_fmod(a: f64, b: f64) -> f64 {
    a % b
}

/// ISAs are immutable and thread-safe: build each (opt level, verifier) variant once.
static ISAS: [OnceLock<Result<OwnedTargetIsa, String>>; 6] = [const { OnceLock::new() }; 6];

fn host_isa(options: Options) -> Result<OwnedTargetIsa, CompileError> {
    let slot = &ISAS[options.opt_level as usize * 2 + usize::from(options.verify)];
    slot.get_or_init(|| build_isa(options)).clone().map_err(CompileError::Backend)
}

fn build_isa(options: Options) -> Result<OwnedTargetIsa, String> {
    let mut flags = settings::builder();
    let set = |flags: &mut settings::Builder, name: &str, value: &str| {
        flags.set(name, value).map_err(|e| format!("setting {name}={value}: {e}"))
    };
    set(&mut flags, "opt_level", options.opt_level.setting())?;
    set(&mut flags, "enable_verifier", if options.verify { "true" } else { "false" })?;
    // cranelift-jit requires absolute, non-PIC calls (its own builder sets the same).
    set(&mut flags, "use_colocated_libcalls", "false")?;
    set(&mut flags, "is_pic", "false")?;
    let isa = cranelift_native::builder().map_err(|e| format!("host machine is not supported: {e}"))?;
    isa.finish(settings::Flags::new(flags)).map_err(|e| format!("building the host ISA: {e}"))
}

pub fn host_isa_name() -> String {
    match host_isa(Options { opt_level: OptLevel::None, verify: false, interrupt_checks: true }) {
        Ok(isa) => isa.triple().to_string(),
        Err(_) => "unsupported".to_owned(),
    }
}

/// Translates and compiles one function without calls.
pub fn compile(input: &FunctionInput, options: Options) -> Result<Compiled, CompileError> {
    compile_module(&ModuleInput::single(input), options)
}

/// Translates and compiles a call tree into one module: function 0 is the root, calls
/// between the functions are direct calls. Translation runs first, into module-free
/// `Function`s, so a refused tree costs no code memory at all.
pub fn compile_module(input: &ModuleInput, options: Options) -> Result<Compiled, CompileError> {
    let started = Instant::now();
    input.validate().map_err(Rejection::from)?;
    let isa = host_isa(options)?;
    let call_conv = isa.default_call_conv();
    // The module below declares fmod first (function 0), then the functions in order.
    let count = input.functions.len();
    let mut env = TranslateEnv {
        frontend: isa.frontend_config(),
        fmod: UserExternalName::new(0, 0),
        functions: (1..=count as u32).map(|id| UserExternalName::new(0, id)).collect(),
        fmod_preserving: UserExternalName::new(0, count as u32 + 1),
        fmod_used: Default::default(),
        return_kinds: vec![ValueKind::Number; count],
        param_kinds: input.functions.iter().map(|body| vec![ValueKind::Number; body.arity]).collect(),
        param_settled: vec![false; count],
        demands: Default::default(),
        left_out: vec![false; count],
        interrupt_checks: options.interrupt_checks,
        budget: Budget::default(),
    };
    let mut builder_ctx = FunctionBuilderContext::new();
    let timing = std::env::var_os("ATLAS_JIT_TIMING").is_some_and(|v| v == "1");
    if timing {
        // Drop what earlier compiles on this thread accumulated.
        cranelift_codegen::timing::take_current();
    }
    let (contexts, exit) = translate_module(input, call_conv, &mut env, &mut builder_ctx)?;
    let translated = started.elapsed();
    let mut entry_ctx = Context::new();
    entry_ctx.func.signature = native_signature(call_conv);
    translate_entry(input.entry.kinds.len(), &mut entry_ctx.func, &mut builder_ctx, &env);

    let mut jit = JITBuilder::with_isa(isa, default_libcall_names());
    jit.symbol(FMOD_SYMBOL, atlas_jit_fmod as *const u8);
    let mut module = OwnedModule::new(JITModule::new(jit));
    let fmod = module
        .get()
        .declare_function(FMOD_SYMBOL, Linkage::Import, &fmod_signature(call_conv))
        .map_err(backend("declaring fmod"))?;
    if fmod.as_u32() != 0 {
        return Err(CompileError::Backend(format!("fmod was declared as function {fmod}, expected 0")));
    }
    let mut ids = Vec::with_capacity(count);
    for (index, ctx) in contexts.iter().enumerate() {
        let id =
            module.get().declare_anonymous_function(&ctx.func.signature).map_err(backend("declaring a function"))?;
        if id.as_u32() as usize != index + 1 {
            return Err(CompileError::Backend(format!("function {index} was declared as {id}")));
        }
        ids.push(id);
    }
    let mut contexts = contexts;
    if env.fmod_used.get() {
        // Declared right after the functions: function count + 1, as `env.fmod_preserving` says.
        let mut wrapper = Context::new();
        wrapper.func.signature = fmod_preserving_signature();
        translate_fmod_preserving(&mut wrapper.func, &mut builder_ctx, &env, call_conv);
        let id = module.get().declare_anonymous_function(&wrapper.func.signature).map_err(backend("declaring fmod"))?;
        if id.as_u32() as usize != count + 1 {
            return Err(CompileError::Backend(format!("the fmod wrapper was declared as {id}")));
        }
        ids.push(id);
        contexts.push(wrapper);
    }
    let entry_id =
        module.get().declare_anonymous_function(&entry_ctx.func.signature).map_err(backend("declaring the entry"))?;
    let mut code_size = 0;
    let disasm = std::env::var_os("ATLAS_JIT_DISASM").is_some_and(|v| v == "1");
    for (id, ctx) in ids.into_iter().chain([entry_id]).zip(contexts.iter_mut().chain([&mut entry_ctx])) {
        ctx.set_disasm(disasm);
        module.get().define_function(id, ctx).map_err(backend("compiling"))?;
        if let Some(text) = ctx.compiled_code().and_then(|code| code.vcode.as_ref()) {
            eprintln!("{text}");
        }
        code_size += ctx
            .compiled_code()
            .map(|compiled| compiled.code_info().total_size as usize)
            .ok_or_else(|| CompileError::Backend("no compiled code after define_function".to_owned()))?;
    }
    module.get().finalize_definitions().map_err(backend("finalizing"))?;
    if timing {
        let passes = cranelift_codegen::timing::take_current();
        let units = env.budget.used();
        eprintln!("atlas-jit: validation and translation {translated:?} ({units} of {MAX_UNITS} units), then Cranelift:\n{passes}");
    }
    let entry = module.get().get_finalized_function(entry_id);
    let code = NativeCode::new(module, entry, code_size, exit, input.entry.kinds.len());
    let units = env.budget.used();
    Ok(Compiled { code, compile_micros: started.elapsed().as_secs_f64() * 1e6, units })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{ConstantKind, PoolEntry};
    use crate::invoke_area::{InvokeArea, HALT_KIND, STATUS, TRAP_CODE, TRAP_OFFSET};
    use crate::outcome::{Exit, RefusalReason, TrapCode, ValueKind, STATUS_HALTED, STATUS_TRAP};
    use crate::{invoker, opcode as op, registry};
    use std::sync::Arc;

    /// Unoptimized, verified, with interrupt checks: the tests' usual compile options.
    const UNOPTIMIZED: Options = Options { opt_level: OptLevel::None, verify: true, interrupt_checks: true };

    fn function(code: &[u8], arity: usize, pool: Vec<PoolEntry>) -> FunctionInput {
        FunctionInput { code: code.to_vec(), start: 0, end: code.len(), arity, local_count: arity, pool }
    }

    /// Compiles, registers and runs `input` on `args` on this thread; returns the area.
    fn run(input: &FunctionInput, opt_level: OptLevel, args: &[f64]) -> Arc<InvokeArea> {
        let compiled = compile(input, Options { opt_level, verify: true, interrupt_checks: true }).expect("compiles");
        let handle = registry::register(compiled.code).expect("registers");
        let area = InvokeArea::new();
        invoker::install_area(area.clone());
        for (i, &arg) in args.iter().enumerate() {
            area.set_arg(i, arg);
        }
        let status = invoker::invoke(handle).expect("invokes");
        assert_eq!(status, area.control(STATUS), "the returned status is the stored one");
        assert!(registry::release(handle));
        invoker::sweep_this_thread();
        area
    }

    const ADD: [u8; 8] = [op::GET_LOCAL, 0, 0, op::GET_LOCAL, 0, 1, op::ADD, op::RETURN];

    #[test]
    fn compiles_and_runs_at_every_opt_level() {
        for level in [OptLevel::None, OptLevel::Speed, OptLevel::SpeedAndSize] {
            let area = run(&function(&ADD, 2, vec![]), level, &[1.25, 2.0]);
            assert_eq!(area.control(STATUS), ValueKind::Number as u32);
            assert_eq!(area.value(), 3.25);
        }
    }

    #[test]
    fn traps_and_halts_store_their_details() {
        // 1 / a at offset 3, then `true; Halt`.
        let code = [op::CONSTANT, 0, 0, op::GET_LOCAL, 0, 0, op::DIV, op::TRUE, op::HALT];
        let input = function(&code, 1, vec![PoolEntry::Number(1.0)]);
        let area = run(&input, OptLevel::Speed, &[0.0]);
        assert_eq!(area.control(STATUS), STATUS_TRAP);
        assert_eq!(area.control(TRAP_CODE), TrapCode::DivideByZero as u32);
        assert_eq!(area.control(TRAP_OFFSET), 6);
        let area = run(&input, OptLevel::Speed, &[2.0]);
        assert_eq!(
            (area.control(STATUS), area.control(HALT_KIND), area.value()),
            (STATUS_HALTED, ValueKind::Bool as u32, 1.0)
        );
    }

    #[test]
    fn the_opt_level_reaches_cranelift() {
        // a*b + a*b: `speed` merges the two multiplications (GVN), `none` keeps both.
        let code = [
            op::GET_LOCAL,
            0,
            0,
            op::GET_LOCAL,
            0,
            1,
            op::MUL,
            op::GET_LOCAL,
            0,
            0,
            op::GET_LOCAL,
            0,
            1,
            op::MUL,
            op::ADD,
            op::RETURN,
        ];
        let size = |opt_level| {
            compile(&function(&code, 2, vec![]), Options { opt_level, verify: true, interrupt_checks: true })
                .unwrap()
                .code
                .code_size
        };
        assert!(size(OptLevel::None) > size(OptLevel::Speed), "{} vs {}", size(OptLevel::None), size(OptLevel::Speed));
    }

    /// The trap a run stores: (code, offset), or None when it returned.
    fn trap_of(input: &FunctionInput, args: &[f64]) -> Option<(u32, u32)> {
        let area = run(input, OptLevel::Speed, args);
        (area.control(STATUS) == STATUS_TRAP).then(|| (area.control(TRAP_CODE), area.control(TRAP_OFFSET)))
    }

    #[test]
    fn deferred_checks_report_the_first_failure_in_program_order() {
        // a * a (offset 6), 1 / b (offset 12), c % b (offset 19), summed: one stretch.
        #[rustfmt::skip]
        let code = [
            op::GET_LOCAL, 0, 0, op::GET_LOCAL, 0, 0, op::MUL,
            op::CONSTANT, 0, 0, op::GET_LOCAL, 0, 1, op::DIV,
            op::GET_LOCAL, 0, 2, op::GET_LOCAL, 0, 1, op::MOD,
            op::ADD, op::ADD, op::RETURN,
        ];
        let input = function(&code, 3, vec![PoolEntry::Number(1.0)]);
        let (invalid, by_zero) = (TrapCode::InvalidNumericResult as u32, TrapCode::DivideByZero as u32);
        assert_eq!(trap_of(&input, &[1e200, 0.0, 5.0]), Some((invalid, 6)), "the overflow comes first");
        assert_eq!(trap_of(&input, &[1.0, 0.0, 5.0]), Some((by_zero, 13)));
        assert_eq!(trap_of(&input, &[1.0, -0.0, 5.0]), Some((by_zero, 13)), "-0 is zero");
        assert_eq!(trap_of(&input, &[1.0, f64::NAN, 5.0]), Some((invalid, 13)), "NaN is no zero");
        assert_eq!(trap_of(&input, &[1.0, 1e-310, 5.0]), Some((invalid, 13)), "1 / 1e-310 overflows");
        assert_eq!(trap_of(&input, &[1e200, 2.0, 5.0]), Some((invalid, 6)));
        assert_eq!(trap_of(&input, &[1.3e154, 1e-308, 5.0]), Some((invalid, 22)), "only the sum overflows");
        assert_eq!(trap_of(&input, &[3.0, 2.0, 5.0]), None);
    }

    #[test]
    fn stretches_longer_than_one_flush_keep_the_order() {
        // x = x * x, 40 times (the first flush comes after 16): x = 2 overflows at the 10th
        // (2^1024), x = 1.0000001 at none; every Mul is at 11k + 6.
        let mut code = Vec::new();
        for _ in 0..40 {
            code.extend([op::GET_LOCAL, 0, 0, op::GET_LOCAL, 0, 0, op::MUL, op::SET_LOCAL, 0, 0, op::POP]);
        }
        code.extend([op::GET_LOCAL, 0, 0, op::RETURN]);
        let input = function(&code, 1, vec![]);
        assert_eq!(trap_of(&input, &[2.0]), Some((TrapCode::InvalidNumericResult as u32, 11 * 9 + 6)));
        assert_eq!(trap_of(&input, &[1.0]), None);
    }

    /// `x = x + 1` `n` times, then `return x`: a straight line of arithmetic.
    fn increments(n: usize) -> FunctionInput {
        let mut code = Vec::new();
        for _ in 0..n {
            code.extend([op::GET_LOCAL, 0, 0, op::CONSTANT, 0, 0, op::ADD, op::SET_LOCAL, 0, 0, op::POP]);
        }
        code.extend([op::GET_LOCAL, 0, 0, op::RETURN]);
        function(&code, 1, vec![PoolEntry::Number(1.0)])
    }

    #[test]
    fn the_size_budget_grows_linearly_and_refuses_past_its_limit() {
        let fast = Options { opt_level: OptLevel::None, verify: false, interrupt_checks: true };
        let units = |n| compile(&increments(n), fast).expect("compiles").units;
        let (u1, u2, u3) = (units(1000), units(2000), units(3000));
        // Linear: each thousand increments costs the same (to a flush of the checks or so).
        let per_thousand = u2 - u1;
        assert!((u3 - u2).abs_diff(per_thousand) <= per_thousand / 100, "{u1} {u2} {u3}");
        let fits = (MAX_UNITS - u1) / per_thousand * 1000 + 1000;
        let under = fits - fits / 50;
        let compiled = compile(&increments(under), fast).expect("a body just under the limit compiles");
        assert!(compiled.units <= MAX_UNITS && compiled.units > MAX_UNITS * 9 / 10, "{}", compiled.units);
        let area = {
            let handle = registry::register(compiled.code).unwrap();
            let area = InvokeArea::new();
            invoker::install_area(area.clone());
            area.set_arg(0, 0.5);
            assert_eq!(invoker::invoke(handle), Ok(ValueKind::Number as u32));
            assert!(registry::release(handle));
            invoker::sweep_this_thread();
            area
        };
        assert_eq!(area.value(), 0.5 + under as f64);
        match compile(&increments(fits + fits / 50), fast) {
            Err(CompileError::Rejected(Rejection::Refused(r))) => {
                assert_eq!(r.reason, RefusalReason::TooLarge);
                assert!(r.offset < (fits + fits / 50) * 11, "refused where the budget ran out: {}", r.offset);
            }
            other => panic!("expected a refusal, got {:?}", other.err()),
        }
    }

    #[test]
    fn a_deep_frame_carried_through_many_branches_counts_against_the_budget() {
        // 400 locals, then `if (x < 1) x = x + 1` 2000 times: few instructions, but every
        // edge carries the whole frame.
        let mut code = vec![];
        for _ in 0..399 {
            code.extend([op::GET_LOCAL, 0, 0]);
        }
        for _ in 0..2000 {
            code.extend([op::GET_LOCAL, 0, 0, op::CONSTANT, 0, 0, op::LESS, op::JUMP_IF_FALSE, 0, 11]);
            code.extend([op::GET_LOCAL, 0, 0, op::CONSTANT, 0, 0, op::ADD, op::SET_LOCAL, 0, 0, op::POP]);
        }
        code.extend([op::GET_LOCAL, 0, 0, op::RETURN]);
        let input = function(&code, 1, vec![PoolEntry::Number(1.0)]);
        let fast = Options { opt_level: OptLevel::None, verify: false, interrupt_checks: true };
        match compile(&input, fast) {
            Err(CompileError::Rejected(Rejection::Refused(r))) => assert_eq!(r.reason, RefusalReason::TooLarge),
            other => panic!("expected a refusal, got {:?}", other.err()),
        }
    }

    #[test]
    fn mod_matches_fmod_on_the_integer_and_the_call_path() {
        let code = [op::GET_LOCAL, 0, 0, op::GET_LOCAL, 0, 1, op::MOD, op::RETURN];
        for (a, b) in [(-7.0, 3.0), (5.5, -2.0), (1e300, 1e-300), (-0.0, 5.0)] {
            let value = run(&function(&code, 2, vec![]), OptLevel::Speed, &[a, b]).value();
            assert_eq!(value.to_bits(), (a % b).to_bits(), "{a} % {b}");
        }
    }

    #[test]
    fn reports_exit_and_real_code_size() {
        let compiled = compile(&function(&ADD, 2, vec![]), UNOPTIMIZED).unwrap();
        assert_eq!(compiled.code.exit, Exit::Return(ValueKind::Number));
        assert!(compiled.code.code_size > 0 && compiled.code.code_size < 4096);
        let trapping = [op::TRUE, op::NEGATE, op::RETURN];
        let compiled = compile(&function(&trapping, 0, vec![]), UNOPTIMIZED).unwrap();
        assert_eq!(compiled.code.exit, Exit::Trap(TrapCode::NegateNonNumber));
    }

    #[test]
    fn non_number_constants_are_refused() {
        let input = function(&[op::CONSTANT, 0, 0, op::RETURN], 0, vec![PoolEntry::Other(ConstantKind::String)]);
        match compile(&input, UNOPTIMIZED) {
            Err(CompileError::Rejected(Rejection::Refused(r))) => {
                assert_eq!(r.reason, RefusalReason::NonNumberConstant)
            }
            other => panic!("expected a refusal, got {:?}", other.err()),
        }
    }

    /// `fn f(n) { var s = 0; while (n > 0) { s = s + n; n = n - 1; } return s; }`
    const LOOP: [u8; 39] = [
        op::CONSTANT,
        0,
        0, // 0: s = 0 (local 1)
        op::GET_LOCAL,
        0,
        0, // 3: loop head: n > 0
        op::CONSTANT,
        0,
        0,
        op::GREATER,
        op::JUMP_IF_FALSE,
        0,
        25, // 10: exit to 13 + 25 = 38
        op::GET_LOCAL,
        0,
        1, // 13: s = s + n
        op::GET_LOCAL,
        0,
        0,
        op::ADD,
        op::SET_LOCAL,
        0,
        1,
        op::POP,
        op::GET_LOCAL,
        0,
        0, // 24: n = n - 1
        op::CONSTANT,
        0,
        1,
        op::SUB,
        op::SET_LOCAL,
        0,
        0,
        op::POP,
        op::LOOP,
        0xff,
        0xdd,       // 35: back to 38 - 35 = 3
        op::RETURN, // 38: returns s (the top of [n, s])
    ];

    #[test]
    fn loops_run_and_their_limits_bail_out() {
        let mut input = function(&LOOP, 1, vec![PoolEntry::Number(0.0), PoolEntry::Number(1.0)]);
        input.local_count = 2;
        // At the Return the stack is [n, s]: the top is s.
        let area = run(&input, OptLevel::Speed, &[100.0]);
        assert_eq!((area.control(STATUS), area.value()), (ValueKind::Number as u32, 5050.0));
        // A stack limit of 2 slots is passed at the back edge (depth 2): bail out.
        let compiled =
            compile(&input, Options { opt_level: OptLevel::Speed, verify: true, interrupt_checks: true }).unwrap();
        let handle = registry::register(compiled.code).unwrap();
        let area = InvokeArea::new();
        invoker::install_area(area.clone());
        area.set_arg(0, 3.0);
        area.set_control(crate::invoke_area::SLOTS_LEFT, 1);
        assert_eq!(invoker::invoke(handle), Ok(crate::outcome::STATUS_BAILOUT));
        area.set_control(crate::invoke_area::SLOTS_LEFT, 1000);
        area.set_control(crate::invoke_area::INTERRUPT, 1);
        assert_eq!(invoker::invoke(handle), Ok(crate::outcome::STATUS_INTERRUPTED));
        assert!(registry::release(handle));
        invoker::sweep_this_thread();
    }

    #[test]
    fn released_handles_are_unknown_to_invoke() {
        let compiled = compile(&function(&ADD, 2, vec![]), UNOPTIMIZED).unwrap();
        let handle = registry::register(compiled.code).unwrap();
        invoker::install_area(InvokeArea::new());
        assert!(invoker::invoke(handle).is_ok());
        assert!(registry::release(handle));
        assert!(!registry::release(handle));
        assert_eq!(invoker::invoke(handle), Err(invoker::InvokeError::UnknownHandle(handle)));
    }
}
