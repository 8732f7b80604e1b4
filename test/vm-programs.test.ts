// Whole programs: the spec's factorial worked example (docs/bytecode.md §3.7) byte for byte, and corrupt,
// unvalidated code, which must only ever end normally or with an AtlasRuntimeError.
import test from 'ava';
import fc from 'fast-check';
import { Bytecode, type Constant, functionRef } from '../src/bytecode/index.js';
import { AtlasRuntimeError, HaltSignal, Vm } from '../src/vm/index.js';
import { runBytecode } from './vm-helpers.js';
import { FACTORIAL_CODE_HEX, factorial, hexBytes } from './helpers/reference-programs.js';

test('the factorial worked example (§3.7) has the spec\'s exact bytes and constants', (t) => {
  const bytecode = factorial();
  t.deepEqual(bytecode.code, hexBytes(FACTORIAL_CODE_HEX));
  t.is(bytecode.code.length, 86);
  const constants: Constant[] = [
    { kind: 'function', value: functionRef({ name: 'factorial', arity: 1, offset: 10, localCount: 1, paramNames: ['n'] }) },
    { kind: 'string', value: 'factorial' },
    { kind: 'number', value: 1 },
    { kind: 'number', value: 1 },
    { kind: 'string', value: 'factorial' },
    { kind: 'number', value: 1 },
    { kind: 'string', value: 'print' },
    { kind: 'string', value: 'factorial' },
    { kind: 'number', value: 1 },
    { kind: 'string', value: 'print' },
    { kind: 'string', value: 'factorial' },
    { kind: 'number', value: 5 },
    { kind: 'string', value: 'print' },
    { kind: 'string', value: 'factorial' },
    { kind: 'number', value: 10 },
  ];
  t.deepEqual(bytecode.constants, constants);
});

test('the factorial example prints 1, 120, 3628800; its final Pop is skipped (Q1)', (t) => {
  const { output, result, vm } = runBytecode(factorial());
  t.deepEqual(output, ['1', '120', '3628800']);
  t.is(result, null, 'the last print() result stays on the stack and becomes the run result');
  t.is(vm.call('factorial', 12), 479001600);
});

// ---------------------------------------------------------------------------------------------
// Corrupt code
// ---------------------------------------------------------------------------------------------

/** Stops runaway loops: the 50th safepoint (≈ 3200 back-edges) halts the run. */
function watchdog(): { onCall: () => undefined; onSafepoint: () => void } {
  let safepoints = 0;
  return {
    onCall: () => undefined,
    onSafepoint: () => {
      if (++safepoints === 50) throw new HaltSignal(null);
    },
  };
}

const constantArb: fc.Arbitrary<Constant> = fc.oneof(
  fc.double().map((value): Constant => ({ kind: 'number', value })),
  fc.constantFrom('print', 'len', 'x', 'None', 'Some', 'f').map((value): Constant => ({ kind: 'string', value })),
  fc.boolean().map((value): Constant => ({ kind: 'bool', value })),
  fc.constant<Constant>({ kind: 'null' }),
  fc.constantFrom('print', 'nope').map((name): Constant => ({ kind: 'builtin', name })),
  fc.record({ arity: fc.nat(3), offset: fc.nat(70), localCount: fc.nat(5) })
    .map(({ arity, offset, localCount }): Constant => ({ kind: 'function', value: functionRef({ name: 'f', arity, offset, localCount }) })),
);

/** Mostly real opcodes, so that programs get past their first byte. */
const byteArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x40, 0x41, 0x42, 0x50, 0x51, 0x52, 0x60, 0x61, 0x70, 0x71, 0x72, 0x80, 0x81, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0xff) },
  { weight: 3, arbitrary: fc.nat(4) }, // small operand bytes
  { weight: 1, arbitrary: fc.nat(255) },
);

test('random unvalidated code ends normally or with an AtlasRuntimeError, never a JS error', (t) => {
  const kinds = new Set<string>();
  fc.assert(
    fc.property(
      fc.array(byteArb, { minLength: 1, maxLength: 64 }),
      fc.array(constantArb, { maxLength: 6 }),
      fc.nat(3),
      (bytes, constants, topLevelLocals) => {
        const bytecode = new Bytecode(Uint8Array.from(bytes), constants, [], topLevelLocals);
        const vm = new Vm(bytecode, { validate: false, stdout: () => {}, jit: watchdog(), maxCallDepth: 64, maxStackSize: 4096 });
        try {
          vm.run();
        } catch (e) {
          if (!(e instanceof AtlasRuntimeError)) throw e;
          kinds.add(e.kind);
          if (e.offset < 0 || e.offset >= bytes.length) throw new Error(`offset ${e.offset} outside the code`);
        }
      },
    ),
    { numRuns: 3000, seed: 20260222 },
  );
  // The generator reaches the interesting failures (a sanity check on the test itself).
  for (const kind of ['UnknownOpcode', 'StackUnderflow', 'TypeError']) t.true(kinds.has(kind), kind);
});
