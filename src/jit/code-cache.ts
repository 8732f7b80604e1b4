/**
 * `CodeCache`: installed native code under a byte budget counted in the real code sizes
 * Cranelift reports. It keeps no index of its own: whoever installs code holds the entry
 * (the engine keeps it on the function's record), so a hit needs no lookup. Recency is an intrusive doubly linked list, so a hit
 * moves its entry to the front with a few pointer writes (O(1), no allocation) and eviction
 * takes from the back. Every entry leaves the cache exactly once — by eviction, invalidation
 * or clear — and its native handle is released at that moment through `onRelease`.
 *
 * Entries are versioned by program: `invalidate(programId)` drops one program's code,
 * `invalidateAll()` drops everything. The cache is only touched on the main thread between
 * calls, never while native code runs, so releasing here cannot free running code.
 */
import type { NativeType } from './native.js';

/** A function's key: program id and body offset, `<id>:<offset>`. */
export type FunctionKey = string;

/** Code in the cache; `owner` is what the code belongs to (the engine's function record). */
export interface CachedCode<Owner = unknown> {
  readonly key: FunctionKey;
  readonly owner: Owner;
  readonly programId: number;
  readonly handle: number;
  readonly codeSize: number;
  readonly returnType: NativeType;
}

export type RemovalReason = 'evicted' | 'invalidated' | 'cleared';

/** A cache slot; the engine keeps it beside the function so a hit needs no map lookup. */
export interface CacheEntry<Owner = unknown> {
  readonly code: CachedCode<Owner>;
  /** False once the entry has left the cache (its handle is released). */
  live: boolean;
  prev: CacheEntry<Owner> | null;
  next: CacheEntry<Owner> | null;
}

export interface CodeCacheOptions<Owner> {
  readonly byteBudget: number;
  /** Releases the native handle; called exactly once per entry that leaves the cache. */
  readonly onRelease: (code: CachedCode<Owner>, reason: RemovalReason) => void;
}

export class CodeCache<Owner = unknown> {
  private count = 0;
  private head: CacheEntry<Owner> | null = null; // most recently used
  private tail: CacheEntry<Owner> | null = null; // least recently used
  private bytes = 0;
  private hitCount = 0;
  private missCount = 0;
  private budget: number;

  constructor(private readonly options: CodeCacheOptions<Owner>) {
    this.budget = checkBudget(options.byteBudget);
  }

  /** A hit on an entry the caller already holds: counts it and makes it most recent. O(1). */
  touch(node: CacheEntry<Owner>): void {
    this.hitCount++;
    if (node !== this.head) {
      this.unlink(node);
      this.pushFront(node);
    }
  }

  /** Counts `calls` calls that found no code. */
  recordMiss(calls = 1): void {
    this.missCount += calls;
  }

  /**
   * Installs code, then evicts least recently used entries until the budget holds. The
   * returned entry is not live if the code alone exceeded the budget. The caller replaces an
   * owner's earlier code by `delete`-ing its entry first.
   */
  insert(code: CachedCode<Owner>): CacheEntry<Owner> {
    const node: CacheEntry<Owner> = { code, live: true, prev: null, next: null };
    this.count++;
    this.pushFront(node);
    this.bytes += code.codeSize;
    this.enforceBudget();
    return node;
  }

  /** Takes one entry out (its function's program was invalidated); a no-op once it left. */
  delete(entry: CacheEntry<Owner>): void {
    if (entry.live) this.remove(entry, 'invalidated');
  }

  /** Drops every entry of one program (its version moved on). Returns how many. */
  invalidate(programId: number): number {
    let removed = 0;
    for (let node = this.head; node !== null; ) {
      const next = node.next;
      if (node.code.programId === programId) {
        this.remove(node, 'invalidated');
        removed++;
      }
      node = next;
    }
    return removed;
  }

  invalidateAll(): number {
    return this.drain('invalidated');
  }

  clear(): number {
    return this.drain('cleared');
  }

  set byteBudget(value: number) {
    this.budget = checkBudget(value);
    this.enforceBudget();
  }

  get byteBudget(): number {
    return this.budget;
  }

  get size(): number {
    return this.count;
  }

  get byteSize(): number {
    return this.bytes;
  }

  get hits(): number {
    return this.hitCount;
  }

  get misses(): number {
    return this.missCount;
  }

  /** Hits over lookups, 0 when nothing was looked up. */
  get hitRate(): number {
    const lookups = this.hitCount + this.missCount;
    return lookups === 0 ? 0 : this.hitCount / lookups;
  }

  resetCounters(): void {
    this.hitCount = 0;
    this.missCount = 0;
  }

  /** Keys from most to least recently used (for tests and diagnostics). */
  keysByRecency(): FunctionKey[] {
    const keys: FunctionKey[] = [];
    for (let n = this.head; n !== null; n = n.next) keys.push(n.code.key);
    return keys;
  }

  private enforceBudget(): void {
    // A single entry larger than the whole budget is evicted too: the budget is a hard cap.
    while (this.bytes > this.budget && this.tail !== null) this.remove(this.tail, 'evicted');
  }

  private drain(reason: RemovalReason): number {
    const removed = this.count;
    while (this.tail !== null) this.remove(this.tail, reason);
    return removed;
  }

  private remove(node: CacheEntry<Owner>, reason: RemovalReason): void {
    this.unlink(node);
    this.count--;
    this.bytes -= node.code.codeSize;
    node.live = false;
    this.options.onRelease(node.code, reason);
  }

  private pushFront(node: CacheEntry<Owner>): void {
    node.prev = null;
    node.next = this.head;
    if (this.head !== null) this.head.prev = node;
    this.head = node;
    if (this.tail === null) this.tail = node;
  }

  private unlink(node: CacheEntry<Owner>): void {
    if (node.prev !== null) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next !== null) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = null;
    node.next = null;
  }
}

function checkBudget(value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`cacheSizeLimit must be a byte count ≥ 0, got ${value}`);
  return value;
}
