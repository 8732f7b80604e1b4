/**
 * The control-flow analysis of one frame's code (what the validator, the `.atb` reader and the
 * JIT rely on).
 *
 * A frame is entered at an offset with a known stack depth (relative to the frame base): 0 for
 * top-level code, the arity for a function body, because the arguments ARE locals 0..arity-1
 * (docs/bytecode.md §3.3). The analysis follows every path from there (Jump/Loop to the target, JumpIfFalse
 * both ways, Return/Halt end a path, falling off the end of the code stops the VM, docs/bytecode.md §2.2) and
 * computes the depth before each reachable instruction. Unreachable code is never inspected, so
 * the compiler's dead `Null; Return` after a body's own `return` costs nothing (docs/bytecode.md §3.2).
 * Along the way it tags each stack slot with the function constant it statically holds
 * (`slot-tags.ts`), which is how calls with a statically known callee are found.
 *
 * The analysis never throws: malformed code yields `problems`, the path that hit one ends there.
 * It is a pure function of its inputs; what a program keeps of it lives in `ProgramAnalysis`.
 */
import type { Bytecode, FunctionRef } from './bytecode.js';
import { DecodeError, type Instruction } from './decoder.js';
import { tryDecode } from './linear-scan.js';
import { Opcode } from './opcode.js';
import {
  NO_KNOWN_SLOTS, type Slots, UNKNOWN, mergeSlots, popTo, push, tagAt, withTag,
} from './slot-tags.js';
import { stackEffect, successors } from './stack-effects.js';

export type FlowRule =
  | 'UnknownOpcode'
  | 'TruncatedInstruction'
  | 'JumpOutOfBounds'
  | 'StackUnderflow'
  | 'StackMismatch'
  | 'LocalOutOfRange'
  | 'SharedCodeLimit';

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
   * function constant, or by `GetGlobal` of a name in the known function globals, or a copy of
   * such a value made by Dup/GetLocal/SetLocal.
   */
  readonly callees: ReadonlyMap<number, KnownCallee>;
  readonly problems: readonly FlowProblem[];
  /** Instructions stepped, counting each time the fixpoint steps one again: the work done. */
  readonly steps: number;
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
  /** Globals known to hold one function; defaults to the program's (`bytecode.analysis.functionGlobals`). */
  readonly knownGlobals?: ReadonlyMap<string, number>;
  /**
   * How many frames analysed so far reached each code offset, shared by the analyses of one
   * program (the validator's): an instruction already reached by MAX_FRAMES_PER_INSTRUCTION
   * frames is a SharedCodeLimit problem instead, so analysing every frame stays linear in the
   * code length. This analysis counts itself in.
   */
  readonly sharing?: Uint8Array;
}

/** The most frames (distinct entry offsets) whose analyses may reach one instruction. */
export const MAX_FRAMES_PER_INSTRUCTION = 8;

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
  const knownGlobals = options.knownGlobals ?? bytecode.analysis.functionGlobals;
  return new FlowWalker(bytecode, knownGlobals, options.sharing).run(entryOffset, entryDepth);
}

/** The analysis of a function's body, entered with its arguments as locals 0..arity-1. */
export function analyzeBody(bytecode: Bytecode, fn: FunctionRef, options: AnalysisOptions = {}): FunctionAnalysis {
  return analyzeFunction(bytecode, fn.offset, fn.arity, options);
}

interface FrameState {
  readonly depth: number;
  slots: Slots;
}

/** A worklist walk over one frame: the state before each reachable instruction, to a fixpoint. */
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
  private steps = 0;

  constructor(
    private readonly bytecode: Bytecode,
    private readonly knownGlobals: ReadonlyMap<string, number>,
    private readonly sharing: Uint8Array | undefined,
  ) {
    this.code = bytecode.code;
  }

  run(entry: number, entryDepth: number): FunctionAnalysis {
    const depth = Number.isInteger(entryDepth) && entryDepth >= 0 ? entryDepth : 0;
    this.maxDepth = depth;
    if (Number.isInteger(entry) && entry >= 0 && entry < this.code.length) {
      this.arrive(entry, { depth, slots: NO_KNOWN_SLOTS }, entry);
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
      maxLocal: this.maxLocal, maxDepth: this.maxDepth, callees: this.callees, problems: this.problems, steps: this.steps,
    };
  }

  /** Control reaches `offset` with `incoming` (from the instruction at `from`). */
  private arrive(offset: number, incoming: FrameState, from: number): void {
    const known = this.states.get(offset);
    if (known === undefined) {
      if (!this.enter(offset)) return;
      this.states.set(offset, { depth: incoming.depth, slots: incoming.slots });
      this.worklist.push(offset);
      return;
    }
    if (known.depth !== incoming.depth && this.code[offset] === Opcode.Halt) {
      // Halt ends the run and reads at most its top of stack, so paths may bring it different
      // depths: a program ending in `if` does (docs/bytecode.md Q1: the then-branch's last `Pop`
      // pops nothing before Halt). Keep the smallest depth, the one the empty-frame check needs.
      if (incoming.depth < known.depth) this.states.set(offset, { depth: incoming.depth, slots: incoming.slots });
      return;
    }
    if (known.depth !== incoming.depth) {
      this.report('StackMismatch', offset,
        `paths merge with different stack depths (${known.depth} and ${incoming.depth}, the latter from offset ${from})`);
      return;
    }
    const merged = mergeSlots(known.slots, incoming.slots);
    if (merged !== known.slots) {
      known.slots = merged;
      this.worklist.push(offset);
    }
  }

  /** Counts this frame in at `offset`; false (a problem, the path ends) when too many frames reached it. */
  private enter(offset: number): boolean {
    if (this.sharing === undefined) return true;
    if (this.sharing[offset]! >= MAX_FRAMES_PER_INSTRUCTION) {
      this.report('SharedCodeLimit', offset,
        `more than ${MAX_FRAMES_PER_INSTRUCTION} frames (top-level code, function bodies) reach this instruction`);
      return false;
    }
    this.sharing[offset]!++;
    return true;
  }

  private step(offset: number): void {
    this.steps++;
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
  private transfer(ins: Instruction, state: FrameState): Slots {
    const { depth, slots } = state;
    switch (ins.info.byte) {
      case Opcode.Constant:
        return push(slots, depth, this.bytecode.constants[ins.operands[0]!]?.kind === 'function' ? ins.operands[0]! : UNKNOWN);
      case Opcode.GetGlobal: {
        const name = this.bytecode.stringAt(ins.operands[0]!);
        return push(slots, depth, name === undefined ? UNKNOWN : this.knownGlobals.get(name) ?? UNKNOWN);
      }
      case Opcode.Dup:
        return push(slots, depth, tagAt(slots, depth - 1));
      case Opcode.GetLocal:
        return push(slots, depth, this.localTag(ins, depth, slots));
      case Opcode.SetLocal:
        this.localTag(ins, depth, slots);
        return ins.operands[0]! < depth ? withTag(slots, ins.operands[0]!, tagAt(slots, depth - 1)) : slots;
      case Opcode.Call:
        this.noteCallee(ins, depth, slots);
        return popTo(slots, depth - ins.operands[0]! - 1);
      default: {
        // What an instruction pushes here is never statically a function.
        return popTo(slots, depth - stackEffect(ins, this.code).pops);
      }
    }
  }

  /** The tag of local `i`, reporting a slot the frame does not hold at this point. */
  private localTag(ins: Instruction, depth: number, slots: Slots): number {
    const slot = ins.operands[0]!;
    this.maxLocal = Math.max(this.maxLocal, slot);
    if (slot >= depth) {
      this.report('LocalOutOfRange', ins.offset,
        `${ins.info.name} ${slot} touches slot ${slot} but the frame holds only ${depth} value(s) here`);
      return UNKNOWN;
    }
    return tagAt(slots, slot);
  }

  private noteCallee(ins: Instruction, depth: number, slots: Slots): void {
    const tag = tagAt(slots, depth - 1 - ins.operands[0]!);
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
