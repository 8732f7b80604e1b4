import type { RuntimeErrorKind } from './errors.js';

/**
 * Thrown by a builtin; the interpreter turns it into an AtlasRuntimeError at the offset of
 * the `Call` instruction (builtins do not know where they were called from).
 */
export class StdlibError extends Error {
  constructor(
    readonly kind: RuntimeErrorKind,
    /** The payload (`msg`) of kinds that carry one; none for OutOfBounds, InvalidNumericResult. */
    readonly detail?: string,
  ) {
    super(detail ?? kind);
    this.name = 'StdlibError';
  }
}
