/**
 * Errors across the thread boundary. comlink's own handler for thrown values keeps only an
 * Error's message, name and stack and rebuilds a plain `Error`; this one rebuilds the same
 * class with all its data fields, so a remote caller can `instanceof AtlasRuntimeError`
 * and read `kind`, `detail`, `offset`, `span`, `file`, `line`, `column`, `frames` and the Atlas
 * `stack`, or `instanceof CompileError` and read
 * `file`, `line`, `column`, `reason`, `code`, `span` and `sourceLine` (and call
 * `debugString()`, which lives on the prototype).
 *
 * It replaces comlink's "throw" handler process-wide and delegates to it for thrown values
 * that are not Errors, so other comlink users in the process only gain from it.
 */
import { transferHandlers, type TransferHandler } from 'comlink';
import { AtbFormatError } from '../bytecode/atb.js';
import { BytecodeValidationError } from '../bytecode/validator.js';
import { CompileError } from '../compiler/compile-error.js';
import { AtlasRuntimeError } from '../vm/errors.js';
import { AtlasInterrupted, RemoteRuntimeError } from './remote-errors.js';

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The classes rebuilt on the receiving side, most specific first. An error of any other
 * class arrives as the nearest listed base class, with its name and fields kept.
 */
const ERROR_CLASSES: ReadonlyArray<readonly [string, ErrorClass]> = [
  ['AtlasRuntimeError', AtlasRuntimeError],
  ['CompileError', CompileError],
  ['AtlasInterrupted', AtlasInterrupted],
  ['RemoteRuntimeError', RemoteRuntimeError],
  ['AtbFormatError', AtbFormatError],
  ['BytecodeValidationError', BytecodeValidationError],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['Error', Error],
];
const CLASS_BY_KEY = new Map<string, ErrorClass>(ERROR_CLASSES);

/** An Error as plain, structured-cloneable data. */
export interface WireError {
  /** Which entry of the class list to rebuild. */
  readonly classKey: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** The error's own enumerable properties (name, kind, span, ...), cloneable ones only. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly cause?: WireError | { readonly value: unknown };
}

/** Nested causes deeper than this are dropped (a cause chain can be cyclic). */
const MAX_CAUSE_DEPTH = 8;

export function encodeError(error: Error, depth = 0): WireError {
  const entry = ERROR_CLASSES.find(([, cls]) => error.constructor === cls) ?? ERROR_CLASSES.find(([, cls]) => error instanceof cls)!;
  const wire: WireError = { classKey: entry[0], message: error.message, stack: error.stack, fields: cloneableFields(error) };
  if (!('cause' in error) || depth >= MAX_CAUSE_DEPTH) return wire;
  const cause: unknown = error.cause;
  if (cause instanceof Error) return { ...wire, cause: encodeError(cause, depth + 1) };
  return isCloneable(cause) ? { ...wire, cause: { value: cause } } : wire;
}

/**
 * Rebuilds the error without running its constructor (whose parameters differ per class
 * and which would recompute the message): a native Error object whose prototype is the
 * class's, carrying the original message, stack and fields.
 */
export function decodeError(wire: WireError): Error {
  const cls = CLASS_BY_KEY.get(wire.classKey) ?? Error;
  const error = Reflect.construct(Error, [wire.message], cls) as Error;
  Object.assign(error, wire.fields);
  if (wire.stack !== undefined) Object.defineProperty(error, 'stack', { value: wire.stack, writable: true, configurable: true });
  if (wire.cause !== undefined) {
    const cause = 'classKey' in wire.cause ? decodeError(wire.cause) : wire.cause.value;
    Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true });
  }
  return error;
}

function cloneableFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key !== 'message' && key !== 'stack' && key !== 'cause' && isCloneable(value)) fields[key] = value;
  }
  return fields;
}

function isCloneable(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) return true;
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

interface Thrown {
  readonly value: unknown;
}
type SerializedThrow = { readonly atlasError: WireError } | { readonly [key: string]: unknown };

let installed = false;

/** Registers the handler with comlink (process-wide, idempotent). Both threads must do it. */
export function installErrorTransfer(): void {
  if (installed) return;
  const original = transferHandlers.get('throw') as TransferHandler<Thrown, unknown> | undefined;
  if (original === undefined) throw new Error('comlink has no "throw" transfer handler to extend');
  const handler: TransferHandler<Thrown, SerializedThrow> = {
    canHandle: (value: unknown): value is Thrown => original.canHandle(value),
    serialize(thrown) {
      if (thrown.value instanceof Error) return [{ atlasError: encodeError(thrown.value) }, []];
      const [serialized, transferables] = original.serialize(thrown);
      return [serialized as SerializedThrow, transferables];
    },
    deserialize(serialized) {
      if ('atlasError' in serialized) throw decodeError(serialized.atlasError as WireError);
      return original.deserialize(serialized) as Thrown;
    },
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
  installed = true;
}
