/**
 * The highest local slot the code reachable from each entry point touches: what the `.atb`
 * reader needs to recompute local counts (docs/bytecode.md Q8), for every entry at once.
 *
 * Asking a flow analysis per entry costs the code each entry reaches, so entries that share
 * code (a thousand function constants entering one long body) made reading quadratic. Here
 * the control-flow graph is walked once: its strongly connected components come out of
 * Tarjan's algorithm successors first, so each component's answer is the maximum of its own
 * slots and its successors' finished answers — linear in the code length.
 *
 * Control flow is followed without stack depths. For code the validator accepts this is the
 * same set of instructions its flow analysis reaches (only underflows, which it rejects, end
 * a path there early); an undecodable instruction or a jump outside the code ends a path.
 */
import { DecodeError } from './decoder.js';
import { tryDecode } from './linear-scan.js';
import { Opcode } from './opcode.js';
import { successors } from './stack-effects.js';

const UNVISITED = -1;

/** Entry offset → highest slot of a GetLocal/SetLocal reachable from it (-1: none). */
export function highestReachableSlots(code: Uint8Array, entries: readonly number[]): Map<number, number> {
  const graph = new CodeGraph(code);
  const out = new Map<number, number>();
  for (const entry of entries) {
    if (!Number.isInteger(entry) || entry < 0 || entry >= code.length) out.set(entry, -1);
    else out.set(entry, graph.highestFrom(entry));
  }
  return out;
}

/** The instructions of `code` as graph nodes (by offset), with Tarjan's bookkeeping. */
class CodeGraph {
  private readonly order: Int32Array;
  private readonly low: Int32Array;
  /** The component's answer once it is finished; UNVISITED before. */
  private readonly answer: Int32Array;
  private readonly onStack: Uint8Array;
  private readonly next: number[][] = [];
  private readonly slot: Int32Array;
  private counter = 0;

  constructor(private readonly code: Uint8Array) {
    this.order = new Int32Array(code.length).fill(UNVISITED);
    this.low = new Int32Array(code.length);
    this.answer = new Int32Array(code.length).fill(UNVISITED);
    this.onStack = new Uint8Array(code.length);
    this.slot = new Int32Array(code.length).fill(-1);
  }

  highestFrom(entry: number): number {
    if (this.order[entry] === UNVISITED) this.visit(entry);
    return this.answer[entry]!;
  }

  /** Decodes `offset` once: its successors inside the code, and the slot it touches. */
  private expand(offset: number): number[] {
    const ins = tryDecode(this.code, offset);
    if (ins instanceof DecodeError) return [];
    const byte = ins.info.byte;
    if (byte === Opcode.GetLocal || byte === Opcode.SetLocal) this.slot[offset] = ins.operands[0]!;
    return successors(ins).filter((target) => target >= 0 && target < this.code.length);
  }

  /** Iterative Tarjan from `root` (code can be long: no recursion). */
  private visit(root: number): void {
    const stack: number[] = [];
    const calls: { node: number; edge: number }[] = [];
    const enter = (node: number): void => {
      this.order[node] = this.low[node] = this.counter++;
      this.next[node] = this.expand(node);
      stack.push(node);
      this.onStack[node] = 1;
      calls.push({ node, edge: 0 });
    };
    enter(root);
    while (calls.length > 0) {
      const call = calls[calls.length - 1]!;
      const targets = this.next[call.node]!;
      if (call.edge < targets.length) {
        const target = targets[call.edge++]!;
        if (this.order[target] === UNVISITED) enter(target);
        else if (this.onStack[target] === 1) this.low[call.node] = Math.min(this.low[call.node]!, this.order[target]!);
        continue;
      }
      calls.pop();
      const parent = calls[calls.length - 1];
      if (parent !== undefined) this.low[parent.node] = Math.min(this.low[parent.node]!, this.low[call.node]!);
      if (this.low[call.node] === this.order[call.node]) this.finish(call.node, stack);
    }
  }

  /** Pops the component rooted at `root`; every successor outside it is already finished. */
  private finish(root: number, stack: number[]): void {
    const members: number[] = [];
    let member: number;
    do {
      member = stack.pop()!;
      this.onStack[member] = 0;
      members.push(member);
    } while (member !== root);
    let highest = -1;
    for (const node of members) {
      highest = Math.max(highest, this.slot[node]!);
      for (const target of this.next[node]!) highest = Math.max(highest, this.answer[target]!);
    }
    for (const node of members) {
      this.answer[node] = highest;
      this.next[node] = []; // no longer needed
    }
  }
}
