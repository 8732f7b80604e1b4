/**
 * A readable listing of a program: the constant pool, then every instruction with its offset,
 * operands, the constant it refers to, absolute jump targets, and `fn … end fn` markers around
 * function bodies (their extent comes from the program's flow analysis). Corrupt code is listed
 * too: an unknown byte shows as `.byte`, a truncated instruction says so.
 *
 *   constants (2):
 *     #0  fn id(arity 1, locals 1) @10
 *     #1  "id"
 *
 *   code (17 bytes):
 *      0  Constant 0 ; fn id
 *      3  SetGlobal 1 ; "id"
 *      6  Pop
 *      7  Jump +6 -> 16
 *         fn id(arity 1, locals 1) @10 .. 16
 *     10    GetLocal 0
 *     13    Return
 *     14    Null
 *     15    Return
 *         end fn id
 *     16  Halt
 */
import type { Bytecode, Constant, FunctionRef } from './bytecode.js';
import type { Instruction } from './decoder.js';
import type { ScannedInstruction } from './linear-scan.js';
import { Opcode, isJump } from './opcode.js';

export function disassemble(bytecode: Bytecode): string {
  return `${[...constantLines(bytecode), '', ...codeLines(bytecode)].join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

function constantLines(bytecode: Bytecode): string[] {
  const width = String(Math.max(0, bytecode.constants.length - 1)).length + 1;
  const lines = [`constants (${bytecode.constants.length}):`];
  bytecode.constants.forEach((c, k) => lines.push(`  ${`#${k}`.padEnd(width)}  ${describeConstant(c)}`));
  return lines;
}

/** The full form of a constant, as listed in the pool. */
export function describeConstant(c: Constant): string {
  switch (c.kind) {
    case 'null': return 'null';
    case 'bool': return String(c.value);
    case 'number': return formatNumber(c.value);
    case 'string': return JSON.stringify(c.value);
    case 'builtin': return `builtin ${c.name}`;
    case 'function': return `${functionSignature(c.value)} @${c.value.offset}`;
  }
}

/** The short form used in an instruction's comment: functions by name only. */
function constantComment(c: Constant): string {
  return c.kind === 'function' ? `fn ${c.value.name}` : describeConstant(c);
}

function formatNumber(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

function functionSignature(fn: FunctionRef): string {
  return `fn ${fn.name}(arity ${fn.arity}, locals ${fn.localCount})`;
}

// ---------------------------------------------------------------------------------------------
// Code
// ---------------------------------------------------------------------------------------------

interface Extent {
  readonly fn: FunctionRef;
  readonly start: number;
  readonly end: number;
}

function codeLines(bytecode: Bytecode): string[] {
  const code = bytecode.code;
  const locals = bytecode.topLevelLocalCount > 0 ? `, top-level locals ${bytecode.topLevelLocalCount}` : '';
  const lines = [`code (${code.length} bytes${locals}):`];
  const scan = bytecode.analysis.scan;
  const extents = functionExtents(bytecode, scan);
  const width = String(Math.max(0, code.length - 1)).length + 2;
  const blank = ' '.repeat(width);
  const open: Extent[] = [];
  const indent = (): string => '  '.repeat(open.length);
  const closeAt = (offset: number): void => {
    for (let i = open.length - 1; i >= 0; i--) {
      if (open[i]!.end !== offset) continue;
      const [closed] = open.splice(i, 1);
      lines.push(`${blank}  ${indent()}end fn ${closed!.fn.name}`);
    }
  };
  const startingAt = new Map<number, Extent[]>();
  for (const extent of extents) startingAt.set(extent.start, [...(startingAt.get(extent.start) ?? []), extent]);
  for (const entry of scan) {
    closeAt(entry.offset);
    for (const extent of startingAt.get(entry.offset) ?? []) {
      lines.push(`${blank}  ${indent()}${functionSignature(extent.fn)} @${extent.start} .. ${extent.end}`);
      open.push(extent);
    }
    lines.push(`${String(entry.offset).padStart(width)}  ${indent()}${describeEntry(bytecode, entry)}`);
  }
  closeAt(code.length);
  return lines;
}

/**
 * Function bodies that can be marked: one per body offset (the first constant naming it), whose
 * offset starts a decoded instruction and whose analysed extent is not empty. Offset 0 means
 * "not compiled" (docs/bytecode.md §3.1) and gets no marker. Sorted by start, outer (longer) ones first.
 */
function functionExtents(bytecode: Bytecode, scan: readonly ScannedInstruction[]): Extent[] {
  const byNext = new Map<number, Instruction>();
  for (const entry of scan) if (entry.instruction !== undefined) byNext.set(entry.instruction.next, entry.instruction);
  const starts = new Set<number>();
  for (const entry of scan) if (entry.instruction !== undefined) starts.add(entry.offset);
  const byStart = new Map<number, Extent>();
  for (const fn of bytecode.analysis.functions) {
    if (fn.offset === 0 || !starts.has(fn.offset) || byStart.has(fn.offset)) continue;
    const end = Math.min(layoutEnd(byNext.get(fn.offset), bytecode.analysis.functionEnd(fn)), bytecode.code.length);
    if (end > fn.offset) byStart.set(fn.offset, { fn, start: fn.offset, end });
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start || b.end - a.end);
}

/**
 * Where a body ends in the listing. The compiler puts a `Jump` over the body right before it
 * (docs/bytecode.md §3.2); its target also covers the dead `Null; Return` the analysis leaves out. Without
 * such a jump, the analysed end (one past the last reachable instruction) is used.
 */
function layoutEnd(before: Instruction | undefined, analysedEnd: number): number {
  if (before === undefined || before.info.byte !== Opcode.Jump) return analysedEnd;
  const target = before.next + before.operands[0]!;
  return Math.max(target , analysedEnd);
}

function describeEntry(bytecode: Bytecode, entry: ScannedInstruction): string {
  if (entry.instruction !== undefined) return describeInstruction(bytecode, entry.instruction);
  const byte = bytecode.code[entry.offset]!;
  if (entry.info === undefined) return `.byte 0x${byte.toString(16).padStart(2, '0')} ; unknown opcode`;
  const have = bytecode.code.length - entry.offset - 1;
  return `${entry.info.name} ; truncated: needs ${entry.info.size - 1} operand byte(s), ${have} left`;
}

/** `Name operands ; comment`: resolved constants, absolute jump targets. */
export function describeInstruction(bytecode: Bytecode, ins: Instruction): string {
  const name = ins.info.name;
  if (isJump(ins.info.byte)) {
    const d = ins.operands[0]!;
    return `${name} ${d >= 0 ? '+' : ''}${d} -> ${ins.next + d}`;
  }
  const text = ins.operands.length === 0 ? name : `${name} ${ins.operands.join(' ')}`;
  const byte = ins.info.byte;
  if (byte === Opcode.Constant || byte === Opcode.GetGlobal || byte === Opcode.SetGlobal || byte === Opcode.MakeClosure) {
    const c = bytecode.constants[ins.operands[0]!];
    return `${text} ; ${c === undefined ? `no constant #${ins.operands[0]}` : constantComment(c)}`;
  }
  return text;
}
