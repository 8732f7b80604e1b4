/**
 * Long function bodies for the native compiler's size limit and compile-time benchmark.
 */
import { BytecodeBuilder } from '../../src/bytecode/index.js';
import type { NativeFunctionInput } from '../../src/jit/native.js';

/**
 * `x = x + 1` `ops` times, then `return x`, laid out from offset 0: a declared function's
 * body must stay within a jump's reach, which a long one would not.
 */
export function increments(ops: number): NativeFunctionInput {
  const b = new BytecodeBuilder();
  const one = b.number(1);
  for (let i = 0; i < ops; i++) {
    b.emit('GetLocal', [0]);
    b.emit('Constant', [one]);
    b.emit('Add');
    b.emit('SetLocal', [0]);
    b.emit('Pop');
  }
  b.emit('GetLocal', [0]);
  b.emit('Return');
  const end = b.offset;
  const bytecode = b.build();
  return { code: bytecode.code, start: 0, end, arity: 1, localCount: 1, constants: bytecode.constants };
}
