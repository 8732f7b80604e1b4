/**
 * The bytecode validator. It rejects everything the reference validator rejects (docs/bytecode.md §5:
 * decode errors, jump targets, constant indices, missing terminator) and, being what makes code
 * safe to interpret and to JIT, much more: stack depth along every control-flow path of every
 * frame, merges with different depths, local and upvalue indices, constant kinds, malformed
 * function constants, statically wrong call arities and Return in the main frame (docs/bytecode.md Q2, Q14).
 *
 * Frames: top-level code is analysed from offset 0 with an empty stack and `topLevelLocalCount`
 * local slots; each function body offset once, with the smallest arity of the constants entering
 * there as the entry depth, as its own frame: reading below the frame base is a StackUnderflow.
 * The cost stays linear in the code: frames share one count of frames per instruction and more
 * than MAX_FRAMES_PER_INSTRUCTION reaching one is a SharedCodeLimit (docs/bytecode.md §5).
 *
 * The reference's stack pass is a linear walk that stops at the first Return (docs/bytecode.md §5 pass 4). Ours
 * replaces it with the flow analysis of `flow-analysis.ts`: it sees every reachable
 * instruction with its exact depth, and ignores unreachable code (such as the compiler's dead
 * `Null; Return` after a body's own `return`). Decoding, jump-target and constant-index checks
 * stay linear over the whole code, exactly like the reference.
 *
 * Everything it learns on the way (the linear scan, the function globals, each body's summary)
 * is asked of, and kept in, the program's `bytecode.analysis`, where the JIT finds it later.
 */
import type { Bytecode, FunctionRef } from './bytecode.js';
import type { Instruction } from './decoder.js';
import type { FunctionAnalysis } from './flow-analysis.js';
import type { ScannedInstruction } from './linear-scan.js';
import type { ProgramAnalysis } from './program-analysis.js';
import { Opcode, isJump } from './opcode.js';

export type ValidationRule =
  // Rules of the reference validator (docs/bytecode.md §5).
  /** A byte that is no opcode (linear decode; decoding resumes at the next byte). */
  | 'UnknownOpcode'
  /** Operand bytes missing at the end of the code (linear decode stops there). */
  | 'TruncatedInstruction'
  /** A jump target < 0 or ≥ the code length (the VM would quietly stop; docs/bytecode.md Q13). */
  | 'JumpOutOfBounds'
  /** A jump target that is not the start of a decoded instruction (an unknown byte is not one). */
  | 'JumpMisaligned'
  /** Constant/GetGlobal/SetGlobal/MakeClosure index ≥ the pool size (MakeClosure is ours). */
  | 'ConstantIndexOutOfBounds'
  /**
   * On some path an instruction needs more values than its frame holds: pops (Call n takes
   * n+1, Array n and MakeClosure k n take n), peeks (SetLocal/SetGlobal/SetUpvalue/Dup),
   * Return with an empty frame stack, Halt with an empty stack in a function frame.
   */
  | 'StackUnderflow'
  /** No instruction at all, or the last decoded one is neither Halt nor Return. */
  | 'MissingTerminator'
  // Our own, stricter rules.
  /** Two paths reach one instruction with different stack depths (e.g. Q4's `let` in a branch). */
  | 'StackMismatch'
  /**
   * GetLocal/SetLocal index ≥ the frame's local count, or a slot the frame's stack does not
   * hold at that point (which also rules out SetLocal's padding, docs/bytecode.md Q11).
   */
  | 'LocalOutOfRange'
  /** GetUpvalue/SetUpvalue in top-level code, or beyond every MakeClosure's capture count. */
  | 'UpvalueOutOfRange'
  /** A GetGlobal/SetGlobal name that is not a string, a MakeClosure constant that is no function. */
  | 'ConstantKind'
  /** A function constant with a bad arity, local count or body offset. */
  | 'BadFunction'
  /**
   * `Call n` whose callee is statically known (see `FunctionAnalysis.callees`: a function
   * constant, or a global bound exactly once, by a docs/bytecode.md §3.2 prologue) and whose arity is not n.
   */
  | 'BadCallArity'
  /** Return reachable from top-level code (docs/bytecode.md Q2). */
  | 'ReturnInMainFrame'
  /**
   * An instruction reachable from more than `MAX_FRAMES_PER_INSTRUCTION` frame entries (the
   * top-level code and the distinct function body offsets): analysing every frame of such
   * code would cost frames × code length (compilers share no code between frames at all).
   */
  | 'SharedCodeLimit';

export interface ValidationIssue {
  readonly rule: ValidationRule;
  /** The code offset of the offending instruction (see BadFunction for function constants). */
  readonly offset: number;
  /** `<rule> at offset <n>: <what is wrong>`. */
  readonly message: string;
}

export class BytecodeValidationError extends Error {
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(summarize(issues));
    this.name = 'BytecodeValidationError';
  }
}

const MAX_LISTED = 10;

function summarize(issues: readonly ValidationIssue[]): string {
  const listed = issues.slice(0, MAX_LISTED).map((i) => `  ${i.message}`);
  if (issues.length > MAX_LISTED) listed.push(`  ... and ${issues.length - MAX_LISTED} more`);
  return `invalid bytecode (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n${listed.join('\n')}`;
}

/** Throws BytecodeValidationError (with every issue) unless `bytecode` is valid. */
export function assertValid(bytecode: Bytecode): void {
  const issues = validate(bytecode);
  if (issues.length > 0) throw new BytecodeValidationError(issues);
}

/** Every issue of `bytecode`, in pass order; [] when it is valid. */
export function validate(bytecode: Bytecode): ValidationIssue[] {
  const issues = new IssueList();
  const analysis = bytecode.analysis;
  const scan = analysis.scan;
  const starts = instructionStarts(scan);
  checkDecoding(scan, issues);
  checkJumpTargets(bytecode, scan, starts, issues);
  checkConstantRefs(bytecode, scan, issues);
  const functions = checkFunctions(bytecode, scan, starts, issues);
  checkFrames(analysis, functions, issues);
  checkTerminator(scan, issues);
  return issues.list;
}

/** Collects issues, keeping one per (rule, offset): frames sharing code report a defect once. */
class IssueList {
  readonly list: ValidationIssue[] = [];
  private readonly seen = new Set<string>();

  add(rule: ValidationRule, offset: number, detail: string): void {
    const key = `${rule}@${offset}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ rule, offset, message: `${rule} at offset ${offset}: ${detail}` });
  }
}

// ---------------------------------------------------------------------------------------------
// Linear passes (the reference's passes 1, 2, 3 and 5)
// ---------------------------------------------------------------------------------------------

function checkDecoding(scan: readonly ScannedInstruction[], issues: IssueList): void {
  for (const entry of scan) {
    if (entry.error !== undefined) issues.add(entry.error.rule, entry.offset, detailOf(entry.error.message));
  }
}

/** The part of a `<rule> at offset <n>: <detail>` message after the prefix. */
function detailOf(message: string): string {
  return message.slice(message.indexOf(': ') + 2);
}

/**
 * Jump targets must be the start of a decoded instruction inside the code. A target equal to
 * the code length is rejected like the reference does (docs/bytecode.md Q13), although the VM would just stop;
 * unlike the reference, a target on an unknown byte is misaligned (docs/bytecode.md Q14).
 */
function checkJumpTargets(
  bytecode: Bytecode,
  scan: readonly ScannedInstruction[],
  starts: ReadonlySet<number>,
  issues: IssueList,
): void {
  const length = bytecode.code.length;
  for (const { instruction: ins } of scan) {
    if (ins === undefined || !isJump(ins.info.byte)) continue;
    const target = ins.next + ins.operands[0]!;
    if (target < 0 || target >= length) {
      issues.add('JumpOutOfBounds', ins.offset, `${ins.info.name} target ${target} is outside the code [0, ${length})`);
    } else if (!starts.has(target)) {
      issues.add('JumpMisaligned', ins.offset, `${ins.info.name} target ${target} is not the start of an instruction`);
    }
  }
}

function instructionStarts(scan: readonly ScannedInstruction[]): Set<number> {
  const starts = new Set<number>();
  for (const entry of scan) if (entry.instruction !== undefined) starts.add(entry.offset);
  return starts;
}

/**
 * Constant operands must index the pool (reference: Constant, GetGlobal, SetGlobal; we add
 * MakeClosure), global names must be strings and MakeClosure must name a function constant:
 * the reference VM would raise TypeError at run time for either (docs/bytecode.md §2.4).
 */
function checkConstantRefs(bytecode: Bytecode, scan: readonly ScannedInstruction[], issues: IssueList): void {
  const size = bytecode.constants.length;
  for (const { instruction: ins } of scan) {
    if (ins === undefined || !usesConstant(ins)) continue;
    const k = ins.operands[0]!;
    const constant = bytecode.constants[k];
    if (constant === undefined) {
      issues.add('ConstantIndexOutOfBounds', ins.offset, `${ins.info.name} ${k}: the constant pool has ${size} constant(s)`);
    } else if ((ins.info.byte === Opcode.GetGlobal || ins.info.byte === Opcode.SetGlobal) && constant.kind !== 'string') {
      issues.add('ConstantKind', ins.offset, `${ins.info.name} ${k}: the global name must be a string constant, found ${constant.kind}`);
    } else if (ins.info.byte === Opcode.MakeClosure && constant.kind !== 'function') {
      issues.add('ConstantKind', ins.offset, `MakeClosure ${k}: the constant must be a function, found ${constant.kind}`);
    }
  }
}

function usesConstant(ins: Instruction): boolean {
  const byte = ins.info.byte;
  return byte === Opcode.Constant || byte === Opcode.GetGlobal || byte === Opcode.SetGlobal || byte === Opcode.MakeClosure;
}

/** Reference pass 5: the last decoded opcode (truncated ones count) must be Halt or Return. */
function checkTerminator(scan: readonly ScannedInstruction[], issues: IssueList): void {
  let last: ScannedInstruction | undefined;
  for (let i = scan.length - 1; i >= 0 && last === undefined; i--) if (scan[i]!.info !== undefined) last = scan[i];
  if (last === undefined) {
    issues.add('MissingTerminator', 0, 'the code holds no instruction; it must end with Halt or Return');
    return;
  }
  const byte = last.info!.byte;
  if (byte !== Opcode.Halt && byte !== Opcode.Return) {
    issues.add('MissingTerminator', last.offset, `the last instruction is ${last.info!.name}, not Halt or Return`);
  }
}

// ---------------------------------------------------------------------------------------------
// Function constants
// ---------------------------------------------------------------------------------------------

interface CheckedFunction {
  readonly index: number;
  readonly fn: FunctionRef;
}

/**
 * BadFunction: a function constant whose arity is not 0..255, whose localCount is not an
 * integer ≥ arity (and ≤ 65536, the u16 slot space), or whose offset is outside the code or not
 * an instruction boundary. Offset 0 is the reference's "not compiled" marker (docs/bytecode.md §3.1): the VM
 * refuses to call such a function, so its "body" is never run and is not analysed.
 * The issue points at the first instruction that loads the constant (Constant/MakeClosure), or
 * at offset 0 when no instruction does. Returns the functions whose bodies can be analysed.
 */
function checkFunctions(
  bytecode: Bytecode,
  scan: readonly ScannedInstruction[],
  starts: ReadonlySet<number>,
  issues: IssueList,
): CheckedFunction[] {
  const loads = firstLoads(scan);
  const good: CheckedFunction[] = [];
  bytecode.constants.forEach((constant, index) => {
    if (constant.kind !== 'function') return;
    const fn = constant.value;
    const problem = functionProblem(fn, bytecode.code.length, starts);
    if (problem !== undefined) issues.add('BadFunction', loads.get(index) ?? 0, `constant #${index} fn ${fn.name}: ${problem}`);
    else if (fn.offset !== 0) good.push({ index, fn });
  });
  return good;
}

function functionProblem(fn: FunctionRef, length: number, starts: ReadonlySet<number>): string | undefined {
  if (!Number.isInteger(fn.arity) || fn.arity < 0 || fn.arity > 0xff) return `arity ${fn.arity} is not in 0..255`;
  if (!Number.isInteger(fn.localCount) || fn.localCount < fn.arity || fn.localCount > 0x10000) {
    return `localCount ${fn.localCount} must be an integer from the arity (${fn.arity}) to 65536`;
  }
  if (fn.offset === 0) return undefined; // "not compiled": never entered
  if (!Number.isInteger(fn.offset) || fn.offset < 0 || fn.offset >= length) {
    return `body offset ${fn.offset} is outside the code [0, ${length})`;
  }
  if (!starts.has(fn.offset)) return `body offset ${fn.offset} is not the start of an instruction`;
  return undefined;
}

/** Constant index → offset of the first Constant/MakeClosure loading it. */
function firstLoads(scan: readonly ScannedInstruction[]): Map<number, number> {
  const loads = new Map<number, number>();
  for (const { instruction: ins } of scan) {
    if (ins === undefined || (ins.info.byte !== Opcode.Constant && ins.info.byte !== Opcode.MakeClosure)) continue;
    if (!loads.has(ins.operands[0]!)) loads.set(ins.operands[0]!, ins.offset);
  }
  return loads;
}

// ---------------------------------------------------------------------------------------------
// Frames (control-flow-aware rules)
// ---------------------------------------------------------------------------------------------

interface Frame {
  /** `<main>` or `fn <name>`, for messages. */
  readonly label: string;
  readonly entry: number;
  readonly entryDepth: number;
  readonly localCount: number;
  /** Upvalues a frame of this code can have: the largest capture count of a MakeClosure of it. */
  readonly upvalueCount: number;
  readonly isMain: boolean;
}

function checkFrames(program: ProgramAnalysis, functions: readonly CheckedFunction[], issues: IssueList): void {
  const bytecode = program.bytecode;
  const captures = captureCounts(bytecode, program.scan);
  // A malformed topLevelLocalCount (negative, fractional) grants no slots: every local use is then flagged.
  const mainLocals = Number.isInteger(bytecode.topLevelLocalCount) ? Math.max(0, bytecode.topLevelLocalCount) : 0;
  const frames: Frame[] = [{
    label: '<main>', entry: 0, entryDepth: 0, localCount: mainLocals, upvalueCount: 0, isMain: true,
  }];
  for (const [entry, sharers] of byBody(functions)) {
    // One analysis per body, at its smallest arity and local count: the depth rules only get
    // easier with more arguments (the same paths, every depth higher by the difference), and a
    // local index is out of range for the smallest count first. So the strictest frame decides
    // for all the constants entering there (only its statically known callees are checked).
    const arity = sharers.reduce((least, fn) => Math.min(least, fn.arity), 0xff);
    const narrowest = sharers.reduce((a, b) => (b.localCount < a.localCount ? b : a));
    const others = sharers.length > 1 ? ` and ${sharers.length - 1} more function constant(s) entering at ${entry}` : '';
    frames.push({
      label: `fn ${narrowest.name}${others}`, entry, entryDepth: arity, localCount: narrowest.localCount,
      upvalueCount: captures.get(entry) ?? 0, isMain: false,
    });
  }
  const sharing = new Uint8Array(bytecode.code.length);
  for (const frame of frames) {
    checkFrame(frame, program.analyzeFrame(frame.entry, frame.entryDepth, sharing), issues);
  }
}

/** The checked functions grouped by body offset, in pool order of each body's first constant. */
function byBody(functions: readonly CheckedFunction[]): Map<number, FunctionRef[]> {
  const bodies = new Map<number, FunctionRef[]>();
  for (const { fn } of functions) {
    const sharers = bodies.get(fn.offset);
    if (sharers === undefined) bodies.set(fn.offset, [fn]);
    else sharers.push(fn);
  }
  return bodies;
}

function checkFrame(frame: Frame, analysis: FunctionAnalysis, issues: IssueList): void {
  for (const p of analysis.problems) issues.add(p.rule, p.offset, `${p.detail} (in ${frame.label})`);
  for (const { instruction: ins, depth } of analysis.instructions) {
    const byte = ins.info.byte;
    if ((byte === Opcode.GetLocal || byte === Opcode.SetLocal) && ins.operands[0]! >= frame.localCount) {
      issues.add('LocalOutOfRange', ins.offset,
        `${ins.info.name} ${ins.operands[0]}: ${frame.label} has ${frame.localCount} local slot(s)`);
    } else if ((byte === Opcode.GetUpvalue || byte === Opcode.SetUpvalue) && ins.operands[0]! >= frame.upvalueCount) {
      issues.add('UpvalueOutOfRange', ins.offset,
        `${ins.info.name} ${ins.operands[0]}: ${frame.label} has at most ${frame.upvalueCount} upvalue(s)`);
    } else if (byte === Opcode.Return && frame.isMain) {
      issues.add('ReturnInMainFrame', ins.offset,
        'Return in top-level code (the reference VM would restart at offset 0 with no frame, Q2)');
    } else if (byte === Opcode.Halt && !frame.isMain && depth === 0) {
      // The run's result is the popped TOS: with an empty frame stack, a value of the caller's.
      issues.add('StackUnderflow', ins.offset, `Halt with an empty frame stack would return a value from outside ${frame.label}`);
    }
  }
  for (const [offset, callee] of analysis.callees) {
    if (callee.argc !== callee.fn.arity) {
      issues.add('BadCallArity', offset,
        `Call ${callee.argc} calls fn ${callee.fn.name} (constant #${callee.constant}), which takes ${callee.fn.arity} argument(s) (in ${frame.label})`);
    }
  }
}

/** Function body offset → the largest `n` of a `MakeClosure k n` whose constant k starts there. */
function captureCounts(bytecode: Bytecode, scan: readonly ScannedInstruction[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const { instruction: ins } of scan) {
    if (ins === undefined || ins.info.byte !== Opcode.MakeClosure) continue;
    const constant = bytecode.constants[ins.operands[0]!];
    if (constant?.kind !== 'function') continue;
    const offset = constant.value.offset;
    counts.set(offset, Math.max(counts.get(offset) ?? 0, ins.operands[1]!));
  }
  return counts;
}
