/**
 * Statistics of a busy runtime, through shared memory. A `stats()` message waits behind the
 * operation the runtime worker is running (its thread runs the program synchronously), so a
 * metrics scrape would stall exactly when a script runs long. Instead the main thread raises
 * a request counter here, and the worker publishes a snapshot at its next chance: at a
 * safepoint of the running program (every 64 loop back-edges or interpreted calls), at the
 * start or end of an operation, or at once when it is idle (it waits on the counter with
 * `Atomics.waitAsync`). The main thread waits for the snapshot a few milliseconds at most,
 * then takes the last one published: native code in a long loop reaches no safepoint, so its
 * figures are those of the last one it passed.
 *
 * The snapshot is written under a sequence lock: the writer makes the sequence odd, copies
 * the bytes, makes it even again; a reader copies the bytes out and keeps them only if the
 * sequence was even and unchanged around the copy. Neither side ever blocks the other.
 */
import { deserialize, serialize } from 'node:v8';
import type { RuntimeStats } from './runtime-api.js';

/** `Atomics.waitAsync` (Node.js 16 and later; the project's TypeScript library predates its typing). */
type WaitAsync = (
  typed: Int32Array, index: number, value: number, timeoutMs?: number,
) => { readonly async: false; readonly value: string } | { readonly async: true; readonly value: Promise<string> };
const waitAsync = (Atomics as unknown as { readonly waitAsync: WaitAsync }).waitAsync;

/** Int32 words at the start of the buffer. */
const enum Word {
  /** Requests made by readers (wrapping counter). */
  Requested = 0,
  /** The request count the last snapshot answered. */
  Served = 1,
  /** Odd while a snapshot is being written. */
  Sequence = 2,
  /** Byte length of the snapshot. */
  Length = 3,
}
const HEADER_BYTES = 16;
/** Room for a snapshot: the runtime's statistics take about a kilobyte. */
const DEFAULT_BYTES = 64 * 1024;
/** Copies a reader attempts while the writer keeps rewriting (each write takes microseconds). */
const READ_ATTEMPTS = 64;

export class StatsBoard {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly data: Uint8Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(DEFAULT_BYTES)) {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength <= HEADER_BYTES) {
      throw new TypeError(`StatsBoard needs a SharedArrayBuffer of more than ${HEADER_BYTES} bytes`);
    }
    this.buffer = buffer;
    this.words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.data = new Uint8Array(buffer, HEADER_BYTES);
  }

  // ── the runtime's side ──────────────────────────────────────────────────────────────────

  /** Whether a reader asked for figures the last snapshot does not answer (one atomic load each). */
  get requested(): boolean {
    return Atomics.load(this.words, Word.Requested) !== Atomics.load(this.words, Word.Served);
  }

  /**
   * Publishes `stats` and wakes the readers waiting for it. False (and nothing published)
   * when the snapshot does not fit; readers then keep the previous one.
   */
  publish(stats: RuntimeStats): boolean {
    const words = this.words;
    const answered = Atomics.load(words, Word.Requested);
    const bytes = serialize(stats);
    const fits = bytes.length <= this.data.length;
    if (fits) {
      Atomics.add(words, Word.Sequence, 1);
      this.data.set(bytes);
      Atomics.store(words, Word.Length, bytes.length);
      Atomics.add(words, Word.Sequence, 1);
    }
    Atomics.store(words, Word.Served, answered);
    Atomics.notify(words, Word.Served);
    return fits;
  }

  /** Resolves when a request arrives after `seen` (the `Requested` count last served), or on `wake()`. */
  nextRequest(seen: number): Promise<unknown> {
    const wait = waitAsync(this.words, Word.Requested, seen);
    return wait.async ? wait.value : Promise.resolve();
  }

  /** The request count now (see `nextRequest`). */
  get requests(): number {
    return Atomics.load(this.words, Word.Requested);
  }

  /** Ends a `nextRequest` wait without a request (when the runtime closes). */
  wake(): void {
    Atomics.notify(this.words, Word.Requested);
  }

  // ── the reader's side ───────────────────────────────────────────────────────────────────

  /**
   * Asks the runtime for fresh figures and waits up to `timeoutMs` for them; then (or at
   * once, when they came) the last snapshot published, or undefined if there is none.
   */
  async request(timeoutMs: number): Promise<RuntimeStats | undefined> {
    const words = this.words;
    const wanted = (Atomics.add(words, Word.Requested, 1) + 1) | 0;
    // Wakes an idle runtime (`nextRequest`); a busy one sees the count at its next safepoint.
    Atomics.notify(words, Word.Requested);
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const served = Atomics.load(words, Word.Served);
      // Counters wrap: the difference says which is later.
      if (((served - wanted) | 0) >= 0) break;
      const left = deadline - performance.now();
      if (left <= 0) break;
      const wait = waitAsync(words, Word.Served, served, left);
      if (wait.async) await wait.value;
    }
    return this.read();
  }

  /** The last snapshot published, or undefined if there is none (or the writer never let go). */
  read(): RuntimeStats | undefined {
    const words = this.words;
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const before = Atomics.load(words, Word.Sequence);
      if (before === 0) return undefined;
      if ((before & 1) !== 0) continue;
      const length = Atomics.load(words, Word.Length);
      const copy = this.data.slice(0, length);
      if (Atomics.load(words, Word.Sequence) !== before) continue;
      // Written by `publish` from a RuntimeStats, and intact (the sequence did not move).
      return deserialize(copy) as RuntimeStats;
    }
    return undefined;
  }
}
