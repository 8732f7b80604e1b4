/**
 * Reading a program file for the command line: `.atb` bytes (by extension or magic number)
 * or Atlas source, which is compiled. Each format's code is imported only when a file of it
 * comes: a source run never loads the `.atb` reader, nor an `.atb` run the compiler.
 */
import { readFileSync } from 'node:fs';
import type { Bytecode } from '../bytecode/bytecode.js';
import type { SourceText } from '../compiler/source-text.js';

export interface LoadedProgram {
  readonly bytecode: Bytecode;
  /** The source text, when the program came from source (for error excerpts). */
  readonly source: SourceText | undefined;
}

const ATB_MAGIC = [0x41, 0x54, 0x42, 0x00];

export async function loadProgram(file: string): Promise<LoadedProgram> {
  const bytes = readFileSync(file);
  if (file.endsWith('.atb') || ATB_MAGIC.every((b, i) => bytes[i] === b)) {
    const { readAtb } = await import('../bytecode/atb.js');
    return { bytecode: readAtb(new Uint8Array(bytes)), source: undefined };
  }
  const { compile } = await import('../compiler/index.js');
  const bytecode = compile(bytes.toString('utf8'), file);
  return { bytecode, source: bytecode.source };
}
