//! The calling convention of translated code: the signatures of the module's entry, of
//! every translated function and of the imported `fmod`, and the entry trampoline that
//! turns the invoke area into a call of the root function.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    self, types, AbiParam, ExtFuncData, ExternalName, FuncRef, InstBuilder, MemFlagsData, Signature, Type,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

use super::TranslateEnv;
use crate::invoke_area::{FRAMES_LEFT_FROM_VALUE, SLOTS_LEFT_FROM_VALUE, STACK_BUDGET_FROM_VALUE, STATUS_FROM_VALUE};
use crate::outcome::STATUS_BAILOUT;

/// The most machine stack native calls may use below the entry: deep native recursion bails
/// out to the interpreter (whose frames live on the heap) instead of overflowing the stack.
/// The invoker lowers it to what the calling thread really has left (`invoker::stack_budget`).
pub const STACK_BUDGET: u32 = 512 * 1024;

/// The control parameters every internal function takes before its arguments: the invoke
/// area's result value, frames left, stack slots left and the machine stack floor.
pub(super) const CONTROL_PARAMS: usize = 4;

fn signature(call_conv: CallConv, params: impl IntoIterator<Item = Type>, returns: &[Type]) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.extend(params.into_iter().map(AbiParam::new));
    sig.returns.extend(returns.iter().copied().map(AbiParam::new));
    sig
}

/// The signature of the module's entry, which the invoker calls: `(args, out) -> status`.
pub fn native_signature(call_conv: CallConv) -> Signature {
    signature(call_conv, [types::I64, types::I64], &[types::I32])
}

/// The signature of a translated function of `arity` parameters (see the module comment
/// of `translate`): `(out, frames, slots, floor, a0..an) -> (status, value)`.
pub fn internal_signature(call_conv: CallConv, arity: usize) -> Signature {
    let control = std::iter::repeat_n(types::I64, CONTROL_PARAMS);
    signature(call_conv, control.chain(std::iter::repeat_n(types::F64, arity)), &[types::I32, types::F64])
}

/// The signature of the imported `fmod(f64, f64) -> f64` used by `Mod`.
pub fn fmod_signature(call_conv: CallConv) -> Signature {
    signature(call_conv, [types::F64, types::F64], &[types::F64])
}

/// The signature of the module's `fmod` behind a call that clobbers no register:
/// `(x, y, result address)`, storing `fmod(x, y)` there (the convention has no return values).
/// `Mod` calls fmod only off its integer fast path; a plain call there would make every value
/// live across it (the loop's variables, typically) sit in memory on the fast path too, as
/// calls clobber every float register.
pub fn fmod_preserving_signature() -> Signature {
    signature(CallConv::PreserveAll, [types::F64, types::F64, types::I64], &[])
}

/// Builds the module's `fmod` wrapper (signature `fmod_preserving_signature`): it saves
/// every register the inner call may clobber, so its callers keep theirs.
pub fn translate_fmod_preserving(
    func: &mut ir::Function,
    builder_ctx: &mut FunctionBuilderContext,
    env: &TranslateEnv,
    call_conv: CallConv,
) {
    let mut b = FunctionBuilder::new(func, builder_ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let [x, y, at] = b.block_params(entry) else { unreachable!("the wrapper takes three parameters") };
    let (x, y, at) = (*x, *y, *at);
    let signature = b.import_signature(fmod_signature(call_conv));
    let name = b.func.declare_imported_user_function(env.fmod.clone());
    let fmod = b.import_function(ExtFuncData {
        name: ExternalName::user(name),
        signature,
        colocated: false,
        patchable: false,
    });
    let call = b.ins().call(fmod, &[x, y]);
    let result = b.inst_results(call)[0];
    b.ins().store(MemFlagsData::trusted(), result, at, 0);
    b.ins().return_(&[]);
    b.seal_all_blocks();
    b.finalize(env.frontend);
}

/// Imports translated function `index` (of `arity` parameters) of the module into the
/// function being built, for a direct call.
pub(super) fn import_translated(b: &mut FunctionBuilder, env: &TranslateEnv, index: usize, arity: usize) -> FuncRef {
    let signature = b.import_signature(internal_signature(b.func.signature.call_conv, arity));
    let name = b.func.declare_imported_user_function(env.functions[index].clone());
    b.import_function(ExtFuncData { name: ExternalName::user(name), signature, colocated: true, patchable: false })
}

/// Builds the module's entry (signature `native_signature`): reads the limits and the
/// root's `slots` entry values (its arguments, or the frame of an OSR entry) from the invoke
/// area, calls the root, stores value and status.
pub fn translate_entry(
    slots: usize,
    func: &mut ir::Function,
    builder_ctx: &mut FunctionBuilderContext,
    env: &TranslateEnv,
) {
    let mut b = FunctionBuilder::new(func, builder_ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let (args, out) = (b.block_params(entry)[0], b.block_params(entry)[1]);
    let flags = MemFlagsData::trusted();
    let frames = b.ins().uload32(flags, out, FRAMES_LEFT_FROM_VALUE);
    let stack_left = b.ins().uload32(flags, out, SLOTS_LEFT_FROM_VALUE);
    // The root's own frame must fit, as the interpreter checks on entering it.
    let no_frame = b.ins().icmp_imm_s(IntCC::SignedLessThan, frames, 1);
    let no_slots = b.ins().icmp_imm_s(IntCC::SignedLessThan, stack_left, slots as i64);
    let bail = b.ins().bor(no_frame, no_slots);
    let bail_block = b.create_block();
    let run = b.create_block();
    b.set_cold_block(bail_block);
    b.ins().brif(bail, bail_block, &[], run, &[]);
    b.switch_to_block(bail_block);
    let status = b.ins().iconst(types::I32, i64::from(STATUS_BAILOUT));
    b.ins().store(flags, status, out, STATUS_FROM_VALUE);
    b.ins().return_(&[status]);

    b.switch_to_block(run);
    let frames = b.ins().iadd_imm_s(frames, -1);
    let sp = b.ins().get_stack_pointer(types::I64);
    let budget = b.ins().uload32(flags, out, STACK_BUDGET_FROM_VALUE);
    let floor = b.ins().isub(sp, budget);
    let mut call_args = vec![out, frames, stack_left, floor];
    call_args.extend((0..slots).map(|i| b.ins().load(types::F64, flags, args, (i * 8) as i32)));
    let callee = import_translated(&mut b, env, 0, slots);
    let call = b.ins().call(callee, &call_args);
    let (status, value) = (b.inst_results(call)[0], b.inst_results(call)[1]);
    b.ins().store(flags, value, out, 0);
    b.ins().store(flags, status, out, STATUS_FROM_VALUE);
    b.ins().return_(&[status]);
    b.seal_all_blocks();
    b.finalize(env.frontend);
}
