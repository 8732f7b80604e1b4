// The programs of test/fixtures/atlas-corpus assembled with BytecodeBuilder exactly the way the
// reference compiler lays them out (docs/bytecode.md §3.2, §6.5): fresh name constants for every reference,
// the callee's constant before its arguments', `Null; Return` after every body (dead after a
// trailing return), `Jump` after a then-branch even when it returns, `Pop` after statements.
import { type Bytecode, BytecodeBuilder, Opcode } from '../../src/bytecode/index.js';

type Emit = () => void;

/** A thin layer over the builder that emits the reference compiler's sequences. */
export class ReferenceEmitter {
  readonly b = new BytecodeBuilder();

  num(value: number): Emit {
    return () => { this.b.emitConstant(value); };
  }

  str(value: string): Emit {
    return () => { this.b.emitConstant(value); };
  }

  local(slot: number): Emit {
    return () => { this.b.emit(Opcode.GetLocal, [slot]); };
  }

  global(name: string): Emit {
    return () => { this.b.emit(Opcode.GetGlobal, [this.b.string(name)]); };
  }

  /** `a OP b` */
  binary(op: 'Add' | 'Sub' | 'Mul' | 'Div' | 'Mod' | 'Equal' | 'NotEqual' | 'Less' | 'LessEqual' | 'Greater' | 'GreaterEqual', a: Emit, b: Emit): Emit {
    return () => { a(); b(); this.b.emit(op); };
  }

  negate(a: Emit): Emit {
    return () => { a(); this.b.emit(Opcode.Negate); };
  }

  /** `name(args)`: load the callee (its constant first), the args, `Call n`. */
  call(name: string, ...args: Emit[]): Emit {
    return () => {
      this.global(name)();
      for (const arg of args) arg();
      this.b.emit(Opcode.Call, [args.length]);
    };
  }

  /** `e;` */
  expr(e: Emit): void {
    e();
    this.b.emit(Opcode.Pop);
  }

  print(e: Emit): void {
    this.expr(this.call('print', e));
  }

  /** Top-level `let`/`var x = e;` and `x = e;` for a global. */
  setGlobal(name: string, e: Emit): void {
    e();
    this.b.emit(Opcode.SetGlobal, [this.b.string(name)]);
    this.b.emit(Opcode.Pop);
  }

  ret(e: Emit): void {
    e();
    this.b.emit(Opcode.Return);
  }

  /** `if (c) { then } else { otherwise }` */
  ifElse(c: Emit, then: () => void, otherwise?: () => void): void {
    c();
    const skip = this.b.emitJump('JumpIfFalse');
    then();
    if (otherwise === undefined) {
      this.b.patchJump(skip + 1);
      return;
    }
    const over = this.b.emitJump('Jump');
    this.b.patchJump(skip + 1);
    otherwise();
    this.b.patchJump(over + 1);
  }

  /** `while (c) { body }` */
  whileLoop(c: Emit, body: () => void): void {
    const top = this.b.offset;
    c();
    const exit = this.b.emitJump('JumpIfFalse');
    body();
    this.b.emit(Opcode.Loop, [top - (this.b.offset + 3)]);
    this.b.patchJump(exit + 1);
  }

  fn(name: string, params: readonly string[], body: () => void): void {
    const f = this.b.beginFunction(name, params.length, this.b.span, params);
    body();
    this.b.endFunction(f, params.length);
  }

  finish(): Bytecode {
    this.b.emit(Opcode.Halt);
    return this.b.build();
  }
}

function program(build: (e: ReferenceEmitter) => void): Bytecode {
  const e = new ReferenceEmitter();
  build(e);
  return e.finish();
}

/** `fn factorial(n)` of docs/bytecode.md §3.7 and the three prints. */
export function factorial(): Bytecode {
  return program((e) => {
    e.fn('factorial', ['n'], () => {
      e.ifElse(e.binary('LessEqual', e.local(0), e.num(1)), () => e.ret(e.num(1)));
      e.ret(e.binary('Mul', e.local(0), e.call('factorial', e.binary('Sub', e.local(0), e.num(1)))));
    });
    for (const n of [1, 5, 10]) e.print(e.call('factorial', e.num(n)));
  });
}

export const REFERENCE_PROGRAMS: Readonly<Record<string, () => Bytecode>> = {
  'arithmetic/basic_ops': () => program((e) => {
    e.print(e.binary('Add', e.num(1), e.num(2)));
    e.print(e.binary('Sub', e.num(10), e.num(3)));
    e.print(e.binary('Mul', e.num(4), e.num(5)));
    e.print(e.binary('Div', e.num(10), e.num(4)));
    e.print(e.binary('Mod', e.num(10), e.num(3)));
    e.print(e.binary('Add', e.num(2), e.binary('Mul', e.num(3), e.num(4))));
    e.print(e.binary('Mul', e.binary('Add', e.num(2), e.num(3)), e.num(4)));
  }),
  'arithmetic/comparisons': () => program((e) => {
    const cases = [['Less', 1, 2], ['Greater', 5, 3], ['LessEqual', 4, 4], ['GreaterEqual', 3, 3], ['Equal', 1, 1],
      ['NotEqual', 1, 2], ['Less', 5, 3], ['Greater', 2, 7]] as const;
    for (const [op, a, b] of cases) e.print(e.binary(op, e.num(a), e.num(b)));
  }),
  'arithmetic/factorial': factorial,
  'arithmetic/fibonacci': () => program((e) => {
    e.fn('fib', ['n'], () => {
      e.ifElse(e.binary('LessEqual', e.local(0), e.num(1)), () => e.ret(e.local(0)));
      e.ret(e.binary('Add', e.call('fib', e.binary('Sub', e.local(0), e.num(1))),
        e.call('fib', e.binary('Sub', e.local(0), e.num(2)))));
    });
    for (const n of [0, 1, 5, 10]) e.print(e.call('fib', e.num(n)));
  }),
  'arithmetic/number_formatting': () => program((e) => {
    for (const n of [42, 3.14, 0]) e.print(e.num(n));
    e.print(e.negate(e.num(5)));
    for (const n of [100, 1.5, 0.001]) e.print(e.num(n));
  }),
  'functions/basic_functions': () => program((e) => {
    e.fn('add', ['x', 'y'], () => e.ret(e.binary('Add', e.local(0), e.local(1))));
    e.fn('greet', ['name'], () => e.ret(e.binary('Add', e.binary('Add', e.str('Hello, '), e.local(0)), e.str('!'))));
    e.fn('is_even', ['n'], () => e.ret(e.binary('Equal', e.binary('Mod', e.local(0), e.num(2)), e.num(0))));
    e.print(e.call('add', e.num(3), e.num(4)));
    e.print(e.call('greet', e.str('World')));
    e.print(e.call('is_even', e.num(4)));
    e.print(e.call('is_even', e.num(7)));
  }),
  'functions/conditionals': () => program((e) => {
    e.fn('classify', ['n'], () => {
      e.ifElse(e.binary('Less', e.local(0), e.num(0)), () => e.ret(e.str('negative')), () => {
        e.ifElse(e.binary('Equal', e.local(0), e.num(0)), () => e.ret(e.str('zero')), () => e.ret(e.str('positive')));
      });
    });
    e.print(e.call('classify', e.negate(e.num(5))));
    e.print(e.call('classify', e.num(0)));
    e.print(e.call('classify', e.num(42)));
  }),
  'functions/default_return': () => program((e) => {
    e.fn('log_message', ['msg'], () => e.print(e.binary('Add', e.str('LOG: '), e.local(0))));
    e.fn('no_op', [], () => undefined);
    e.expr(e.call('log_message', e.str('hello')));
    e.expr(e.call('log_message', e.str('world')));
    e.setGlobal('result', e.call('no_op'));
    e.print(e.global('result'));
  }),
  'functions/mutual_recursion': () => program((e) => {
    e.fn('is_even_r', ['n'], () => {
      e.ifElse(e.binary('Equal', e.local(0), e.num(0)), () => e.ret(() => e.b.emit(Opcode.True)));
      e.ret(e.call('is_odd_r', e.binary('Sub', e.local(0), e.num(1))));
    });
    e.fn('is_odd_r', ['n'], () => {
      e.ifElse(e.binary('Equal', e.local(0), e.num(0)), () => e.ret(() => e.b.emit(Opcode.False)));
      e.ret(e.call('is_even_r', e.binary('Sub', e.local(0), e.num(1))));
    });
    for (const [f, n] of [['is_even_r', 4], ['is_even_r', 7], ['is_odd_r', 3], ['is_odd_r', 6]] as const) {
      e.print(e.call(f, e.num(n)));
    }
  }),
  'functions/recursion': () => program((e) => {
    e.fn('sum_to', ['n'], () => {
      e.ifElse(e.binary('LessEqual', e.local(0), e.num(0)), () => e.ret(e.num(0)));
      e.ret(e.binary('Add', e.local(0), e.call('sum_to', e.binary('Sub', e.local(0), e.num(1)))));
    });
    e.fn('power', ['base', 'exp'], () => {
      e.ifElse(e.binary('Equal', e.local(1), e.num(0)), () => e.ret(e.num(1)));
      e.ret(e.binary('Mul', e.local(0), e.call('power', e.local(0), e.binary('Sub', e.local(1), e.num(1)))));
    });
    e.print(e.call('sum_to', e.num(5)));
    e.print(e.call('sum_to', e.num(10)));
    e.print(e.call('power', e.num(2), e.num(8)));
    e.print(e.call('power', e.num(3), e.num(4)));
  }),
  'functions/while_loop': () => program((e) => {
    e.setGlobal('sum', e.num(0));
    e.setGlobal('i', e.num(1));
    e.whileLoop(e.binary('LessEqual', e.global('i'), e.num(5)), () => {
      e.setGlobal('sum', e.binary('Add', e.global('sum'), e.global('i')));
      e.setGlobal('i', e.binary('Add', e.global('i'), e.num(1)));
    });
    e.print(e.global('sum'));
    e.setGlobal('countdown', e.num(5));
    e.whileLoop(e.binary('Greater', e.global('countdown'), e.num(0)), () => {
      e.print(e.global('countdown'));
      e.setGlobal('countdown', e.binary('Sub', e.global('countdown'), e.num(1)));
    });
  }),
  'runtime_errors/division_by_zero': () => program((e) => {
    e.setGlobal('x', e.binary('Div', e.num(10), e.num(0)));
    e.print(e.global('x'));
  }),
};

/** The factorial program's bytes, from the table of docs/bytecode.md §3.7. */
export const FACTORIAL_CODE_HEX =
  '010000 130001 80 500021 ' + // prologue
  '100000 010002 33 510004 010003 61 100000 120004 100000 010005 21 6001 22 61 02 61 ' + // body
  '120006 120007 010008 6001 6001 80 ' +
  '120009 12000a 01000b 6001 6001 80 ' +
  '12000c 12000d 01000e 6001 6001 80 ff';

export function hexBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}
