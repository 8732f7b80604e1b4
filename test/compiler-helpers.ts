// Readable views of compiler output for the compiler tests: instruction listings, debug
// spans, constants, and a way to catch a CompileError.
import type { ExecutionContext } from 'ava';
import { type Bytecode, type Constant, instructions } from '../src/bytecode/index.js';
import { generate } from '../src/compiler/codegen.js';
import { CompileError, compile } from '../src/compiler/index.js';
import { terminateProgram, tokenize } from '../src/compiler/lexer.js';
import { parse } from '../src/compiler/parser.js';
import { SourceText } from '../src/compiler/source-text.js';

/** One line per instruction: `Name operand…` (jump operands as the raw signed offset). */
export function listing(bc: Bytecode): string[] {
  return [...instructions(bc.code)].map((ins) => [ins.info.name, ...ins.operands].join(' '));
}

/** The debug table as `[offset, start, end]` triples. */
export function spans(bc: Bytecode): [number, number, number][] {
  return bc.debug.map((d) => [d.offset, d.start, d.end]);
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Constants rendered compactly: numbers as is, strings quoted, functions as `fn name/arity@offset locals=n`. */
export function constants(bc: Bytecode): (number | string)[] {
  return bc.constants.map(renderConstant);
}

function renderConstant(c: Constant): number | string {
  switch (c.kind) {
    case 'number': return c.value;
    case 'string': return JSON.stringify(c.value);
    case 'function': return `fn ${c.value.name}/${c.value.arity}@${c.value.offset} locals=${c.value.localCount}`;
    case 'bool': return `bool ${c.value}`;
    case 'null': return 'null';
    case 'builtin': return `builtin ${c.name}`;
  }
}

/** Compiles `source`, expecting a CompileError, and returns it. */
export function compileError(t: ExecutionContext, source: string, file = 'test.atlas'): CompileError {
  const err = t.throws(() => compile(source, file), { instanceOf: CompileError });
  if (err === undefined) throw new Error('expected a CompileError');
  return err;
}

export function compileTest(source: string): Bytecode {
  return compile(source, 'test.atlas');
}

/**
 * Parses and generates code without the binder and type checker: for tests of the code
 * generator's layout on snippets that use free names (`x; f(1);`) or assign parameters,
 * which the language itself rejects before code generation.
 */
export function generateUnchecked(source: string): Bytecode {
  const text = new SourceText(source, 'test.atlas');
  return generate(parse(terminateProgram(tokenize(text)), text), text);
}
