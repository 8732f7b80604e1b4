/**
 * A compile batch as one binary buffer. Every worker task is a structured clone on the main
 * thread, and cloning many small objects and typed arrays per function cost more than the rest
 * of enqueueing (measured: ~1.6 µs per function with SharedArrayBuffer views, ~0.1 µs as one
 * buffer); a single ArrayBuffer is moved to the worker without a copy (transfer list). Each
 * program a batch uses travels once in it, however many of its functions the batch holds.
 *
 * Layout (native byte order: both ends are threads of one process), u32 words from byte 0:
 *   header   VERSION, programCount, jobCount
 *   programs codeAt, codeLength, poolLength, kindsAt, valuesAt          (5 words each)
 *   jobs     the `JOB_SCALARS` in order, then program, nameAt, nameLength, calleeCount,
 *            callCount, entryKindCount, sideExits, globalSlotCount, globalNameCount,
 *            calleeGlobalCount
 *   per job  callees (the `CALLEE_SCALARS`), then calls (offset, function index), entry
 *            kinds and global slot kinds (kind codes), global names (constant, slot),
 *            callee globals (constant)
 * then the sections the `…At` byte offsets point to: every program's constant values (f64,
 * 8-byte aligned), code, constant kinds, and the names as UTF-16 code units (no encoder call
 * per name, which cost more than the rest of a job's encoding; `nameLength` counts units).
 */
import type { Constant } from '../bytecode/bytecode.js';
import type { FunctionJob, FunctionJobSource } from './compile-protocol.js';
import { marshalPoolInto, type MarshalledPool, NATIVE_TYPES, type NativeCallee, type NativeType } from './native.js';

const VERSION = 3;
const HEADER_WORDS = 3;
const PROGRAM_WORDS = 5;

/**
 * A job's own unsigned integer fields, one word each, in this order. This list is the one
 * place both ends learn them from: a new field of that kind (an entry offset, say) is a name
 * added here and in `FunctionJob`.
 */
const JOB_SCALARS = ['jobId', 'start', 'end', 'arity', 'localCount', 'entry'] as const satisfies readonly (keyof FunctionJob)[];
/** The words after them: where its program and name are, and how long its tables are. */
const JOB_LAYOUT_WORDS = 11;
const JOB_WORDS = JOB_SCALARS.length + JOB_LAYOUT_WORDS;
/** A callee's fields, one word each. */
const CALLEE_SCALARS = ['start', 'end', 'arity', 'localCount'] as const satisfies readonly (keyof NativeCallee)[];
const CALL_WORDS = 2;

/** The program parts of a job: what a batch carries once per program. */
interface ProgramParts<Pool> {
  readonly code: Uint8Array;
  readonly constants: Pool;
}

export class BatchFormatError extends Error {
  override readonly name = 'BatchFormatError';
}

/** Packs `jobs` into one buffer (to be transferred to the worker); marshals each pool into it. */
export function encodeJobs(jobs: readonly FunctionJobSource[]): ArrayBuffer {
  const { programs, indexOf } = distinctPrograms(jobs);
  const tableWords = HEADER_WORDS + programs.length * PROGRAM_WORDS
    + jobs.reduce((n, job) => n + JOB_WORDS + job.callees.length * CALLEE_SCALARS.length + job.calls.size * CALL_WORDS + extraWords(job), 0);
  // Sections by kind (all values, then all code and kinds, then all names), so that four
  // typed-array views serve the whole batch: a view per program cost more than the copying.
  const layout = new ByteLayout(tableWords * 4);
  const valuesAt = programs.map((p) => layout.take(p.constants.length * 8, 8));
  const codeAt = programs.map((p) => layout.take(p.code.byteLength));
  const kindsAt = programs.map((p) => layout.take(p.constants.length));
  const nameAt = jobs.map((job) => layout.take(job.name.length * 2, 2));
  const buffer = new ArrayBuffer(layout.size);
  const bytes = new Uint8Array(buffer);
  const pool = { kinds: bytes, values: new Float64Array(buffer, 0, layout.size >>> 3) };
  const units = new Uint16Array(buffer, 0, layout.size >>> 1);
  const words = new Writer(new Uint32Array(buffer, 0, tableWords));
  words.put(VERSION, programs.length, jobs.length);
  programs.forEach((p, i) => {
    words.put(codeAt[i]!, p.code.byteLength, p.constants.length, kindsAt[i]!, valuesAt[i]!);
    bytes.set(p.code, codeAt[i]!);
    marshalPoolInto(p.constants, pool, kindsAt[i]!, valuesAt[i]! >>> 3);
  });
  jobs.forEach((job, i) => {
    const { name } = job;
    const at = nameAt[i]! >>> 1;
    for (let k = 0; k < name.length; k++) units[at + k] = name.charCodeAt(k);
    for (const field of JOB_SCALARS) words.put(job[field]);
    words.put(indexOf.get(job.code)!, nameAt[i]!, name.length, job.callees.length, job.calls.size, job.entryKinds.length,
      job.sideExits ? 1 : 0, job.globals.kinds.length, job.globals.slots.size, job.calleeGlobals.length, job.builtinGlobals.size);
  });
  for (const job of jobs) {
    for (const c of job.callees) for (const field of CALLEE_SCALARS) words.put(c[field]);
    for (const [offset, target] of job.calls) words.put(offset, target);
    for (const kind of job.entryKinds) words.put(kindCode(kind));
    for (const kind of job.globals.kinds) words.put(kindCode(kind));
    for (const [constant, slot] of job.globals.slots) words.put(constant, slot);
    words.put(...job.calleeGlobals);
    for (const [constant, code] of job.builtinGlobals) words.put(constant, code);
  }
  return buffer;
}

/** Words a job's entry kinds, global table, callee globals and builtin globals take. */
function extraWords(job: FunctionJobSource): number {
  return job.entryKinds.length + job.globals.kinds.length + job.globals.slots.size * 2 + job.calleeGlobals.length + job.builtinGlobals.size * 2;
}

function kindCode(kind: NativeType): number {
  return NATIVE_TYPES.indexOf(kind);
}

function kindOf(code: number): NativeType {
  const kind = NATIVE_TYPES[code];
  if (kind === undefined) throw new BatchFormatError(`compile batch has unknown value kind ${code}`);
  return kind;
}

/** Unpacks a buffer made by `encodeJobs`; code and constants are views into it (no copy). */
export function decodeJobs(buffer: ArrayBuffer): FunctionJob[] {
  const reader = new Reader(buffer);
  if (reader.next() !== VERSION) throw new BatchFormatError('compile batch of an unknown format version');
  const programCount = reader.next();
  const jobCount = reader.next();
  const programs: ProgramParts<MarshalledPool>[] = [];
  for (let i = 0; i < programCount; i++) {
    const [codeAt, codeLength, poolLength, kindsAt, valuesAt] = reader.take(PROGRAM_WORDS);
    programs.push({
      code: reader.bytes(codeAt!, codeLength!),
      constants: { kinds: reader.bytes(kindsAt!, poolLength!), values: reader.floats(valuesAt!, poolLength!) },
    });
  }
  const heads = Array.from({ length: jobCount }, () => ({ scalars: readScalars(reader, JOB_SCALARS), layout: reader.take(JOB_LAYOUT_WORDS) }));
  return heads.map(({ scalars, layout: [program, nameAt, nameLength, calleeCount, callCount, entryKindCount, sideExits, globalSlotCount, globalNameCount, calleeGlobalCount, builtinGlobalCount] }) => {
    const parts = programs[program!];
    if (parts === undefined) throw new BatchFormatError(`job ${scalars.jobId} names program ${program} of ${programCount}`);
    const callees = Array.from({ length: calleeCount! }, (): NativeCallee => readScalars(reader, CALLEE_SCALARS));
    const calls = new Map<number, number>();
    for (let i = 0; i < callCount!; i++) {
      const [offset, target] = reader.take(CALL_WORDS);
      calls.set(offset!, target!);
    }
    const entryKinds = reader.take(entryKindCount!).map(kindOf);
    const globalKinds = reader.take(globalSlotCount!).map(kindOf);
    const slots = new Map<number, number>();
    for (let i = 0; i < globalNameCount!; i++) {
      const [constant, slot] = reader.take(2);
      slots.set(constant!, slot!);
    }
    const calleeGlobals = reader.take(calleeGlobalCount!);
    const builtinGlobals = new Map<number, number>();
    for (let i = 0; i < builtinGlobalCount!; i++) {
      const [constant, code] = reader.take(2);
      builtinGlobals.set(constant!, code!);
    }
    const name = String.fromCharCode(...reader.units(nameAt!, nameLength!));
    const job: FunctionJob = {
      ...scalars, name, ...parts, callees, calls, entryKinds, sideExits: sideExits === 1, globals: { kinds: globalKinds, slots }, calleeGlobals, builtinGlobals,
    };
    return job;
  });
}

/** Reads one word per name into an object with those keys. */
function readScalars<const Name extends string>(reader: Reader, names: readonly Name[]): { [K in Name]: number } {
  const out = {} as { [K in Name]: number };
  for (const name of names) out[name] = reader.next();
  return out;
}

/** The programs of `jobs`, each once (a program is identified by its code array). */
function distinctPrograms(jobs: readonly FunctionJobSource[]): { programs: ProgramParts<readonly Constant[]>[]; indexOf: Map<Uint8Array, number> } {
  const programs: ProgramParts<readonly Constant[]>[] = [];
  const indexOf = new Map<Uint8Array, number>();
  for (const { code, constants } of jobs) {
    if (indexOf.has(code)) continue;
    indexOf.set(code, programs.length);
    programs.push({ code, constants });
  }
  return { programs, indexOf };
}

/** Hands out byte ranges after the word table. */
class ByteLayout {
  constructor(public size: number) {}

  take(length: number, align = 1): number {
    const at = Math.ceil(this.size / align) * align;
    this.size = at + length;
    return at;
  }
}

class Writer {
  private at = 0;
  constructor(private readonly words: Uint32Array) {}

  put(...values: readonly number[]): void {
    for (const v of values) this.words[this.at++] = v;
  }
}

/** Reads words and views, refusing anything outside the buffer. */
class Reader {
  private at = 0;
  private readonly words: Uint32Array;

  constructor(private readonly buffer: ArrayBuffer) {
    this.words = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
  }

  next(): number {
    if (this.at >= this.words.length) throw new BatchFormatError('compile batch is truncated');
    return this.words[this.at++]!;
  }

  take(n: number): number[] {
    return Array.from({ length: n }, () => this.next());
  }

  bytes(at: number, length: number): Uint8Array {
    this.check(at, length);
    return new Uint8Array(this.buffer, at, length);
  }

  units(at: number, length: number): Uint16Array {
    if (at % 2 !== 0) throw new BatchFormatError('compile batch has a misaligned name');
    this.check(at, length * 2);
    return new Uint16Array(this.buffer, at, length);
  }

  floats(at: number, length: number): Float64Array {
    if (at % 8 !== 0) throw new BatchFormatError('compile batch has misaligned constant values');
    this.check(at, length * 8);
    return new Float64Array(this.buffer, at, length);
  }

  private check(at: number, length: number): void {
    if (at + length > this.buffer.byteLength) throw new BatchFormatError('compile batch points past its end');
  }
}
