/**
 * The call gate: how many calls of each function constant the interpreter may run without
 * asking the engine. Asking costs a hook call and a record lookup per call (~30 ns), which a
 * cold function, a function waiting for its compile and a function refused for good do not
 * need on every call; HotSpot keeps its invocation counters in the method for the same reason.
 *
 * One `Int32Array` per program, indexed by function constant (the order of
 * `Bytecode.functions()`, the VM's `AtlasFunction.gateSlot`). The VM runs a call quietly while
 * its entry is positive and decrements it; at zero it asks the hook. The engine sets an entry
 * when it answers (`quiet`), opens it when code is installed (`open`), and adds the quiet
 * calls to its counts before it reads them (`settle`), so thresholds and statistics stay exact.
 */

/** The most calls a function that may still compile runs unasked (bounds the delay before code installed meanwhile is used). */
export const QUIET_BATCH = 64;

/** Quiet calls of a function that can never run natively: it is never asked about again. */
export const QUIET_FOREVER = 0x7fffffff;

/** The part of a function's record the gate keeps: its slot and the quiet calls it last allowed. */
export interface GatedRecord {
  /** Index in the program's gate, or -1 (a loop, or a function no constant names). */
  readonly gateSlot: number;
  /** The countdown the gate was last set to (0: none pending). */
  quietAllowed: number;
}

export class CallGate {
  /** Shared with the VMs running the program: they decrement, the engine sets. */
  readonly counts: Int32Array;

  constructor(functionCount: number) {
    this.counts = new Int32Array(functionCount);
  }

  /** Lets the next `calls` calls of `record` run without asking. */
  quiet(record: GatedRecord, calls: number): void {
    if (record.gateSlot < 0) return;
    const n = calls > 0 ? Math.min(calls, QUIET_FOREVER) : 0;
    this.counts[record.gateSlot] = n;
    record.quietAllowed = n;
  }

  /**
   * The quiet calls `record` ran since it was last set (the caller adds them to its counts),
   * leaving the gate open: every call asks until `quiet` is called again.
   */
  settle(record: GatedRecord): number {
    if (record.quietAllowed === 0) return 0;
    const left = Math.max(this.counts[record.gateSlot]!, 0);
    this.counts[record.gateSlot] = 0;
    const ran = record.quietAllowed - left;
    record.quietAllowed = 0;
    return ran;
  }

  /** Opens every entry, e.g. when the engine is disabled, re-enabled or the program invalidated. */
  openAll(): void {
    this.counts.fill(0);
  }
}
