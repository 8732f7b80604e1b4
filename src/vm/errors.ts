/**
 * Atlas runtime errors: the variants of the reference `RuntimeError` (docs/bytecode.md §2.1) plus two of
 * our own (StackOverflow for the recursion limit, docs/bytecode.md Q19; Unsupported for features outside this
 * runtime). The message is the reference Display text; `debugString()` is the reference
 * Debug form that the embedding API prints (`Runtime error: <debug>`).
 */
import type { Bytecode, Span } from '../bytecode/bytecode.js';

export type RuntimeErrorKind =
  | 'TypeError'
  | 'UndefinedVariable'
  | 'DivideByZero'
  | 'OutOfBounds'
  | 'InvalidNumericResult'
  | 'UnknownOpcode'
  | 'StackUnderflow'
  | 'UnknownFunction'
  | 'InvalidStdlibArgument'
  | 'InvalidIndex'
  | 'StackOverflow'
  | 'Unsupported';

/** How each kind's payload is named in the Debug form, if it has one. */
const PAYLOAD_FIELD: Partial<Record<RuntimeErrorKind, 'msg' | 'name'>> = {
  TypeError: 'msg',
  UndefinedVariable: 'name',
  UnknownFunction: 'name',
  InvalidStdlibArgument: 'msg',
  StackOverflow: 'msg',
  Unsupported: 'msg',
};

/** The reference Display text for each kind (docs/bytecode.md §2.1 table). */
function displayText(kind: RuntimeErrorKind, detail: string | undefined): string {
  switch (kind) {
    case 'TypeError': return `Type error: ${detail ?? ''}`;
    case 'UndefinedVariable': return `Undefined variable: ${detail ?? ''}`;
    case 'DivideByZero': return 'Division by zero';
    case 'OutOfBounds': return 'Array index out of bounds';
    case 'InvalidNumericResult': return 'Invalid numeric result';
    case 'UnknownOpcode': return 'Unknown opcode';
    case 'StackUnderflow': return 'Stack underflow';
    case 'UnknownFunction': return `Unknown function: ${detail ?? ''}`;
    case 'InvalidStdlibArgument': return detail ?? '';
    case 'InvalidIndex': return 'Invalid index: expected number';
    case 'StackOverflow': return detail === undefined ? 'Stack overflow' : `Stack overflow: ${detail}`;
    case 'Unsupported': return detail === undefined ? 'Unsupported' : `Unsupported: ${detail}`;
  }
}

/** Offset used for errors raised outside any instruction (e.g. by `Vm.call` argument checks). */
export const NO_OFFSET = -1;

export class AtlasRuntimeError extends Error {
  constructor(
    readonly kind: RuntimeErrorKind,
    /** Bytecode offset of the failing instruction (NO_OFFSET when raised by the host API). */
    readonly offset: number,
    /** Source span of that instruction, when the program carries debug info. */
    readonly span: Span | undefined,
    /** The variant's payload: the `msg` of TypeError/InvalidStdlibArgument, the `name` of
     *  UndefinedVariable/UnknownFunction. */
    readonly detail?: string,
  ) {
    super(displayText(kind, detail));
    this.name = 'AtlasRuntimeError';
  }

  /**
   * The reference Debug form, e.g. `DivideByZero { span: Span { start: 16, end: 22 } }` or
   * `TypeError { msg: "Expected number", span: Span { start: 1, end: 2 } }`. Without debug
   * info the reference reports `Span::dummy()`, i.e. 0..0.
   */
  debugString(): string {
    const span = this.span ?? { start: 0, end: 0 };
    const spanText = `span: Span { start: ${span.start}, end: ${span.end} }`;
    const field = PAYLOAD_FIELD[this.kind];
    if (field === undefined || this.detail === undefined) return `${this.kind} { ${spanText} }`;
    return `${this.kind} { ${field}: ${rustDebugString(this.detail)}, ${spanText} }`;
  }
}

/** Builds the error for the instruction at `offset`, with its span from the debug info. */
export function runtimeErrorAt(
  bytecode: Bytecode,
  kind: RuntimeErrorKind,
  offset: number,
  detail?: string,
): AtlasRuntimeError {
  return new AtlasRuntimeError(kind, offset, offset >= 0 ? bytecode.spanAt(offset) : undefined, detail);
}

/** Rust's `{:?}` for a `String`: quoted, with `\\`, `\"` and control characters escaped. */
export function rustDebugString(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case '"': out += '\\"'; break;
      case '\\': out += '\\\\'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '\0': out += '\\0'; break;
      default: {
        const code = ch.codePointAt(0)!;
        out += code < 0x20 || code === 0x7f ? `\\u{${code.toString(16)}}` : ch;
      }
    }
  }
  return `${out}"`;
}

/**
 * A run stopped from outside: by an interrupt request (`JitEngine.interrupt()`, a hosted
 * runtime's `interrupt()`/`close()`) or because its time budget ran out. Interpreted code stops
 * at its next call or loop back-edge, native code at its next function entry or back edge; the
 * program's globals keep whatever it assigned until then.
 */
export class AtlasInterrupted extends Error {
  /** Whether the operation had started running, or was stopped while waiting its turn. */
  readonly started: boolean;
  /** The time budget that ran out, in ms; undefined for an interrupt request. */
  readonly timeBudgetMs: number | undefined;

  constructor(started = true, timeBudgetMs?: number) {
    super(
      timeBudgetMs !== undefined
        ? `Execution interrupted: time budget of ${timeBudgetMs} ms exceeded`
        : started ? 'Execution interrupted' : 'Execution interrupted before it started',
    );
    this.name = 'AtlasInterrupted';
    this.started = started;
    this.timeBudgetMs = timeBudgetMs;
  }
}
