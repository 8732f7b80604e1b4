/**
 * Calling installed native code from the main thread. Arguments go through the invoker's
 * shared Float64Array (no per-call allocation or conversion), and the status it returns
 * says how to read the result: a number, a bool, null, a trap, a halt, an interrupt or a
 * bail-out (the last two are the caller's to handle: they carry no value). A trap becomes
 * the exact `AtlasRuntimeError` the interpreter would have raised at that bytecode offset.
 */
import type { Bytecode, FunctionRef } from '../bytecode/bytecode.js';
import type { CallTree } from './call-tree.js';
import { type AtlasRuntimeError, AtlasFunction, BUILTIN_VALUES, DEFAULT_MAX_CALL_DEPTH, DEFAULT_MAX_STACK_SIZE, type ExitFrame, type GlobalsView, HaltSignal, runtimeErrorAt, type Value } from '../vm/index.js';
import { EXIT_HEADER_KIND, EXIT_SLOT_KINDS, interpreterNumber, InvokeStatus, NativeInvoker, TRACE_RECORDS, trapError, type NativeType } from './native.js';

/**
 * What the global a side exit's callee slot names holds (its string constant in the slot): the
 * user global, or else the builtin of that name. Remembered per program constant while the VM's
 * `globalVersion` stands, which no write of a plain value moves: a loop that leaves at the same
 * call again and again looks its callee up once.
 */
class ExitGlobals {
  private program: Bytecode | undefined;
  private view: GlobalsView | undefined;
  private version = -1;
  private readonly values = new Map<number, Value>();

  valueOf(constant: number, program: Bytecode, view: GlobalsView | undefined): Value {
    const version = view?.globalVersion ?? -1;
    if (program !== this.program || view !== this.view || version !== this.version) {
      this.values.clear();
      this.program = program;
      this.view = view;
      this.version = version;
    }
    let value = this.values.get(constant);
    if (value === undefined) {
      const name = program.constants[constant];
      // No user global: the code read the name as a builtin (guarded to stay undefined).
      value = name?.kind === 'string' ? view?.getGlobal(name.value) ?? BUILTIN_VALUES.get(name.value) : undefined;
      if (value === undefined) throw new Error(`side exit: global constant ${constant} holds no value`);
      this.values.set(constant, value);
    }
    return value;
  }
}

/**
 * A call loads its arguments first (`loadStack` or `loadArgs`, false when one is not a
 * number), then `invoke`s. The common status, `Number`, is read from `value` as a plain
 * double; `resultOf` turns the other value statuses into a Value or the error they raise.
 * It is an invoker itself, so a call crosses no wrapper on its way to the addon.
 */
export class NativeCaller extends NativeInvoker {
  private readonly exitGlobals = new ExitGlobals();

  /**
   * Loads the arguments `stack[argBase .. argBase+arity)` and the interpreter's limits as
   * they stand (see `setLimits`). False when an argument is not a number.
   */
  loadStack(stack: readonly Value[], argBase: number, arity: number, framesLeft: number, slotsLeft: number): boolean {
    const args = this.args;
    for (let i = 0; i < arity; i++) {
      const v = stack[argBase + i];
      if (typeof v !== 'number') return false;
      args[i] = v;
    }
    this.setLimits(framesLeft, slotsLeft);
    return true;
  }

  /**
   * Loads the frame `stack[base .. base+kinds.length)` for code compiled for `kinds` (an OSR
   * entry, or a call with bool or null parameters), with the limits. False when a value is not
   * of its slot's kind.
   */
  loadFrame(stack: readonly Value[], base: number, kinds: readonly NativeType[], framesLeft: number, slotsLeft: number): boolean {
    if (!this.loadKinds(stack, base, kinds)) return false;
    this.setLimits(framesLeft, slotsLeft);
    return true;
  }

  /** `loadFrame` for host arguments, under the interpreter's default limits. */
  loadArgKinds(argv: readonly unknown[], kinds: readonly NativeType[]): boolean {
    if (argv.length !== kinds.length || !this.loadKinds(argv, 0, kinds)) return false;
    this.setLimits(DEFAULT_MAX_CALL_DEPTH, DEFAULT_MAX_STACK_SIZE - 1);
    return true;
  }

  private loadKinds(values: readonly unknown[], base: number, kinds: readonly NativeType[]): boolean {
    const args = this.args;
    for (let i = 0; i < kinds.length; i++) {
      const v = values[base + i];
      const kind = kinds[i];
      if (kind === 'number' ? typeof v !== 'number' : kind === 'bool' ? typeof v !== 'boolean' : v !== null) return false;
      args[i] = v === true ? 1 : typeof v === 'number' ? v : 0;
    }
    return true;
  }

  /**
   * The frames a side exit handed back, outermost first (in `into`, reused: the VM copies
   * them at once): frame 0 is the one the code was entered for, each further one a call it
   * made, the last the one that left. Callee slots become the function their global holds
   * (guarded by the caller), the math builtin it names, or their function constant.
   */
  exitFrames(program: Bytecode, view: GlobalsView | undefined, into: ExitFrame[]): ExitFrame[] {
    const used = this.exitDepth;
    const kinds = this.exitKinds;
    let records = 0;
    for (let i = 0; i < used; i++) if (kinds[i] === EXIT_HEADER_KIND) records++;
    // Setting an array's length is a builtin call: only when the depth changes.
    if (into.length !== records) into.length = records;
    // Records come innermost first: each one is the caller of the one before.
    let k = records;
    let values: Value[] = [];
    for (let i = 0; i < used; i++) {
      if (kinds[i] === EXIT_HEADER_KIND) {
        k--;
        values = [];
        into[k] = { offset: this.args[i]!, values };
      } else {
        values.push(this.exitValue(i, program, view));
      }
    }
    return into;
  }

  private exitValue(i: number, program: Bytecode, view: GlobalsView | undefined): Value {
    const raw = this.args[i]!;
    switch (EXIT_SLOT_KINDS[this.exitKinds[i]!]) {
      case 'number': return interpreterNumber(raw);
      case 'bool': return raw !== 0;
      case 'null': return null;
      case 'global': return this.exitGlobals.valueOf(raw, program, view);
      case 'function': {
        const constant = program.constants[raw];
        if (constant?.kind !== 'function') throw new Error(`side exit: constant ${raw} is not a function`);
        return new AtlasFunction(constant.value);
      }
      default: throw new Error(`side exit: unknown slot kind ${this.exitKinds[i]}`);
    }
  }

  /** Loads host arguments under the interpreter's default limits. False when one is not a number. */
  loadArgs(argv: readonly unknown[]): boolean {
    const args = this.args;
    for (let i = 0; i < argv.length; i++) {
      const v = argv[i];
      if (typeof v !== 'number') return false;
      args[i] = v;
    }
    this.setLimits(DEFAULT_MAX_CALL_DEPTH, DEFAULT_MAX_STACK_SIZE - 1);
    return true;
  }

  /**
   * The value the last call of `program`'s code returned, for a status that carries one;
   * a trap throws the interpreter's error, a halt its `HaltSignal`.
   */
  resultOf(status: InvokeStatus, program: Bytecode, code: TrapSource): Value {
    switch (status) {
      case InvokeStatus.Number: return this.value;
      case InvokeStatus.Bool: return this.value !== 0;
      case InvokeStatus.Null: return null;
      case InvokeStatus.Trap: {
        const { kind, detail } = trapError(this.trapCode);
        const error = runtimeErrorAt(program, kind, this.trapOffset, detail);
        this.traceTrap(error, program, code);
        throw error;
      }
      case InvokeStatus.Halted: throw new HaltSignal(typedValue(this.value, this.haltType));
      default: throw new Error(`native invoke status ${String(status)} carries no value`);
    }
  }

  /**
   * Records the native frames of a trap, innermost first: each call that returned the trap
   * status recorded its offset and its callee's start in the trap trace (`traceDepth`); the
   * callee is named by the call tree's resolution of that call (the function the interpreter
   * would have called there), `code.fn` is the function whose code was invoked. The trace is
   * reset for the next trap. When it overflowed, its last record is the outermost call, and
   * the frames between the ones it kept are counted as omitted.
   */
  private traceTrap(error: AtlasRuntimeError, program: Bytecode, code: TrapSource): void {
    const count = this.traceDepth;
    this.clearTrace();
    const nameAt = (record: number): string => calleeName(program, code, this.args[2 * record]!, this.args[2 * record + 1]!);
    let offset = error.offset;
    // Records 0 .. inner-1 are consecutive calls outwards; past them, the last one is the outermost of many.
    const inner = count > TRACE_RECORDS ? TRACE_RECORDS - 1 : count;
    for (let r = 0; r < inner; r++) {
      error.addFrame(nameAt(r), offset);
      offset = this.args[2 * r]!;
    }
    if (count > TRACE_RECORDS) {
      // The frame that made the innermost kept call and those below it, up to the outermost callee.
      error.omitFrames(count - inner);
      offset = this.args[2 * (TRACE_RECORDS - 1)]!;
    }
    error.addFrame(code.fn.name, offset);
  }
}

/** What ran when native code trapped: the function (or loop's function) invoked and its call tree. */
export interface TrapSource {
  readonly fn: FunctionRef;
  readonly tree: CallTree | undefined;
}

/** The function the call at `site` calls in `code`'s tree; by its body's start if the tree does not say. */
function calleeName(program: Bytecode, code: TrapSource, site: number, start: number): string {
  const index = code.tree?.calls.get(site);
  const fn = index === undefined ? undefined : index === 0 ? code.fn : code.tree!.functions[index - 1];
  return fn?.name ?? program.functions().find((f) => f.offset === start)?.name ?? '<unknown>';
}

/** The kinds of `count` values from `values[base]`; undefined if one is not a number, bool or null. */
export function kindsOf(values: readonly unknown[], base: number, count: number): NativeType[] | undefined {
  const kinds: NativeType[] = [];
  for (let i = 0; i < count; i++) {
    const v = values[base + i];
    if (typeof v === 'number') kinds.push('number');
    else if (typeof v === 'boolean') kinds.push('bool');
    else if (v === null) kinds.push('null');
    else return undefined;
  }
  return kinds;
}

function typedValue(raw: number, type: NativeType): Value {
  if (type === 'bool') return raw !== 0;
  if (type === 'null') return null;
  return raw;
}
