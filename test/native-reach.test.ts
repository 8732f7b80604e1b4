// The translator's reach: entries with a typed frame (bool parameters, on-stack replacement
// at a loop header), side exits with the exact frame, and globals in the invoke area's slots.
import test, { type ExecutionContext } from 'ava';
import { type Bytecode, type FunctionRef, functionEnd, instructions } from '../src/bytecode/index.js';
import { compile } from '../src/compiler/index.js';
import { compileFunction, type NativeFunctionInput, NativeInvoker, type NativeType, releaseHandle } from '../src/jit/native.js';
import { invokeNative, mixedKindsMerge, type NativeRun } from './native-helpers.js';

function program(source: string): Bytecode {
  return compile(source, 'reach.atlas');
}

function fnOf(bytecode: Bytecode, name: string): FunctionRef {
  const fn = bytecode.functions().find((f) => f.name === name);
  if (fn === undefined) throw new Error(`no function ${name}`);
  return fn;
}

function inputOf(bytecode: Bytecode, fn: FunctionRef, extra: Partial<NativeFunctionInput> = {}): NativeFunctionInput {
  return {
    code: bytecode.code, start: fn.offset, end: functionEnd(bytecode, fn), arity: fn.arity, localCount: fn.localCount,
    constants: bytecode.constants, ...extra,
  };
}

/** The offset of the first instruction named `name` in `from..to`. */
function offsetOf(bytecode: Bytecode, name: string, from = 0, to = bytecode.code.length): number {
  for (const ins of instructions(bytecode.code)) {
    if (ins.offset >= from && ins.offset < to && ins.info.name === name) return ins.offset;
  }
  throw new Error(`no ${name} in ${from}..${to}`);
}

/** The header of the first loop in `from..to`: the target of its backward jump. */
function loopHeader(bytecode: Bytecode, from = 0, to = bytecode.code.length): number {
  const loop = offsetOf(bytecode, 'Loop', from, to);
  const view = new DataView(bytecode.code.buffer, bytecode.code.byteOffset);
  return loop + 3 + view.getInt16(loop + 1);
}

function withCode<T>(t: ExecutionContext, input: NativeFunctionInput, run: (handle: number) => T): T {
  const outcome = compileFunction(input, 1, { verify: true });
  if (!outcome.ok) return t.fail(`refused: ${outcome.refusal.message}`) as never;
  try {
    return run(outcome.handle);
  } finally {
    releaseHandle(outcome.handle);
  }
}

function sideExit(t: ExecutionContext, run: NativeRun): { offset: number; slots: readonly (readonly [string, number])[] } {
  if (run.kind !== 'sideExit') return t.fail(`expected a side exit, got ${JSON.stringify(run)}`) as never;
  return run;
}

const RARE_PRINT = `
fn f(n: number) -> number {
  if (n > 5) {
    print("big");
  }
  return n * 2;
}`;

test('an unsupported instruction is refused without side exits and leaves with the frame with them', (t) => {
  const bytecode = program(RARE_PRINT);
  const fn = fnOf(bytecode, 'f');
  const refused = compileFunction(inputOf(bytecode, fn), 1);
  t.false(refused.ok);
  withCode(t, inputOf(bytecode, fn, { sideExits: true }), (handle) => {
    t.deepEqual(invokeNative(handle, [3]), { kind: 'return', value: 6 });
    const exit = sideExit(t, invokeNative(handle, [7]));
    t.is(exit.offset, offsetOf(bytecode, 'GetGlobal', fn.offset), 'leaves at the read of `print`, which the interpreter resolves');
    t.deepEqual(exit.slots, [['number', 7]]);
  });
});

test('a side exit inside a native call hands back every frame of the tree, innermost first', (t) => {
  const bytecode = program(`
fn inner(x: number) -> number {
  if (x > 5) {
    print("big");
  }
  return x * 2;
}
fn outer(n: number) -> number {
  var s = 1;
  return s + inner(n + 1);
}`);
  const outer = fnOf(bytecode, 'outer');
  const inner = fnOf(bytecode, 'inner');
  const call = offsetOf(bytecode, 'Call', outer.offset, functionEnd(bytecode, outer));
  const input = inputOf(bytecode, outer, {
    sideExits: true, callees: [{ start: inner.offset, end: functionEnd(bytecode, inner), arity: 1, localCount: inner.localCount }],
    calls: new Map([[call, 1]]), calleeGlobals: bytecode.constants.flatMap((c, k) => (c.kind === 'string' && c.value === 'inner' ? [k] : [])),
  });
  withCode(t, input, (handle) => {
    t.deepEqual(invokeNative(handle, [2]), { kind: 'return', value: 7 });
    const exit = invokeNative(handle, [7]);
    if (exit.kind !== 'sideExit') return t.fail(JSON.stringify(exit));
    t.is(exit.frames.length, 2);
    t.deepEqual(exit.frames[0], { offset: offsetOf(bytecode, 'GetGlobal', inner.offset), slots: [['number', 8]] });
    // The caller: n, s, then `s +`'s left operand, the callee and its argument.
    const [n, s, left, callee, argument] = exit.frames[1]!.slots;
    t.is(exit.frames[1]!.offset, call, 'the caller stopped at its call');
    t.deepEqual([n, s, left, argument], [['number', 7], ['number', 1], ['number', 1], ['number', 8]]);
    t.is(callee![0], 'global');
  });
});

test('a bool parameter enters as a bool', (t) => {
  const bytecode = program('fn pick(a: number, flag: bool) -> number { if (flag) { return a; } return 0 - a; }');
  const fn = fnOf(bytecode, 'pick');
  const kinds: NativeType[] = ['number', 'bool'];
  withCode(t, inputOf(bytecode, fn, { entryKinds: kinds }), (handle) => {
    t.deepEqual(invokeNative(handle, [3, 1]), { kind: 'return', value: 3 });
    t.deepEqual(invokeNative(handle, [3, 0]), { kind: 'return', value: -3 });
  });
});

test('an OSR entry at a loop header takes the live frame and runs the loop to the return', (t) => {
  const bytecode = program(`
fn sum(n: number) -> number {
  var s = 0;
  var i = 0;
  while (i < n) {
    s = s + i;
    i = i + 1;
  }
  return s;
}`);
  const fn = fnOf(bytecode, 'sum');
  const header = loopHeader(bytecode, fn.offset, functionEnd(bytecode, fn));
  withCode(t, inputOf(bytecode, fn, { entry: header, entryKinds: ['number', 'number', 'number'] }), (handle) => {
    // As if the interpreter had run 4 iterations: s = 0+1+2+3, i = 4.
    t.deepEqual(invokeNative(handle, [10, 6, 4]), { kind: 'return', value: 45 });
  });
});

test('a loop over globals runs on the global slots and leaves at the end of the script', (t) => {
  const bytecode = program('var g = 0;\nvar i = 0;\nwhile (i < 10) {\n  g = g + i;\n  i = i + 1;\n}\n');
  const main: FunctionRef = { ...fnOf(program('fn x() {}'), 'x'), name: '<main>', offset: 0, arity: 0, localCount: bytecode.topLevelLocalCount };
  const header = loopHeader(bytecode);
  const names = new Map<number, number>();
  bytecode.constants.forEach((c, k) => {
    if (c.kind === 'string' && (c.value === 'g' || c.value === 'i')) names.set(k, c.value === 'g' ? 0 : 1);
  });
  const input: NativeFunctionInput = {
    code: bytecode.code, start: 0, end: bytecode.code.length, arity: 0, localCount: main.localCount, constants: bytecode.constants,
    entry: header, entryKinds: [], sideExits: true, globals: { kinds: ['number', 'number'], slots: names },
  };
  withCode(t, input, (handle) => {
    const invoker = new NativeInvoker();
    invoker.globals[0] = 1; // g after the first iteration
    invoker.globals[1] = 2;
    const exit = sideExit(t, invokeNative(handle, []));
    t.is(exit.offset, offsetOf(bytecode, 'Halt', header), 'the empty-stack Halt is the interpreter\'s');
    t.deepEqual([invoker.globals[0], invoker.globals[1]], [1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9, 10]);
  });
});

test('a merge of different kinds leaves at the merge point instead of refusing', (t) => {
  const { merge, ...fn } = mixedKindsMerge();
  t.false(compileFunction(fn.input, 1).ok);
  withCode(t, { ...fn.input, sideExits: true }, (handle) => {
    const runs = [invokeNative(handle, [2]), invokeNative(handle, [1])].map((run) => (run.kind === 'sideExit' ? { kind: run.kind, offset: run.offset, slots: run.slots } : run));
    const exits = runs.filter((run) => run.kind === 'sideExit');
    t.is(exits.length, 1, 'the edge that came second leaves, the first returns');
    const expected = runs[0]!.kind === 'sideExit'
      ? [{ kind: 'sideExit', offset: merge, slots: [['number', 2], ['bool', 1]] }, { kind: 'return', value: 0 }]
      : [{ kind: 'return', value: true }, { kind: 'sideExit', offset: merge, slots: [['number', 1], ['number', 0]] }];
    t.deepEqual(runs, expected);
  });
});
