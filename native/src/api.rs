//! The N-API surface, used only by `src/jit/native/` (loaded by `addon.ts`). Every export catches Rust panics
//! and turns them into JavaScript errors (`catch_unwind`).

use napi::bindgen_prelude::{Float64Array, Function, Uint32Array, Uint8Array};
use napi::{sys, Env, Error, Result};
use napi_derive::napi;

use crate::backend::{self, CompileError, OptLevel, Options};
use crate::frame::Rejection;
use crate::input::{FunctionInput, ModuleInput};
use crate::invoke_area::{InvokeArea, F64_LENGTH};
use crate::priority::{self, CompilePriority};
use crate::{code, invoker, math, registry, watchdog};

/// The outcome of `compileFunction`, flattened for a cheap crossing: `status` is "ok",
/// "refused" or "invalid"; the other fields apply to their status only.
#[napi(object)]
pub struct RawCompileResult {
    pub status: String,
    pub handle: u32,
    pub code_size: u32,
    pub return_type: String,
    pub exit: String,
    pub compile_micros: f64,
    pub reason: String,
    pub opcode: String,
    pub offset: u32,
    pub message: String,
}

impl RawCompileResult {
    fn empty(status: &str) -> Self {
        Self {
            status: status.to_owned(),
            handle: 0,
            code_size: 0,
            return_type: String::new(),
            exit: String::new(),
            compile_micros: 0.0,
            reason: String::new(),
            opcode: String::new(),
            offset: 0,
            message: String::new(),
        }
    }
}

/// Compiles `code[start..end]` (and the callees it calls directly) and registers it.
/// `callees` holds four words per further function (start, end, arity, localCount; they
/// are functions 1.. of the module), `calls` two per `Call` (its offset, the index of the
/// function it calls). `entry` and `entryKinds` (a kind code per slot) say where the root is
/// entered and with what frame: by default at `start` with `arity` numbers. `sideExits`
/// lets the root leave at what it cannot translate. `globalKinds` (a kind code per global
/// slot), `globalNames` (two words per name: string constant, slot) and `calleeGlobals`
/// (string constants of globals guarded to hold called functions) describe the globals;
/// `builtinGlobals` (two words per name: string constant, builtin code) the globals guarded
/// to be no user global, which resolve to a math builtin or constant.
/// Refusals and malformed input are results; only backend failures throw.
#[allow(clippy::too_many_arguments)]
#[napi(catch_unwind)]
pub fn compile_function(
    code: Uint8Array,
    start: u32,
    end: u32,
    arity: u32,
    local_count: u32,
    constant_kinds: Uint8Array,
    constant_values: Float64Array,
    opt_level: u32,
    verify: Option<bool>,
    callees: Option<Uint32Array>,
    calls: Option<Uint32Array>,
    interrupt_checks: Option<bool>,
    entry: Option<u32>,
    entry_kinds: Option<Uint8Array>,
    side_exits: Option<bool>,
    global_kinds: Option<Uint8Array>,
    global_names: Option<Uint32Array>,
    callee_globals: Option<Uint32Array>,
    builtin_globals: Option<Uint32Array>,
) -> Result<RawCompileResult> {
    let opt_level = OptLevel::from_number(opt_level)
        .ok_or_else(|| Error::from_reason(format!("opt level {opt_level} is not 0, 1 or 2")))?;
    let pool = match FunctionInput::pool_from_parts(&constant_kinds, &constant_values) {
        Ok(pool) => pool,
        Err(error) => return Ok(invalid(error)),
    };
    // Copied, so JavaScript (even on another thread, through shared memory) cannot change
    // the bytes while they are translated.
    let input = FunctionInput {
        code: code.to_vec(),
        start: start as usize,
        end: end as usize,
        arity: arity as usize,
        local_count: local_count as usize,
        pool,
    };
    let default_kinds = vec![0u8; input.arity];
    let module = ModuleInput::single(&input)
        .with_callees(callees.as_deref().unwrap_or_default(), calls.as_deref().unwrap_or_default())
        .and_then(|module| {
            module
                .with_entry(entry.map_or(input.start, |e| e as usize), entry_kinds.as_deref().unwrap_or(&default_kinds))
        })
        .and_then(|module| {
            module.with_globals(
                global_kinds.as_deref().unwrap_or_default(),
                global_names.as_deref().unwrap_or_default(),
                callee_globals.as_deref().unwrap_or_default(),
            )
        })
        .and_then(|module| module.with_builtins(builtin_globals.as_deref().unwrap_or_default()))
        .map(|mut module| {
            module.side_exits = side_exits.unwrap_or(false);
            module
        });
    let module = match module {
        Ok(module) => module,
        Err(error) => return Ok(invalid(error)),
    };
    let options = Options {
        opt_level,
        verify: verify.unwrap_or_else(backend::verify_by_default),
        interrupt_checks: interrupt_checks.unwrap_or(true),
    };
    match backend::compile_module(&module, options) {
        Ok(compiled) => {
            let exit = compiled.code.exit;
            let code_size = compiled.code.code_size as u32;
            let handle = registry::register(compiled.code).map_err(Error::from_reason)?;
            Ok(RawCompileResult {
                handle,
                code_size,
                return_type: exit.value_kind().name().to_owned(),
                exit: exit.name().to_owned(),
                compile_micros: compiled.compile_micros,
                ..RawCompileResult::empty("ok")
            })
        }
        Err(CompileError::Rejected(Rejection::Invalid(error))) => Ok(invalid(error)),
        Err(CompileError::Rejected(Rejection::Refused(refusal))) => Ok(RawCompileResult {
            reason: refusal.reason.name().to_owned(),
            opcode: refusal.opcode,
            offset: refusal.offset as u32,
            message: refusal.message,
            ..RawCompileResult::empty("refused")
        }),
        Err(CompileError::Backend(message)) => Err(Error::from_reason(message)),
    }
}

fn invalid(error: crate::input::InputError) -> RawCompileResult {
    RawCompileResult {
        reason: error.kind.name().to_owned(),
        offset: error.offset as u32,
        message: error.message,
        ..RawCompileResult::empty("invalid")
    }
}

/// Releases a handle; false if it is unknown or already released.
#[napi(catch_unwind)]
pub fn release_handle(handle: u32) -> bool {
    let released = registry::release(handle);
    invoker::sweep_this_thread();
    released
}

/// Handles registered and not yet released, process-wide.
#[napi(catch_unwind)]
pub fn live_handle_count() -> u32 {
    registry::live_handles() as u32
}

/// Compiled functions whose machine code has not been freed yet, process-wide.
#[napi(catch_unwind)]
pub fn live_code_count() -> u32 {
    code::live_code_count() as u32
}

/// The target triple native code is generated for.
#[napi(catch_unwind)]
pub fn host_isa() -> String {
    backend::host_isa_name()
}

/// "release" or "debug": how the addon itself was built.
#[napi(catch_unwind)]
pub fn addon_profile() -> String {
    if cfg!(debug_assertions) { "debug" } else { "release" }.to_owned()
}

/// Whether the verifier runs when `compileFunction` is not told.
#[napi(catch_unwind)]
pub fn verifier_default() -> bool {
    backend::verify_by_default()
}

/// Creates this thread's invoke buffer: a Float64Array over memory shared with Rust (see
/// `invoke_area.rs` for the layout), and makes it the area `invoke` uses on this thread.
#[napi(catch_unwind)]
pub fn create_invoke_buffer() -> Float64Array {
    let area = InvokeArea::new();
    invoker::install_area(area.clone());
    let base = area.base_ptr();
    // SAFETY: `base` points to the `F64_LENGTH` * 8 bytes of atomic cells of an `Arc`
    // allocation (`InvokeArea` is `#[repr(C, align(8))]` and a multiple of 8 bytes long).
    // The finalizer owns a clone of that `Arc`, so the memory outlives the JavaScript
    // ArrayBuffer (it is freed only when the finalizer and this thread's invoker have both
    // dropped their references); detaching the buffer in JavaScript cannot free it either.
    // Unsynchronized access from JavaScript is sound because Rust only touches the cells
    // atomically.
    unsafe { Float64Array::with_external_data(base, F64_LENGTH, move |_, _| drop(area)) }
}

/// Writes `marker` to the result slot through Rust, so JavaScript can check that its view
/// really shares memory with Rust (a runtime without external buffers would copy).
#[napi(catch_unwind)]
pub fn probe_invoke_buffer(marker: f64) -> Result<()> {
    let written = invoker::with_area(|area| area.set_value(marker));
    written.ok_or_else(|| Error::from_reason("no invoke buffer was created on this thread"))
}

/// Returns this thread's `invoke()` function: a raw N-API callback with no arguments and
/// no return value, because napi-rs's generated argument handling costs several times the
/// crossing itself. JavaScript writes the handle and arguments to the invoke buffer, calls
/// it, and reads the status and results from the buffer.
#[napi(catch_unwind)]
pub fn invoke_function(env: &Env) -> Result<Function<'_, (), ()>> {
    env.create_function("invoke", invoke_callback)
}

/// An argument-less N-API function that does nothing: the floor under `invoke`'s cost,
/// for benchmarks.
#[napi(catch_unwind)]
pub fn empty_call_function(env: &Env) -> Result<Function<'_, (), ()>> {
    env.create_function("emptyCall", empty_callback)
}

// The `unsafe` of both callbacks is the signature napi's `Callback` type requires; their
// bodies perform no unsafe operation.
unsafe extern "C" fn empty_callback(_env: sys::napi_env, _info: sys::napi_callback_info) -> sys::napi_value {
    std::ptr::null_mut()
}

/// The invoke callback: every failure (including a panic) becomes a thrown JS error.
unsafe extern "C" fn invoke_callback(env: sys::napi_env, _info: sys::napi_callback_info) -> sys::napi_value {
    let message = match std::panic::catch_unwind(invoker::invoke_requested) {
        Ok(Ok(_)) => return std::ptr::null_mut(),
        Ok(Err(error)) => error.to_string(),
        Err(panic) => panic_message(panic.as_ref()),
    };
    // Nothing more can be done if even throwing fails; the call then returns undefined.
    let _ = Env::from_raw(env).throw_error(&message, None);
    std::ptr::null_mut()
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    format!("panic in atlas-jit-native: {detail}")
}

fn this_thread_area() -> Result<std::sync::Arc<InvokeArea>> {
    invoker::area().ok_or_else(|| Error::from_reason("no invoke buffer was created on this thread"))
}

/// Sets this thread's interrupt flag after `millis` ms (from a watchdog thread), unless
/// disarmed first: the per-run time budget. Returns the token for `disarmInterrupt`.
#[napi(catch_unwind)]
pub fn arm_interrupt(millis: f64) -> Result<f64> {
    if !(millis.is_finite() && millis >= 0.0) {
        return Err(Error::from_reason(format!("a deadline must be a finite number of ms >= 0, got {millis}")));
    }
    let area = this_thread_area()?;
    Ok(watchdog::arm(&area, std::time::Duration::from_secs_f64(millis / 1000.0)) as f64)
}

/// Cancels an armed deadline; false if it already fired.
#[napi(catch_unwind)]
pub fn disarm_interrupt(token: f64) -> bool {
    watchdog::disarm(token as u64)
}

/// A process-wide id of this thread's invoke area, for `interruptThread` on another thread.
#[napi(catch_unwind)]
pub fn interrupt_id() -> Result<u32> {
    Ok(watchdog::register_area(&this_thread_area()?))
}

/// Sets the interrupt flag of the thread whose `interruptId()` this is; false if gone.
#[napi(catch_unwind)]
pub fn interrupt_thread(id: u32) -> bool {
    watchdog::interrupt_area(id)
}

/// Lowers the calling thread's scheduling priority: "idle", "low" or "normal" (see
/// `priority.rs`). Compile workers call it once, before compiling.
#[napi(catch_unwind)]
pub fn lower_thread_priority(name: String) -> Result<()> {
    let priority = CompilePriority::parse(&name)
        .ok_or_else(|| Error::from_reason(format!("unknown compile priority {name:?}: use idle, low or normal")))?;
    priority::lower_this_thread(priority).map_err(Error::from_reason)
}

// The math builtins the interpreter takes from the addon, so that it computes with the very
// functions native code calls (`math.rs`): one argument-less callback per library function
// over the thread's operand cells.

/// Creates this thread's operand cells for the math callbacks: a Float64Array of
/// `OPERAND_CELLS` slots over memory shared with Rust.
#[napi(catch_unwind)]
pub fn create_math_buffer() -> Float64Array {
    let cells = math::OperandCells::new();
    math::install_cells(cells.clone());
    let base = cells.base_ptr();
    // SAFETY: `base` points to the `OPERAND_CELLS` * 8 bytes of atomic cells of an `Arc`
    // allocation (`OperandCells` is `#[repr(C, align(8))]`). The finalizer owns a clone of
    // that `Arc`, so the memory outlives the JavaScript ArrayBuffer; Rust only touches the
    // cells atomically, so unsynchronized access from JavaScript is sound.
    unsafe { Float64Array::with_external_data(base, math::OPERAND_CELLS, move |_, _| drop(cells)) }
}

/// The callback of math builtin `name` (a library function: sin, cos, tan, asin, acos,
/// atan, log, pow or random): it reads its operands from this thread's operand cells and
/// leaves its result in cell 0.
#[napi(catch_unwind)]
pub fn math_function<'env>(env: &'env Env, name: String) -> Result<Function<'env, (), ()>> {
    let callback: RawCallback = match name.as_str() {
        "sin" => math_sin,
        "cos" => math_cos,
        "tan" => math_tan,
        "asin" => math_asin,
        "acos" => math_acos,
        "atan" => math_atan,
        "log" => math_log,
        "pow" => math_pow,
        "random" => math_random,
        _ => return Err(Error::from_reason(format!("{name} is not a math library function"))),
    };
    env.create_function(&name, callback)
}

type RawCallback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// Raw N-API callbacks, one per library function. As with `invoke`, the `unsafe` is the
/// signature napi's `Callback` type requires; the bodies perform no unsafe operation, and
/// the functions cannot panic.
macro_rules! math_callbacks {
    ($($callback:ident => $builtin:ident),* $(,)?) => {$(
        unsafe extern "C" fn $callback(env: sys::napi_env, _info: sys::napi_callback_info) -> sys::napi_value {
            let f = math::MathFn::$builtin.library_function().expect("a library function");
            if !math::apply_on_this_thread(f) {
                let _ = Env::from_raw(env).throw_error("no math buffer was created on this thread", None);
            }
            std::ptr::null_mut()
        }
    )*};
}

math_callbacks!(
    math_sin => Sin,
    math_cos => Cos,
    math_tan => Tan,
    math_asin => Asin,
    math_acos => Acos,
    math_atan => Atan,
    math_log => Log,
    math_pow => Pow,
    math_random => Random,
);
