/**
 * `BytecodeBuilder`: an assembler for Atlas bytecode. It emits opcodes with operands and
 * one debug entry per instruction (docs/bytecode.md §1.1), resolves labels (patching forward jumps the
 * way the reference compiler does, docs/bytecode.md §1.2), and lays out top-level functions exactly as
 * the reference compiler does (docs/bytecode.md §3.2).
 */
import { Bytecode, type Constant, type DebugEntry, type FunctionRef, type Span } from './bytecode.js';
import { type OpcodeName, Opcode, OPCODE_TABLE, isJump } from './opcode.js';

const NO_SPAN: Span = { start: 0, end: 0 };

/** A jump destination; bound to an offset with `mark`. */
export class Label {
  offset: number | undefined = undefined;
  /** Operand positions of forward jumps waiting for this label. */
  readonly pending: number[] = [];
}

/** A function whose prologue is emitted and whose body is being emitted. */
export interface FunctionInProgress {
  readonly name: string;
  readonly arity: number;
  readonly constantIndex: number;
  readonly bodyOffset: number;
  readonly skipJump: number;
  readonly span: Span;
  readonly paramNames: readonly string[] | undefined;
}

export class BytecodeBuilder {
  private bytes: Uint8Array = new Uint8Array(256);
  private length = 0;
  private readonly constants: Constant[] = [];
  private readonly debug: DebugEntry[] = [];
  /** The span given to instructions emitted without an explicit one. */
  span: Span = NO_SPAN;
  topLevelLocalCount = 0;

  /** Current length of the code: the offset of the next instruction. */
  get offset(): number {
    return this.length;
  }

  addConstant(constant: Constant): number {
    const index = this.constants.length;
    if (index > 0xffff) throw new RangeError(`constant pool overflow: more than 65536 constants`);
    this.constants.push(constant);
    return index;
  }

  setConstant(index: number, constant: Constant): void {
    if (index < 0 || index >= this.constants.length) throw new RangeError(`no constant ${index}`);
    this.constants[index] = constant;
  }

  number(value: number): number {
    return this.addConstant({ kind: 'number', value });
  }

  string(value: string): number {
    return this.addConstant({ kind: 'string', value });
  }

  /** Emits one instruction; operands must match the opcode's layout. Returns its offset. */
  emit(op: Opcode | OpcodeName, operands: readonly number[] = [], span: Span = this.span): number {
    const byte = typeof op === 'string' ? Opcode[op] : op;
    const info = OPCODE_TABLE[byte];
    if (info === undefined) throw new RangeError(`0x${byte.toString(16)} is not an opcode`);
    // Check the operands before writing anything, so a rejected emit leaves no partial instruction.
    const operandBytes = encodeOperands(info.operands, operands, info.name);
    const at = this.length;
    this.debug.push({ offset: at, start: span.start, end: span.end });
    this.pushByte(byte);
    for (const b of operandBytes) this.pushByte(b);
    return at;
  }

  /** Emits `Constant k` for a new number/string constant. */
  emitConstant(value: number | string, span: Span = this.span): number {
    const k = typeof value === 'number' ? this.number(value) : this.string(value);
    return this.emit(Opcode.Constant, [k], span);
  }

  /** Emits a raw byte with no debug entry (for hand-made corrupt programs in tests). */
  emitRaw(...bytes: number[]): void {
    for (const b of bytes) this.pushByte(b & 0xff);
  }

  label(): Label {
    return new Label();
  }

  /** Binds `label` to the current offset and patches the forward jumps waiting for it. */
  mark(label: Label): void {
    if (label.offset !== undefined) throw new Error('label already marked');
    label.offset = this.length;
    for (const operandAt of label.pending) this.patchJump(operandAt);
    label.pending.length = 0;
  }

  /** Emits a Jump/JumpIfFalse/Loop to `label`, backward if it is marked, else forward. */
  jump(op: 'Jump' | 'JumpIfFalse' | 'Loop', label: Label, span: Span = this.span): number {
    if (label.offset === undefined) {
      const at = this.emitJump(op, span);
      label.pending.push(at + 1);
      return at;
    }
    const at = this.length;
    return this.emit(op, [checkI16(label.offset - (at + 3))], span);
  }

  /** Reference-style forward jump: emits the opcode with placeholder FF FF (docs/bytecode.md §1.2). */
  emitJump(op: 'Jump' | 'JumpIfFalse' | 'Loop', span: Span = this.span): number {
    if (!isJump(Opcode[op])) throw new RangeError(`${op} is not a jump`);
    const at = this.emit(op, [-1], span);
    return at;
  }

  /** Reference `patch_jump(p)`: writes `length - p - 2` at operand position p. */
  patchJump(operandAt: number): void {
    const distance = checkI16(this.length - operandAt - 2);
    this.bytes[operandAt] = (distance >> 8) & 0xff;
    this.bytes[operandAt + 1] = distance & 0xff;
  }

  /**
   * Starts a top-level `fn` the way the reference compiler does (docs/bytecode.md §3.2): reserves the
   * function constant, emits `Constant kf; SetGlobal name; Pop; Jump <over body>`.
   */
  beginFunction(name: string, arity: number, span: Span = this.span, paramNames?: readonly string[]): FunctionInProgress {
    if (arity > 0xff) throw new RangeError(`function ${name}: arity ${arity} exceeds 255`);
    const constantIndex = this.addConstant({ kind: 'null' });
    this.emit(Opcode.Constant, [constantIndex], span);
    this.emit(Opcode.SetGlobal, [this.string(name)], span);
    this.emit(Opcode.Pop, [], span);
    const skipJump = this.emitJump('Jump', span);
    return { name, arity, constantIndex, bodyOffset: this.length, skipJump, span, paramNames };
  }

  /** Ends the function: implicit `Null; Return`, final FunctionRef, patched skip jump. */
  endFunction(fn: FunctionInProgress, localCount: number): FunctionRef {
    this.emit(Opcode.Null, [], fn.span);
    this.emit(Opcode.Return, [], fn.span);
    const ref: FunctionRef = {
      name: fn.name,
      arity: fn.arity,
      offset: fn.bodyOffset,
      localCount: Math.max(localCount, fn.arity),
      paramOwnership: Array.from({ length: fn.arity }, () => 'none' as const),
      paramNames: fn.paramNames ?? Array.from({ length: fn.arity }, (_, i) => `p${i}`),
      returnOwnership: 'none',
    };
    this.setConstant(fn.constantIndex, { kind: 'function', value: ref });
    this.patchJump(fn.skipJump + 1);
    return ref;
  }

  /** Declares a whole function: prologue, `body(this)`, epilogue. */
  declareFunction(name: string, arity: number, localCount: number, body: (b: this) => void): FunctionRef {
    const fn = this.beginFunction(name, arity);
    body(this);
    return this.endFunction(fn, localCount);
  }

  build(): Bytecode {
    return new Bytecode(this.bytes.slice(0, this.length), [...this.constants], [...this.debug], this.topLevelLocalCount);
  }

  private pushByte(value: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = value;
  }
}

function encodeOperands(layout: string, operands: readonly number[], name: string): number[] {
  const expected = layout === 'none' ? 0 : layout === 'u16u16' ? 2 : 1;
  if (operands.length !== expected) {
    throw new RangeError(`${name} takes ${expected} operand(s), got ${operands.length}`);
  }
  if (layout === 'u8') return [checkRange(operands[0]!, 0, 0xff, name)];
  if (layout === 'u16') return u16Bytes(checkRange(operands[0]!, 0, 0xffff, name));
  if (layout === 'i16') return u16Bytes(checkI16(operands[0]!) & 0xffff);
  if (layout === 'u16u16') {
    return [...u16Bytes(checkRange(operands[0]!, 0, 0xffff, name)), ...u16Bytes(checkRange(operands[1]!, 0, 0xffff, name))];
  }
  return [];
}

function u16Bytes(value: number): number[] {
  return [value >> 8, value & 0xff];
}

function checkRange(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what}: operand ${value} outside ${min}..${max}`);
  }
  return value;
}

function checkI16(value: number): number {
  return checkRange(value, -0x8000, 0x7fff, 'jump distance');
}
