/**
 * How the command line prints a program's errors (`--error-format`):
 * - `human` (the default): `file:line:col: error: <message>`, a code frame of the source, and
 *   for a runtime error its Atlas stack as `    at fn (file:line:col)` lines;
 * - `reference`: exactly the reference implementation's line (`Runtime error: <Debug form>`,
 *   `Parse error: …`, `Type error: …`), for conformance tooling;
 * - `json`: one JSON object per line per error, for tools.
 */
import { codeFrame } from '../compiler/code-frame.js';
import type { CompileError } from '../compiler/compile-error.js';
import type { SourceText } from '../compiler/source-text.js';
import type { AtlasFrame, AtlasRuntimeError } from '../vm/errors.js';

export type ErrorFormat = 'human' | 'reference' | 'json';

export const ERROR_FORMATS: readonly ErrorFormat[] = ['human', 'reference', 'json'];

/**
 * The report of a runtime error: `program` names the program file (the error's own `file`
 * is undefined for bytecode read from `.atb`), `source` is its text when it came from source.
 */
export function runtimeErrorReport(error: AtlasRuntimeError, format: ErrorFormat, program: string, source: SourceText | undefined): string {
  switch (format) {
    case 'reference': return `Runtime error: ${error.debugString()}`;
    case 'json': return JSON.stringify(runtimeErrorJson(error, program));
    case 'human': {
      const lines = [`${where(error.file ?? program, error.line, error.column)}: error: ${error.message}`];
      if (source !== undefined && error.span !== undefined) lines.push(codeFrame(source, error.span));
      for (const f of error.frames) lines.push(`    at ${f.function} (${frameWhere(f, program)})`);
      if (error.framesOmitted > 0) lines.push(`    ... ${error.framesOmitted} more frame${error.framesOmitted === 1 ? '' : 's'}`);
      return lines.join('\n');
    }
  }
}

/**
 * The report of a compile error: every error of the file with its location and caret line
 * (human: the error's message holds them all), one object per diagnostic (json, warnings
 * included), or the reference's line.
 */
export function compileErrorReport(error: CompileError, format: ErrorFormat): string {
  switch (format) {
    case 'reference': return error.referenceLine;
    case 'json': return error.diagnostics.map((d) => JSON.stringify(compileErrorJson(d))).join('\n');
    case 'human': return error.message;
  }
}

function runtimeErrorJson(error: AtlasRuntimeError, program: string): Record<string, unknown> {
  return {
    kind: error.kind,
    message: error.message,
    file: error.file ?? program,
    line: error.line ?? null,
    column: error.column ?? null,
    span: error.span ?? null,
    offset: error.offset,
    stack: error.frames.map((f) => ({
      function: f.function, file: f.file ?? program, line: f.line ?? null, column: f.column ?? null, offset: f.offset, span: f.span ?? null,
    })),
    framesOmitted: error.framesOmitted,
  };
}

function compileErrorJson(d: CompileError): Record<string, unknown> {
  return {
    kind: 'CompileError', severity: d.warning ? 'warning' : 'error', stage: d.stage, code: d.code ?? null, message: d.reason,
    file: d.file, line: d.line, column: d.column, span: d.span,
  };
}

function where(file: string, line: number | undefined, column: number | undefined): string {
  return line === undefined ? file : `${file}:${line}:${column}`;
}

/** `file:line:col`, or `file offset N` for bytecode without source. */
function frameWhere(f: AtlasFrame, program: string): string {
  if (f.line !== undefined) return `${f.file ?? program}:${f.line}:${f.column}`;
  return f.offset >= 0 ? `${program} offset ${f.offset}` : program;
}
