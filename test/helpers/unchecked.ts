// Bytecode for programs the front-end's static checks reject (a global read before its
// declaration, a builtin called with a value of the wrong type): what the code generator
// makes of them, as a hand-written or foreign `.atb` file could hold it. The runtime must
// still raise its own errors for such code, which the tests using this check.
import type { Bytecode } from '../../src/bytecode/index.js';
import { generate } from '../../src/compiler/codegen.js';
import { terminateProgram, tokenize } from '../../src/compiler/lexer.js';
import { parse } from '../../src/compiler/parser.js';
import { SourceText } from '../../src/compiler/source-text.js';

/** Parses `source` and generates its bytecode without the binder and type checker. */
export function compileUnchecked(source: string, file: string): Bytecode {
  const text = new SourceText(source, file);
  return generate(parse(terminateProgram(tokenize(text)), text), text);
}
