/**
 * Atlas runtime errors: the variants of the reference `RuntimeError` (docs/bytecode.md §2.1) plus two of
 * our own (StackOverflow for the recursion limit, docs/bytecode.md Q19; Unsupported for features outside this
 * runtime). The message is the reference Display text; `debugString()` is the reference
 * Debug form that the embedding API prints (`Runtime error: <debug>`).
 */
import type { Bytecode, Span } from '../bytecode/bytecode.js';
import type { SourceText } from '../compiler/source-text.js';

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

/** One Atlas frame of a runtime error's stack. */
export interface AtlasFrame {
  /** The function's name; `<main>` for top-level code. */
  readonly function: string;
  /** Bytecode offset the frame was at: the failing instruction in the innermost frame, the call in the others. */
  readonly offset: number;
  /** Source span of that instruction, when the program carries debug info. */
  readonly span: Span | undefined;
  /** Source file, 1-based line and column (code points) of the span's start, when the program's source is known. */
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
}

/** Frames an error lists at most, innermost first; deeper ones are only counted (`framesOmitted`). */
export const MAX_ERROR_FRAMES = 100;

export class AtlasRuntimeError extends Error {
  /** Source file of the failing instruction, when the program was compiled from source. */
  readonly file: string | undefined = undefined;
  /** 1-based line and column (in code points) of the span's start, when the source is known. */
  readonly line: number | undefined = undefined;
  readonly column: number | undefined = undefined;
  /**
   * The Atlas call stack, innermost first: the failing function at the failing instruction,
   * then each caller at its call, native frames included. Filled when the error leaves the
   * Vm; empty for errors the host API raises before running anything.
   */
  readonly frames: readonly AtlasFrame[] = [];
  /** Frames of a very deep stack left out of `frames`. */
  readonly framesOmitted: number = 0;
  /*
   * `stack` (inherited from Error) becomes the Atlas stack when the error leaves the Vm: the
   * JavaScript frames of the interpreter say nothing to a user, and Node.js prints `stack`
   * for an uncaught error.
   */
  /** Frames found so far, while the error unwinds through native code and the interpreter. */
  readonly #pending: { readonly function: string; readonly offset: number }[] = [];
  #omitted = 0;
  #complete = false;

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

  /** Whether the unwinding code has recorded any frame yet. */
  get hasFrames(): boolean {
    return this.#pending.length > 0 || this.#omitted > 0;
  }

  /**
   * Records the next frame outwards while the error unwinds: `fn` was at `offset` (the failing
   * instruction first, then each call). For the Vm and the JIT only.
   */
  addFrame(fn: string, offset: number): void {
    if (this.#complete) return;
    if (this.#pending.length < MAX_ERROR_FRAMES) this.#pending.push({ function: fn, offset });
    else this.#omitted++;
  }

  /** Counts frames that unwinding passed without naming them (a truncated native trace). */
  omitFrames(count: number): void {
    if (!this.#complete) this.#omitted += count;
  }

  /**
   * Fills the frames, positions and `stack` from the frames recorded, with spans from
   * `bytecode`'s debug info and lines from its source. Once only: the Vm calls it when the
   * error leaves a run.
   */
  complete(bytecode: Bytecode): void {
    if (this.#complete) return;
    this.#complete = true;
    const source = bytecode.source;
    const frames = this.#pending.map(({ function: fn, offset }) => frameAt(bytecode, source, fn, offset));
    const position = positionOf(source, this.span);
    Object.assign(this, { ...position, frames, framesOmitted: this.#omitted });
    this.stack = formatStack(this);
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

function positionOf(source: SourceText | undefined, span: Span | undefined): Pick<AtlasFrame, 'file' | 'line' | 'column'> {
  if (source === undefined) return { file: undefined, line: undefined, column: undefined };
  if (span === undefined) return { file: source.file, line: undefined, column: undefined };
  const { line, column } = source.locate(span.start);
  return { file: source.file, line, column };
}

function frameAt(bytecode: Bytecode, source: SourceText | undefined, fn: string, offset: number): AtlasFrame {
  const span = offset >= 0 ? bytecode.spanAt(offset) : undefined;
  return { function: fn, offset, span, ...positionOf(source, span) };
}

/** `AtlasRuntimeError: <message>` and one `    at fn (file:line:col)` line per frame, as JavaScript prints its stacks. */
function formatStack(error: AtlasRuntimeError): string {
  const lines = [`${error.name}: ${error.message}`];
  for (const frame of error.frames) lines.push(`    at ${frame.function} (${frameLocation(frame)})`);
  if (error.framesOmitted > 0) lines.push(`    ... ${error.framesOmitted} more frame${error.framesOmitted === 1 ? '' : 's'}`);
  return lines.join('\n');
}

/** `file:line:col` when the source is known, else `offset N` (with its span when there is one). */
function frameLocation(frame: Pick<AtlasFrame, 'file' | 'line' | 'column' | 'offset' | 'span'>): string {
  if (frame.line !== undefined) return `${frame.file ?? '<source>'}:${frame.line}:${frame.column}`;
  const at = frame.offset >= 0 ? `offset ${frame.offset}` : '<host>';
  return frame.span === undefined ? at : `${at}, span ${frame.span.start}..${frame.span.end}`;
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
