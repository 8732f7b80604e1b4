// Runs Atlas source through the public API (compile + Vm) for the stdlib tests.
import type { ExecutionContext } from 'ava';
import type { Bytecode } from '../src/bytecode/index.js';
import { compile } from '../src/compiler/index.js';
import { AtlasRuntimeError, Vm } from '../src/vm/index.js';
import { compileUnchecked } from './helpers/unchecked.js';

/** The lines `source` prints. */
export function printed(source: string): string[] {
  return linesOf(compile(source, 'test.atlas'));
}

/** What `print(<expr>)` prints. */
export function show(expr: string): string {
  return printed(`print(${expr});`).join('\n');
}

/** The run-time error of `source`, in the reference's one-line form. */
export function failure(t: ExecutionContext, source: string): string {
  return `Runtime error: ${raised(t, compile(source, 'test.atlas')).debugString()}`;
}

/**
 * `failure` for a program the static checks reject (a builtin called with the wrong argument
 * count or kinds): its bytecode as a hand-written `.atb` file could hold it, whose calls the
 * builtins must still check at run time.
 */
export function uncheckedFailure(t: ExecutionContext, source: string): string {
  return `Runtime error: ${raised(t, compileUnchecked(source, 'test.atlas')).debugString()}`;
}

/** `<kind>: <message>` of the error that evaluating `expr` raises. */
export function errorOf(t: ExecutionContext, expr: string): string {
  const error = raised(t, compile(`${expr};`, 'test.atlas'));
  return `${error.kind}: ${error.message}`;
}

/** Checks each `[expr, printed]` pair. */
export function shows(t: ExecutionContext, cases: readonly (readonly [string, string])[]): void {
  for (const [expr, expected] of cases) t.is(show(expr), expected, expr);
}

/** Checks each `[expr, "<kind>: <message>"]` pair. */
export function fails(t: ExecutionContext, cases: readonly (readonly [string, string])[]): void {
  for (const [expr, expected] of cases) t.is(errorOf(t, expr), expected, expr);
}

/** `fails` for expressions the static checks reject, compiled as `uncheckedFailure` does. */
export function uncheckedFails(t: ExecutionContext, cases: readonly (readonly [string, string])[]): void {
  for (const [expr, expected] of cases) {
    const error = raised(t, compileUnchecked(`${expr};`, 'test.atlas'));
    t.is(`${error.kind}: ${error.message}`, expected, expr);
  }
}

function linesOf(bytecode: Bytecode): string[] {
  const lines: string[] = [];
  new Vm(bytecode, { stdout: (line) => { lines.push(line); } }).run();
  return lines;
}

function raised(t: ExecutionContext, bytecode: Bytecode): AtlasRuntimeError {
  return t.throws(() => linesOf(bytecode), { instanceOf: AtlasRuntimeError }) as AtlasRuntimeError;
}
