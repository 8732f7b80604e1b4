/**
 * The code generator: syntax tree → bytecode laid out byte for byte like the reference
 * compiler's unoptimised output (docs/bytecode.md §6.5, §3.2, docs/bytecode.md §3.3, §3.5): same instruction sequences,
 * same constant-pool order (a fresh name constant for every global reference, never
 * deduplicated), same debug spans, `Halt` with span (0,0) at the end.
 *
 * Where the reference would emit bytecode that misbehaves, this throws a CompileError
 * instead of copying it:
 * - a call whose callee is not a plain name (docs/bytecode.md Q16: the reference emits nothing for it);
 * - overflow of the constant pool, a jump distance, a call's argument count, an array
 *   literal's size, a function's parameter count or local slots (docs/bytecode.md Q7: the reference wraps);
 * - a non-empty standalone `{ … }` (docs/bytecode.md Q5: the reference silently drops its statements);
 * - assignment through a nested index or a call result, `a[i][j] = v`, and compound
 *   assignment or `++`/`--` on an element: the reference stores the modified copy of
 *   the array nowhere, or has no defined layout for them.
 * `continue` in a C-style `for` jumps to the condition and skips the step, exactly as the
 * reference bytecode does (docs/bytecode.md Q6).
 *
 * Locals inside blocks (docs/bytecode.md Q4): a function whose locals the reference lays out
 * correctly gets the reference's layout and bytes; any other gets block-scoped slots, with
 * Pops where a block's locals go out of scope (`local-slots.ts`, `reference-layout.ts`).
 */
import type { Bytecode, Span } from '../bytecode/bytecode.js';
import { type FunctionInProgress, type Label, BytecodeBuilder } from '../bytecode/builder.js';
import type { OpcodeName } from '../bytecode/opcode.js';
import {
  type ArithmeticOp, type AssignTarget, type Block, type ComparisonOp, type Expr, type FnDecl, type Identifier,
  type MemberExpr, type Program, type Stmt, DUMMY_SPAN,
} from './ast.js';
import { compileErrorAt } from './compile-error.js';
import { type LocalSlots, ReferenceSlots, ScopedSlots, fallsThrough } from './local-slots.js';
import { type WriteBack, callWriteBack, methodWriteBack } from './methods.js';
import { referenceLayoutIsSound } from './reference-layout.js';
import type { SourceText } from './source-text.js';

const BINARY_OPCODES: Readonly<Record<ArithmeticOp | ComparisonOp, OpcodeName>> = {
  '+': 'Add', '-': 'Sub', '*': 'Mul', '/': 'Div', '%': 'Mod',
  '==': 'Equal', '!=': 'NotEqual', '<': 'Less', '<=': 'LessEqual', '>': 'Greater', '>=': 'GreaterEqual',
};

const MAX_CALL_ARGS = 0xff;
const MAX_ARRAY_LITERAL = 0xffff;
const MAX_LOCAL_SLOTS = 0x10000;

/** Which slot layout a function's locals get. */
export type LayoutPolicy = (fn: FnDecl) => 'reference' | 'scoped';

/** The reference's layout wherever it is right, so its bytes are kept there. */
export const chooseLayout: LayoutPolicy = (fn) => (referenceLayoutIsSound(fn) ? 'reference' : 'scoped');

/** Which builtin each method call resolves to (the type checker's finding). */
export type MethodTargets = ReadonlyMap<MemberExpr, string>;

/** Compiles a checked program to bytecode (`layout` is replaced only by tests). */
export function generate(
  program: Program, source: SourceText, layout: LayoutPolicy = chooseLayout, methods: MethodTargets = new Map(),
): Bytecode {
  return new CodeGenerator(source, layout, methods).program(program);
}

interface LoopLabels {
  /** Where `continue` and the back edge go: the condition. */
  readonly start: Label;
  /** Where the exit test and `break` go. */
  readonly exit: Label;
  /** Locals live at the condition: a `break` or `continue` pops down to it. */
  readonly depth: number;
}

class CodeGenerator {
  private readonly b = new BytecodeBuilder();
  /** The current function's locals; undefined at top level, where declarations are globals. */
  private slots: LocalSlots | undefined;
  /**
   * Locals of top-level code: only for-in loops have them (their hidden slots and loop
   * variable, from slot 0 of the main frame); other top-level declarations are globals.
   */
  private readonly topLevel = new ScopedSlots([]);
  private readonly loops: LoopLabels[] = [];

  constructor(
    private readonly source: SourceText,
    private readonly layout: LayoutPolicy,
    private readonly methods: MethodTargets,
  ) {}

  program(program: Program): Bytecode {
    for (const item of program.items) {
      if (item.kind === 'fn') this.fn(item);
      else this.stmt(item);
    }
    this.emit('Halt', DUMMY_SPAN);
    this.b.topLevelLocalCount = this.topLevel.localCount;
    return this.b.build();
  }

  /** The locals in scope: the current function's, or top-level code's. */
  private get locals(): LocalSlots {
    return this.slots ?? this.topLevel;
  }

  // ---- functions (docs/bytecode.md §3.2) -------------------------------------------------------

  private fn(fn: FnDecl): void {
    const names = fn.params.map((p) => p.name.name);
    if (names.length > MAX_CALL_ARGS) {
      throw this.error(fn.name.span, `Function '${fn.name.name}' has ${names.length} parameters; at most ${MAX_CALL_ARGS} are allowed`, LIMIT_CODE);
    }
    const started: FunctionInProgress = this.guard(fn.span, 'constants', () =>
      this.b.beginFunction(fn.name.name, names.length, fn.span, names));
    this.slots = this.layout(fn) === 'reference' ? new ReferenceSlots(names) : new ScopedSlots(names);
    for (const s of fn.body.statements) this.stmt(s);
    const localCount = this.slots.localCount;
    this.slots = undefined;
    this.guard(fn.span, 'function', () => this.b.endFunction(started, localCount));
  }

  // ---- statements (docs/bytecode.md §6.5) ------------------------------------------------------

  private stmt(s: Stmt): void {
    switch (s.kind) {
      case 'var': return this.varDecl(s.name, s.init, s.span);
      case 'expr':
        this.expr(s.expr);
        this.emit('Pop', s.span);
        return;
      case 'assign': return this.assign(s.target, s.value, s.span);
      case 'compound': return this.update(s.target, s.span, s.op, () => this.expr(s.value));
      case 'increment':
        return this.update(s.target, s.span, s.op === '++' ? '+' : '-', () => this.literalConstant(1, s.span));
      case 'return':
        if (s.value === undefined) this.emit('Null', s.span);
        else this.expr(s.value);
        this.emit('Return', s.span);
        return;
      case 'if': return this.ifStmt(s.cond, s.then, s.otherwise, s.span);
      case 'while': return this.loop(undefined, s.cond, s.body, undefined, s.span);
      case 'for': return this.loop(s.init, s.cond, s.body, s.step, s.span);
      case 'forIn': return this.forIn(s.variable, s.iterable, s.body, s.span);
      case 'break': return this.loopJump('Jump', s.span);
      case 'continue': return this.loopJump('Loop', s.span);
      case 'block': return this.standaloneBlock(s.block);
    }
  }

  /** Depth 0: `e; SetGlobal x; Pop`. In a function: `e`, whose value becomes the next slot. */
  private varDecl(name: Identifier, init: Expr, span: Span): void {
    const slots = this.slots;
    this.expr(init);
    if (slots === undefined) {
      this.emit('SetGlobal', span, this.nameConstant(name.name, span));
      this.emit('Pop', span);
      return;
    }
    if (slots.live >= MAX_LOCAL_SLOTS) {
      throw this.error(name.span, `Too many local variables in one function (at most ${MAX_LOCAL_SLOTS})`, LIMIT_CODE);
    }
    slots.declare(name.name);
  }

  private assign(target: AssignTarget, value: Expr, span: Span): void {
    if (target.kind === 'identifier') {
      this.expr(value);
      this.store(target.name, span);
      this.emit('Pop', span);
      return;
    }
    const base = this.indexBase(target.target, 'Assignment');
    this.expr(target.target);
    this.expr(target.index);
    this.expr(value);
    this.emit('SetIndex', span);
    // SetIndex pushes the modified copy of the array (value semantics); store it back.
    this.store(base.name, span);
    this.emit('Pop', span);
  }

  /** `x op= e`, `x++`, `x--`: load x; operand; op; store x; Pop, all with the statement's span. */
  private update(target: AssignTarget, span: Span, op: ArithmeticOp, operand: () => void): void {
    if (target.kind !== 'identifier') {
      throw this.error(target.span, 'Compound assignment and ++/-- on an array element are not supported; write a[i] = a[i] + v');
    }
    this.load(target.name, span);
    operand();
    this.emit(BINARY_OPCODES[op], span);
    this.store(target.name, span);
    this.emit('Pop', span);
  }

  /** `c; JumpIfFalse E; B1; (Jump L; E: B2;) L:` — the Jump is emitted even after a return. */
  private ifStmt(cond: Expr, then: Block, otherwise: Block | undefined, span: Span): void {
    const elseLabel = this.b.label();
    this.expr(cond);
    this.jump('JumpIfFalse', elseLabel, span);
    this.nested(then);
    if (otherwise === undefined) {
      this.mark(elseLabel, span);
      return;
    }
    const end = this.b.label();
    this.jump('Jump', end, span);
    this.mark(elseLabel, span);
    this.nested(otherwise);
    this.mark(end, span);
  }

  /**
   * while: `T: c; JumpIfFalse L; B; Loop T; L:`. for: init first, step after the body; the
   * header is a scope of its own, whose locals (scoped layout) are popped after `L:`.
   */
  private loop(init: Stmt | undefined, cond: Expr, body: Block, step: Stmt | undefined, span: Span): void {
    this.slots?.enterBlock();
    if (init !== undefined) this.stmt(init);
    const labels: LoopLabels = { start: this.b.label(), exit: this.b.label(), depth: this.locals.live };
    this.mark(labels.start, span);
    this.expr(cond);
    this.jump('JumpIfFalse', labels.exit, span);
    this.loops.push(labels);
    this.nested(body);
    this.loops.pop();
    if (step !== undefined) this.stmt(step);
    this.jump('Loop', labels.start, span);
    this.mark(labels.exit, span);
    this.pops(this.slots?.exitBlock() ?? 0, span);
  }

  /**
   * `break` → Jump to the exit; `continue` → Loop to the condition (for a `for`, skipping the
   * step: docs/bytecode.md Q6). Either first pops the locals the loop body declared so far.
   */
  private loopJump(op: 'Jump' | 'Loop', span: Span): void {
    const loop = this.loops[this.loops.length - 1];
    if (loop === undefined) {
      throw this.error(span, `${op === 'Jump' ? 'Break' : 'Continue'} statement outside loop`, 'AT3010');
    }
    this.pops(this.locals.popsTo(loop.depth), span);
    this.jump(op, op === 'Jump' ? loop.exit : loop.start, span);
  }

  /**
   * `for x in a { B }`, as the reference compiles it, every instruction with the loop's
   * span: four hidden locals (the array, its length, the index, x), then
   *   Jump C; I: idx = idx + 1; C: idx < len; JumpIfFalse E; x = arr[idx]; B; Loop I; E: Pop ×4
   * `continue` goes to I (the increment), `break` to E.
   */
  private forIn(variable: Identifier, iterable: Expr, body: Block, span: Span): void {
    const locals = this.locals;
    locals.beginForIn();
    this.expr(iterable);
    const arr = this.declareLocal('\0for-array', span);
    this.emit('GetLocal', span, arr);
    this.emit('GetArrayLen', span);
    const len = this.declareLocal('\0for-length', span);
    this.literalConstant(0, span);
    const idx = this.declareLocal('\0for-index', span);
    this.emit('Null', span);
    const item = this.declareLocal(variable.name, span);
    const labels: LoopLabels = { start: this.b.label(), exit: this.b.label(), depth: locals.live };
    const check = this.b.label();
    this.jump('Jump', check, span);
    this.mark(labels.start, span);
    this.emit('GetLocal', span, idx);
    this.literalConstant(1, span);
    this.emit('Add', span);
    this.emit('SetLocal', span, idx);
    this.emit('Pop', span);
    this.mark(check, span);
    this.emit('GetLocal', span, idx);
    this.emit('GetLocal', span, len);
    this.emit('Less', span);
    this.jump('JumpIfFalse', labels.exit, span);
    this.emit('GetLocal', span, arr);
    this.emit('GetLocal', span, idx);
    this.emit('GetIndex', span);
    this.emit('SetLocal', span, item);
    this.emit('Pop', span);
    this.loops.push(labels);
    this.nested(body);
    this.loops.pop();
    this.jump('Loop', labels.start, span);
    this.mark(labels.exit, span);
    this.pops(4, span);
    locals.endForIn();
  }

  /** The value just pushed becomes local `name` of the current locals; its slot. */
  private declareLocal(name: string, span: Span): number {
    const locals = this.locals;
    if (locals.live >= MAX_LOCAL_SLOTS) throw this.error(span, `Too many local variables in one function (at most ${MAX_LOCAL_SLOTS})`, LIMIT_CODE);
    const slot = locals.live;
    locals.declare(name);
    return slot;
  }

  /** The reference parses `{ … }` as a statement and compiles it as `null;` (docs/bytecode.md Q5). */
  private standaloneBlock(block: Block): void {
    if (block.statements.length > 0) {
      throw this.error(block.span, 'A standalone block is discarded by the reference compiler, so its statements would never run; remove the braces');
    }
    this.emit('Null', block.span);
    this.emit('Pop', block.span);
  }

  /** A block of an if/else or loop: its locals go out of scope (and off the stack) at its end. */
  private nested(block: Block): void {
    const slots = this.slots;
    if (slots === undefined) {
      for (const s of block.statements) this.stmt(s);
      return;
    }
    slots.enterBlock();
    for (const s of block.statements) this.stmt(s);
    const dropped = slots.exitBlock();
    if (fallsThrough(block)) this.pops(dropped, block.span);
  }

  private pops(count: number, span: Span): void {
    for (let i = 0; i < count; i++) this.emit('Pop', span);
  }

  // ---- expressions (docs/bytecode.md §6.5) -----------------------------------------------------

  private expr(e: Expr): void {
    switch (e.kind) {
      case 'number': case 'string': return this.literalConstant(e.value, e.span);
      case 'bool': return this.emit(e.value ? 'True' : 'False', e.span);
      case 'null': return this.emit('Null', e.span);
      case 'identifier': return this.load(e.name, e.span);
      case 'group': return this.expr(e.inner);
      case 'unary':
        this.expr(e.operand);
        return this.emit(e.op === '-' ? 'Negate' : 'Not', e.span);
      case 'binary':
        if (e.op === '&&' || e.op === '||') return this.logical(e.op, e.left, e.right, e.span);
        this.expr(e.left);
        this.expr(e.right);
        return this.emit(BINARY_OPCODES[e.op], e.span);
      case 'call': return this.call(e.callee, e.args, e.span);
      case 'array':
        if (e.elements.length > MAX_ARRAY_LITERAL) {
          throw this.error(e.span, `Array literal has ${e.elements.length} elements; at most ${MAX_ARRAY_LITERAL} are allowed`, LIMIT_CODE);
        }
        for (const element of e.elements) this.expr(element);
        return this.emit('Array', e.span, e.elements.length);
      case 'index':
        this.expr(e.target);
        this.expr(e.index);
        return this.emit('GetIndex', e.span);
      case 'member': return this.member(e);
    }
  }

  /**
   * `t.m(a…)` → Constant builtin; t; a…; Call 1+n, all with the member's span, then the
   * write-back to `t` when it is a plain variable and the method updates its receiver.
   */
  private member(e: MemberExpr): void {
    const builtin = this.methods.get(e);
    if (builtin === undefined) throw this.error(e.name.span, `No method '${e.name.name}' here`);
    const args = e.args ?? [];
    if (args.length + 1 > MAX_CALL_ARGS) throw this.error(e.span, `Call has ${args.length + 1} arguments; at most ${MAX_CALL_ARGS} are allowed`, LIMIT_CODE);
    this.guard(e.span, 'constants', () => this.emit('Constant', e.span, this.b.addConstant({ kind: 'builtin', name: builtin })));
    this.expr(e.target);
    for (const arg of args) this.expr(arg);
    this.emit('Call', e.span, args.length + 1);
    const writeBack = methodWriteBack(builtin);
    if (writeBack !== undefined && e.target.kind === 'identifier') this.writeBack(writeBack, e.target.name, e.span);
  }

  /**
   * The compiler's write-back of a "mutating" builtin's result (the builtins themselves
   * never mutate): `collection` stores the result into `name` and keeps it as the value;
   * `pair` stores element 1 of the `[value, rest]` result and keeps element 0. The store
   * ignores `let`, as the reference's does.
   */
  private writeBack(kind: WriteBack, name: string, span: Span): void {
    if (kind === 'collection') {
      this.store(name, span);
      return;
    }
    this.emit('Dup', span);
    this.literalConstant(1, span);
    this.emit('GetIndex', span);
    this.store(name, span);
    this.emit('Pop', span);
    this.literalConstant(0, span);
    this.emit('GetIndex', span);
  }

  /** `a && b` → a; Dup; JumpIfFalse L; Pop; b; L:   `a || b` adds a Not after the Dup. */
  private logical(op: '&&' | '||', left: Expr, right: Expr, span: Span): void {
    const end = this.b.label();
    this.expr(left);
    this.emit('Dup', span);
    if (op === '||') this.emit('Not', span);
    this.jump('JumpIfFalse', end, span);
    this.emit('Pop', span);
    this.expr(right);
    this.mark(end, span);
  }

  /** `f(a…)` → load f; a…; Call n, the load and the Call both carrying the call's span. */
  private call(callee: Expr, args: readonly Expr[], span: Span): void {
    if (callee.kind !== 'identifier') {
      throw this.error(callee.span, 'Only a function name can be called; the reference compiler emits no code for any other callee');
    }
    if (args.length > MAX_CALL_ARGS) {
      throw this.error(span, `Call has ${args.length} arguments; at most ${MAX_CALL_ARGS} are allowed`, LIMIT_CODE);
    }
    this.load(callee.name, span);
    for (const arg of args) this.expr(arg);
    this.emit('Call', span, args.length);
    const writeBack = callWriteBack(callee.name);
    const first = args[0];
    if (writeBack !== undefined && first?.kind === 'identifier') this.writeBack(writeBack, first.name, span);
  }

  // ---- names -----------------------------------------------------------------------

  private load(name: string, span: Span): void {
    const slot = this.locals.slotOf(name);
    if (slot !== undefined) this.emit('GetLocal', span, slot);
    else this.emit('GetGlobal', span, this.nameConstant(name, span));
  }

  /** SetLocal with the slot (the function base is always 0 here, so Q15's absolute index is the same). */
  private store(name: string, span: Span): void {
    const slot = this.locals.slotOf(name);
    if (slot !== undefined) this.emit('SetLocal', span, slot);
    else this.emit('SetGlobal', span, this.nameConstant(name, span));
  }

  private indexBase(target: Expr, what: string): Identifier {
    if (target.kind === 'identifier') return target;
    throw this.error(target.span, `${what} to an element of ${target.kind === 'index' ? 'a nested array' : 'a temporary value'} has no effect (arrays are values); assign the inner array to a variable, update it, and store it back`);
  }

  // ---- emission with the reference's limits (docs/bytecode.md Q7) -----------------------------------

  private emit(op: OpcodeName, span: Span, ...operands: number[]): void {
    this.b.emit(op, operands, span);
  }

  private literalConstant(value: number | string, span: Span): void {
    this.guard(span, 'constants', () => this.b.emitConstant(value, span));
  }

  /** A fresh String constant holding a global's name (never shared, docs/bytecode.md §3.5). */
  private nameConstant(name: string, span: Span): number {
    return this.guard(span, 'constants', () => this.b.string(name));
  }

  private jump(op: 'Jump' | 'JumpIfFalse' | 'Loop', label: Label, span: Span): void {
    this.guard(span, 'jump', () => this.b.jump(op, label, span));
  }

  private mark(label: Label, span: Span): void {
    this.guard(span, 'jump', () => this.b.mark(label));
  }

  /** Runs a builder step, turning its RangeError (an operand that does not fit) into a CompileError. */
  private guard<R>(span: Span, limit: 'constants' | 'jump' | 'function', step: () => R): R {
    try {
      return step();
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      throw this.error(span, LIMIT_MESSAGES[limit], LIMIT_CODE);
    }
  }

  /** A construct the reference compiles to no well-defined bytecode (AT9002), unless `code` says otherwise. */
  private error(span: Span, reason: string, code = 'AT9002') {
    return compileErrorAt(this.source, span, reason, code);
  }
}

/** A limit of the bytecode format was exceeded (the reference would silently wrap). */
const LIMIT_CODE = 'AT9001';

const LIMIT_MESSAGES = {
  constants: 'Program too large: more than 65536 constants (constant indices are 16-bit)',
  jump: 'Code too large: a jump here spans more than 32767 bytes (jump offsets are 16-bit)',
  function: 'Function too large: its body spans more than 32767 bytes, the reach of the jump over it',
} as const;
