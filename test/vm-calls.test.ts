// Calls and returns (docs/bytecode.md §3.3, §3.4), the recursion and stack limits (docs/bytecode.md Q19), `Vm.call`,
// and the JIT hook interface.
import test from 'ava';
import { type Bytecode, type BytecodeBuilder, type FunctionRef, functionRef } from '../src/bytecode/index.js';
import {
  AtlasArray, AtlasFunction, AtlasOption, AtlasRuntimeError, HaltSignal, NO_OFFSET, type Value, Vm, type VmJitHook,
} from '../src/vm/index.js';
import { at, build, failsWith, globalCountingLoop, run, runBytecode, spanFor, throwsAtlas } from './vm-helpers.js';
import { factorial } from './helpers/reference-programs.js';

/** `fn name(a, b) { return a - b; }` plus `callArgs` at top level: `print(name(...callArgs))`. */
function subProgram(b: BytecodeBuilder): void {
  b.declareFunction('sub', 2, 2, (b) => {
    b.emit('GetLocal', [0]);
    b.emit('GetLocal', [1]);
    b.emit('Sub');
    b.emit('Return');
  });
}

/** `fn down(n) { if (n == 0) return 0; return down(n - 1); }` */
function countdown(b: BytecodeBuilder): void {
  b.declareFunction('down', 1, 1, (b) => {
    b.emit('GetLocal', [0]);
    b.emitConstant(0);
    b.emit('Equal');
    const j = b.emitJump('JumpIfFalse');
    b.emitConstant(0);
    b.emit('Return');
    b.patchJump(j + 1);
    b.emit('GetGlobal', [b.string('down')]);
    b.emit('GetLocal', [0]);
    b.emitConstant(1);
    b.emit('Sub');
    b.emit('Call', [1]);
    b.emit('Return');
  });
}

function programWith(declare: (b: BytecodeBuilder) => void): Bytecode {
  return build((b) => {
    declare(b);
    b.emit('Halt');
  });
}

function installed(bytecode: Bytecode, options: ConstructorParameters<typeof Vm>[1] = {}): Vm {
  const vm = new Vm(bytecode, { stdout: () => {}, ...options });
  vm.run();
  return vm;
}

// ---------------------------------------------------------------------------------------------
// Call and Return
// ---------------------------------------------------------------------------------------------

test('Call passes the arguments as the callee\'s first locals; Return replaces callee and args', (t) => {
  const { result } = run((b) => {
    subProgram(b);
    b.emitConstant('below');
    b.emit('GetGlobal', [b.string('sub')]);
    b.emitConstant(10);
    b.emitConstant(4);
    b.emit('Call', [2]);
    b.emit('Array', [2]);
  });
  t.deepEqual(result, new AtlasArray(['below', 6]));
});

test('Return drops locals and temporaries left in the frame', (t) => {
  const { result } = run((b) => {
    b.declareFunction('messy', 1, 2, (b) => {
      b.emitConstant('local');
      b.emitConstant('temp');
      b.emitConstant('temp2');
      b.emit('GetLocal', [0]);
      b.emit('Return');
    });
    b.emitConstant('below');
    b.emit('GetGlobal', [b.string('messy')]);
    b.emitConstant('arg');
    b.emit('Call', [1]);
    b.emit('Array', [2]);
  });
  t.deepEqual(result, new AtlasArray(['below', 'arg']));
});

test('Return on a frame with nothing pushed follows the reference exactly (§3.4)', (t) => {
  // The callee itself is popped as the "result", then one more value below it.
  const bytecode = build((b) => {
    const fn = b.beginFunction('bare', 0);
    b.emit('Return');
    b.endFunction(fn, 0);
    b.emitConstant('below');
    b.emit('GetGlobal', [b.string('bare')]);
    b.emit('Call', [0]);
    b.emit('Halt');
  });
  const { result } = runBytecode(bytecode, { validate: false });
  t.true(result instanceof AtlasFunction);
  t.is((result as AtlasFunction).name, 'bare');
});

test('Return in the main frame stops the run with the value (Q2)', (t) => {
  const bytecode = build((b) => {
    b.emitConstant(1);
    b.emitConstant(2);
    b.emit('Return');
    b.emit('GetGlobal', [b.string('print')]);
    b.emitConstant('not reached');
    b.emit('Call', [1]);
    b.emit('Halt');
  });
  const { result, output } = runBytecode(bytecode, { validate: false });
  t.is(result, 2);
  t.deepEqual(output, []);
  const empty = build((b) => b.emit('Return'));
  t.is(runBytecode(empty, { validate: false }).result, null, 'an empty stack returns null');
});

test('recursion: factorial(10) and a 50 000-deep recursion under the default limit', (t) => {
  t.is(runBytecode(factorial()).vm.call('factorial', 10), 3628800);
  t.is(installed(programWith(countdown)).call('down', 50_000), 0);
});

test('Call errors: non-function callee, arity, offset 0, missing callee', (t) => {
  failsWith(t, (b) => {
    b.emitConstant(3);
    b.emitConstant(4);
    at(b, 'Call', [1]);
  }, { kind: 'TypeError', offset: 6, message: 'Type error: Cannot call non-function value', detail: 'Cannot call non-function value' });
  failsWith(t, (b) => {
    subProgram(b);
    b.emit('GetGlobal', [b.string('sub')]);
    b.emitConstant(1);
    at(b, 'Call', [1]);
  }, {
    kind: 'TypeError', offset: 26, message: 'Type error: Function sub expects 2 arguments, got 1',
    detail: 'Function sub expects 2 arguments, got 1',
  });
  const uncompiled = 'Cannot call function \'ghost\' from VM: function was created by interpreter and has no compiled bytecode. This typically happens when importing functions across execution modes.';
  failsWith(t, (b) => {
    b.emit('Constant', [b.addConstant({ kind: 'function', value: functionRef({ name: 'ghost', arity: 1, offset: 0, localCount: 1 }) })]);
    at(b, 'Call', [0]); // the offset check comes before the arity check
  }, { kind: 'TypeError', offset: 3, message: `Type error: ${uncompiled}`, detail: uncompiled });
  failsWith(t, (b) => {
    b.emitConstant(1);
    at(b, 'Call', [1]);
  }, { kind: 'StackUnderflow', offset: 3, message: 'Stack underflow' });
});

test('calling None with no arguments yields None; with arguments it is not callable', (t) => {
  t.is(run((b) => {
    b.emit('GetGlobal', [b.string('None')]);
    b.emit('Call', [0]);
  }).result, AtlasOption.None);
  failsWith(t, (b) => {
    b.emit('GetGlobal', [b.string('None')]);
    b.emitConstant(1);
    at(b, 'Call', [1]);
  }, { kind: 'TypeError', offset: 6, message: 'Type error: Cannot call non-function value', detail: 'Cannot call non-function value' });
});

test('a builtin constant the runtime does not know is UnknownFunction at the call', (t) => {
  const error = failsWith(t, (b) => {
    b.emit('Constant', [b.addConstant({ kind: 'builtin', name: 'readFile' })]);
    b.emitConstant(2);
    at(b, 'Call', [1]);
  }, { kind: 'UnknownFunction', offset: 6, message: 'Unknown function: readFile', detail: 'readFile' });
  t.is(error.debugString(), 'UnknownFunction { name: "readFile", span: Span { start: 106, end: 206 } }');
});

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

/** `fn loop(n) { return loop(n + 1); }` called from top level at a known offset. */
function runaway(): { bytecode: Bytecode; callOffset: number } {
  let callOffset = -1;
  const bytecode = build((b) => {
    b.declareFunction('forever', 1, 1, (b) => {
      b.emit('GetGlobal', [b.string('forever')]);
      b.emit('GetLocal', [0]);
      b.emitConstant(1);
      b.emit('Add');
      callOffset = at(b, 'Call', [1]);
      b.emit('Return');
    });
    b.emit('GetGlobal', [b.string('forever')]);
    b.emitConstant(0);
    b.emit('Call', [1]);
    b.emit('Halt');
  });
  return { bytecode, callOffset };
}

test('unbounded recursion stops with StackOverflow at the Call (maxCallDepth)', (t) => {
  const { bytecode, callOffset } = runaway();
  const message = 'Stack overflow: call depth limit 500 or stack size limit 16777216 exceeded';
  const error = throwsAtlas(t, () => new Vm(bytecode, { maxCallDepth: 500 }).run(), {
    kind: 'StackOverflow', offset: callOffset, message, detail: message.slice('Stack overflow: '.length),
  });
  t.true(error.debugString().startsWith('StackOverflow { msg: "call depth limit 500'));
});

test('exactly maxCallDepth nested frames are allowed', (t) => {
  const vm = installed(programWith(countdown), { maxCallDepth: 101 });
  t.is(vm.call('down', 100), 0); // frames for n = 100 .. 0
  const error = t.throws(() => vm.call('down', 101), { instanceOf: AtlasRuntimeError }) as AtlasRuntimeError;
  t.is(error.kind, 'StackOverflow');
  const none = installed(programWith(countdown), { maxCallDepth: 0 });
  t.is((t.throws(() => none.call('down', 0)) as AtlasRuntimeError).kind, 'StackOverflow');
});

test('a loop that grows the stack stops with StackOverflow at its back-edge (maxStackSize)', (t) => {
  let loopAt = -1;
  const bytecode = build((b) => {
    const top = b.label();
    b.mark(top);
    b.emit('Null');
    b.span = spanFor(b.offset);
    loopAt = b.jump('Loop', top);
  });
  const error = t.throws(() => new Vm(bytecode, { validate: false, maxStackSize: 1000 }).run(), { instanceOf: AtlasRuntimeError }) as AtlasRuntimeError;
  t.is(error.kind, 'StackOverflow');
  t.is(error.offset, loopAt);
  t.deepEqual(error.span, spanFor(loopAt));
});

test('limits must be non-negative integers', (t) => {
  const bytecode = programWith(() => {});
  t.throws(() => new Vm(bytecode, { maxCallDepth: -1 }), { instanceOf: RangeError });
  t.throws(() => new Vm(bytecode, { maxStackSize: 1.5 }), { instanceOf: RangeError });
});

// ---------------------------------------------------------------------------------------------
// Vm.call
// ---------------------------------------------------------------------------------------------

test('vm.call runs a global function with host arguments', (t) => {
  const vm = installed(programWith((b) => {
    subProgram(b);
    b.declareFunction('first', 1, 1, (b) => {
      b.emit('GetLocal', [0]);
      b.emitConstant(0);
      b.emit('GetIndex');
      b.emit('Return');
    });
  }));
  t.is(vm.call('sub', 10, 3), 7);
  t.deepEqual(vm.call('first', [[1, 'x'], true]), new AtlasArray([1, 'x']));
  t.is(vm.call('first', [null]), null);
});

test('vm.call errors: unknown name, non-function, arity, bad host values (offset -1, no span)', (t) => {
  const vm = installed(programWith((b) => {
    subProgram(b);
    b.emitConstant(5);
    b.emit('SetGlobal', [b.string('five')]);
    b.emit('Pop');
  }));
  throwsAtlas(t, () => vm.call('nope'), { kind: 'UndefinedVariable', offset: NO_OFFSET, message: 'Undefined variable: nope', detail: 'nope', span: null });
  throwsAtlas(t, () => vm.call('print', 1), { kind: 'UndefinedVariable', offset: NO_OFFSET, message: 'Undefined variable: print', detail: 'print', span: null });
  throwsAtlas(t, () => vm.call('five'), { kind: 'TypeError', offset: NO_OFFSET, message: 'Type error: Cannot call non-function value', detail: 'Cannot call non-function value', span: null });
  throwsAtlas(t, () => vm.call('sub', 1), {
    kind: 'TypeError', offset: NO_OFFSET, message: 'Type error: Function sub expects 2 arguments, got 1',
    detail: 'Function sub expects 2 arguments, got 1', span: null,
  });
  const bad: unknown[] = [undefined, {}, () => 1, 1n, Symbol('s')];
  for (const value of bad) {
    const error = t.throws(() => vm.call('sub', value as number, 1), { instanceOf: AtlasRuntimeError }) as AtlasRuntimeError;
    t.is(error.kind, 'TypeError');
    t.true(error.message.startsWith('Type error: argument 1 is '), error.message);
  }
  const cyclic: unknown[] = [1];
  cyclic.push(cyclic);
  const error = t.throws(() => vm.call('sub', cyclic as never, 1), { instanceOf: AtlasRuntimeError }) as AtlasRuntimeError;
  t.is(error.message, 'Type error: argument 1[1] contains itself');
});

test('vm.call before run() finds no function; runtime errors inside carry their offset', (t) => {
  const bytecode = programWith((b) => {
    b.declareFunction('div0', 1, 1, (b) => {
      b.emit('GetLocal', [0]);
      b.emitConstant(0);
      at(b, 'Div');
      b.emit('Return');
    });
  });
  const fresh = new Vm(bytecode);
  t.is((t.throws(() => fresh.call('div0', 1)) as AtlasRuntimeError).kind, 'UndefinedVariable');
  fresh.run();
  throwsAtlas(t, () => fresh.call('div0', 1), { kind: 'DivideByZero', offset: 16, message: 'Division by zero' });
});

test('Halt inside a function called from the host returns the top of the stack', (t) => {
  const vm = installed(programWith((b) => {
    b.declareFunction('stop', 0, 0, (b) => {
      b.emitConstant('halted');
      b.emit('Halt');
    });
  }));
  t.is(vm.call('stop'), 'halted');
});

test('globals persist across run() and call(); a run is not re-entrant', (t) => {
  const bytecode = programWith((b) => {
    b.emit('GetGlobal', [b.string('print')]);
    b.emitConstant('tick');
    b.emit('Call', [1]);
    b.emit('Pop');
  });
  let vm: Vm | undefined;
  let reentered: unknown;
  vm = new Vm(bytecode, {
    stdout: () => {
      try {
        vm!.run();
      } catch (e) {
        reentered = e;
      }
    },
  });
  vm.run();
  t.true(reentered instanceof Error);
  t.regex((reentered as Error).message, /not re-entrant/);
  t.notThrows(() => vm!.run(), 'the flag is reset after a run');
});

// ---------------------------------------------------------------------------------------------
// The JIT hook
// ---------------------------------------------------------------------------------------------

interface Seen {
  readonly name: string;
  readonly args: Value[];
  readonly program: Bytecode;
}

function recordingHook(answer: (fn: FunctionRef, args: Value[]) => Value | undefined = () => undefined): { hook: VmJitHook; seen: Seen[] } {
  const seen: Seen[] = [];
  return {
    seen,
    hook: {
      onCall(fn, program, stack, argBase) {
        const args = stack.slice(argBase, argBase + fn.arity);
        seen.push({ name: fn.name, args, program });
        return answer(fn, args);
      },
    },
  };
}

test('the hook is asked before every user-function call, with the arguments on the stack', (t) => {
  const bytecode = factorial();
  const { hook, seen } = recordingHook();
  const vm = installed(bytecode, { jit: hook });
  seen.length = 0; // the top level's own calls (its three prints of factorial)
  t.is(vm.call('factorial', 4), 24);
  t.deepEqual(seen.map((s) => [s.name, s.args]), [['factorial', [4]], ['factorial', [3]], ['factorial', [2]], ['factorial', [1]]]);
  t.true(seen.every((s) => s.program === bytecode));
});

test('a hook result replaces the call exactly like a Return', (t) => {
  const { hook, seen } = recordingHook((fn, args) => (fn.name === 'sub' ? `native ${String(args[0])}` : undefined));
  const { result, output } = run((b) => {
    b.declareFunction('sub', 2, 2, (b) => {
      b.emit('GetGlobal', [b.string('print')]);
      b.emitConstant('interpreted');
      b.emit('Call', [1]);
      b.emit('Return');
    });
    b.emitConstant('below');
    b.emit('GetGlobal', [b.string('sub')]);
    b.emitConstant(1);
    b.emitConstant(2);
    b.emit('Call', [2]);
    b.emit('Array', [2]);
  }, { jit: hook });
  t.deepEqual(result, new AtlasArray(['below', 'native 1']));
  t.deepEqual(output, [], 'the body never ran');
  t.is(seen.length, 1);
  const vm = installed(programWith(subProgram), { jit: hook });
  t.is(vm.call('sub', 5, 1), 'native 5', 'vm.call asks the hook too');
});

test('a hook that throws HaltSignal stops the run with its value', (t) => {
  const hook: VmJitHook = {
    onCall() {
      throw new HaltSignal('stopped natively');
    },
  };
  const { result, output } = run((b) => {
    subProgram(b);
    b.emit('GetGlobal', [b.string('sub')]);
    b.emitConstant(1);
    b.emitConstant(2);
    b.emit('Call', [2]);
    b.emit('GetGlobal', [b.string('print')]);
    b.emitConstant('after');
    b.emit('Call', [1]);
  }, { jit: hook });
  t.is(result, 'stopped natively');
  t.deepEqual(output, []);
  const vm = installed(programWith(subProgram), { jit: hook });
  t.is(vm.call('sub', 1, 2), 'stopped natively');
});

test('a native trap (AtlasRuntimeError from the hook) propagates unchanged', (t) => {
  const trap = new AtlasRuntimeError('DivideByZero', 14, { start: 1, end: 2 });
  const vm = installed(programWith(subProgram), { jit: { onCall: () => { throw trap; } } });
  t.is(t.throws(() => vm.call('sub', 1, 2)), trap);
});

test('closures and builtins never reach the hook', (t) => {
  const { hook, seen } = recordingHook();
  run((b) => {
    const skip = b.emitJump('Jump');
    const body = b.offset;
    b.emit('GetLocal', [0]);
    b.emit('Return');
    b.patchJump(skip + 1);
    const k = b.addConstant({ kind: 'function', value: functionRef({ name: 'clo', arity: 1, offset: body, localCount: 1 }) });
    b.emit('MakeClosure', [k, 0]);
    b.emitConstant(1);
    b.emit('Call', [1]);
    b.emit('GetGlobal', [b.string('print')]);
    b.emitConstant('x');
    b.emit('Call', [1]);
  }, { jit: hook, validate: false });
  t.deepEqual(seen, []);
});

test('onSafepoint is called every 64 loop back-edges', (t) => {
  let safepoints = 0;
  const hook: VmJitHook = { onCall: () => undefined, onSafepoint: () => { safepoints++; } };
  run((b) => globalCountingLoop(b, 640), { jit: hook });
  t.is(safepoints, 10);
});

test('interpreted calls count towards safepoints, so recursion without loops reaches them', (t) => {
  let safepoints = 0;
  const vm = installed(programWith(countdown), { jit: { onCall: () => undefined, onSafepoint: () => { safepoints++; } } });
  t.is(vm.call('down', 640), 0); // 640 interpreted Calls (n = 639 .. 0)
  t.is(safepoints, 10);
});

test('a safepoint can halt a runaway loop', (t) => {
  let n = 0;
  const hook: VmJitHook = {
    onCall: () => undefined,
    onSafepoint: () => {
      if (++n === 3) throw new HaltSignal('interrupted');
    },
  };
  const bytecode = build((b) => {
    const top = b.label();
    b.mark(top);
    b.jump('Loop', top);
    b.emit('Halt');
  });
  t.is(new Vm(bytecode, { jit: hook, validate: false }).run(), 'interrupted');
  t.is(n, 3);
});

test('HaltSignal carries any value; AtlasFunction values are shared constants', (t) => {
  t.is(new HaltSignal(null).value, null);
  const { result } = run((b) => {
    subProgram(b);
    b.emit('GetGlobal', [b.string('sub')]);
    b.emit('GetGlobal', [b.string('sub')]);
    b.emit('Equal');
  });
  t.is(result, true);
});

test('validation runs in the constructor unless disabled', (t) => {
  const corrupt = build((b) => {
    b.emit('Add');
    b.emit('Halt');
  });
  const error = t.throws(() => new Vm(corrupt));
  t.is(error?.name, 'BytecodeValidationError');
  failsWith(t, (b) => {
    at(b, 'Add');
    b.emit('Halt');
  }, { kind: 'StackUnderflow', offset: 0, message: 'Stack underflow' });
});
