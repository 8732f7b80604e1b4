/**
 * The Atlas source front-end: `compile(source, filename)` lexes, parses, runs the static
 * checks and generates bytecode laid out like the reference compiler's (docs/bytecode.md §6).
 *
 * Spans in the debug table are character (code point) offsets into `source` as given.
 * The reference trims the source first (docs/bytecode.md §6.1), so its spans are shifted by any
 * leading whitespace; ours point into the file, which keeps error carets right, and are
 * identical for every file that does not start with whitespace.
 */
import type { Bytecode } from '../bytecode/bytecode.js';
import { bind } from './binder.js';
import { chooseLayout, generate } from './codegen.js';
import { terminateProgram, tokenize } from './lexer.js';
import { parse } from './parser.js';
import { SourceText } from './source-text.js';
import { typecheck } from './typecheck.js';

export { CompileError, type CompileErrorDetails } from './compile-error.js';

/**
 * Compiles Atlas source to bytecode; throws CompileError on any syntax or static error,
 * holding every error of the first stage that failed (parse, bind, type) in `diagnostics`.
 * The bytecode keeps the source (`bytecode.source`) for the positions of runtime errors.
 */
export function compile(source: string, filename: string): Bytecode {
  const text = new SourceText(source, filename);
  const program = parse(terminateProgram(tokenize(text)), text);
  bind(program, text);
  const facts = typecheck(program, text);
  return generate(program, text, chooseLayout, facts.methods).attachSource(text);
}
