//! From a translated function to callable machine code: the host ISA (from
//! cranelift-native) at the requested opt level, one `JITModule` per function (so that
//! releasing it really frees its memory), and the real code size.

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
use crate::input::FunctionInput;
use crate::translate::{fmod_signature, native_signature, translate, TranslateEnv};

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
}

/// The verifier default: on in debug builds, or when `ATLAS_JIT_VERIFY=1`.
pub fn verify_by_default() -> bool {
    cfg!(debug_assertions) || std::env::var_os("ATLAS_JIT_VERIFY").is_some_and(|v| v == "1")
}

pub struct Compiled {
    pub code: NativeCode,
    pub compile_micros: f64,
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

fn backend<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> CompileError + '_ {
    move |error| CompileError::Backend(format!("{what}: {error}"))
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
    match host_isa(Options { opt_level: OptLevel::None, verify: false }) {
        Ok(isa) => isa.triple().to_string(),
        Err(_) => "unsupported".to_owned(),
    }
}

/// Translates and compiles one function. Translation runs first, into a module-free
/// `Function`, so a refused function costs no code memory at all.
pub fn compile(input: &FunctionInput, options: Options) -> Result<Compiled, CompileError> {
    let started = Instant::now();
    let isa = host_isa(options)?;
    let call_conv = isa.default_call_conv();
    let mut ctx = Context::new();
    ctx.func.signature = native_signature(call_conv);
    // The module below declares fmod before anything else, so it is function 0 there.
    let env = TranslateEnv { frontend: isa.frontend_config(), fmod: UserExternalName::new(0, 0) };
    let exit = translate(input, &mut ctx.func, &mut FunctionBuilderContext::new(), &env)?;

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
    let id = module
        .get()
        .declare_anonymous_function(&ctx.func.signature)
        .map_err(backend("declaring the function"))?;
    module.get().define_function(id, &mut ctx).map_err(backend("compiling"))?;
    let code_size = ctx
        .compiled_code()
        .map(|compiled| compiled.code_info().total_size as usize)
        .ok_or_else(|| CompileError::Backend("no compiled code after define_function".to_owned()))?;
    module.get().finalize_definitions().map_err(backend("finalizing"))?;
    let entry = module.get().get_finalized_function(id);
    let code = NativeCode::new(module, entry, code_size, exit, input.arity);
    Ok(Compiled { code, compile_micros: started.elapsed().as_secs_f64() * 1e6 })
}
