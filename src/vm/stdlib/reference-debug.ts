/**
 * The reference's Rust `Debug` form of a value (`Number(1)`, `String("a")`, `Array([Null])`, …).
 * `arraySort` orders values of different kinds, and arrays, Options, Results and functions
 * among themselves, by comparing these texts, so the text decides the order.
 */
import type { FunctionRef, Ownership } from '../../bytecode/bytecode.js';
import { rustDebugString } from '../errors.js';
import { AtlasArray, AtlasBuiltin, AtlasClosure, AtlasFunction, AtlasJson, AtlasOption, type Value, formatNumber } from '../values.js';
import { toJsonText } from './json-format.js';

/** Rust's `{:?}` for `Option<OwnershipAnnotation>`. */
function ownershipDebug(o: Ownership): string {
  switch (o) {
    case 'none': return 'None';
    case 'own': return 'Some(Own)';
    case 'borrow': return 'Some(Borrow)';
    case 'shared': return 'Some(Shared)';
  }
}

/** The derived `Debug` of the reference's `FunctionRef` struct. */
function functionRefDebug(fn: FunctionRef): string {
  const ownership = fn.paramOwnership.map(ownershipDebug).join(', ');
  const names = fn.paramNames.map(rustDebugString).join(', ');
  return `FunctionRef { name: ${rustDebugString(fn.name)}, arity: ${fn.arity}, bytecode_offset: ${fn.offset}, `
    + `local_count: ${fn.localCount}, param_ownership: [${ownership}], param_names: [${names}], `
    + `return_ownership: ${ownershipDebug(fn.returnOwnership)} }`;
}

/** `format!("{v:?}")` in the reference (f64 `Display` for numbers, as `print` shows them). */
export function debugForm(v: Value): string {
  switch (typeof v) {
    case 'number': return `Number(${formatNumber(v)})`;
    case 'string': return `String(${rustDebugString(v)})`;
    case 'boolean': return `Bool(${v})`;
    default:
      if (v === null) return 'Null';
      if (v instanceof AtlasArray) return `Array([${v.elements.map(debugForm).join(', ')}])`;
      if (v instanceof AtlasFunction) return `Function(${functionRefDebug(v.ref)})`;
      if (v instanceof AtlasClosure) return `Closure(${functionRefDebug(v.ref)})`;
      if (v instanceof AtlasBuiltin) return `Builtin(${rustDebugString(v.name)})`;
      if (v instanceof AtlasOption) return v.isSome ? `Option(Some(${debugForm(v.value)}))` : 'Option(None)';
      // Only orders json values among other values in `arraySort`: their JSON text stands in for the Rust form.
      if (v instanceof AtlasJson) return `JsonValue(${toJsonText(v)})`;
      return `Result(${v.isOk ? 'Ok' : 'Err'}(${debugForm(v.value)}))`;
  }
}
