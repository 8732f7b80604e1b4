// Handles, release and invoke errors of the process-wide code registry.
import test from 'ava';
import {
  addonProfile, compileFunction, hostIsa, liveCodeCount, liveHandleCount, marshalPool, NativeInvokeError, NativeInvoker, releaseHandle,
  verifierDefault,
} from '../src/jit/native.js';
import { compileOk, declare, invokeNative, OPT_LEVELS } from './native-helpers.js';

// Tests in this file compile and release, so handle counts are compared serially.
const serial = test.serial;

const add = declare(2, 2, (b) => {
  b.emit('GetLocal', [0]);
  b.emit('GetLocal', [1]);
  b.emit('Add');
  b.emit('Return');
});

serial('a handle is a positive int32 and counts as live until released', (t) => {
  const before = liveHandleCount();
  const codeBefore = liveCodeCount();
  const { handle } = compileOk(t, add.input);
  t.true(Number.isInteger(handle) && handle > 0 && handle <= 0x7fff_ffff);
  t.is(liveHandleCount(), before + 1);
  t.is(liveCodeCount(), codeBefore + 1);
  t.deepEqual(invokeNative(handle, [2, 3]), { kind: 'return', value: 5 });
  t.true(releaseHandle(handle));
  t.is(liveHandleCount(), before);
  t.is(liveCodeCount(), codeBefore, 'releasing on the invoking thread frees the code at once');
});

serial('releasing twice, or an unknown handle, returns false', (t) => {
  const { handle } = compileOk(t, add.input);
  t.true(releaseHandle(handle));
  t.false(releaseHandle(handle));
  t.false(releaseHandle(0));
  t.false(releaseHandle(123_456_789));
  t.false(releaseHandle(-1));
  t.false(releaseHandle(1.5));
});

serial('invoking a released or unknown handle throws and never runs code', (t) => {
  const { handle } = compileOk(t, add.input);
  releaseHandle(handle);
  const invoker = new NativeInvoker();
  for (const bad of [handle, 0, 42, 0x7fff_ffff, -1, 1.5, Number.NaN]) {
    t.throws(() => invoker.invoke(bad), { instanceOf: NativeInvokeError }, String(bad));
  }
});

serial('a reused registry slot gets a new handle; the old one stays dead', (t) => {
  const first = compileOk(t, add.input).handle;
  releaseHandle(first);
  const handles = Array.from({ length: 4 }, () => compileOk(t, add.input).handle);
  t.false(handles.includes(first));
  t.is(new Set(handles).size, handles.length);
  t.throws(() => invokeNative(first, [1, 1]), { instanceOf: NativeInvokeError });
  for (const handle of handles) {
    t.deepEqual(invokeNative(handle, [1, 1]), { kind: 'return', value: 2 });
    releaseHandle(handle);
  }
});

serial('many live handles run their own code', (t) => {
  const fns = Array.from({ length: 40 }, (_, k) => declare(1, 1, (b) => {
    b.emit('GetLocal', [0]);
    b.emitConstant(k);
    b.emit('Mul');
    b.emit('Return');
  }));
  const handles = fns.map((fn) => compileOk(t, fn.input, 0).handle);
  handles.forEach((handle, k) => t.deepEqual(invokeNative(handle, [3]), { kind: 'return', value: 3 * k }));
  for (const handle of handles.filter((_, k) => k % 2 === 0)) releaseHandle(handle);
  handles.forEach((handle, k) => {
    if (k % 2 === 0) t.throws(() => invokeNative(handle, [3]), { instanceOf: NativeInvokeError });
    else t.deepEqual(invokeNative(handle, [3]), { kind: 'return', value: 3 * k });
  });
  for (const handle of handles.filter((_, k) => k % 2 === 1)) t.true(releaseHandle(handle));
});

serial('all invokers of a thread share its buffer', (t) => {
  const a = new NativeInvoker();
  const b = new NativeInvoker();
  const { handle } = compileOk(t, add.input);
  a.args[0] = 20;
  a.args[1] = 22;
  t.is(b.invoke(handle), 0);
  t.is(a.value, 42);
  releaseHandle(handle);
});

serial('results are identical at all three opt levels', (t) => {
  const fn = declare(3, 4, (b) => {
    b.emit('GetLocal', [0]);
    b.emit('GetLocal', [1]);
    b.emit('Mod');
    b.emit('GetLocal', [2]);
    b.emit('Div');
    b.emit('Dup');
    b.emit('Negate');
    b.emit('GetLocal', [0]);
    b.emit('Less');
    b.emit('Not');
    b.emit('Pop');
    b.emit('GetLocal', [1]);
    b.emit('Mul');
    b.emit('Return');
  });
  const argLists = [[7, 3, 2], [-7, 3, 0.5], [5, 0, 1], [1, 1, 0], [1e300, 7, 1e-300], [-0, 5, 3], [5.5, 2, -1], [NaN, 1, 1]];
  const results = OPT_LEVELS.map((level) => {
    const { handle } = compileOk(t, fn.input, level);
    const runs = argLists.map((args) => invokeNative(handle, args));
    releaseHandle(handle);
    return runs;
  });
  t.deepEqual(results[1], results[0]);
  t.deepEqual(results[2], results[0]);
});

serial('code sizes are real: positive, and larger for larger functions', (t) => {
  const chain = (length: number) => declare(1, 1, (b) => {
    b.emit('GetLocal', [0]);
    for (let i = 0; i < length; i++) {
      b.emitConstant(i + 0.5);
      b.emit(i % 2 === 0 ? 'Mul' : 'Add');
    }
    b.emit('Return');
  });
  for (const level of OPT_LEVELS) {
    const small = compileOk(t, chain(1).input, level);
    const large = compileOk(t, chain(60).input, level);
    t.true(small.codeSize > 0 && Number.isInteger(small.codeSize));
    t.true(large.codeSize > small.codeSize * 10, `opt ${level}: ${large.codeSize} vs ${small.codeSize}`);
    t.true(large.codeSize < 64 * 1024);
    t.true(small.compileMicros > 0);
    releaseHandle(small.handle);
    releaseHandle(large.handle);
  }
});

serial('the verifier can be forced on or off, and the host ISA is reported', (t) => {
  t.is(typeof verifierDefault(), 'boolean');
  t.true(addonProfile() === 'release' || (addonProfile() === 'debug' && verifierDefault()), 'debug builds verify by default');
  t.regex(hostIsa(), /^(x86_64|aarch64)-/);
  for (const verify of [true, false]) {
    const outcome = compileFunction(add.input, 2, { verify });
    t.true(outcome.ok);
    if (outcome.ok) releaseHandle(outcome.handle);
  }
});

serial('code and a marshalled pool in SharedArrayBuffers (how compile workers get them) compile', (t) => {
  const shared = new Uint8Array(new SharedArrayBuffer(add.input.code.length));
  shared.set(add.input.code);
  const constants = marshalPool(add.bytecode.constants, { shared: true });
  t.true(constants.values.buffer instanceof SharedArrayBuffer);
  const { handle } = compileOk(t, { ...add.input, code: shared, constants });
  t.deepEqual(invokeNative(handle, [1.25, 2]), { kind: 'return', value: 3.25 });
  releaseHandle(handle);
});

serial('code given as a view into a larger buffer is read from the view\'s start', (t) => {
  const padded = new Uint8Array(add.input.code.length + 7).fill(0x05);
  padded.set(add.input.code, 7);
  const { handle } = compileOk(t, { ...add.input, code: padded.subarray(7) });
  t.deepEqual(invokeNative(handle, [4, 5]), { kind: 'return', value: 9 });
  releaseHandle(handle);
});
