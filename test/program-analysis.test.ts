import test from 'ava';
import {
  Bytecode, BytecodeBuilder, Opcode, analyzeBody, analyzeFunction, functionEnd, functionGlobals, functionRef, linearScan,
  stackEffect, decodeAt, validate,
} from '../src/bytecode/index.js';
import { REFERENCE_PROGRAMS, factorial } from './helpers/reference-programs.js';

function fnNamed(bytecode: Bytecode, name: string) {
  const fn = bytecode.functions().find((f) => f.name === name);
  if (fn === undefined) throw new Error(`no fn ${name}`);
  return fn;
}

test('factorial body: reachable offsets, depths, end, locals, known self-call', (t) => {
  const bc = factorial();
  const a = analyzeBody(bc, fnNamed(bc, 'factorial'));
  // The dead `Null; Return` at 41..42 is not reachable.
  t.deepEqual(a.instructions.map((i) => [i.instruction.offset, i.depth]), [
    [10, 1], [13, 2], [16, 3], [17, 2], [20, 1], [23, 2], [24, 1], [27, 2], [30, 3], [33, 4], [36, 5], [37, 4], [39, 3], [40, 2],
  ]);
  t.is(a.end, 41);
  t.is(a.maxLocal, 0);
  t.is(a.maxDepth, 5);
  t.deepEqual([...a.callees.entries()].map(([off, c]) => [off, c.constant, c.argc, c.fn.name]), [[37, 0, 1, 'factorial']]);
  t.deepEqual(a.problems, []);
  t.is(functionEnd(bc, fnNamed(bc, 'factorial')), 41);
});

test('top-level analysis starts with an empty stack and jumps over function bodies', (t) => {
  const bc = factorial();
  const a = analyzeFunction(bc, 0, 0);
  t.deepEqual(a.instructions.slice(0, 5).map((i) => [i.instruction.offset, i.depth]), [[0, 0], [3, 1], [6, 1], [7, 0], [43, 0]]);
  t.false(a.depths.has(10));
  t.is(a.end, 86);
  t.is(a.maxLocal, -1);
  // print is a builtin (unknown statically); factorial is bound once by its prologue.
  t.deepEqual([...a.callees.keys()].sort((x, y) => x - y), [52, 66, 80]);
  t.deepEqual(a.problems, []);
});

test('functionGlobals: prologue-bound names only, and only if bound once', (t) => {
  t.deepEqual([...functionGlobals(REFERENCE_PROGRAMS['functions/recursion']!()).entries()], [['sum_to', 0], ['power', 6]]);
  const b = new BytecodeBuilder();
  b.declareFunction('f', 0, 0, () => undefined);
  b.declareFunction('g', 0, 0, () => undefined);
  b.emit(Opcode.Null);
  b.emit(Opcode.SetGlobal, [b.string('g')]); // g rebound: no longer known
  b.emit(Opcode.Halt);
  t.deepEqual([...functionGlobals(b.build()).entries()], [['f', 0]]);
});

test('a prologue SetGlobal that a jump can reach is not trusted', (t) => {
  const b = new BytecodeBuilder();
  const k = b.addConstant({ kind: 'function', value: functionRef({ name: 'f', arity: 0, offset: 11, localCount: 0 }) });
  const set = b.label();
  b.emit(Opcode.True);
  b.jump('JumpIfFalse', set); // 1: reaches the SetGlobal with whatever is on the stack
  b.emit(Opcode.Constant, [k]); // 4
  b.mark(set);
  b.emit(Opcode.SetGlobal, [b.string('f')]); // 7
  b.emit(Opcode.Halt); // 10
  t.deepEqual([...functionGlobals(b.build()).entries()], []);
});

test('merging paths with different known callees forgets the callee', (t) => {
  const b = new BytecodeBuilder();
  const f = b.declareFunction('f', 1, 1, (x) => { x.emit(Opcode.GetLocal, [0]); x.emit(Opcode.Return); });
  const g = b.declareFunction('g', 2, 2, (x) => { x.emit(Opcode.GetLocal, [0]); x.emit(Opcode.Return); });
  const other = b.label();
  const call = b.label();
  b.emit(Opcode.True);
  b.jump('JumpIfFalse', other);
  b.emit(Opcode.Constant, [0]);
  b.jump('Jump', call);
  b.mark(other);
  b.emit(Opcode.Constant, [2]);
  b.mark(call);
  b.emitConstant(1);
  const at = b.emit(Opcode.Call, [1]);
  b.emit(Opcode.Halt);
  const a = analyzeFunction(b.build(), 0, 0);
  t.is(f.arity, 1);
  t.is(g.arity, 2);
  t.false(a.callees.has(at));
  t.deepEqual(a.problems, []);
});

test('a callee copied through a local slot stays known', (t) => {
  const b = new BytecodeBuilder();
  b.declareFunction('f', 1, 1, (x) => { x.emit(Opcode.GetLocal, [0]); x.emit(Opcode.Return); });
  b.declareFunction('main', 0, 1, (x) => {
    x.emit(Opcode.Constant, [0]); // local 0 = f
    x.emit(Opcode.GetLocal, [0]);
    x.emitConstant(7);
    x.emit(Opcode.Call, [1]);
    x.emit(Opcode.Return);
  });
  b.emit(Opcode.Halt);
  const bc = b.build();
  const a = analyzeBody(bc, fnNamed(bc, 'main'));
  t.deepEqual([...a.callees.values()].map((c) => c.fn.name), ['f']);
  t.is(a.maxLocal, 0);
});

test('stack effects of operand-dependent opcodes', (t) => {
  const code = Uint8Array.of(Opcode.Call, 3, Opcode.Array, 0, 4, Opcode.MakeClosure, 0, 1, 0, 2, Opcode.SetLocal, 0, 0, Opcode.Return);
  const effects = [0, 2, 5, 10, 13].map((o) => stackEffect(decodeAt(code, o)));
  t.deepEqual(effects, [
    { needs: 4, pops: 4, pushes: 1 }, { needs: 4, pops: 4, pushes: 1 }, { needs: 2, pops: 2, pushes: 1 },
    { needs: 1, pops: 0, pushes: 0 }, { needs: 1, pops: 1, pushes: 0 },
  ]);
});

test('the analysis reports problems instead of throwing, and stops the path there', (t) => {
  const bc = new Bytecode(Uint8Array.of(Opcode.Pop, 0xee, Opcode.Constant), []);
  const a = analyzeFunction(bc, 0, 1);
  t.deepEqual(a.problems.map((p) => [p.rule, p.offset]), [['UnknownOpcode', 1]]);
  t.deepEqual(analyzeFunction(bc, 2, 0).problems.map((p) => p.rule), ['TruncatedInstruction']);
  t.deepEqual(analyzeFunction(bc, 0, 0).problems.map((p) => p.rule), ['StackUnderflow']);
  for (const entry of [-1, 3, 99, 1.5]) t.deepEqual(analyzeFunction(bc, entry, 0).instructions, []);
});

test('a loop that grows the stack is a StackMismatch at its head', (t) => {
  const b = new BytecodeBuilder();
  const top = b.label();
  b.mark(top);
  b.emit(Opcode.Null);
  b.jump('Loop', top);
  const a = analyzeFunction(b.build(), 0, 0);
  t.deepEqual(a.problems.map((p) => [p.rule, p.offset]), [['StackMismatch', 0]]);
});

test('linearScan keeps going after an unknown byte and stops at a truncated instruction', (t) => {
  const scan = linearScan(Uint8Array.of(Opcode.Null, 0xab, Opcode.Pop, Opcode.GetLocal, 0));
  t.deepEqual(scan.map((s) => [s.offset, s.info?.name, s.error?.rule]), [
    [0, 'Null', undefined], [1, undefined, 'UnknownOpcode'], [2, 'Pop', undefined], [3, 'GetLocal', 'TruncatedInstruction'],
  ]);
});

test('falling off the end of the code ends a path quietly (the VM stops there)', (t) => {
  const a = analyzeFunction(new Bytecode(Uint8Array.of(Opcode.True, Opcode.JumpIfFalse, 0, 0), []), 0, 0);
  t.deepEqual(a.problems, []);
  t.is(a.end, 4);
  // A jump past the end is a problem, even by one byte.
  const b = analyzeFunction(new Bytecode(Uint8Array.of(Opcode.Jump, 0, 1, Opcode.Halt), []), 0, 0);
  t.deepEqual(b.problems.map((p) => [p.rule, p.offset]), [['JumpOutOfBounds', 0]]);
});

test('a Pop right before Halt pops nothing (Q1), so Halt sees the value', (t) => {
  const a = analyzeFunction(new Bytecode(Uint8Array.of(Opcode.Null, Opcode.Pop, Opcode.Halt), []), 0, 0);
  t.deepEqual(a.instructions.map((i) => i.depth), [0, 1, 1]);
  // Pop as the very last byte does not pop either; elsewhere it does.
  const code = Uint8Array.of(Opcode.Null, Opcode.Null, Opcode.Pop, Opcode.Pop);
  t.deepEqual(stackEffect(decodeAt(code, 3), code), { needs: 1, pops: 0, pushes: 0 });
  t.deepEqual(stackEffect(decodeAt(code, 2), code), { needs: 1, pops: 1, pushes: 0 });
});

test('the program analysis lives on its Bytecode: validation fills it, later questions read it', (t) => {
  const bc = factorial();
  const analysis = bc.analysis;
  t.is(bc.analysis, analysis, 'built once');
  t.deepEqual(validate(bc), []);
  const fn = fnNamed(bc, 'factorial');
  const summary = analysis.bodySummary(fn);
  t.is(analysis.bodySummary(fn), summary, 'kept, not recomputed');
  t.is(summary.end, analyzeBody(bc, fn).end);
  t.deepEqual([...summary.callees.keys()], [37]);
  t.deepEqual(summary.globalReads.map((r) => bc.constants[r.nameIndex]), [{ kind: 'string', value: 'factorial' }]);
  t.is(analysis.functionGlobals, functionGlobals(bc));
  t.deepEqual(analysis.functions, bc.functions());
  // Another Bytecode with the same content has its own analysis, and the analysis is invisible to comparisons.
  const copy = new Bytecode(bc.code, bc.constants, bc.debug, bc.topLevelLocalCount);
  t.not(copy.analysis, analysis);
  t.deepEqual(copy, factorial());
});

