// Every opcode on its normal path and for each error it can raise (docs/bytecode.md §1.3, §2.4):
// kind, message, offset and span.
import test from 'ava';
import { BytecodeBuilder, functionRef } from '../src/bytecode/index.js';
import {
  AtlasArray, AtlasBuiltin, AtlasClosure, AtlasFunction, AtlasOption, AtlasResult, type Value, Vm,
} from '../src/vm/index.js';
import { at, build, failsWith, globalCountingLoop, run, runBytecode, spanFor } from './vm-helpers.js';

const arr = (...xs: Value[]): AtlasArray => new AtlasArray(xs);

/** Top-level code that pushes `values` as constants / literals. */
function push(b: BytecodeBuilder, ...values: Value[]): void {
  for (const v of values) {
    if (v === null) b.emit('Null');
    else if (v === true) b.emit('True');
    else if (v === false) b.emit('False');
    else if (typeof v === 'number' || typeof v === 'string') b.emitConstant(v);
    else throw new Error('push: only scalars');
  }
}

/** Result of `a OP b` on two pushed scalars. */
function binary(op: 'Add' | 'Sub' | 'Mul' | 'Div' | 'Mod' | 'Equal' | 'NotEqual' | 'Less' | 'LessEqual' | 'Greater' | 'GreaterEqual', a: Value, b: Value): Value | undefined {
  return run((bb) => {
    push(bb, a, b);
    bb.emit(op);
  }).result;
}

// ---------------------------------------------------------------------------------------------
// Constants and literals
// ---------------------------------------------------------------------------------------------

test('Constant pushes every constant kind, converted once to a Value', (t) => {
  const fn = functionRef({ name: 'f', arity: 0, offset: 3, localCount: 0 });
  const b = new BytecodeBuilder();
  const kinds = [
    b.addConstant({ kind: 'number', value: 2.5 }),
    b.addConstant({ kind: 'string', value: 'hé' }),
    b.addConstant({ kind: 'bool', value: true }),
    b.addConstant({ kind: 'null' }),
    b.addConstant({ kind: 'function', value: fn }),
    b.addConstant({ kind: 'builtin', name: 'print' }),
  ];
  for (const k of kinds) b.emit('Constant', [k]);
  b.emit('Array', [kinds.length]);
  b.emit('Halt');
  const { result } = runBytecode(b.build(), { validate: false });
  t.true(result instanceof AtlasArray);
  const [n, s, bool, nul, f, builtin] = (result as AtlasArray).elements;
  t.deepEqual([n, s, bool, nul], [2.5, 'hé', true, null]);
  t.true(f instanceof AtlasFunction);
  t.is((f as AtlasFunction).ref, fn);
  t.deepEqual(builtin, new AtlasBuiltin('print'));
});

test('Constant with an index past the pool is UnknownOpcode', (t) => {
  failsWith(t, (b) => {
    b.emitConstant(1);
    at(b, 'Constant', [7]);
  }, { kind: 'UnknownOpcode', offset: 3, message: 'Unknown opcode' });
});

test('an instruction truncated by the end of the code is UnknownOpcode', (t) => {
  for (const bytes of [[0x01, 0x00], [0x01], [0x60], [0x14, 0x00, 0x00, 0x00], [0x50, 0xff]]) {
    failsWith(t, (b) => {
      b.emit('Null');
      b.emitRaw(...bytes);
    }, { kind: 'UnknownOpcode', offset: 1, message: 'Unknown opcode', span: null });
  }
});

test('a truncated-looking byte inside an operand does not matter', (t) => {
  // The last two bytes are Constant's operand; 0x01 there must not be read as an opcode.
  const { result } = run((b) => {
    b.addConstant({ kind: 'number', value: 0 });
    b.addConstant({ kind: 'number', value: 42 });
    b.emit('Constant', [1]);
  });
  t.is(result, 42);
});

test('Null, True and False push their values', (t) => {
  t.deepEqual(run((b) => { b.emit('Null'); b.emit('True'); b.emit('False'); b.emit('Array', [3]); }).result, arr(null, true, false));
});

// ---------------------------------------------------------------------------------------------
// Locals
// ---------------------------------------------------------------------------------------------

test('GetLocal reads a slot relative to the frame base', (t) => {
  const { output } = run((b) => {
    b.declareFunction('f', 2, 2, (b) => {
      b.emit('GetLocal', [1]);
      b.emit('GetLocal', [0]);
      b.emit('Sub');
      b.emit('Return');
    });
    b.emit('GetGlobal', [b.string('print')]);
    b.emitConstant(99); // junk below the call, so base != 0
    b.emit('Pop');
    b.emit('GetGlobal', [b.string('f')]);
    b.emitConstant(3);
    b.emitConstant(10);
    b.emit('Call', [2]);
    b.emit('Call', [1]);
    b.emit('Pop');
  });
  t.deepEqual(output, ['7']);
});

test('GetLocal past the top of the stack is StackUnderflow', (t) => {
  failsWith(t, (b) => {
    b.emit('Null');
    at(b, 'GetLocal', [1]);
  }, { kind: 'StackUnderflow', offset: 1, message: 'Stack underflow' });
});

test('SetLocal stores TOS into a slot and keeps it on the stack', (t) => {
  const { output } = run((b) => {
    b.declareFunction('f', 1, 1, (b) => {
      b.emitConstant(5);
      b.emit('SetLocal', [0]);
      b.emit('GetLocal', [0]);
      b.emit('Add'); // 5 (kept TOS) + 5 (the stored slot)
      b.emit('Return');
    });
    b.emit('GetGlobal', [b.string('print')]);
    b.emit('GetGlobal', [b.string('f')]);
    b.emitConstant(1);
    b.emit('Call', [1]);
    b.emit('Call', [1]);
    b.emit('Pop');
  });
  t.deepEqual(output, ['10']);
});

test('SetLocal pads with nulls only when writing the last declared slot (Q11)', (t) => {
  // Frame with arity 0 and localCount 3: slots 0..2 are past the stack top.
  const bytecode = build((b) => {
    b.declareFunction('f', 0, 3, (b) => {
      b.emitConstant(7);
      b.emit('SetLocal', [2]); // stack [7] → pad 2 nulls → [7, null, 7]: the stray copy stays at slot 0
      b.emit('Array', [3]);
      b.emit('Return');
    });
    b.emit('GetGlobal', [b.string('f')]);
    b.emit('Call', [0]);
    b.emit('Halt');
  });
  t.deepEqual(runBytecode(bytecode, { validate: false }).result, arr(7, null, 7));
});

test('SetLocal errors: index ≥ local count, forbidden padding, empty stack', (t) => {
  failsWith(t, (b) => {
    b.emit('Null');
    at(b, 'SetLocal', [0]); // the main frame has 0 locals
  }, { kind: 'StackUnderflow', offset: 1, message: 'Stack underflow' });
  const padding = build((b) => {
    b.declareFunction('f', 0, 3, (b) => {
      b.emitConstant(7);
      at(b, 'SetLocal', [1]); // not the last slot: base + 3 > 1 + 1
      b.emit('Return');
    });
    b.emit('GetGlobal', [b.string('f')]);
    b.emit('Call', [0]);
    b.emit('Halt');
  });
  const error = t.throws(() => new Vm(padding, { validate: false }).run()) as Error & { kind: string; offset: number };
  t.is(error.kind, 'StackUnderflow');
  t.is(error.offset, 13);
  const empty = build((b) => {
    b.topLevelLocalCount = 1;
    at(b, 'SetLocal', [0]);
  });
  const e2 = t.throws(() => new Vm(empty, { validate: false }).run()) as Error & { kind: string; offset: number };
  t.is(e2.kind, 'StackUnderflow');
  t.is(e2.offset, 0);
});

// ---------------------------------------------------------------------------------------------
// Globals
// ---------------------------------------------------------------------------------------------

test('SetGlobal defines and overwrites, peeking; GetGlobal reads it back', (t) => {
  const { result, vm } = run((b) => {
    b.emitConstant(1);
    b.emit('SetGlobal', [b.string('x')]);
    b.emitConstant(2);
    b.emit('SetGlobal', [b.string('x')]);
    b.emit('Pop');
    b.emit('GetGlobal', [b.string('x')]);
    b.emit('Add'); // 1 (still on the stack) + 2
  });
  t.is(result, 3);
  t.is(vm.getGlobal('x'), 2);
  t.deepEqual(vm.globalNames(), ['x']);
});

test('GetGlobal resolution order: None, user globals, builtins, math constants', (t) => {
  const { result } = run((b) => {
    b.emit('GetGlobal', [b.string('None')]);
    b.emit('GetGlobal', [b.string('len')]);
    b.emit('GetGlobal', [b.string('PI')]);
    b.emit('GetGlobal', [b.string('E')]);
    b.emit('GetGlobal', [b.string('SQRT2')]);
    b.emit('GetGlobal', [b.string('LN2')]);
    b.emit('GetGlobal', [b.string('LN10')]);
    // User globals shadow builtins and constants, but never None.
    b.emitConstant(5);
    b.emit('SetGlobal', [b.string('print')]);
    b.emit('SetGlobal', [b.string('PI')]);
    b.emit('SetGlobal', [b.string('None')]);
    b.emit('Pop');
    b.emit('GetGlobal', [b.string('print')]);
    b.emit('GetGlobal', [b.string('PI')]);
    b.emit('GetGlobal', [b.string('None')]);
    b.emit('Array', [10]);
  });
  t.deepEqual(result, arr(
    AtlasOption.None, new AtlasBuiltin('len'), Math.PI, Math.E, Math.SQRT2, Math.LN2, Math.LN10,
    5, 5, AtlasOption.None,
  ));
});

test('GetGlobal of an unknown name is UndefinedVariable with the name', (t) => {
  const error = failsWith(t, (b) => {
    b.emit('Null');
    at(b, 'GetGlobal', [b.string('nope')]);
  }, { kind: 'UndefinedVariable', offset: 1, message: 'Undefined variable: nope', detail: 'nope' });
  t.is(error.debugString(), 'UndefinedVariable { name: "nope", span: Span { start: 101, end: 201 } }');
});

test('stdlib names this runtime does not implement are undefined variables', (t) => {
  failsWith(t, (b) => {
    at(b, 'GetGlobal', [b.string('readFile')]);
  }, { kind: 'UndefinedVariable', offset: 0, message: 'Undefined variable: readFile', detail: 'readFile' });
});

test('GetGlobal/SetGlobal: bad index is UnknownOpcode, non-string name is TypeError', (t) => {
  for (const op of ['GetGlobal', 'SetGlobal'] as const) {
    failsWith(t, (b) => {
      b.emit('Null');
      at(b, op, [3]);
    }, { kind: 'UnknownOpcode', offset: 1, message: 'Unknown opcode' });
    failsWith(t, (b) => {
      b.emit('Null');
      at(b, op, [b.number(1)]);
    }, {
      kind: 'TypeError', offset: 1, message: 'Type error: Expected string constant for variable name',
      detail: 'Expected string constant for variable name',
    });
  }
});

test('SetGlobal on an empty stack is StackUnderflow', (t) => {
  failsWith(t, (b) => {
    at(b, 'SetGlobal', [b.string('x')]);
  }, { kind: 'StackUnderflow', offset: 0, message: 'Stack underflow' });
});

test('a cached global cell sees later writes, also from the host', (t) => {
  const bytecode = build((b) => {
    b.declareFunction('get', 0, 0, (b) => {
      b.emit('GetGlobal', [b.string('g')]);
      b.emit('Return');
    });
    b.emitConstant(1);
    b.emit('SetGlobal', [b.string('g')]);
    b.emit('Pop');
    b.emit('Halt');
  });
  const vm = new Vm(bytecode);
  vm.run();
  t.is(vm.call('get'), 1);
  vm.setGlobal('g', 'two');
  t.is(vm.call('get'), 'two');
  vm.setGlobal('fresh', 3);
  t.is(vm.getGlobal('fresh'), 3);
});

// ---------------------------------------------------------------------------------------------
// Closures and upvalues
// ---------------------------------------------------------------------------------------------

/** A function `adder` whose body is `upvalue0 + local0`, left uninstalled; returns its constant. */
function closureProgram(b: BytecodeBuilder, upvalueOp: (b: BytecodeBuilder) => void): number {
  const skip = b.emitJump('Jump');
  const body = b.offset;
  upvalueOp(b);
  b.emit('Return');
  b.patchJump(skip + 1);
  return b.addConstant({ kind: 'function', value: functionRef({ name: 'adder', arity: 1, offset: body, localCount: 1 }) });
}

test('MakeClosure captures values in order; GetUpvalue reads them in the call', (t) => {
  const { result } = run((b) => {
    const k = closureProgram(b, (b) => {
      b.emit('GetUpvalue', [1]);
      b.emit('GetLocal', [0]);
      b.emit('Sub');
    });
    b.emitConstant(100);
    b.emitConstant(30);
    b.emit('MakeClosure', [k, 2]);
    b.emitConstant(4);
    b.emit('Call', [1]); // 30 - 4
  }, { validate: false });
  t.is(result, 26);
});

test('a closure value has type function, its captures, and equality by name', (t) => {
  const { result } = run((b) => {
    const k = closureProgram(b, (b) => b.emit('GetLocal', [0]));
    b.emitConstant(1);
    b.emit('MakeClosure', [k, 1]);
  }, { validate: false });
  t.true(result instanceof AtlasClosure);
  t.deepEqual((result as AtlasClosure).upvalues, [1]);
  t.is((result as AtlasClosure).name, 'adder');
});

test('SetUpvalue writes the frame\'s private copy only (Q21)', (t) => {
  const { result } = run((b) => {
    const k = closureProgram(b, (b) => {
      b.emit('GetLocal', [0]);
      b.emit('SetUpvalue', [0]);
      b.emit('Pop');
      b.emit('GetUpvalue', [0]);
    });
    b.emitConstant('orig');
    b.emit('MakeClosure', [k, 1]);
    b.emit('SetGlobal', [b.string('c')]);
    b.emitConstant('new');
    b.emit('Call', [1]); // returns 'new' (its frame saw the write)
    b.emit('GetGlobal', [b.string('c')]);
    b.emitConstant('x');
    b.emit('Pop');
    b.emit('Array', [2]);
  }, { validate: false });
  const [first, closure] = (result as AtlasArray).elements;
  t.is(first, 'new');
  t.deepEqual((closure as AtlasClosure).upvalues, ['orig']);
});

test('MakeClosure errors: non-function constant is TypeError, too few values StackUnderflow', (t) => {
  failsWith(t, (b) => {
    b.emit('Null');
    at(b, 'MakeClosure', [b.number(1), 0]);
  }, {
    kind: 'TypeError', offset: 1, message: 'Type error: MakeClosure: constant is not a function',
    detail: 'MakeClosure: constant is not a function',
  });
  failsWith(t, (b) => {
    at(b, 'MakeClosure', [40, 0]); // index past the pool: also "not a function"
  }, {
    kind: 'TypeError', offset: 0, message: 'Type error: MakeClosure: constant is not a function',
    detail: 'MakeClosure: constant is not a function',
  });
  failsWith(t, (b) => {
    const k = b.addConstant({ kind: 'function', value: functionRef({ name: 'f', arity: 0, offset: 5, localCount: 0 }) });
    b.emit('Null');
    at(b, 'MakeClosure', [k, 2]);
  }, { kind: 'StackUnderflow', offset: 1, message: 'Stack underflow' });
});

test('GetUpvalue/SetUpvalue past the frame\'s upvalues are TypeErrors', (t) => {
  failsWith(t, (b) => {
    b.emit('Null');
    at(b, 'GetUpvalue', [0]);
  }, {
    kind: 'TypeError', offset: 1, message: 'Type error: Upvalue index 0 out of bounds (closure has 0 upvalues)',
    detail: 'Upvalue index 0 out of bounds (closure has 0 upvalues)',
  });
  failsWith(t, (b) => {
    b.emit('Null');
    at(b, 'SetUpvalue', [2]);
  }, {
    kind: 'TypeError', offset: 1, message: 'Type error: SetUpvalue: index 2 out of bounds (closure has 0 upvalues)',
    detail: 'SetUpvalue: index 2 out of bounds (closure has 0 upvalues)',
  });
  failsWith(t, (b) => {
    at(b, 'SetUpvalue', [0]);
  }, { kind: 'StackUnderflow', offset: 0, message: 'Stack underflow' });
});

// ---------------------------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------------------------

test('Add: numbers and string concatenation', (t) => {
  t.is(binary('Add', 2, 3.5), 5.5);
  t.is(binary('Add', 'ab', 'cd'), 'abcd');
  t.is(binary('Add', '', ''), '');
});

test('Sub, Mul, Div, Mod compute IEEE results; Mod is the truncated remainder', (t) => {
  t.is(binary('Sub', 2, 5), -3);
  t.is(binary('Mul', 1.5, 4), 6);
  t.is(binary('Div', 10, 4), 2.5);
  t.is(binary('Mod', -7, 3), -1);
  t.is(binary('Mod', 7, -3), 1);
  t.is(binary('Mod', 5.5, 2), 1.5);
  t.true(Object.is(binary('Mod', -4, 2), -0));
  t.true(Object.is(binary('Mul', -1, 0), -0));
});

/** Asserts `a OP b` raises `kind` at offset of the operator (the two pushes take 3 bytes each,
 *  or 1 for null/true/false). */
function binaryFails(t: Parameters<typeof failsWith>[0], op: Parameters<typeof binary>[0], a: Value, b: Value, kind: Parameters<typeof failsWith>[2]['kind'], msg?: string): void {
  const size = (v: Value): number => (typeof v === 'number' || typeof v === 'string' ? 3 : 1);
  const offset = size(a) + size(b);
  const messages: Record<string, string> = {
    DivideByZero: 'Division by zero',
    InvalidNumericResult: 'Invalid numeric result',
    StackUnderflow: 'Stack underflow',
  };
  failsWith(t, (bb) => {
    push(bb, a, b);
    at(bb, op);
  }, msg === undefined
    ? { kind, offset, message: messages[kind]! }
    : { kind, offset, message: `Type error: ${msg}`, detail: msg });
}

test('Add errors: mixed operands are TypeError, NaN/∞ results InvalidNumericResult', (t) => {
  binaryFails(t, 'Add', 'a', 1, 'TypeError', 'Invalid operands for +');
  binaryFails(t, 'Add', 1, null, 'TypeError', 'Invalid operands for +');
  binaryFails(t, 'Add', true, true, 'TypeError', 'Invalid operands for +');
  binaryFails(t, 'Add', 1e308, 1e308, 'InvalidNumericResult');
});

test('Sub/Mul/Div/Mod/comparisons reject non-numbers with "Expected number"', (t) => {
  for (const op of ['Sub', 'Mul', 'Div', 'Mod', 'Less', 'LessEqual', 'Greater', 'GreaterEqual'] as const) {
    binaryFails(t, op, 'a', 1, 'TypeError', 'Expected number');
    binaryFails(t, op, 1, 'b', 'TypeError', 'Expected number');
    binaryFails(t, op, null, false, 'TypeError', 'Expected number');
  }
});

test('Sub/Mul overflow is InvalidNumericResult', (t) => {
  binaryFails(t, 'Mul', 1e308, 10, 'InvalidNumericResult');
  binaryFails(t, 'Sub', -1e308, 1e308, 'InvalidNumericResult');
});

test('Div/Mod by zero (also -0, also 0/0) is DivideByZero; overflow InvalidNumericResult', (t) => {
  for (const op of ['Div', 'Mod'] as const) {
    binaryFails(t, op, 1, 0, 'DivideByZero');
    binaryFails(t, op, 0, 0, 'DivideByZero');
    failsWith(t, (b) => {
      b.emitConstant(1);
      b.emitConstant(0);
      b.emit('Negate'); // -0
      at(b, op);
    }, { kind: 'DivideByZero', offset: 7, message: 'Division by zero' });
  }
  binaryFails(t, 'Div', 1e308, 1e-10, 'InvalidNumericResult');
  binaryFails(t, 'Mod', Infinity, 3, 'InvalidNumericResult'); // a hand-made ∞ constant
});

test('binary operators on a too-short stack are StackUnderflow', (t) => {
  for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Mod', 'Equal', 'NotEqual', 'Less', 'LessEqual', 'Greater', 'GreaterEqual', 'GetIndex'] as const) {
    failsWith(t, (b) => {
      b.emitConstant(1);
      at(b, op);
    }, { kind: 'StackUnderflow', offset: 3, message: 'Stack underflow' });
    failsWith(t, (b) => at(b, op), { kind: 'StackUnderflow', offset: 0, message: 'Stack underflow' });
  }
});

test('Negate: numbers only, result unchecked (-0 possible)', (t) => {
  t.is(run((b) => { b.emitConstant(3); b.emit('Negate'); }).result, -3);
  t.true(Object.is(run((b) => { b.emitConstant(0); b.emit('Negate'); }).result, -0));
  failsWith(t, (b) => {
    b.emitConstant('x');
    at(b, 'Negate');
  }, { kind: 'TypeError', offset: 3, message: 'Type error: Cannot negate non-number', detail: 'Cannot negate non-number' });
  failsWith(t, (b) => at(b, 'Negate'), { kind: 'StackUnderflow', offset: 0, message: 'Stack underflow' });
});

// ---------------------------------------------------------------------------------------------
// Comparison and logic
// ---------------------------------------------------------------------------------------------

test('Equal/NotEqual: structural equality without coercion, never an error', (t) => {
  const cases: Array<[Value, Value, boolean]> = [
    [1, 1, true], [0, -0, true], [1, '1', false], [null, false, false], [null, null, true],
    ['a', 'a', true], [true, true, true], [true, false, false], [NaN, NaN, false],
  ];
  for (const [a, b, eq] of cases) {
    t.is(binary('Equal', a, b), eq, `${String(a)} == ${String(b)}`);
    t.is(binary('NotEqual', a, b), !eq, `${String(a)} != ${String(b)}`);
  }
  const arrays = run((b) => {
    b.emitConstant(1); b.emitConstant('x'); b.emit('Array', [2]);
    b.emitConstant(1); b.emitConstant('x'); b.emit('Array', [2]);
    b.emit('Equal');
  }).result;
  t.is(arrays, true);
});

test('Less/LessEqual/Greater/GreaterEqual on numbers, IEEE semantics', (t) => {
  t.is(binary('Less', 1, 2), true);
  t.is(binary('Less', 2, 2), false);
  t.is(binary('LessEqual', 2, 2), true);
  t.is(binary('Greater', 3, 2), true);
  t.is(binary('GreaterEqual', 1, 2), false);
  t.is(binary('Less', -0, 0), false);
});

test('Not negates booleans; anything else is a TypeError', (t) => {
  t.is(run((b) => { b.emit('True'); b.emit('Not'); }).result, false);
  t.is(run((b) => { b.emit('False'); b.emit('Not'); }).result, true);
  failsWith(t, (b) => {
    b.emit('Null');
    at(b, 'Not');
  }, { kind: 'TypeError', offset: 1, message: 'Type error: Cannot apply ! to non-boolean', detail: 'Cannot apply ! to non-boolean' });
  failsWith(t, (b) => at(b, 'Not'), { kind: 'StackUnderflow', offset: 0, message: 'Stack underflow' });
});

test('And and Or decode but always raise UnknownOpcode (Q3)', (t) => {
  for (const op of ['And', 'Or'] as const) {
    failsWith(t, (b) => {
      b.emit('True');
      b.emit('True');
      at(b, op);
    }, { kind: 'UnknownOpcode', offset: 2, message: 'Unknown opcode' });
  }
});

// ---------------------------------------------------------------------------------------------
// Control flow
// ---------------------------------------------------------------------------------------------

test('Jump skips forward; Loop and a backward Jump repeat', (t) => {
  const { output } = run((b) => {
    const skip = b.label();
    b.jump('Jump', skip);
    b.emit('GetGlobal', [b.string('print')]);
    b.emitConstant('skipped');
    b.emit('Call', [1]);
    b.emit('Pop');
    b.mark(skip);
    // i = 0; while (i < 3) { print(i); i = i + 1 }
    globalCountingLoop(b, 3, (b) => {
      b.emit('GetGlobal', [b.string('print')]);
      b.emit('GetGlobal', [b.string('i')]);
      b.emit('Call', [1]);
      b.emit('Pop');
    });
  });
  t.deepEqual(output, ['0', '1', '2']);
});

test('a jump outside the code ends the run normally (spec §1.2)', (t) => {
  for (const d of [100, -100]) {
    const bytecode = build((b) => {
      b.emitConstant('last');
      b.emit('Jump', [d]);
      b.emit('Halt');
    });
    t.is(runBytecode(bytecode, { validate: false }).result, 'last');
  }
});

test('JumpIfFalse jumps unless the value is exactly true, and pops it', (t) => {
  const cases: Array<[Value, boolean]> = [[true, false], [false, true], [null, true], [1, true], [0, true], ['x', true]];
  for (const [cond, jumps] of cases) {
    const { result } = run((b) => {
      b.emitConstant('below');
      push(b, cond);
      const target = b.label();
      b.jump('JumpIfFalse', target);
      b.emitConstant('fell through');
      b.emit('Halt');
      b.mark(target);
      b.emitConstant('jumped');
    });
    t.is(result, jumps ? 'jumped' : 'fell through', `condition ${String(cond)}`);
  }
  failsWith(t, (b) => at(b, 'JumpIfFalse', [0]), { kind: 'StackUnderflow', offset: 0, message: 'Stack underflow' });
});

test('Halt stops the run; the result is the top of the stack or undefined', (t) => {
  t.is(run((b) => b.emitConstant(1)).result, 1);
  t.is(run(() => {}).result, undefined);
  t.is(runBytecode(build((b) => b.emitConstant(2)), { validate: false }).result, 2, 'falling off the end is a normal stop');
});

test('Halt inside a function stops the whole run', (t) => {
  const { output, result } = run((b) => {
    b.declareFunction('stop', 0, 0, (b) => {
      b.emitConstant('halted');
      b.emit('Halt');
    });
    b.emit('GetGlobal', [b.string('stop')]);
    b.emit('Call', [0]);
    b.emit('GetGlobal', [b.string('print')]);
    b.emitConstant('after');
    b.emit('Call', [1]);
  });
  t.deepEqual(output, []);
  t.is(result, 'halted');
});

// ---------------------------------------------------------------------------------------------
// Stack manipulation
// ---------------------------------------------------------------------------------------------

test('Pop discards TOS, except right before Halt or as the last byte (Q1)', (t) => {
  t.is(run((b) => { b.emitConstant(1); b.emitConstant(2); b.emit('Pop'); b.emit('Pop'); }).result, 1, 'the first Pop pops, the one before Halt is skipped');
  t.is(run((b) => { b.emitConstant(1); b.emit('Pop'); b.emit('Null'); b.emit('Pop'); }).result, null);
  t.is(runBytecode(build((b) => { b.emitConstant(1); b.emitConstant(2); b.emit('Pop'); }), { validate: false }).result, 2, 'a final Pop with nothing after it is skipped');
  failsWith(t, (b) => {
    at(b, 'Pop');
    b.emit('Null');
  }, { kind: 'StackUnderflow', offset: 0, message: 'Stack underflow' });
  t.is(runBytecode(build((b) => { b.emit('Pop'); b.emit('Halt'); }), { validate: false }).result, undefined, 'no underflow when skipped');
});

test('Dup copies TOS', (t) => {
  t.deepEqual(run((b) => { b.emitConstant(4); b.emit('Dup'); b.emit('Array', [2]); }).result, arr(4, 4));
  failsWith(t, (b) => at(b, 'Dup'), { kind: 'StackUnderflow', offset: 0, message: 'Stack underflow' });
});

// ---------------------------------------------------------------------------------------------
// Arrays
// ---------------------------------------------------------------------------------------------

test('Array pops n values, the deepest becoming element 0', (t) => {
  t.deepEqual(run((b) => { b.emitConstant(1); b.emitConstant(2); b.emitConstant(3); b.emit('Array', [3]); }).result, arr(1, 2, 3));
  t.deepEqual(run((b) => b.emit('Array', [0])).result, arr());
  failsWith(t, (b) => {
    b.emit('Null');
    at(b, 'Array', [2]);
  }, { kind: 'StackUnderflow', offset: 1, message: 'Stack underflow' });
});

function arrayOf(b: BytecodeBuilder, ...xs: Array<number | string>): void {
  for (const x of xs) b.emitConstant(x);
  b.emit('Array', [xs.length]);
}

test('GetIndex reads an element; -0 is index 0', (t) => {
  t.is(run((b) => { arrayOf(b, 'a', 'b'); b.emitConstant(1); b.emit('GetIndex'); }).result, 'b');
  t.is(run((b) => { arrayOf(b, 'a', 'b'); b.emitConstant(0); b.emit('Negate'); b.emit('GetIndex'); }).result, 'a');
});

test('GetIndex errors: InvalidIndex, OutOfBounds, non-array target', (t) => {
  // arrayOf(2 elements) = 9 bytes; the index push = 3 or 1 bytes.
  const invalid: Value[] = ['0', 1.5, -1, NaN, Infinity, null];
  for (const index of invalid) {
    const offset = 9 + (typeof index === 'number' || typeof index === 'string' ? 3 : 1);
    failsWith(t, (b) => {
      arrayOf(b, 'a', 'b');
      push(b, index);
      at(b, 'GetIndex');
    }, { kind: 'InvalidIndex', offset, message: 'Invalid index: expected number' });
  }
  for (const index of [2, 1e300]) {
    failsWith(t, (b) => {
      arrayOf(b, 'a', 'b');
      b.emitConstant(index);
      at(b, 'GetIndex');
    }, { kind: 'OutOfBounds', offset: 12, message: 'Array index out of bounds' });
  }
  failsWith(t, (b) => {
    b.emitConstant('abc'); // strings are not indexable in the VM
    b.emitConstant(0);
    at(b, 'GetIndex');
  }, { kind: 'TypeError', offset: 6, message: 'Type error: Cannot index non-array/json', detail: 'Cannot index non-array/json' });
});

test('SetIndex pushes a modified copy; the original array is unchanged', (t) => {
  const { result, vm } = run((b) => {
    arrayOf(b, 1, 2);
    b.emit('SetGlobal', [b.string('a')]);
    b.emitConstant(1);
    b.emitConstant(9);
    b.emit('SetIndex');
  });
  t.deepEqual(result, arr(1, 9));
  t.deepEqual(vm.getGlobal('a'), arr(1, 2));
});

test('SetIndex errors: non-number index TypeError (Q17), non-array, InvalidIndex, OutOfBounds, underflow', (t) => {
  failsWith(t, (b) => {
    arrayOf(b, 1);
    b.emitConstant('0');
    b.emitConstant(5);
    at(b, 'SetIndex');
  }, { kind: 'TypeError', offset: 12, message: 'Type error: Expected number', detail: 'Expected number' });
  failsWith(t, (b) => {
    b.emitConstant('str');
    b.emitConstant(0);
    b.emitConstant(5);
    at(b, 'SetIndex');
  }, { kind: 'TypeError', offset: 9, message: 'Type error: Cannot index non-array', detail: 'Cannot index non-array' });
  failsWith(t, (b) => {
    arrayOf(b, 1);
    b.emitConstant(0.5);
    b.emitConstant(5);
    at(b, 'SetIndex');
  }, { kind: 'InvalidIndex', offset: 12, message: 'Invalid index: expected number' });
  failsWith(t, (b) => {
    arrayOf(b, 1);
    b.emitConstant(1);
    b.emitConstant(5);
    at(b, 'SetIndex');
  }, { kind: 'OutOfBounds', offset: 12, message: 'Array index out of bounds' });
  for (const pushed of [0, 1, 2]) {
    failsWith(t, (b) => {
      for (let i = 0; i < pushed; i++) b.emitConstant(0);
      at(b, 'SetIndex');
    }, { kind: 'StackUnderflow', offset: pushed * 3, message: 'Stack underflow' });
  }
});

test('IsArray and GetArrayLen', (t) => {
  t.deepEqual(run((b) => {
    arrayOf(b, 1, 2, 3);
    b.emit('Dup');
    b.emit('IsArray');
    b.emit('SetGlobal', [b.string('isArray')]);
    b.emit('Pop');
    b.emit('GetArrayLen');
    b.emitConstant('x');
    b.emit('IsArray');
    b.emit('Array', [2]);
  }).result, arr(3, false));
  failsWith(t, (b) => {
    b.emitConstant('abc');
    at(b, 'GetArrayLen');
  }, { kind: 'TypeError', offset: 3, message: 'Type error: GetArrayLen requires Array', detail: 'GetArrayLen requires Array', span: { start: 0, end: 0 } });
});

// ---------------------------------------------------------------------------------------------
// Option and Result
// ---------------------------------------------------------------------------------------------

/** Pushes `ctor(value)` (ctor a builtin name) or the None global. */
function option(b: BytecodeBuilder, ctor: 'Some' | 'Ok' | 'Err' | 'None', value = 1): void {
  b.emit('GetGlobal', [b.string(ctor)]);
  if (ctor === 'None') return;
  b.emitConstant(value);
  b.emit('Call', [1]);
}

test('IsOptionSome/IsOptionNone/IsResultOk/IsResultErr test the variant', (t) => {
  const tests = ['IsOptionSome', 'IsOptionNone', 'IsResultOk', 'IsResultErr'] as const;
  const expected: Record<string, boolean[]> = {
    Some: [true, false, false, false],
    None: [false, true, false, false],
    Ok: [false, false, true, false],
    Err: [false, false, false, true],
  };
  for (const ctor of ['Some', 'None', 'Ok', 'Err'] as const) {
    const got = tests.map((op) => run((b) => { option(b, ctor); b.emit(op); }).result);
    t.deepEqual(got, expected[ctor], ctor);
  }
  t.is(run((b) => { b.emitConstant(1); b.emit('IsOptionNone'); }).result, false);
});

test('ExtractOptionValue/ExtractResultValue unwrap; otherwise TypeError with a dummy span', (t) => {
  t.is(run((b) => { option(b, 'Some', 5); b.emit('ExtractOptionValue'); }).result, 5);
  t.is(run((b) => { option(b, 'Ok', 6); b.emit('ExtractResultValue'); }).result, 6);
  t.is(run((b) => { option(b, 'Err', 7); b.emit('ExtractResultValue'); }).result, 7);
  failsWith(t, (b) => {
    b.emit('GetGlobal', [b.string('None')]);
    at(b, 'ExtractOptionValue');
  }, {
    kind: 'TypeError', offset: 3, message: 'Type error: ExtractOptionValue requires Option::Some',
    detail: 'ExtractOptionValue requires Option::Some', span: { start: 0, end: 0 },
  });
  failsWith(t, (b) => {
    b.emitConstant(1);
    at(b, 'ExtractResultValue');
  }, {
    kind: 'TypeError', offset: 3, message: 'Type error: ExtractResultValue requires Result',
    detail: 'ExtractResultValue requires Result', span: { start: 0, end: 0 },
  });
  for (const op of ['IsOptionSome', 'IsOptionNone', 'IsResultOk', 'IsResultErr', 'IsArray', 'ExtractOptionValue', 'ExtractResultValue', 'GetArrayLen'] as const) {
    failsWith(t, (b) => at(b, op), { kind: 'StackUnderflow', offset: 0, message: 'Stack underflow' });
  }
});

test('Option and Result values are structured', (t) => {
  const { result } = run((b) => { option(b, 'Some', 3); option(b, 'Err', 4); b.emit('Array', [2]); });
  t.deepEqual(result, arr(AtlasOption.some(3), AtlasResult.err(4)));
});

// ---------------------------------------------------------------------------------------------
// Bad bytes
// ---------------------------------------------------------------------------------------------

test('a byte that is not an opcode is UnknownOpcode at its offset', (t) => {
  for (const byte of [0x00, 0x05, 0x17, 0x43, 0x98, 0xfe]) {
    const bytecode = build((b) => {
      b.emit('Null');
      b.emitRaw(byte);
    });
    const error = t.throws(() => new Vm(bytecode, { validate: false }).run()) as Error & { kind: string; offset: number };
    t.is(error.kind, 'UnknownOpcode');
    t.is(error.offset, 1);
  }
});

test('every span comes from the debug entry of the failing instruction', (t) => {
  const error = failsWith(t, (b) => {
    b.emitConstant(1);
    b.emitConstant(0);
    at(b, 'Div');
  }, { kind: 'DivideByZero', offset: 6, message: 'Division by zero' });
  t.deepEqual(error.span, spanFor(6));
  t.is(error.debugString(), 'DivideByZero { span: Span { start: 106, end: 206 } }');
});
