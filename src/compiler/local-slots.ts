/**
 * Where a function's locals live: the stack slot of each declaration, and how many `Pop`s
 * leaving a block or jumping out of a loop body costs. A declaration's initializer value
 * is left on the stack and becomes its slot (docs/bytecode.md §3.3), so a slot number is
 * always the stack depth at the declaration.
 *
 * Two layouts:
 * - `ReferenceSlots`, the reference compiler's (quirk Q4): every declaration takes the next
 *   slot for the rest of the function, names resolve newest first across blocks, and no
 *   block ever pops. The code generator uses it exactly when `referenceLayoutIsSound` proves
 *   it right for the function, so those bytes stay identical to the reference's.
 * - `ScopedSlots`, block scoping done right: a block's locals are popped when it ends (and
 *   before a `break`/`continue` leaves them), so their slots are reused after it, and names
 *   resolve through the scopes of `Scopes`.
 */
import type { Block, Stmt } from './ast.js';
import { Scopes } from './scopes.js';

export interface LocalSlots {
  /** Stack depth in locals (parameters included) where the next declaration goes. */
  readonly live: number;
  /** Slots the frame needs: the most locals live at once. */
  readonly localCount: number;
  /** The initializer just compiled becomes local `name`. */
  declare(name: string): void;
  /** The slot `name` reads and writes here, or undefined for a global. */
  slotOf(name: string): number | undefined;
  enterBlock(): void;
  /** Leaves the innermost block; returns how many Pops drop its locals. */
  exitBlock(): number;
  /** How many Pops bring the locals back to `depth` (a loop header's) before a jump there. */
  popsTo(depth: number): number;
  /** A for-in loop starts: its 4 hidden locals (and everything its body declares) follow. */
  beginForIn(): void;
  /** The for-in loop's 4 Pops were emitted: its hidden locals are gone. */
  endForIn(): void;
}

export class ReferenceSlots implements LocalSlots {
  private readonly names: string[];
  private high: number;
  private readonly forIns: number[] = [];

  constructor(params: readonly string[]) {
    this.names = [...params];
    this.high = params.length;
  }

  get live(): number { return this.names.length; }
  get localCount(): number { return this.high; }

  declare(name: string): void {
    this.names.push(name);
    this.high = Math.max(this.high, this.names.length);
  }

  slotOf(name: string): number | undefined {
    const slot = this.names.lastIndexOf(name);
    return slot >= 0 ? slot : undefined;
  }

  enterBlock(): void {}
  exitBlock(): number { return 0; }
  popsTo(): number { return 0; }
  beginForIn(): void { this.forIns.push(this.names.length); }

  /** Like the reference compiler, a for-in's locals are forgotten after its loop. */
  endForIn(): void {
    this.names.length = this.forIns.pop() ?? this.names.length;
  }
}

export class ScopedSlots implements LocalSlots {
  private readonly scopes: Scopes<number>;
  private depth: number;
  private high: number;

  constructor(params: readonly string[]) {
    this.scopes = new Scopes(params.map((name, slot) => [name, slot] as const));
    this.depth = params.length;
    this.high = params.length;
  }

  get live(): number { return this.depth; }
  get localCount(): number { return this.high; }

  declare(name: string): void {
    this.scopes.declare(name, this.depth++);
    this.high = Math.max(this.high, this.depth);
  }

  slotOf(name: string): number | undefined { return this.scopes.lookup(name); }
  enterBlock(): void { this.scopes.enter(); }

  exitBlock(): number {
    const dropped = this.scopes.exit();
    this.depth -= dropped;
    return dropped;
  }

  popsTo(depth: number): number { return this.depth - depth; }
  beginForIn(): void { this.enterBlock(); }
  endForIn(): void { this.exitBlock(); }
}

/**
 * Whether control can run off the end of `block`: false when one of its statements always
 * jumps away (`return`, `break`, `continue`, or an if/else whose branches both do). Pops at
 * an end nothing reaches would be dead code, so none are emitted there.
 */
export function fallsThrough(block: Block): boolean {
  return !block.statements.some(alwaysJumps);
}

function alwaysJumps(s: Stmt): boolean {
  switch (s.kind) {
    case 'return': case 'break': case 'continue': return true;
    case 'if': return s.otherwise !== undefined && !fallsThrough(s.then) && !fallsThrough(s.otherwise);
    default: return false;
  }
}
