/**
 * `.atb` files: the reference's binary bytecode format, byte for byte (docs/bytecode.md §4). Big-endian
 * everywhere: magic "ATB\0", u16 version 1, u16 flags (bit 0: a debug section follows), u32
 * constant count and tagged constant records, u32 code length and the code, then (flag bit 0)
 * u32 debug count and 12-byte entries; nothing may follow.
 *
 * The reader is lenient where the reference is (docs/bytecode.md Q23: a non-zero bool byte is true, an unknown
 * ownership byte is `none`, flag bits other than bit 0 are ignored) and strict everywhere else:
 * every truncated or corrupt input throws AtbFormatError naming the byte offset of the problem.
 * It never allocates from a declared count; it does not validate the instructions (use
 * `validate`), but it does analyse them to recompute local counts (see `readAtb`).
 */
import { Bytecode, type Constant, type DebugEntry, type FunctionRef, type Ownership } from './bytecode.js';
import { highestReachableSlots } from './reachable-slots.js';

export const ATB_MAGIC: readonly number[] = [0x41, 0x54, 0x42, 0x00];
export const ATB_VERSION = 1;
const FLAG_DEBUG = 1;

const TAG = { null: 0x00, bool: 0x01, number: 0x02, string: 0x03, function: 0x04, builtin: 0x05 } as const;
const OWNERSHIP: readonly Ownership[] = ['none', 'own', 'borrow', 'shared'];

/** A corrupt or truncated `.atb` file, or a Bytecode that cannot be written as one. */
export class AtbFormatError extends Error {
  constructor(
    /** The byte offset of the problem (for the writer: the output position). */
    readonly offset: number,
    detail: string,
  ) {
    super(`${detail} (at byte ${offset})`);
    this.name = 'AtbFormatError';
  }
}

// ---------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------

/** Serializes `bytecode` (localCount and topLevelLocalCount are not part of the format, docs/bytecode.md Q8). */
export function writeAtb(bytecode: Bytecode): Uint8Array {
  const out = new ByteWriter();
  out.bytes(ATB_MAGIC);
  out.u16(ATB_VERSION, 'version');
  const hasDebug = bytecode.debug.length > 0;
  out.u16(hasDebug ? FLAG_DEBUG : 0, 'flags');
  out.u32(bytecode.constants.length, 'constant count');
  bytecode.constants.forEach((c, k) => writeConstant(out, c, k));
  out.u32(bytecode.code.length, 'code length');
  out.bytes(bytecode.code);
  if (hasDebug) {
    out.u32(bytecode.debug.length, 'debug count');
    for (const e of bytecode.debug) {
      out.u32(e.offset, 'debug offset');
      out.u32(e.start, 'span start');
      out.u32(e.end, 'span end');
    }
  }
  return out.finish();
}

function writeConstant(out: ByteWriter, c: Constant, k: number): void {
  out.u8(TAG[c.kind], 'tag');
  switch (c.kind) {
    case 'null': return;
    case 'bool': return out.u8(c.value ? 1 : 0, 'bool');
    case 'number': return out.f64(c.value);
    case 'string': return out.text32(c.value, `string constant #${k}`);
    case 'builtin': return out.text32(c.name, `builtin constant #${k}`);
    case 'function': return writeFunction(out, c.value, k);
  }
}

/** Function payload (docs/bytecode.md §4.2): name, u8 arity, u32 offset, ownerships, param names, return ownership. */
function writeFunction(out: ByteWriter, fn: FunctionRef, k: number): void {
  const what = `function constant #${k} (${fn.name})`;
  out.text32(fn.name, `${what} name`);
  out.u8(fn.arity, `${what} arity`);
  out.u32(fn.offset, `${what} offset`);
  out.u8(fn.paramOwnership.length, `${what} ownership count`);
  for (const o of fn.paramOwnership) out.u8(OWNERSHIP.indexOf(o), `${what} ownership`);
  out.u8(fn.paramNames.length, `${what} parameter count`);
  for (const name of fn.paramNames) out.text16(name, `${what} parameter name`);
  out.u8(OWNERSHIP.indexOf(fn.returnOwnership), `${what} return ownership`);
}

const encoder = new TextEncoder();
/** With the `u` flag, only an unpaired surrogate is a code point of category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

class ByteWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  u8(value: number, what: string): void {
    this.check(value, 0xff, what);
    this.reserve(1);
    this.view.setUint8(this.length++, value);
  }

  u16(value: number, what: string): void {
    this.check(value, 0xffff, what);
    this.reserve(2);
    this.view.setUint16(this.length, value);
    this.length += 2;
  }

  u32(value: number, what: string): void {
    this.check(value, 0xffffffff, what);
    this.reserve(4);
    this.view.setUint32(this.length, value);
    this.length += 4;
  }

  f64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value);
    this.length += 8;
  }

  text32(text: string, what: string): void {
    const utf8 = this.utf8(text, what);
    this.u32(utf8.length, `${what} length`);
    this.bytes(utf8);
  }

  text16(text: string, what: string): void {
    const utf8 = this.utf8(text, what);
    this.u16(utf8.length, `${what} length`);
    this.bytes(utf8);
  }

  /** UTF-8 of `text`; a lone surrogate has no UTF-8 form (TextEncoder would silently change it). */
  private utf8(text: string, what: string): Uint8Array {
    if (LONE_SURROGATE.test(text)) throw new AtbFormatError(this.length, `cannot write ${what}: it contains a lone surrogate`);
    return encoder.encode(text);
  }

  bytes(data: ArrayLike<number>): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private check(value: number, max: number, what: string): void {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new AtbFormatError(this.length, `cannot write ${what} ${value}: not an integer in 0..${max}`);
    }
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}

// ---------------------------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------------------------

/**
 * Parses a `.atb` file.
 *
 * The format drops every function's `localCount` and the program's `topLevelLocalCount` (docs/bytecode.md Q8);
 * the reference then reads them as 0, which makes every SetLocal of a loaded program fail. We
 * RECOMPUTE them instead, from the code:
 *
 *   localCount(fn)      = max(fn.arity, 1 + the highest slot used by a GetLocal/SetLocal
 *                             reachable from fn's body)
 *                         (just the arity for offset 0, the "not compiled" marker)
 *   topLevelLocalCount  = 1 + the highest slot used by a GetLocal/SetLocal reachable from
 *                             offset 0, or 0 if none
 *
 * "Reachable" follows control flow (not stack depths, `reachable-slots.ts`), so the counts of
 * all entries come from one linear pass however many function constants share a body.
 *
 * Every slot the code touches is then inside the frame, so the counts admit exactly what the
 * code does. They can be lower than the reference compiler's high-water mark (a declared but
 * never read local does not count), which only matters for SetLocal's padding rule (docs/bytecode.md §2.4),
 * and the validator rejects SetLocal beyond the current stack depth anyway.
 */
export function readAtb(bytes: Uint8Array): Bytecode {
  const r = new ByteReader(bytes);
  readHeader(r);
  const flags = r.u16('flags');
  const constants = readConstants(r);
  const code = readCode(r);
  const debug = (flags & FLAG_DEBUG) !== 0 ? readDebug(r) : [];
  if (r.offset !== bytes.length) {
    throw new AtbFormatError(r.offset, `Invalid bytecode: expected ${bytes.length} bytes, but only consumed ${r.offset}`);
  }
  return withLocalCounts(new Bytecode(code, constants, debug, 0));
}

function readHeader(r: ByteReader): void {
  if (r.length < 8) throw new AtbFormatError(r.length, `Invalid bytecode file: too short (${r.length} bytes, the header needs 8)`);
  const magic = r.take(4, 'magic');
  if (ATB_MAGIC.some((b, i) => magic[i] !== b)) {
    throw new AtbFormatError(0, `Invalid bytecode file: bad magic number ${hex(magic)} (expected ${hex(ATB_MAGIC)})`);
  }
  const version = r.u16('version');
  if (version !== ATB_VERSION) {
    throw new AtbFormatError(4,
      `Bytecode version mismatch: file has version ${version}, but this VM supports version ${ATB_VERSION}`);
  }
}

function readConstants(r: ByteReader): Constant[] {
  const countAt = r.offset;
  const count = r.u32('constants section');
  // Every record takes at least its tag byte: a count beyond the bytes left is corrupt.
  if (count > r.remaining) {
    throw new AtbFormatError(countAt, `Invalid bytecode: ${count} constants declared but only ${r.remaining} bytes follow`);
  }
  const constants: Constant[] = [];
  for (let k = 0; k < count; k++) constants.push(readConstant(r, k));
  return constants;
}

function readConstant(r: ByteReader, k: number): Constant {
  const at = r.offset;
  const tag = r.u8(`constant #${k} tag`);
  const what = `constant #${k}`;
  switch (tag) {
    case TAG.null: return { kind: 'null' };
    case TAG.bool: return { kind: 'bool', value: r.u8(`${what} (bool)`) !== 0 };
    case TAG.number: return { kind: 'number', value: r.f64(`${what} (number)`) };
    case TAG.string: return { kind: 'string', value: r.text32(`${what} (string)`) };
    case TAG.builtin: return { kind: 'builtin', name: r.text32(`${what} (builtin name)`) };
    case TAG.function: return { kind: 'function', value: readFunction(r, what) };
    default: throw new AtbFormatError(at, `Unknown value type tag: 0x${tag.toString(16).padStart(2, '0')} (${what})`);
  }
}

/** Function payload; localCount is a placeholder until `withLocalCounts`. */
function readFunction(r: ByteReader, constant: string): FunctionRef {
  const what = `${constant} (function)`;
  const name = r.text32(`${what} name`);
  const arity = r.u8(`${what} arity`);
  const offset = r.u32(`${what} bytecode offset`);
  const paramOwnership: Ownership[] = [];
  for (let i = r.u8(`${what} ownership count`); i > 0; i--) paramOwnership.push(ownership(r.u8(`${what} ownership`)));
  const paramNames: string[] = [];
  for (let i = r.u8(`${what} parameter count`); i > 0; i--) paramNames.push(r.text16(`${what} parameter name`));
  const returnOwnership = ownership(r.u8(`${what} return ownership`));
  return { name, arity, offset, localCount: arity, paramOwnership, paramNames, returnOwnership };
}

/** Unknown ownership codes read as `none`, like the reference (docs/bytecode.md Q23). */
function ownership(code: number): Ownership {
  return OWNERSHIP[code] ?? 'none';
}

function readCode(r: ByteReader): Uint8Array {
  const length = r.u32('instructions section');
  return r.take(length, 'instructions data').slice();
}

function readDebug(r: ByteReader): DebugEntry[] {
  const countAt = r.offset;
  const count = r.u32('debug info section');
  if (count * 12 > r.remaining) {
    throw new AtbFormatError(countAt,
      `Invalid bytecode: ${count} debug entries declared (${count * 12} bytes) but only ${r.remaining} bytes follow`);
  }
  const debug: DebugEntry[] = [];
  for (let i = 0; i < count; i++) {
    const offset = r.u32(`debug span ${i}`);
    const start = r.u32(`debug span ${i} start`);
    const end = r.u32(`debug span ${i} end`);
    debug.push({ offset, start, end });
  }
  return debug;
}

/** Recomputes the local counts the format drops (rule in `readAtb`'s doc comment), in one pass over the code. */
function withLocalCounts(raw: Bytecode): Bytecode {
  // Offset 0 marks a function that was never compiled (docs/bytecode.md §3.1): it has no body to inspect.
  const bodies = raw.constants.flatMap((c) => (c.kind === 'function' && c.value.offset !== 0 ? [c.value.offset] : []));
  const highest = highestReachableSlots(raw.code, [0, ...bodies]);
  const constants = raw.constants.map((c): Constant => {
    if (c.kind !== 'function') return c;
    const slots = c.value.offset === 0 ? 0 : highest.get(c.value.offset)! + 1;
    return { kind: 'function', value: { ...c.value, localCount: Math.max(c.value.arity, slots) } };
  });
  return new Bytecode(raw.code, constants, raw.debug, highest.get(0)! + 1);
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bounds-checked big-endian reads; every failure names the offset and what was being read. */
class ByteReader {
  offset = 0;
  private readonly view: DataView;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get length(): number {
    return this.data.length;
  }

  get remaining(): number {
    return this.data.length - this.offset;
  }

  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.offset++);
  }

  u16(what: string): number {
    this.need(2, what);
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }

  u32(what: string): number {
    this.need(4, what);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  f64(what: string): number {
    this.need(8, what);
    const value = this.view.getFloat64(this.offset);
    this.offset += 8;
    return value;
  }

  /** A view of the next `n` bytes. */
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  text32(what: string): string {
    return this.utf8(this.u32(`${what} length`), what);
  }

  text16(what: string): string {
    return this.utf8(this.u16(`${what} length`), what);
  }

  private utf8(n: number, what: string): string {
    const start = this.offset;
    const bytes = this.take(n, what);
    const bad = firstInvalidUtf8(bytes);
    if (bad >= 0) throw new AtbFormatError(start + bad, `invalid UTF-8 in ${what}`);
    return decoder.decode(bytes);
  }

  private need(n: number, what: string): void {
    if (n > this.remaining) {
      throw new AtbFormatError(this.offset,
        `Invalid bytecode: ${what} truncated (needs ${n} byte(s), ${this.remaining} left)`);
    }
  }
}

/**
 * Index of the first byte that makes `bytes` invalid UTF-8 (overlong forms, surrogates, code
 * points above U+10FFFF and truncated sequences included, as in Rust's `from_utf8`), or -1.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const [size, min2, max2] = leadRange(b);
    if (size === 0) return i;
    for (let j = 1; j < size; j++) {
      const c = bytes[i + j];
      const [lo, hi] = j === 1 ? [min2, max2] : [0x80, 0xbf];
      if (c === undefined || c < lo || c > hi) return i;
    }
    i += size;
  }
  return -1;
}

/** Sequence length and allowed range of the second byte for a lead byte (Unicode Table 3-7). */
function leadRange(b: number): readonly [size: number, min2: number, max2: number] {
  if (b >= 0xc2 && b <= 0xdf) return [2, 0x80, 0xbf];
  if (b === 0xe0) return [3, 0xa0, 0xbf];
  if (b === 0xed) return [3, 0x80, 0x9f];
  if (b >= 0xe1 && b <= 0xef) return [3, 0x80, 0xbf];
  if (b === 0xf0) return [4, 0x90, 0xbf];
  if (b >= 0xf1 && b <= 0xf3) return [4, 0x80, 0xbf];
  if (b === 0xf4) return [4, 0x80, 0x8f];
  return [0, 0, 0];
}

function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
