import test from 'ava';
import fc from 'fast-check';
import { BatchFormatError, decodeJobs, encodeJobs } from '../src/jit/batch-codec.js';
import type { Constant } from '../src/bytecode/index.js';
import type { FunctionJob, FunctionJobSource } from '../src/jit/compile-protocol.js';
import { marshalPool } from '../src/jit/native.js';

interface Program { readonly code: Uint8Array; readonly constants: readonly Constant[] }
const programA: Program = { code: Uint8Array.from([1, 2, 3, 4, 5, 6, 7]), constants: [{ kind: 'number', value: 2.5 }, { kind: 'string', value: 'f' }] };
const programB: Program = { code: Uint8Array.from([9, 8, 7]), constants: [{ kind: 'number', value: -0 }] };

function job(jobId: number, program: Program, extra: Partial<FunctionJobSource> = {}): FunctionJobSource {
  return {
    jobId, name: `f${jobId}`, ...program, start: 1, end: 6, arity: 2, localCount: 3, callees: [], calls: new Map(),
    entry: 1, entryKinds: ['number', 'number'], sideExits: false, globals: { kinds: [], slots: new Map() }, calleeGlobals: [], builtinGlobals: new Map(), ...extra,
  };
}

/** A job as plain data, the pool marshalled: how the worker must see the source job. */
function plain(j: FunctionJob | FunctionJobSource) {
  const pool = 'kinds' in j.constants ? j.constants : marshalPool(j.constants);
  return {
    ...j, code: [...j.code], constants: { kinds: [...pool.kinds], values: [...pool.values] }, calls: [...j.calls],
    globals: { kinds: [...j.globals.kinds], slots: [...j.globals.slots] }, builtinGlobals: [...j.builtinGlobals],
  };
}

test('jobs survive the round trip, programs travel once per batch', (t) => {
  const jobs = [
    job(1, programA, { name: 'ünïcode', callees: [{ start: 3, end: 5, arity: 1, localCount: 1 }], calls: new Map([[4, 1], [5, 0]]) }),
    job(2, programB),
    job(3, programA, { start: 2 }),
    job(4, programA, {
      entry: 4, entryKinds: ['bool', 'null', 'number'], sideExits: true,
      globals: { kinds: ['number', 'bool'], slots: new Map([[1, 0], [7, 1]]) }, calleeGlobals: [3, 9], builtinGlobals: new Map([[11, 4], [12, 18]]),
    }),
  ];
  const decoded = decodeJobs(encodeJobs(jobs));
  t.deepEqual(decoded.map(plain), jobs.map(plain));
  t.is(decoded[0]!.code.buffer, decoded[2]!.code.buffer);
  t.is(decoded[0]!.code.byteOffset, decoded[2]!.code.byteOffset, 'one copy of program A serves both of its jobs');
  t.true(Object.is(decoded[1]!.constants.values[0], -0));
});

test('an empty batch round-trips', (t) => {
  t.deepEqual(decodeJobs(encodeJobs([])), []);
});

test('a truncated or foreign buffer is a BatchFormatError, never a crash', (t) => {
  const full = encodeJobs([job(1, programA, { calls: new Map([[4, 0]]) })]);
  for (let length = 0; length < full.byteLength; length += 4) {
    const error = t.throws(() => decodeJobs(full.slice(0, length)), { instanceOf: BatchFormatError });
    t.truthy(error?.message);
  }
  const foreign = new Uint32Array([99, 0, 0]).buffer;
  t.throws(() => decodeJobs(foreign), { instanceOf: BatchFormatError, message: /version/ });
});

test('property: any batch decodes to the jobs it was made of', (t) => {
  const callee = fc.record({ start: fc.nat(1000), end: fc.nat(1000), arity: fc.nat(255), localCount: fc.nat(1000) });
  const arbJob = fc.record({
    program: fc.constantFrom(programA, programB),
    name: fc.string(),
    start: fc.nat(1 << 20), end: fc.nat(1 << 20), arity: fc.nat(255), localCount: fc.nat(1 << 16),
    callees: fc.array(callee, { maxLength: 4 }),
    calls: fc.array(fc.tuple(fc.nat(1 << 20), fc.nat(255)), { maxLength: 4 }),
  });
  fc.assert(fc.property(fc.array(arbJob, { maxLength: 8 }), (specs) => {
    const jobs = specs.map(({ program, calls, ...rest }, i) => job(i + 1, program, { ...rest, calls: new Map(calls) }));
    t.deepEqual(decodeJobs(encodeJobs(jobs)).map(plain), jobs.map(plain));
  }));
});
