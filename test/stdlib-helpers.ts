// Runs Atlas source through the public API (compile + Vm) for the stdlib tests.
import type { ExecutionContext } from 'ava';
import { compile } from '../src/compiler/index.js';
import { AtlasRuntimeError, Vm } from '../src/vm/index.js';

/** The lines `source` prints. */
export function printed(source: string): string[] {
  const lines: string[] = [];
  new Vm(compile(source, 'test.atlas'), { stdout: (line) => { lines.push(line); } }).run();
  return lines;
}

/** What `print(<expr>)` prints. */
export function show(expr: string): string {
  return printed(`print(${expr});`).join('\n');
}

/** The run-time error of `source`, in the reference's one-line form. */
export function failure(t: ExecutionContext, source: string): string {
  const error = t.throws(() => printed(source), { instanceOf: AtlasRuntimeError }) as AtlasRuntimeError;
  return `Runtime error: ${error.debugString()}`;
}

/** `<kind>: <message>` of the error that evaluating `expr` raises. */
export function errorOf(t: ExecutionContext, expr: string): string {
  const error = t.throws(() => printed(`${expr};`), { instanceOf: AtlasRuntimeError }) as AtlasRuntimeError;
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
