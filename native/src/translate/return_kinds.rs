//! Kind inference across a call tree: what each natively called function returns must be
//! known where it is called, so translation starts from a guess per function and repeats
//! until the guesses agree with what the functions' `Return`s produce.

use cranelift_codegen::isa::CallConv;
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;

use super::scan::linear;
use super::{internal_signature, translate_function, translate_stub, TranslateEnv};
use crate::frame::Rejection;
use crate::input::{Body, ModuleInput};
use crate::opcode as op;
use crate::outcome::{Exit, Refusal, RefusalReason, ValueKind};

/// Rounds before the module is refused: each round settles at least one function's kind.
const ROUNDS: usize = 4;

/// Translates every function of the module into a context of its own; returns them with
/// the root's exit. A function called natively whose returns give another kind than
/// assumed is translated again assuming that kind. When the assumptions do not settle
/// within a few rounds (a function really returns several kinds), the module is refused.
/// With side exits on, a callee that cannot be translated is left out (a stub takes its
/// place, and the root leaves at its calls of it), and the module is translated again.
pub fn translate_module(
    input: &ModuleInput,
    call_conv: CallConv,
    env: &mut TranslateEnv,
    builder_ctx: &mut FunctionBuilderContext,
) -> Result<(Vec<Context>, Exit), Rejection> {
    let called: Vec<bool> = (0..input.functions.len()).map(|i| input.calls.values().any(|&c| c == i)).collect();
    for (index, body) in input.functions.iter().enumerate() {
        env.return_kinds[index] = guess_return_kind(&input.code, body);
    }
    // Each extra round either settles a kind or leaves out a callee, so this bounds both.
    // Each extra round settles a callee's parameter kinds too.
    let rounds = ROUNDS + input.functions.len() + if input.side_exits { input.functions.len() } else { 0 };
    for _round in 0..rounds {
        env.budget.reset();
        let mut contexts = Vec::with_capacity(input.functions.len());
        let mut exit = None;
        let mut changed = false;
        for (index, body) in input.functions.iter().enumerate() {
            let mut ctx = Context::new();
            let arity = if index == 0 { input.entry.kinds.len() } else { body.arity };
            ctx.func.signature = internal_signature(call_conv, arity);
            if env.left_out[index] {
                translate_stub(&mut ctx.func, builder_ctx, env);
                contexts.push(ctx);
                continue;
            }
            let translated = match translate_function(input, index, &mut ctx.func, builder_ctx, env) {
                Ok(translated) => translated,
                Err(Rejection::Refused(_)) if index > 0 && input.side_exits => {
                    // A translation that stopped part-way leaves the builder's context dirty.
                    *builder_ctx = FunctionBuilderContext::new();
                    env.demands.take();
                    env.left_out[index] = true;
                    changed = true;
                    break;
                }
                Err(rejection) => return Err(rejection),
            };
            exit.get_or_insert(translated.exit);
            contexts.push(ctx);
            changed |= settle_param_kinds(env);
            if !called[index] {
                continue;
            }
            // A return of a call's result has the kind assumed for that callee, so a mixed
            // set may only mean the assumption was wrong: try another kind it contains.
            let kinds = &translated.return_kinds;
            if !kinds.is_empty() && kinds != &[env.return_kinds[index]] {
                let other = kinds.iter().copied().find(|&kind| kind != env.return_kinds[index]);
                env.return_kinds[index] = other.expect("a kind other than the assumed one");
                changed = true;
            }
        }
        if !changed {
            return Ok((contexts, exit.expect("a module holds at least one function")));
        }
    }
    Err(Rejection::Refused(Refusal::new(
        RefusalReason::CalleeReturnType,
        "Call",
        input.functions[0].start,
        "a function called natively returns values of different kinds".to_owned(),
    )))
}

/// Settles the parameter kinds the calls just translated asked for; true if any changed.
fn settle_param_kinds(env: &mut TranslateEnv) -> bool {
    let mut changed = false;
    for (callee, kinds) in env.demands.take() {
        if !env.param_settled[callee] {
            env.param_kinds[callee] = kinds;
            env.param_settled[callee] = true;
            changed = true;
        }
    }
    changed
}

/// A first guess of what a function returns, from the instruction before its first
/// `Return` that says (a comparison is a bool, arithmetic a number): a right guess saves a
/// translation round, and a wrong one only costs one. Defaults to number.
fn guess_return_kind(code: &[u8], body: &Body) -> ValueKind {
    let mut previous = None;
    for (_, byte) in linear(code, body) {
        if byte == op::RETURN {
            if let Some(kind) = previous.and_then(kind_produced_by) {
                return kind;
            }
        }
        previous = Some(byte);
    }
    ValueKind::Number
}

/// The kind of the value `byte` always leaves on top of the stack, if it says.
fn kind_produced_by(byte: u8) -> Option<ValueKind> {
    match byte {
        op::TRUE | op::FALSE | op::NOT | op::EQUAL | op::NOT_EQUAL => Some(ValueKind::Bool),
        op::LESS | op::LESS_EQUAL | op::GREATER | op::GREATER_EQUAL => Some(ValueKind::Bool),
        op::ADD | op::SUB | op::MUL | op::DIV | op::MOD | op::NEGATE | op::CONSTANT => Some(ValueKind::Number),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: &[u8]) -> Body {
        Body { start: 0, end: code.len(), arity: 0, local_count: 0 }
    }

    #[test]
    fn guesses_from_the_instruction_before_the_first_return() {
        let compare = [op::CONSTANT, 0, 0, op::CONSTANT, 0, 0, op::LESS, op::RETURN];
        assert_eq!(guess_return_kind(&compare, &body(&compare)), ValueKind::Bool);
        let null = [op::NULL, op::RETURN, op::TRUE, op::RETURN];
        assert_eq!(guess_return_kind(&null, &body(&null)), ValueKind::Bool);
        let local = [op::GET_LOCAL, 0, 0, op::RETURN];
        assert_eq!(guess_return_kind(&local, &body(&local)), ValueKind::Number);
    }
}
