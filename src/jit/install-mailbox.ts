/**
 * The install mailbox: a multi-producer, single-consumer ring in a SharedArrayBuffer.
 * Compile workers post compiled code here the moment the addon returns, and the main
 * thread's interpreter polls it on calls and at loop safepoints. Install therefore never
 * waits for the event loop (docs/design.md, invariant 2). What the ring cannot carry
 * (refusals, errors, code a full ring turned away) goes on the compile session's outcome port.
 *
 * Protocol (sequence numbers per slot, so concurrent producers never need a lock):
 * - a producer reserves ticket t by CAS on `tail`, only while `t - head < capacity`;
 *   a full ring is reported to the caller, which then relies on the promise path;
 * - it writes the entry into slot t % capacity, then publishes with `seq[slot] = t + 1`;
 * - the consumer reads slot `head % capacity` once `seq[slot] === head + 1`, then
 *   advances `head`, which frees the slot for ticket head + capacity.
 *
 * The buffer also holds two bells, counters that producers bump. The doorbell rings for
 * anything left for the main thread (an entry here, an outcome on a session's port, a batch
 * finished): the main thread's poll fast path is a single `Atomics.load` of it. The done bell
 * rings, and is notified, only when a batch is finished or a session started or ended: the
 * main thread sleeps on it with `Atomics.waitAsync`, so the event loop wakes once per batch,
 * not once per function.
 */

import type { Compiled, JobOutcome } from './compile-outcome.js';
import { NATIVE_TYPES } from './native.js';

/** What the ring carries: compiled code (refusals and errors need reasons, which it has no room for). */
export type MailboxEntry = JobOutcome<Compiled>;

const HEAD = 0;
const TAIL = 1;
const DOORBELL = 2;
const DONE_BELL = 3;
const HEADER_INTS = 4;
const INTS_PER_SLOT = 5; // seq, jobId, handle, codeSize, returnType code (see NATIVE_TYPES)
const FLOATS_PER_SLOT = 2; // compileMicros, postedAt
/** Returned by reserve() when the ring is full (a ticket is an int32, so use a non-integer). */
const FULL = 0.5;

/** `Atomics.waitAsync` (Node.js 16+), which the ES2023 library typings do not declare yet. */
type WaitAsync = (array: Int32Array, index: number, value: number, timeoutMs: number) =>
  { readonly async: false; readonly value: string } | { readonly async: true; readonly value: Promise<string> };
const waitAsync = (Atomics as unknown as { readonly waitAsync: WaitAsync }).waitAsync;

export class InstallMailbox {
  private readonly ints: Int32Array;
  private readonly floats: Float64Array;
  readonly capacity: number;

  /** Creates a ring, or attaches to an existing one (in a worker) when given its buffer. */
  constructor(bufferOrCapacity: SharedArrayBuffer | number) {
    const buffer = typeof bufferOrCapacity === 'number' ? InstallMailbox.allocate(bufferOrCapacity) : bufferOrCapacity;
    const floatBytes = ((buffer.byteLength / (FLOATS_PER_SLOT * 8 + INTS_PER_SLOT * 4)) | 0) * FLOATS_PER_SLOT * 8;
    this.capacity = floatBytes / (FLOATS_PER_SLOT * 8);
    this.floats = new Float64Array(buffer, 0, this.capacity * FLOATS_PER_SLOT);
    this.ints = new Int32Array(buffer, floatBytes, HEADER_INTS + this.capacity * INTS_PER_SLOT);
  }

  private static allocate(capacity: number): SharedArrayBuffer {
    // A power of two keeps `ticket % capacity` consistent when int32 tickets wrap around.
    if (!Number.isInteger(capacity) || capacity < 1 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`mailbox capacity must be a power of two, got ${capacity}`);
    }
    // Float section first keeps the Float64Array 8-byte aligned; the header rides with the ints.
    return new SharedArrayBuffer(capacity * (FLOATS_PER_SLOT * 8 + INTS_PER_SLOT * 4) + HEADER_INTS * 4);
  }

  get buffer(): SharedArrayBuffer {
    return this.ints.buffer as SharedArrayBuffer;
  }

  /** Producer side (any thread). Returns false when the ring is full. */
  post(entry: MailboxEntry): boolean {
    const ticket = this.reserve();
    if (ticket === FULL) return false;
    const slot = (ticket >>> 0) % this.capacity;
    const base = HEADER_INTS + slot * INTS_PER_SLOT;
    const code = entry.outcome;
    this.ints[base + 1] = entry.jobId;
    this.ints[base + 2] = code.handle;
    this.ints[base + 3] = code.codeSize;
    this.ints[base + 4] = NATIVE_TYPES.indexOf(code.returnType);
    this.floats[slot * FLOATS_PER_SLOT] = code.compileMicros;
    this.floats[slot * FLOATS_PER_SLOT + 1] = entry.postedAt;
    // The seq store is the release: the consumer's Atomics.load of it sees the fields above.
    Atomics.store(this.ints, base, (ticket + 1) | 0);
    this.ring();
    return true;
  }

  /** Any thread: tells the main thread there is something for it at its next poll. */
  ring(): void {
    Atomics.add(this.ints, DOORBELL, 1);
  }

  /** Any thread: a batch is finished, or a session started or ended; wakes `waitForDone`. */
  ringDone(): void {
    Atomics.add(this.ints, DOORBELL, 1);
    Atomics.add(this.ints, DONE_BELL, 1);
    Atomics.notify(this.ints, DONE_BELL);
  }

  /** How often the doorbell rang so far; a changed value means something arrived. One atomic load. */
  get bell(): number {
    return Atomics.load(this.ints, DOORBELL);
  }

  /** How often the done bell rang so far (see `waitForDone`). */
  get doneBell(): number {
    return Atomics.load(this.ints, DONE_BELL);
  }

  /** Resolves once the done bell rings after `seen` (see `doneBell`), or after `timeoutMs`. */
  async waitForDone(seen: number, timeoutMs: number): Promise<void> {
    const waited = waitAsync(this.ints, DONE_BELL, seen, timeoutMs);
    if (waited.async) await waited.value;
  }

  /** Consumer fast path: is an entry ready? One atomic load. */
  hasMail(): boolean {
    const head = this.ints[HEAD]!; // only the consumer writes head
    return Atomics.load(this.ints, HEADER_INTS + ((head >>> 0) % this.capacity) * INTS_PER_SLOT) === ((head + 1) | 0);
  }

  /** Consumer (main thread only): takes the next published entry, if any. */
  take(): MailboxEntry | undefined {
    if (!this.hasMail()) return undefined;
    const head = this.ints[HEAD]!;
    const slot = (head >>> 0) % this.capacity;
    const base = HEADER_INTS + slot * INTS_PER_SLOT;
    const entry: MailboxEntry = {
      jobId: this.ints[base + 1]!,
      outcome: {
        kind: 'compiled',
        handle: this.ints[base + 2]!,
        codeSize: this.ints[base + 3]!,
        returnType: NATIVE_TYPES[this.ints[base + 4]!] ?? 'number',
        compileMicros: this.floats[slot * FLOATS_PER_SLOT]!,
      },
      postedAt: this.floats[slot * FLOATS_PER_SLOT + 1]!,
    };
    Atomics.store(this.ints, HEAD, (head + 1) | 0);
    return entry;
  }

  private reserve(): number {
    for (;;) {
      const tail = Atomics.load(this.ints, TAIL);
      // Tickets are int32 and may wrap; their difference stays exact.
      if (((tail - Atomics.load(this.ints, HEAD)) | 0) >= this.capacity) return FULL;
      if (Atomics.compareExchange(this.ints, TAIL, tail, (tail + 1) | 0) === tail) return tail;
    }
  }
}
