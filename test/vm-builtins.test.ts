// Builtins called through bytecode (docs/bytecode.md §3.3 builtin calls, docs/bytecode.md §6.6 print): results, output and
// the reference's InvalidStdlibArgument messages.
import test, { type ExecutionContext } from 'ava';
import type { BytecodeBuilder } from '../src/bytecode/index.js';
import { compile } from '../src/compiler/index.js';
import { AtlasArray, AtlasOption, AtlasResult, AtlasRuntimeError, BUILTINS, type Value, Vm } from '../src/vm/index.js';
import { ARRAY_BUILTINS } from '../src/vm/stdlib/arrays.js';
import { ARRAY_CALLBACK_INTRINSICS } from '../src/vm/stdlib/callbacks.js';
import { RESULT_CALLBACK_INTRINSICS } from '../src/vm/stdlib/result-callbacks.js';
import { at, build, failsWith, run, spanFor } from './vm-helpers.js';

/** Emits `name(args...)` where each arg is a scalar constant / literal or an array of them. */
type Arg = number | string | boolean | null | Arg[];
function emitArg(b: BytecodeBuilder, a: Arg): void {
  if (Array.isArray(a)) {
    for (const x of a) emitArg(b, x);
    b.emit('Array', [a.length]);
  } else if (a === null) b.emit('Null');
  else if (a === true) b.emit('True');
  else if (a === false) b.emit('False');
  else b.emitConstant(a);
}

function call(name: string, ...args: Arg[]): { result: Value | undefined; output: string[] } {
  return run((b) => {
    b.emit('GetGlobal', [b.string(name)]);
    for (const a of args) emitArg(b, a);
    b.emit('Call', [args.length]);
  });
}

test('print writes display(value) as one line and returns null', (t) => {
  const { result, output } = call('print', 3.0);
  t.is(result, null);
  t.deepEqual(output, ['3']);
  t.deepEqual(call('print', 'raw "text"').output, ['raw "text"']);
  t.deepEqual(call('print', true).output, ['true']);
  t.deepEqual(call('print', null).output, ['null']);
  t.deepEqual(call('print', 0.1).output, ['0.1']);
});

test('print without a stdout option writes to process.stdout', (t) => {
  const writes: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    writes.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    run((b) => {
      b.emit('GetGlobal', [b.string('print')]);
      b.emitConstant(-0);
      b.emit('Call', [1]);
    }, { stdout: undefined });
  } finally {
    process.stdout.write = original;
  }
  t.deepEqual(writes, ['-0\n']);
});

test('len: strings in Unicode scalar values, arrays in elements', (t) => {
  t.is(call('len', 'héllo🎉').result, 6);
  t.is(call('len', '').result, 0);
  t.is(call('len', [1, 2, [3, 4]]).result, 3);
});

test('str converts numbers, bools and null with print formatting', (t) => {
  t.is(call('str', 1e21).result, '1000000000000000000000');
  t.is(call('str', 2.5).result, '2.5');
  t.is(call('str', false).result, 'false');
  t.is(call('str', null).result, 'null');
});

test('Some, Ok, Err and None() construct Option and Result values', (t) => {
  t.deepEqual(call('Some', 1).result, AtlasOption.some(1));
  t.deepEqual(call('Ok', 'x').result, AtlasResult.ok('x'));
  t.deepEqual(call('Err', [1]).result, AtlasResult.err(new AtlasArray([1])));
  t.is(run((b) => {
    b.emit('Constant', [b.addConstant({ kind: 'builtin', name: 'None' })]);
    b.emit('Call', [0]);
  }).result, AtlasOption.None);
});

test('wrong argument counts: "<fn>(): expected <n> argument(s), got <m>"', (t) => {
  for (const [name, expected] of [['print', 1], ['len', 1], ['str', 1], ['Some', 1], ['Ok', 1], ['Err', 1]] as const) {
    for (const count of [0, 2]) {
      const args = Array.from({ length: count }, () => 1);
      const msg = `${name}(): expected ${expected} argument(s), got ${count}`;
      const { error } = failsAtCall(t, name, args);
      t.is(error.kind, 'InvalidStdlibArgument');
      t.is(error.message, msg);
      t.is(error.detail, msg);
    }
  }
  const { error } = failsAtCall(t, 'None', [1], true);
  t.is(error.message, 'None(): expected 0 argument(s), got 1');
});

test('wrong argument kinds: "<fn>(): expected <what>, got <type>"', (t) => {
  t.is(failsAtCall(t, 'print', [[1]]).error.message, 'print(): expected string, number, bool, or null, got array');
  t.is(failsAtCall(t, 'len', [5]).error.message, 'len(): expected string or array, got number');
  t.is(failsAtCall(t, 'len', [null]).error.message, 'len(): expected string or array, got null');
  t.is(failsAtCall(t, 'str', ['s']).error.message, 'str(): expected number, bool, or null, got string');
  t.is(failsAtCall(t, 'str', [[]]).error.message, 'str(): expected number, bool, or null, got array');
});

test('printing a function or builtin is rejected with its type name', (t) => {
  const builtinError = failsWith(t, (b) => {
    b.emit('GetGlobal', [b.string('print')]);
    b.emit('GetGlobal', [b.string('len')]);
    at(b, 'Call', [1]);
  }, {
    kind: 'InvalidStdlibArgument', offset: 6, message: 'print(): expected string, number, bool, or null, got builtin',
    detail: 'print(): expected string, number, bool, or null, got builtin',
  });
  t.is(builtinError.debugString(), 'InvalidStdlibArgument { msg: "print(): expected string, number, bool, or null, got builtin", span: Span { start: 106, end: 206 } }');
});

test('the implemented builtins are exactly these', (t) => {
  const core = ['print', 'len', 'str'];
  const strings = [
    'split', 'join', 'trim', 'trimStart', 'trimEnd', 'indexOf', 'lastIndexOf', 'includes', 'toUpperCase', 'toLowerCase',
    'substring', 'charAt', 'repeat', 'replace', 'padStart', 'padEnd', 'startsWith', 'endsWith',
  ];
  const typeChecks = [
    'typeof', 'isString', 'isNumber', 'isBool', 'isNull', 'isArray', 'isFunction', 'isObject', 'isType', 'hasField',
    'hasMethod', 'hasTag',
  ];
  const conversions = ['toString', 'toNumber', 'toBool', 'parseInt', 'parseFloat'];
  const optionResult = [
    'Some', 'None', 'is_some', 'is_none', 'Ok', 'Err', 'is_ok', 'is_err', 'unwrap', 'unwrap_or', 'expect', 'result_ok',
    'result_err',
  ];
  const json = [
    'parseJSON', 'toJSON', 'isValidJSON', 'prettifyJSON', 'minifyJSON', 'jsonAsString', 'jsonAsNumber', 'jsonAsBool',
    'jsonIsNull',
  ];
  const math = [
    'abs', 'acos', 'asin', 'atan', 'ceil', 'clamp', 'cos', 'floor', 'log', 'max', 'min', 'pow', 'random', 'round', 'sign',
    'sin', 'sqrt', 'tan',
  ];
  // The array and callback families (31 names) are tested in stdlib-arrays and stdlib-callbacks.
  const arrays = [...ARRAY_BUILTINS.keys(), ...ARRAY_CALLBACK_INTRINSICS.keys(), ...RESULT_CALLBACK_INTRINSICS.keys()];
  t.is(arrays.length, 31);
  const families = [core, strings, typeChecks, conversions, optionResult, json, math, arrays];
  t.deepEqual([...BUILTINS.keys()].sort(), families.flat().sort());
});

/**
 * Runs `name(args)` (None through a builtin constant, since GetGlobal "None" is the value)
 * and returns the error, after checking that it names the Call instruction.
 */
function failsAtCall(t: ExecutionContext, name: string, args: Arg[], viaConstant = false): { error: AtlasRuntimeError } {
  let callAt = -1;
  const bytecode = build((b) => {
    if (viaConstant) b.emit('Constant', [b.addConstant({ kind: 'builtin', name })]);
    else b.emit('GetGlobal', [b.string(name)]);
    for (const a of args) emitArg(b, a);
    callAt = at(b, 'Call', [args.length]);
    b.emit('Halt');
  });
  const error = t.throws(() => new Vm(bytecode, { stdout: () => {} }).run(), { instanceOf: AtlasRuntimeError }) as AtlasRuntimeError;
  t.is(error.offset, callAt);
  t.deepEqual(error.span, spanFor(callAt));
  return { error };
}

test('a global given a builtin\'s name after the builtin was called takes its place from then on', (t) => {
  // GetGlobal caches the builtin it found by constant index; a global of that name must end it.
  const { result, output } = run((b) => {
    b.emit('GetGlobal', [b.string('print')]);
    b.emitConstant('first');
    b.emit('Call', [1]);
    b.emit('Pop');
    b.emit('GetGlobal', [b.string('len')]);
    b.emit('SetGlobal', [b.string('print')]);
    b.emit('Pop');
    b.emit('GetGlobal', [b.string('print')]);
    b.emitConstant('second');
    b.emit('Call', [1]);
  });
  t.deepEqual(output, ['first']);
  t.is(result, 6); // the global `print` is `len` now
});

test('a host global given a builtin\'s name shadows it in code that already called the builtin', (t) => {
  const vm = new Vm(compile('fn measure(s: string) -> number { return len(s); }\nfn fortyTwo(s: string) -> number { return 42; }', 't.atlas'));
  vm.run();
  t.is(vm.call('measure', 'abc'), 3);
  vm.setGlobal('len', vm.getGlobal('fortyTwo')!);
  t.is(vm.call('measure', 'abc'), 42);
});
