/**
 * Program structure: the linear instruction scan (what the reference validator decodes, spec §5)
 * and the control-flow analysis of one frame's code (what our validator, the `.atb` reader and the
 * JIT rely on).
 *
 * A frame is entered at an offset with a known stack depth (relative to the frame base): 0 for
 * top-level code, the arity for a function body, because the arguments ARE locals 0..arity-1
 * (spec §3.3). The analysis follows every path from there (Jump/Loop to the target, JumpIfFalse
 * both ways, Return/Halt end a path, falling off the end of the code stops the VM, spec §2.2) and
 * computes the depth before each reachable instruction. Unreachable code is never inspected, so
 * the compiler's dead `Null; Return` after a body's own `return` costs nothing (spec §3.2).
 *
 * The analysis never throws: malformed code yields `problems`, the path that hit one ends there.
 */
import { type Bytecode, type FunctionRef } from './bytecode.js';
import { DecodeError, type Instruction, decodeAt } from './decoder.js';
import { type OpcodeInfo, OPCODE_TABLE, Opcode, isJump } from './opcode.js';

// ---------------------------------------------------------------------------------------------
// Linear scan
// ---------------------------------------------------------------------------------------------

/** One step of the linear decode: a decoded instruction, or the bad byte that stopped it. */
export interface ScannedInstruction {
  readonly offset: number;
  /** The opcode's info; undefined for a byte that is not an opcode. */
  readonly info: OpcodeInfo | undefined;
  /** The decoded instruction; undefined when `error` is set. */
  readonly instruction: Instruction | undefined;
  readonly error: DecodeError | undefined;
}

/**
 * Decodes `code` front to back the way the reference validator does (spec §5, pass 1): an
 * unknown byte is skipped (it still counts as an instruction start), a truncated instruction
 * ends the scan because the next start is unknowable.
 */
export function linearScan(code: Uint8Array): ScannedInstruction[] {
  const out: ScannedInstruction[] = [];
  let offset = 0;
  while (offset < code.length) {
    const info = OPCODE_TABLE[code[offset]!];
    const decoded = tryDecode(code, offset);
    if (decoded instanceof DecodeError) {
      out.push({ offset, info, instruction: undefined, error: decoded });
      if (decoded.rule === 'TruncatedInstruction') break;
      offset += 1;
    } else {
      out.push({ offset, info, instruction: decoded, error: undefined });
      offset = decoded.next;
    }
  }
  return out;
}

function tryDecode(code: Uint8Array, offset: number): Instruction | DecodeError {
  try {
    return decodeAt(code, offset);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Stack effects
// ---------------------------------------------------------------------------------------------

export interface StackEffect {
  /** Values the instruction needs on the frame's stack (peeking ops need 1 but pop 0). */
  readonly needs: number;
  readonly pops: number;
  readonly pushes: number;
}

const PEEKING: ReadonlySet<number> = new Set([Opcode.SetLocal, Opcode.SetGlobal, Opcode.SetUpvalue, Opcode.Dup]);

/**
 * The stack effect of one instruction, operands included: `Call n` is n+1→1 (callee under the
 * args), `Array n` is n→1, `MakeClosure k n` is n→1, `Return` pops its result, Halt needs nothing.
 * Given the code, a Pop directly followed by a 0xFF byte (or ending the code) pops nothing, as
 * in the VM (Q1); it still needs a value, which compiled code always has there.
 */
export function stackEffect(ins: Instruction, code?: Uint8Array): StackEffect {
  const byte = ins.info.byte;
  if (byte === Opcode.Pop && code !== undefined && (ins.next >= code.length || code[ins.next] === Opcode.Halt)) {
    return { needs: 1, pops: 0, pushes: 0 };
  }
  if (byte === Opcode.Call) return { needs: ins.operands[0]! + 1, pops: ins.operands[0]! + 1, pushes: 1 };
  if (byte === Opcode.Array) return { needs: ins.operands[0]!, pops: ins.operands[0]!, pushes: 1 };
  if (byte === Opcode.MakeClosure) return { needs: ins.operands[1]!, pops: ins.operands[1]!, pushes: 1 };
  if (byte === Opcode.Return) return { needs: 1, pops: 1, pushes: 0 };
  if (byte === Opcode.Halt) return { needs: 0, pops: 0, pushes: 0 };
  const [pops, pushes] = ins.info.effect!;
  return { needs: PEEKING.has(byte) ? Math.max(1, pops) : pops, pops, pushes };
}

/** Where control can go after `ins`: the offsets of the next instructions (none after Return/Halt). */
export function successors(ins: Instruction): number[] {
  const byte = ins.info.byte;
  if (byte === Opcode.Return || byte === Opcode.Halt) return [];
  if (byte === Opcode.Jump || byte === Opcode.Loop) return [ins.next + ins.operands[0]!];
  if (byte === Opcode.JumpIfFalse) return [ins.next, ins.next + ins.operands[0]!];
  return [ins.next];
}

// ---------------------------------------------------------------------------------------------
// Statically known functions (for call-arity checks and direct calls in the JIT)
// ---------------------------------------------------------------------------------------------

/**
 * Globals that statically hold one function constant: name → constant index.
 *
 * A name qualifies when the whole code contains exactly ONE `SetGlobal` of it (counting dead
 * code too, which only makes this more conservative), and that SetGlobal is the §3.2 prologue
 * pattern: it directly follows `Constant kf` with `kf` a function constant, and nothing but that
 * fall-through can reach it (it is no jump target and no function entry). `None` never qualifies
 * because GetGlobal resolves it to Option::None before user globals (spec §2.4).
 *
 * The scan is linear, so it is only trustworthy for code without JumpMisaligned issues; the
 * validator rejects such code anyway.
 */
export function functionGlobals(
  bytecode: Bytecode,
  /** The code's linear scan, when the caller already has it. */
  scan?: readonly ScannedInstruction[],
): ReadonlyMap<string, number> {
  let cached = globalsCache.get(bytecode);
  if (cached === undefined) {
    cached = computeFunctionGlobals(bytecode, scan ?? linearScan(bytecode.code));
    globalsCache.set(bytecode, cached);
  }
  return cached;
}

const globalsCache = new WeakMap<Bytecode, ReadonlyMap<string, number>>();

function computeFunctionGlobals(bytecode: Bytecode, scan: readonly ScannedInstruction[]): Map<string, number> {
  const entered = enteredOffsets(bytecode, scan);
  const setCount = new Map<string, number>();
  const candidate = new Map<string, number>();
  let previous: Instruction | undefined;
  for (const entry of scan) {
    const ins = entry.instruction;
    if (ins !== undefined && ins.info.byte === Opcode.SetGlobal) {
      const name = stringConstant(bytecode, ins.operands[0]!);
      if (name !== undefined) {
        setCount.set(name, (setCount.get(name) ?? 0) + 1);
        const fn = previous !== undefined && !entered.has(ins.offset) ? loadedFunction(bytecode, previous) : undefined;
        if (fn !== undefined) candidate.set(name, fn);
        else candidate.delete(name);
      }
    }
    previous = ins;
  }
  const out = new Map<string, number>();
  for (const [name, k] of candidate) if (setCount.get(name) === 1 && name !== 'None') out.set(name, k);
  return out;
}

/** Offsets control can reach other than by falling through: jump targets and function entries. */
function enteredOffsets(bytecode: Bytecode, scan: readonly ScannedInstruction[]): Set<number> {
  const entered = new Set<number>();
  for (const entry of scan) {
    const ins = entry.instruction;
    if (ins !== undefined && isJump(ins.info.byte)) entered.add(ins.next + ins.operands[0]!);
  }
  for (const c of bytecode.constants) if (c.kind === 'function') entered.add(c.value.offset);
  return entered;
}

/** The function constant index `ins` pushes, if it is `Constant k` of a function constant. */
function loadedFunction(bytecode: Bytecode, ins: Instruction): number | undefined {
  if (ins.info.byte !== Opcode.Constant) return undefined;
  return bytecode.constants[ins.operands[0]!]?.kind === 'function' ? ins.operands[0]! : undefined;
}

function stringConstant(bytecode: Bytecode, k: number): string | undefined {
  const c = bytecode.constants[k];
  return c?.kind === 'string' ? c.value : undefined;
}

// ---------------------------------------------------------------------------------------------
// Frame analysis
// ---------------------------------------------------------------------------------------------

export type FlowRule =
  | 'UnknownOpcode'
  | 'TruncatedInstruction'
  | 'JumpOutOfBounds'
  | 'StackUnderflow'
  | 'StackMismatch'
  | 'LocalOutOfRange';

/** A defect found while following control flow; the path that met it ends there. */
export interface FlowProblem {
  readonly rule: FlowRule;
  readonly offset: number;
  readonly detail: string;
}

export interface AnalyzedInstruction {
  readonly instruction: Instruction;
  /** Stack depth before the instruction, relative to the frame base. */
  readonly depth: number;
}

export interface FunctionAnalysis {
  readonly entry: number;
  readonly entryDepth: number;
  /** Every reachable instruction, by increasing offset. */
  readonly instructions: readonly AnalyzedInstruction[];
  /** Depth before each reachable instruction, by offset. */
  readonly depths: ReadonlyMap<number, number>;
  /** One past the highest reachable instruction (`entry` when nothing is reachable). */
  readonly end: number;
  /** Highest local slot a reachable GetLocal/SetLocal touches; -1 when none does. */
  readonly maxLocal: number;
  /** Highest stack depth reached (relative to the frame base), arguments included. */
  readonly maxDepth: number;
  /**
   * Calls whose callee is statically one function, by `Call` offset.
   * Known means: on every path, the callee slot holds a value pushed by `Constant k` of a
   * function constant, or by `GetGlobal` of a name in `functionGlobals`, or a copy of such a
   * value made by Dup/GetLocal/SetLocal.
   */
  readonly callees: ReadonlyMap<number, KnownCallee>;
  readonly problems: readonly FlowProblem[];
}

/** The statically known target of a `Call`. */
export interface KnownCallee {
  /** Index of the function constant. */
  readonly constant: number;
  readonly fn: FunctionRef;
  /** The Call's argument count (its operand). */
  readonly argc: number;
}

export interface AnalysisOptions {
  /** Globals known to hold one function; defaults to `functionGlobals(bytecode)`. */
  readonly knownGlobals?: ReadonlyMap<string, number>;
}

/** What the analysis knows about one stack slot: a function constant index, or UNKNOWN. */
const UNKNOWN = -1;

/** An immutable stack of slot tags (top first); sharing tails keeps per-instruction copies cheap. */
interface Slots {
  readonly tag: number;
  readonly below: Slots | null;
}

interface FrameState {
  readonly depth: number;
  slots: Slots | null;
}

/**
 * Analyses the frame entered at `entryOffset` with `entryDepth` values on its stack (top-level
 * code: 0; a function body: its arity).
 */
export function analyzeFunction(
  bytecode: Bytecode,
  entryOffset: number,
  entryDepth: number,
  options: AnalysisOptions = {},
): FunctionAnalysis {
  const knownGlobals = options.knownGlobals ?? functionGlobals(bytecode);
  const analysis = new FlowWalker(bytecode, knownGlobals).run(entryOffset, entryDepth);
  // Keep what later questions about this frame need (the validator's pass answers the
  // JIT's), when the analysis used the program's own globals (never computed just to check).
  if (knownGlobals === globalsCache.get(bytecode)) rememberSummary(bytecode, analysis);
  return analysis;
}

/** The analysis of a function's body, entered with its arguments as locals 0..arity-1. */
export function analyzeBody(bytecode: Bytecode, fn: FunctionRef, options: AnalysisOptions = {}): FunctionAnalysis {
  return analyzeFunction(bytecode, fn.offset, fn.arity, options);
}

/**
 * One past the last reachable instruction of `fn`'s body: the `end` the JIT passes along with
 * the body's offset. Memoized per Bytecode object (see `bodySummary`).
 */
export function functionEnd(bytecode: Bytecode, fn: FunctionRef): number {
  return bodySummary(bytecode, fn).end;
}

/** What the JIT needs to know about a function body, kept after its analysis. */
export interface BodySummary {
  /** One past the last reachable instruction. */
  readonly end: number;
  /** Statically known callees by `Call` offset (with the program's `functionGlobals`). */
  readonly callees: ReadonlyMap<number, KnownCallee>;
  /** Reachable `GetGlobal` instructions: offset and constant index of the name. */
  readonly globalReads: readonly { readonly offset: number; readonly nameIndex: number }[];
}

/**
 * The summary of `fn`'s body. Memoized per Bytecode object: validating a program (the VM
 * does, once) already analyses every body, so the JIT's questions about a hot function cost
 * a lookup instead of another analysis on the main thread.
 */
export function bodySummary(bytecode: Bytecode, fn: FunctionRef): BodySummary {
  return summaryCache.get(bytecode)?.get(frameKey(fn.offset, fn.arity)) ?? rememberSummary(bytecode, new FlowWalker(bytecode, functionGlobals(bytecode)).run(fn.offset, fn.arity));
}

const summaryCache = new WeakMap<Bytecode, Map<string, BodySummary>>();

const frameKey = (entry: number, entryDepth: number) => `${entry}/${entryDepth}`;

function rememberSummary(bytecode: Bytecode, analysis: FunctionAnalysis): BodySummary {
  let summaries = summaryCache.get(bytecode);
  if (summaries === undefined) {
    summaries = new Map();
    summaryCache.set(bytecode, summaries);
  }
  const globalReads = analysis.instructions
    .filter(({ instruction }) => instruction.info.byte === Opcode.GetGlobal)
    .map(({ instruction }) => ({ offset: instruction.offset, nameIndex: instruction.operands[0]! }));
  const summary: BodySummary = { end: analysis.end, callees: analysis.callees, globalReads };
  summaries.set(frameKey(analysis.entry, analysis.entryDepth), summary);
  return summary;
}

class FlowWalker {
  private readonly code: Uint8Array;
  private readonly states = new Map<number, FrameState>();
  private readonly decoded = new Map<number, Instruction>();
  private readonly worklist: number[] = [];
  private readonly problems: FlowProblem[] = [];
  private readonly reported = new Set<string>();
  private readonly callees = new Map<number, KnownCallee>();
  private maxLocal = -1;
  private maxDepth = 0;

  constructor(
    private readonly bytecode: Bytecode,
    private readonly knownGlobals: ReadonlyMap<string, number>,
  ) {
    this.code = bytecode.code;
  }

  run(entry: number, entryDepth: number): FunctionAnalysis {
    const depth = Number.isInteger(entryDepth) && entryDepth >= 0 ? entryDepth : 0;
    this.maxDepth = depth;
    if (Number.isInteger(entry) && entry >= 0 && entry < this.code.length) {
      this.arrive(entry, { depth, slots: unknownSlots(depth) }, entry);
      while (this.worklist.length > 0) this.step(this.worklist.pop()!);
    }
    return this.result(entry, depth);
  }

  private result(entry: number, entryDepth: number): FunctionAnalysis {
    const instructions: AnalyzedInstruction[] = [];
    const depths = new Map<number, number>();
    let end = entry;
    for (const offset of [...this.decoded.keys()].sort((a, b) => a - b)) {
      const instruction = this.decoded.get(offset)!;
      const depth = this.states.get(offset)!.depth;
      instructions.push({ instruction, depth });
      depths.set(offset, depth);
      end = Math.max(end, instruction.next);
    }
    return {
      entry, entryDepth, instructions, depths, end,
      maxLocal: this.maxLocal, maxDepth: this.maxDepth, callees: this.callees, problems: this.problems,
    };
  }

  /** Control reaches `offset` with `incoming` (from the instruction at `from`). */
  private arrive(offset: number, incoming: FrameState, from: number): void {
    const known = this.states.get(offset);
    if (known === undefined) {
      this.states.set(offset, { depth: incoming.depth, slots: incoming.slots });
      this.worklist.push(offset);
      return;
    }
    if (known.depth !== incoming.depth) {
      this.report('StackMismatch', offset,
        `paths merge with different stack depths (${known.depth} and ${incoming.depth}, the latter from offset ${from})`);
      return;
    }
    const merged = mergeSlots(known.slots, incoming.slots, known.depth);
    if (merged !== known.slots) {
      known.slots = merged;
      this.worklist.push(offset);
    }
  }

  private step(offset: number): void {
    const ins = this.decode(offset);
    if (ins === undefined) return;
    const state = this.states.get(offset)!;
    const effect = stackEffect(ins, this.code);
    if (state.depth < effect.needs) {
      this.report('StackUnderflow', offset,
        `${ins.info.name} needs ${effect.needs} value(s) but the frame's stack holds ${state.depth} here`);
      return;
    }
    const after: FrameState = { depth: state.depth - effect.pops + effect.pushes, slots: this.transfer(ins, state) };
    this.maxDepth = Math.max(this.maxDepth, after.depth);
    for (const target of successors(ins)) {
      if (target === this.code.length && target === ins.next) continue; // falls off the end: the VM stops
      if (target < 0 || target >= this.code.length) {
        this.report('JumpOutOfBounds', offset, `${ins.info.name} target ${target} is outside the code [0, ${this.code.length})`);
        continue;
      }
      this.arrive(target, after, offset);
    }
  }

  private decode(offset: number): Instruction | undefined {
    const cached = this.decoded.get(offset);
    if (cached !== undefined) return cached;
    const result = tryDecode(this.code, offset);
    if (result instanceof DecodeError) {
      this.report(result.rule, offset, result.message.slice(result.message.indexOf(': ') + 2));
      return undefined;
    }
    this.decoded.set(offset, result);
    return result;
  }

  /** The slot tags after `ins` (its stack need is already checked). */
  private transfer(ins: Instruction, state: FrameState): Slots | null {
    const { depth, slots } = state;
    switch (ins.info.byte) {
      case Opcode.Constant:
        return push(slots, this.bytecode.constants[ins.operands[0]!]?.kind === 'function' ? ins.operands[0]! : UNKNOWN);
      case Opcode.GetGlobal: {
        const name = stringConstant(this.bytecode, ins.operands[0]!);
        return push(slots, name === undefined ? UNKNOWN : this.knownGlobals.get(name) ?? UNKNOWN);
      }
      case Opcode.Dup:
        return push(slots, slots!.tag);
      case Opcode.GetLocal:
        return push(slots, this.localTag(ins, depth, slots));
      case Opcode.SetLocal:
        this.localTag(ins, depth, slots);
        return ins.operands[0]! < depth ? replaceAt(slots!, depth - 1 - ins.operands[0]!, slots!.tag) : slots;
      case Opcode.Call:
        this.noteCallee(ins, slots);
        return popPush(slots, ins.operands[0]! + 1, 1);
      default: {
        const { pops, pushes } = stackEffect(ins, this.code);
        return popPush(slots, pops, pushes);
      }
    }
  }

  /** The tag of local `i`, reporting a slot the frame does not hold at this point. */
  private localTag(ins: Instruction, depth: number, slots: Slots | null): number {
    const slot = ins.operands[0]!;
    this.maxLocal = Math.max(this.maxLocal, slot);
    if (slot >= depth) {
      this.report('LocalOutOfRange', ins.offset,
        `${ins.info.name} ${slot} touches slot ${slot} but the frame holds only ${depth} value(s) here`);
      return UNKNOWN;
    }
    return nth(slots, depth - 1 - slot);
  }

  private noteCallee(ins: Instruction, slots: Slots | null): void {
    const tag = nth(slots, ins.operands[0]!);
    const constant = this.bytecode.constants[tag];
    if (constant?.kind === 'function') this.callees.set(ins.offset, { constant: tag, fn: constant.value, argc: ins.operands[0]! });
    else this.callees.delete(ins.offset);
  }

  private report(rule: FlowRule, offset: number, detail: string): void {
    const key = `${rule}@${offset}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.problems.push({ rule, offset, detail });
  }
}

function unknownSlots(depth: number): Slots | null {
  let slots: Slots | null = null;
  for (let i = 0; i < depth; i++) slots = { tag: UNKNOWN, below: slots };
  return slots;
}

function push(slots: Slots | null, tag: number): Slots {
  return { tag, below: slots };
}

function popPush(slots: Slots | null, pops: number, pushes: number): Slots | null {
  let out = slots;
  for (let i = 0; i < pops; i++) out = out!.below;
  for (let i = 0; i < pushes; i++) out = { tag: UNKNOWN, below: out };
  return out;
}

/** The tag `index` slots below the top (0 = top); the caller guarantees the slot exists. */
function nth(slots: Slots | null, index: number): number {
  let node = slots;
  for (let i = 0; i < index; i++) node = node!.below;
  return node!.tag;
}

function replaceAt(slots: Slots, index: number, tag: number): Slots {
  // Iterative, because frames can be deep: copy the `index` nodes above the replaced one.
  const above: number[] = [];
  let node = slots;
  for (let i = 0; i < index; i++) {
    above.push(node.tag);
    node = node.below!;
  }
  if (node.tag === tag) return slots;
  let out: Slots = { tag, below: node.below };
  for (let i = above.length - 1; i >= 0; i--) out = { tag: above[i]!, below: out };
  return out;
}

/** Slot-wise meet: equal tags survive, differing ones become UNKNOWN. Returns `known` if unchanged. */
function mergeSlots(known: Slots | null, incoming: Slots | null, depth: number): Slots | null {
  if (known === incoming) return known;
  const tags: number[] = [];
  let changed = false;
  let a = known;
  let b = incoming;
  for (let i = 0; i < depth && a !== b; i++) {
    const tag = a!.tag === b!.tag ? a!.tag : UNKNOWN;
    if (tag !== a!.tag) changed = true;
    tags.push(tag);
    a = a!.below;
    b = b!.below;
  }
  if (!changed) return known;
  let out = a; // the shared (or exhausted) tail
  for (let i = tags.length - 1; i >= 0; i--) out = { tag: tags[i]!, below: out };
  return out;
}
