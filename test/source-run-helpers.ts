// Shared helpers for the stdlib tests: run Atlas source through the public API (compile + Vm)
// and read values, printed lines and errors back as plain data.
import type { ExecutionContext } from 'ava';
import type { Bytecode } from '../src/bytecode/index.js';
import { compile } from '../src/compiler/index.js';
import {
  AtlasArray, AtlasBuiltin, AtlasClosure, AtlasFunction, AtlasJson, AtlasOption, AtlasResult, AtlasRuntimeError, type Value, Vm, type VmOptions,
} from '../src/vm/index.js';
import { toJsonText } from '../src/vm/stdlib/json-format.js';
import { compileUnchecked } from './helpers/unchecked.js';

/** A value as plain data: arrays as arrays, `{ Some }`/`'None'`, `{ Ok }`/`{ Err }`, `<fn f>`, `<builtin b>`. */
export type Plain = number | string | boolean | null | Plain[] | { Some: Plain } | 'None' | { Ok: Plain } | { Err: Plain } | { json: string };

export function plain(v: Value | undefined): Plain {
  if (v === undefined) throw new Error('no value');
  if (v instanceof AtlasArray) return v.elements.map(plain);
  if (v instanceof AtlasOption) return v.isSome ? { Some: plain(v.value) } : 'None';
  if (v instanceof AtlasResult) return v.isOk ? { Ok: plain(v.value) } : { Err: plain(v.value) };
  if (v instanceof AtlasFunction || v instanceof AtlasClosure) return `<fn ${v.name}>`;
  if (v instanceof AtlasBuiltin) return `<builtin ${v.name}>`;
  if (v instanceof AtlasJson) return { json: toJsonText(v) };
  return v;
}

/** Runs `source`; its printed lines and the value of its last expression statement. */
export function evaluate(source: string, options: VmOptions = {}): { output: string[]; value: Plain } {
  const output: string[] = [];
  const value = new Vm(compile(source, 'test.atlas'), { stdout: (line) => output.push(line), ...options }).run();
  return { output, value: plain(value) };
}

/** The printed lines of `source`. */
export function printed(source: string): string[] {
  const output: string[] = [];
  new Vm(compile(source, 'test.atlas'), { stdout: (line) => output.push(line) }).run();
  return output;
}

/** The span of the first occurrence of `text` in `source` (ASCII sources: characters = bytes). */
export function spanOf(source: string, text: string, from = 0): { start: number; end: number } {
  const start = source.indexOf(text, from);
  if (start < 0) throw new Error(`${text} not in the source`);
  return { start, end: start + text.length };
}

/** The error `source` raises, as the reference CLI prints it (`Runtime error: <Debug form>`). */
export function runtimeError(source: string): string {
  return errorRunning(compile(source, 'test.atlas'));
}

/**
 * `runtimeError` for a program the static checks reject (a builtin called with the wrong
 * argument count or kinds): its bytecode as a hand-written `.atb` file could hold it, whose
 * calls the builtins must still check at run time.
 */
export function uncheckedRuntimeError(source: string): string {
  return errorRunning(compileUnchecked(source, 'test.atlas'));
}

function errorRunning(bytecode: Bytecode): string {
  return `Runtime error: ${errorRaised(bytecode).debugString()}`;
}

/** The AtlasRuntimeError running `bytecode` raises (anything else, or no error, fails the test). */
function errorRaised(bytecode: Bytecode): AtlasRuntimeError {
  try {
    new Vm(bytecode, { stdout: () => {} }).run();
  } catch (error) {
    if (error instanceof AtlasRuntimeError) return error;
    throw error;
  }
  throw new Error('no runtime error');
}

/** What `print(<expr>)` prints. */
export function show(expr: string): string {
  return printed(`print(${expr});`).join('\n');
}

/** `<kind>: <message>` of the error that evaluating `expr` raises. */
export function errorOf(expr: string): string {
  const error = errorRaised(compile(`${expr};`, 'test.atlas'));
  return `${error.kind}: ${error.message}`;
}

/** Checks each `[expr, printed]` pair. */
export function shows(t: ExecutionContext, cases: readonly (readonly [string, string])[]): void {
  for (const [expr, expected] of cases) t.is(show(expr), expected, expr);
}

/** Checks each `[expr, "<kind>: <message>"]` pair. */
export function fails(t: ExecutionContext, cases: readonly (readonly [string, string])[]): void {
  for (const [expr, expected] of cases) t.is(errorOf(expr), expected, expr);
}

/**
 * `fails` for expressions the static checks reject (compiled as `uncheckedRuntimeError`
 * does): the builtins must still check such calls at run time.
 */
export function uncheckedFails(t: ExecutionContext, cases: readonly (readonly [string, string])[]): void {
  for (const [expr, expected] of cases) {
    const error = errorRaised(compileUnchecked(`${expr};`, 'test.atlas'));
    t.is(`${error.kind}: ${error.message}`, expected, expr);
  }
}

/** `Runtime error: <kind> { msg: "<msg>", span: … }` for the first occurrence of `at` in `source`. */
export function expected(kind: string, msg: string | undefined, source: string, at: string, from = 0): string {
  const span = spanOf(source, at, from);
  const field = msg === undefined ? '' : kind === 'UnknownFunction' ? `name: ${JSON.stringify(msg)}, ` : `msg: ${JSON.stringify(msg)}, `;
  return `Runtime error: ${kind} { ${field}span: Span { start: ${span.start}, end: ${span.end} } }`;
}
