/**
 * Globals in native code. Compiled code reads and writes the globals it uses as values in the
 * invoke area's global slots: before a run the engine checks that each such global still holds
 * a value of the kind its slot was compiled for (else the call runs interpreted) and copies the
 * values in; after the run it copies back the ones the code may have written, so the
 * interpreter sees every native write. A run that bailed out is discarded whole: its writes are
 * never copied back, which keeps "nothing observable happened" true.
 *
 * Which globals get a slot is decided when the job is built, from the VM the code became hot
 * in: a global read or written by the code that holds a number, bool or null then. Globals
 * that hold the functions the code calls are guarded apart (`call-tree.ts`); every other global
 * the code touches makes it leave to the interpreter at that instruction (a side exit).
 */
import type { Bytecode } from '../bytecode/bytecode.js';
import { decodeAt } from '../bytecode/decoder.js';
import { Opcode } from '../bytecode/opcode.js';
import type { GlobalCell, GlobalsView, Value } from '../vm/index.js';
import { interpreterNumber, type NativeGlobals, type NativeType } from './native.js';

export interface GlobalSlots {
  /** Slot → the global's name, and the kind the code was compiled for. */
  readonly names: readonly string[];
  readonly kinds: readonly NativeType[];
  /** The slots some `SetGlobal` of the code writes: only they are copied back. */
  readonly written: readonly number[];
  /** The table as the translator takes it (string constant → slot). */
  readonly table: NativeGlobals;
}

export const NO_GLOBAL_SLOTS: GlobalSlots = { names: [], kinds: [], written: [], table: { kinds: [], slots: new Map() } };

/** A code range of the module: a function body, or the top-level code. */
export interface CodeRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The slots for the globals `ranges` read or write as values: each named global (other than
 * `calleeNames`) whose value in `view` is a number, bool or null gets one, with that kind.
 */
export function resolveGlobalSlots(bytecode: Bytecode, ranges: readonly CodeRange[], calleeNames: ReadonlySet<string>, view: GlobalsView | undefined): GlobalSlots {
  if (view === undefined) return NO_GLOBAL_SLOTS;
  const slotOf = new Map<string, number>();
  const names: string[] = [];
  const kinds: NativeType[] = [];
  const written = new Set<number>();
  const constants = new Map<number, number>();
  for (const { constant, name, writes } of globalAccesses(bytecode, ranges)) {
    if (calleeNames.has(name)) continue;
    let slot = slotOf.get(name);
    if (slot === undefined) {
      const kind = kindOf(view.getGlobal(name));
      if (kind === undefined) continue;
      slot = names.length;
      slotOf.set(name, slot);
      names.push(name);
      kinds.push(kind);
    }
    constants.set(constant, slot);
    if (writes) written.add(slot);
  }
  if (names.length === 0) return NO_GLOBAL_SLOTS;
  return { names, kinds, written: [...written], table: { kinds, slots: constants } };
}

export interface GlobalAccess {
  readonly constant: number;
  readonly name: string;
  readonly writes: boolean;
}

/** Every GetGlobal/SetGlobal in `ranges` whose operand is a string constant. */
export function* globalAccesses(bytecode: Bytecode, ranges: readonly CodeRange[]): Iterable<GlobalAccess> {
  const { code, constants } = bytecode;
  for (const { start, end } of ranges) {
    for (let offset = start; offset < end;) {
      const ins = decodeAt(code, offset);
      const op = ins.info.byte;
      if (op === Opcode.GetGlobal || op === Opcode.SetGlobal) {
        const constant = ins.operands[0]!;
        const name = constants[constant];
        if (name?.kind === 'string') yield { constant, name: name.value, writes: op === Opcode.SetGlobal };
      }
      offset = ins.next;
    }
  }
}

/** The slot kind a global's value can live in, if any. */
function kindOf(value: Value | undefined): NativeType | undefined {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  return value === null ? 'null' : undefined;
}

/**
 * The VM cells of one code's global slots, looked up once per VM: a global keeps its cell, so
 * each later entry and exit reads and writes the values without a lookup by name.
 */
export class GlobalCells {
  private slots: GlobalSlots | undefined;
  private view: GlobalsView | undefined;
  private cells: GlobalCell[] = [];

  /** The cells of `slots` in `view`; undefined while one of the globals is not defined. */
  of(slots: GlobalSlots, view: GlobalsView): readonly GlobalCell[] | undefined {
    if (this.slots === slots && this.view === view) return this.cells;
    const cells: GlobalCell[] = [];
    for (const name of slots.names) {
      const cell = view.cellOf(name);
      if (cell === undefined) return undefined;
      cells.push(cell);
    }
    this.slots = slots;
    this.view = view;
    this.cells = cells;
    return cells;
  }
}

/**
 * Checks that every slot's global still holds a value of the slot's kind and copies the
 * values into `area`. False (nothing may run natively) on the first that does not.
 */
export function loadGlobals(slots: GlobalSlots, cells: readonly GlobalCell[] | undefined, area: Float64Array): boolean {
  if (cells === undefined) return false;
  const { kinds } = slots;
  for (let i = 0; i < kinds.length; i++) {
    const value = cells[i]!.value;
    if (kindOf(value) !== kinds[i]) return false;
    area[i] = value === true ? 1 : typeof value === 'number' ? value : 0;
  }
  return true;
}

/**
 * Copies back the written slots whose value changed, as `SetGlobal` would have written them:
 * through the cells `loadGlobals` checked for this run. A number, bool or null over a value of
 * the same kind is a write `GlobalsView.cellOf` allows.
 */
export function storeGlobals(slots: GlobalSlots, cells: readonly GlobalCell[], area: Float64Array): void {
  const { kinds, written } = slots;
  for (const slot of written) {
    const raw = area[slot]!;
    const value: Value = kinds[slot] === 'bool' ? raw !== 0 : kinds[slot] === 'null' ? null : interpreterNumber(raw);
    const cell = cells[slot]!;
    if (!Object.is(cell.value, value)) cell.value = value;
  }
}
