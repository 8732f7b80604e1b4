// Programs whose function constants share one long body: the shapes that made reading and
// validating `.atb` files cost (function constants × code length).
import { type Bytecode, BytecodeBuilder, Opcode, functionRef } from '../../src/bytecode/index.js';

export interface SharedBody {
  readonly bytecode: Bytecode;
  /** Instructions in the shared body. */
  readonly instructions: number;
}

/**
 * Top-level `Halt`, then one function body of `instructions` instructions (`GetLocal 0; Pop`
 * pairs, then `Null; Return`) and `constants` extra function constants entering it: `entries` — each at a
 * different `GetLocal` of it, all with arity 1; `arities` — all at its start, with arities
 * 1..255 in turn.
 */
export function sharedBody(constants: number, instructions: number, shape: 'entries' | 'arities'): SharedBody {
  const b = new BytecodeBuilder();
  b.emit(Opcode.Halt); // the top-level code; the body follows it (too long to jump over)
  const entries: number[] = [];
  const pairs = Math.floor((instructions - 2) / 2);
  for (let i = 0; i < pairs; i++) {
    entries.push(b.emit(Opcode.GetLocal, [0]));
    b.emit(Opcode.Pop);
  }
  b.emit(Opcode.Null);
  b.emit(Opcode.Return);
  const spread = Math.max(1, Math.floor(pairs / constants));
  for (let k = 0; k < constants; k++) {
    const offset = shape === 'entries' ? entries[(k * spread) % pairs]! : entries[0]!;
    const arity = shape === 'entries' ? 1 : 1 + (k % 255);
    b.addConstant({ kind: 'function', value: functionRef({ name: `f${k}`, arity, offset, localCount: arity }) });
  }
  return { bytecode: b.build(), instructions: pairs * 2 + 2 };
}

/** Top-level code that pushes `depth` values, then stores into and reads slot 0 `times` times each. */
export function deepStack(depth: number, times: number): Bytecode {
  const b = new BytecodeBuilder();
  for (let i = 0; i < depth; i++) b.emit(Opcode.Null);
  for (let i = 0; i < times; i++) {
    b.emit(Opcode.True);
    b.emit(Opcode.SetLocal, [0]);
    b.emit(Opcode.Pop);
    b.emit(Opcode.GetLocal, [0]);
    b.emit(Opcode.Pop);
  }
  b.emit(Opcode.Halt);
  b.topLevelLocalCount = 1;
  return b.build();
}
