import test from 'ava';
import { deepStrictEqual, ok } from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  AtbFormatError, Bytecode, BytecodeBuilder, Opcode, functionRef, readAtb, validate, writeAtb,
  type Constant, type FunctionRef,
} from '../src/bytecode/index.js';
import { firstInvalidUtf8 } from '../src/bytecode/atb.js';
import { compile } from '../src/compiler/index.js';
import { REFERENCE_PROGRAMS, factorial, hexBytes } from './helpers/reference-programs.js';
import { sharedBody } from './helpers/shared-bodies.js';

/** `print(1 + 2);` as the reference compiles it, with the spans of docs/bytecode.md §4.4. */
function printOnePlusTwo(): Bytecode {
  const b = new BytecodeBuilder();
  b.emit(Opcode.GetGlobal, [b.string('print')], { start: 0, end: 12 });
  b.emit(Opcode.Constant, [b.number(1)], { start: 6, end: 7 });
  b.emit(Opcode.Constant, [b.number(2)], { start: 10, end: 11 });
  b.emit(Opcode.Add, [], { start: 6, end: 11 });
  b.emit(Opcode.Call, [1], { start: 0, end: 12 });
  b.emit(Opcode.Pop, [], { start: 0, end: 13 });
  b.emit(Opcode.Halt, [], { start: 0, end: 0 });
  return b.build();
}

const VECTOR_146 = hexBytes(`
  41544200 0001 0001
  00000003
  03 00000005 7072696e74
  02 3ff0000000000000
  02 4000000000000000
  0000000e
  120000 010001 010002 20 6001 80 ff
  00000007
  00000000 00000000 0000000c
  00000003 00000006 00000007
  00000006 0000000a 0000000b
  00000009 00000006 0000000b
  0000000a 00000000 0000000c
  0000000c 00000000 0000000d
  0000000d 00000000 00000000`);

const FN_ID_RECORD = hexBytes('04 00000002 6964 01 0000000a 01 00 01 0001 78 00');

/** `fn id(x: number) -> number { return x; }` declared at offset 0. */
function fnId(): Bytecode {
  const b = new BytecodeBuilder();
  const f = b.beginFunction('id', 1, { start: 0, end: 40 }, ['x']);
  b.emit(Opcode.GetLocal, [0]);
  b.emit(Opcode.Return);
  b.endFunction(f, 1);
  b.emit(Opcode.Halt);
  return b.build();
}

function errorOf(bytes: Uint8Array): AtbFormatError {
  try {
    readAtb(bytes);
  } catch (error) {
    if (error instanceof AtbFormatError) return error;
    throw error;
  }
  throw new Error('readAtb accepted the input');
}

/** A valid file with `patch` applied at `at`. */
function patched(bytes: Uint8Array, at: number, patch: number[]): Uint8Array {
  const out = bytes.slice();
  out.set(patch, at);
  return out;
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

// ---------------------------------------------------------------------------------------------
// Spec vectors
// ---------------------------------------------------------------------------------------------

test('writeAtb: the 146-byte vector of spec §4.4, byte for byte', (t) => {
  const bytes = writeAtb(printOnePlusTwo());
  t.is(bytes.length, 146);
  t.deepEqual(bytes, VECTOR_146);
});

test('readAtb: the 146-byte vector of spec §4.4', (t) => {
  const bc = readAtb(VECTOR_146);
  const expected = printOnePlusTwo();
  t.deepEqual(bc.code, expected.code);
  t.deepEqual(bc.constants, [{ kind: 'string', value: 'print' }, { kind: 'number', value: 1 }, { kind: 'number', value: 2 }]);
  t.deepEqual(bc.debug, expected.debug);
  t.is(bc.topLevelLocalCount, 0);
  t.deepEqual(validate(bc), []);
});

test('the function constant vector of spec §4.4, both directions', (t) => {
  const bytes = writeAtb(fnId());
  t.deepEqual(bytes.subarray(12, 12 + FN_ID_RECORD.length), FN_ID_RECORD);
  const [c] = readAtb(bytes).constants;
  t.deepEqual(c, {
    kind: 'function',
    value: { name: 'id', arity: 1, offset: 10, localCount: 1, paramOwnership: ['none'], paramNames: ['x'], returnOwnership: 'none' },
  });
  // The record alone, in a minimal file.
  const file = concat(hexBytes('41544200 0001 0000 00000001'), FN_ID_RECORD, hexBytes('00000000'));
  t.deepEqual(readAtb(file).constants[0], c);
});

test('every constant kind and ownership code round-trips; the debug flag follows the entries', (t) => {
  const fn: FunctionRef = {
    name: 'ƒ→x', arity: 3, offset: 0, localCount: 3, paramOwnership: ['none', 'own', 'borrow'],
    paramNames: ['a', 'β', '😀'], returnOwnership: 'shared',
  };
  const constants: Constant[] = [
    { kind: 'null' }, { kind: 'bool', value: true }, { kind: 'bool', value: false }, { kind: 'number', value: -0 },
    { kind: 'number', value: NaN }, { kind: 'number', value: -Infinity }, { kind: 'number', value: 5e-324 },
    { kind: 'string', value: '' }, { kind: 'string', value: 'héllo 😀' }, { kind: 'builtin', name: 'len' },
    { kind: 'function', value: fn },
  ];
  const bc = new Bytecode(Uint8Array.of(Opcode.Halt), constants);
  const bytes = writeAtb(bc);
  t.deepEqual([...bytes.subarray(6, 8)], [0, 0], 'no debug entries: flags 0');
  const back = readAtb(bytes);
  t.deepEqual(back.constants, constants);
  t.true(Object.is((back.constants[3] as { value: number }).value, -0));
  t.deepEqual(back.debug, []);
});

// ---------------------------------------------------------------------------------------------
// Round trips and recomputed local counts (docs/bytecode.md Q8)
// ---------------------------------------------------------------------------------------------

for (const [name, build] of Object.entries(REFERENCE_PROGRAMS)) {
  test(`round trip of ${name}: code, constants and debug entries survive`, (t) => {
    const bc = build();
    const back = readAtb(writeAtb(bc));
    t.deepEqual(back.code, bc.code);
    t.deepEqual(back.constants, bc.constants); // these functions use exactly their parameters
    t.deepEqual(back.debug, bc.debug);
    t.is(back.topLevelLocalCount, 0);
    t.deepEqual(validate(back), []);
  });
}

test('every corpus program compiled by compile() validates and round-trips with its spans', (t) => {
  const corpus = new URL('../../test/fixtures/atlas-corpus/', import.meta.url);
  const names = Object.keys(REFERENCE_PROGRAMS);
  for (const name of names) {
    const bc = compile(readFileSync(new URL(`${name}.atlas`, corpus), 'utf8'), `${name}.atlas`);
    t.deepEqual(validate(bc), [], name);
    const back = readAtb(writeAtb(bc));
    t.deepEqual(back.code, bc.code, name);
    t.deepEqual(back.constants, bc.constants, name);
    t.deepEqual(back.debug, bc.debug, name);
    t.is(back.topLevelLocalCount, bc.topLevelLocalCount, name);
  }
  t.is(names.length, 12);
});

test('localCount is recomputed from the slots the body uses (let values left on the stack, SetLocal)', (t) => {
  const b = new BytecodeBuilder();
  // fn f(a) { let x = 1; let y = 2; x = a; return y; }  -> slots 0..2, localCount 3
  b.declareFunction('f', 1, 3, (x) => {
    x.emitConstant(1);
    x.emitConstant(2);
    x.emit(Opcode.GetLocal, [0]);
    x.emit(Opcode.SetLocal, [1]);
    x.emit(Opcode.Pop);
    x.emit(Opcode.GetLocal, [2]);
    x.emit(Opcode.Return);
  });
  // fn g(a, b) { let unused = 1; return a; } -> the reference would say 3; the code only needs 2
  b.declareFunction('g', 2, 3, (x) => {
    x.emitConstant(1);
    x.emit(Opcode.GetLocal, [0]);
    x.emit(Opcode.Return);
  });
  b.emit(Opcode.Halt);
  const bc = b.build();
  const back = readAtb(writeAtb(bc));
  t.deepEqual(back.functions().map((f) => [f.name, f.localCount]), [['f', 3], ['g', 2]]);
  t.deepEqual(validate(back), []);
});

test('local counts follow control flow: loops, shared tails, entries inside another body', (t) => {
  const b = new BytecodeBuilder();
  b.emit(Opcode.Halt);
  // body A(a): loop { GetLocal 0; JumpIfFalse out; Null; SetLocal 3 <- only in the loop; Pop; Pop... }
  const a = b.offset;
  const top = b.emit(Opcode.GetLocal, [0]);
  const exit = b.emitJump('JumpIfFalse');
  b.emit(Opcode.Null);
  b.emit(Opcode.Null);
  b.emit(Opcode.Null);
  b.emit(Opcode.GetLocal, [3]);
  b.emit(Opcode.SetLocal, [3]);
  b.emit(Opcode.Pop);
  b.emit(Opcode.Pop);
  b.emit(Opcode.Pop);
  b.emit(Opcode.Pop);
  b.emit(Opcode.Loop, [top - (b.offset + 3)]);
  b.patchJump(exit + 1);
  // B(a, b) enters the shared tail here, which reads slot 1.
  const tail = b.emit(Opcode.GetLocal, [1]);
  b.emit(Opcode.Return);
  for (const [name, arity, offset] of [['A', 1, a], ['B', 2, tail], ['C', 2, a]] as const) {
    b.addConstant({ kind: 'function', value: functionRef({ name, arity, offset, localCount: arity }) });
  }
  const back = readAtb(writeAtb(b.build()));
  t.deepEqual(back.functions().map((f) => [f.name, f.localCount]), [['A', 4], ['B', 2], ['C', 4]]);
  t.is(back.topLevelLocalCount, 0);
});

test('reading is linear: 1000 function constants entering one 30 000-instruction body', (t) => {
  // One flow analysis per constant made this take 39 s (more than ava's timeout); now one pass.
  for (const shape of ['entries', 'arities'] as const) {
    const { bytecode } = sharedBody(1000, 30_000, shape);
    const back = readAtb(writeAtb(bytecode));
    t.true(back.functions().every((f) => f.localCount === f.arity), shape);
    t.is(back.topLevelLocalCount, 0);
  }
});

test('topLevelLocalCount is recomputed from top-level code', (t) => {
  const b = new BytecodeBuilder();
  b.topLevelLocalCount = 2;
  b.emit(Opcode.Null);
  b.emit(Opcode.Null);
  b.emit(Opcode.True);
  b.emit(Opcode.SetLocal, [1]);
  b.emit(Opcode.Pop);
  b.emit(Opcode.GetLocal, [1]);
  b.emit(Opcode.Halt);
  const bc = b.build();
  t.deepEqual(validate(bc), []);
  const back = readAtb(writeAtb(bc));
  t.is(back.topLevelLocalCount, 2);
  t.deepEqual(validate(back), []);
});

test('property: any well-formed Bytecode round-trips (localCount recomputed)', (t) => {
  const ownership = fc.constantFrom('none', 'own', 'borrow', 'shared') as fc.Arbitrary<'none' | 'own' | 'borrow' | 'shared'>;
  const text = fc.string({ unit: 'binary', maxLength: 12 });
  const fnArb = fc.record({
    name: text, arity: fc.integer({ min: 0, max: 255 }), offset: fc.integer({ min: 0, max: 0xffffffff }),
    paramOwnership: fc.array(ownership, { maxLength: 4 }), paramNames: fc.array(text, { maxLength: 4 }),
    returnOwnership: ownership,
  }).map((f): Constant => ({ kind: 'function', value: { ...f, localCount: f.arity } }));
  const constant: fc.Arbitrary<Constant> = fc.oneof(
    fc.constant({ kind: 'null' } as Constant),
    fc.boolean().map((value): Constant => ({ kind: 'bool', value })),
    fc.double().map((value): Constant => ({ kind: 'number', value })),
    text.map((value): Constant => ({ kind: 'string', value })),
    text.map((name): Constant => ({ kind: 'builtin', name })),
    fnArb,
  );
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  fc.assert(fc.property(
    fc.array(constant, { maxLength: 8 }),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(fc.tuple(u32, u32, u32).map(([offset, start, end]) => ({ offset, start, end })), { maxLength: 6 }),
    (constants, code, debug) => {
      const back = readAtb(writeAtb(new Bytecode(code, constants, debug)));
      deepStrictEqual(back.code, code);
      deepStrictEqual(back.debug, debug);
      deepStrictEqual(back.constants.length, constants.length);
      back.constants.forEach((c, i) => {
        const original = constants[i]!;
        if (c.kind === 'function' && original.kind === 'function') {
          deepStrictEqual({ ...c.value, localCount: 0 }, { ...original.value, localCount: 0 });
          ok(c.value.localCount >= c.value.arity);
        } else {
          deepStrictEqual(c, original);
        }
      });
    },
  ), { numRuns: 200 });
  t.pass();
});

// ---------------------------------------------------------------------------------------------
// Corrupt input
// ---------------------------------------------------------------------------------------------

test('a valid file truncated at every byte offset is an AtbFormatError', (t) => {
  for (const bytes of [VECTOR_146, writeAtb(fnId()), writeAtb(factorial())]) {
    for (let n = 0; n < bytes.length; n++) {
      const error = errorOf(bytes.subarray(0, n));
      t.true(error.offset >= 0 && error.offset <= n, `cut at ${n}: offset ${error.offset}`);
    }
  }
});

test('too short, bad magic, bad version', (t) => {
  t.like(errorOf(hexBytes('41544200 0001')), { offset: 6, message: 'Invalid bytecode file: too short (6 bytes, the header needs 8) (at byte 6)' });
  const magic = errorOf(patched(VECTOR_146, 0, [0x7f, 0x45, 0x4c, 0x46]));
  t.is(magic.offset, 0);
  t.regex(magic.message, /bad magic number 7f 45 4c 46 \(expected 41 54 42 00\)/);
  const version = errorOf(patched(VECTOR_146, 4, [0, 2]));
  t.is(version.offset, 4);
  t.regex(version.message, /^Bytecode version mismatch: file has version 2, but this VM supports version 1/);
});

test('unknown constant tag', (t) => {
  const error = errorOf(patched(VECTOR_146, 12, [0x07]));
  t.like(error, { offset: 12, message: 'Unknown value type tag: 0x07 (constant #0) (at byte 12)' });
});

test('invalid UTF-8 in a string, a builtin name, a function name and a parameter name', (t) => {
  // "print" -> "pr\xffnt": the bad byte is at 17 + 2.
  t.like(errorOf(patched(VECTOR_146, 19, [0xff])), { offset: 19 });
  t.regex(errorOf(patched(VECTOR_146, 19, [0xff])).message, /^invalid UTF-8 in constant #0 \(string\)/);
  const builtin = patched(VECTOR_146, 12, [0x05]);
  t.like(errorOf(patched(builtin, 17, [0xc0, 0x80])), { offset: 17 }); // overlong NUL
  const file = writeAtb(fnId());
  t.like(errorOf(patched(file, 17, [0xed, 0xa0])), { offset: 17 }); // "id" -> a surrogate's lead bytes
  const paramAt = 12 + FN_ID_RECORD.length - 2; // the "x"
  t.like(errorOf(patched(file, paramAt, [0x80])), { offset: paramAt });
});

test('firstInvalidUtf8 follows the Unicode well-formed table', (t) => {
  const valid = ['', 'abc', 'é', '€', '😀', '\u{10ffff}', '\ud7ff', '\ue000'];
  for (const s of valid) t.is(firstInvalidUtf8(new TextEncoder().encode(s)), -1, s);
  const invalid: [number[], number][] = [
    [[0x80], 0], [[0x61, 0xc1, 0xbf], 1], [[0xe0, 0x80, 0x80], 0], [[0xed, 0xa0, 0x80], 0],
    [[0xf4, 0x90, 0x80, 0x80], 0], [[0xf5, 0x80, 0x80, 0x80], 0], [[0x61, 0xe2, 0x82], 1], [[0xf0, 0x9f, 0x98], 0],
  ];
  for (const [bytes, at] of invalid) t.is(firstInvalidUtf8(Uint8Array.from(bytes)), at, bytes.join(','));
});

test('trailing bytes after the last section', (t) => {
  const error = errorOf(concat(VECTOR_146, [0]));
  t.like(error, { offset: 146, message: 'Invalid bytecode: expected 147 bytes, but only consumed 146 (at byte 146)' });
  // Without the debug flag, the debug section itself is trailing garbage.
  const noDebug = errorOf(patched(VECTOR_146, 6, [0, 0]));
  t.is(noDebug.offset, 58);
  t.regex(noDebug.message, /expected 146 bytes, but only consumed 58/);
});

test('huge declared counts and lengths fail fast without allocating', (t) => {
  const ff = [0xff, 0xff, 0xff, 0xff];
  t.like(errorOf(patched(VECTOR_146, 8, ff)), { offset: 8 });
  t.regex(errorOf(patched(VECTOR_146, 8, ff)).message, /4294967295 constants declared but only 134 bytes follow/);
  t.like(errorOf(patched(VECTOR_146, 13, ff)), { offset: 17 }); // string length
  t.like(errorOf(patched(VECTOR_146, 40, ff)), { offset: 44 }); // instruction length
  t.regex(errorOf(patched(VECTOR_146, 40, ff)).message, /instructions data truncated/);
  t.like(errorOf(patched(VECTOR_146, 58, ff)), { offset: 58 }); // debug count
  t.regex(errorOf(patched(VECTOR_146, 58, ff)).message, /4294967295 debug entries declared/);
});

test('the reader is lenient like the reference (Q23): bool bytes, ownership codes, other flag bits', (t) => {
  const bools = concat(hexBytes('41544200 0001 fffe 00000002 01 07 01 00 00000001 ff'));
  t.deepEqual(readAtb(bools).constants, [{ kind: 'bool', value: true }, { kind: 'bool', value: false }]);
  const withOwnership = patched(writeAtb(fnId()), 12 + 13, [9]); // the parameter's ownership byte
  t.deepEqual((readAtb(withOwnership).constants[0] as { value: FunctionRef }).value.paramOwnership, ['none']);
  t.deepEqual(readAtb(patched(VECTOR_146, 6, [0x80, 0x01])).debug.length, 7);
});

test('garbage never escapes as anything but AtbFormatError', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(145), (noise, at) => {
    const inputs = [noise, concat(VECTOR_146.subarray(0, at), noise), patched(VECTOR_146, at, [...noise.subarray(0, 146 - at)])];
    for (const bytes of inputs) {
      try {
        readAtb(bytes);
      } catch (error) {
        ok(error instanceof AtbFormatError, String(error));
      }
    }
  }), { numRuns: 500 });
  t.pass();
});

test('writeAtb rejects values the format cannot hold', (t) => {
  const withFn = (fields: Partial<FunctionRef>) => new Bytecode(Uint8Array.of(Opcode.Halt), [{
    kind: 'function', value: { ...functionRef({ name: 'f', arity: 0, offset: 0, localCount: 0 }), ...fields },
  }]);
  t.throws(() => writeAtb(withFn({ arity: 256 })), { instanceOf: AtbFormatError, message: /arity 256/ });
  t.throws(() => writeAtb(withFn({ offset: -1 })), { instanceOf: AtbFormatError });
  t.throws(() => writeAtb(withFn({ paramNames: Array.from({ length: 256 }, () => 'p') })), { instanceOf: AtbFormatError });
  t.throws(() => writeAtb(new Bytecode(Uint8Array.of(Opcode.Halt), [{ kind: 'string', value: 'a\ud800' }])),
    { instanceOf: AtbFormatError, message: /lone surrogate/ });
  t.throws(() => writeAtb(new Bytecode(Uint8Array.of(Opcode.Halt), [], [{ offset: 0, start: -1, end: 0 }])),
    { instanceOf: AtbFormatError });
});
