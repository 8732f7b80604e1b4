/**
 * Interrupting a runtime whose thread is busy in a synchronous `run()` or `call()`: a
 * message could not reach it, so the request travels through shared memory that the
 * interpreter polls (at every user-function call and every 64 loop back-edges).
 *
 * Operations are numbered 1, 2, 3, ... in the order the main thread sends them, which is
 * the order the worker runs them (they travel over one MessagePort). An interrupt stops
 * every operation up to a given number: the one running now and the ones already sent, but
 * none sent later. So an interrupt that overtakes its operation's message still stops it,
 * and an interrupt that finds nothing running cannot stop a later, unrelated request.
 *
 * Native code compiled by the runtime's JIT never polls this buffer: it polls its thread's
 * native interrupt flag. The runtime records that flag's id here (`attachNativeThread`), and
 * every interrupt sets it too; the engine clears it when the next operation starts.
 */
import { interruptThread } from '../jit/native.js';

/**
 * Layout of the shared buffer: an Int32 "something is requested" flag, then (8-aligned) the
 * mark, then the Int32 id of the runtime thread's native interrupt flag (0: none).
 */
const MARK_OFFSET = 8;
const NATIVE_ID_OFFSET = 16;
const BUFFER_BYTES = 24;

export class InterruptSignal {
  readonly buffer: SharedArrayBuffer;
  /** [0] is 1 while an interrupt may concern an operation not finished yet. */
  private readonly flag: Int32Array;
  /** [0] is the highest operation number to stop. */
  private readonly mark: BigInt64Array;
  /** [0] is the native interrupt id of the runtime's thread, once it has one. */
  private readonly nativeId: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(BUFFER_BYTES)) {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < BUFFER_BYTES) {
      throw new TypeError(`InterruptSignal needs a SharedArrayBuffer of ${BUFFER_BYTES} bytes`);
    }
    this.buffer = buffer;
    this.flag = new Int32Array(buffer, 0, 1);
    this.mark = new BigInt64Array(buffer, MARK_OFFSET, 1);
    this.nativeId = new Int32Array(buffer, NATIVE_ID_OFFSET, 1);
  }

  /** Records the runtime thread's native interrupt id (`JitEngine.interruptId`). */
  attachNativeThread(id: number): void {
    Atomics.store(this.nativeId, 0, id);
  }

  /** Requests that operations 1..`operation` stop. Never lowers an earlier request. */
  interruptThrough(operation: number): void {
    const wanted = BigInt(operation);
    let current = Atomics.load(this.mark, 0);
    while (current < wanted) {
      const seen = Atomics.compareExchange(this.mark, 0, current, wanted);
      if (seen === current) break;
      current = seen;
    }
    // The mark is written before the flag, so a reader that sees the flag sees the mark.
    Atomics.store(this.flag, 0, 1);
    // A native loop never polls the flag above: stop it through its own flag.
    const id = Atomics.load(this.nativeId, 0);
    if (id !== 0) interruptThread(id);
  }

  /**
   * Whether operation `operation` must stop. The common case costs one atomic load; the
   * flag is cleared when it only concerned earlier operations, before the mark is read
   * again, so an interrupt arriving in between is never lost.
   */
  stops(operation: number): boolean {
    if (Atomics.load(this.flag, 0) === 0) return false;
    if (Atomics.load(this.mark, 0) >= BigInt(operation)) return true;
    Atomics.store(this.flag, 0, 0);
    if (Atomics.load(this.mark, 0) < BigInt(operation)) return false;
    Atomics.store(this.flag, 0, 1);
    return true;
  }
}
