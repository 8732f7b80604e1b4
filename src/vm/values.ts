/**
 * Atlas runtime values (docs/bytecode.md §2.1, §2.5, docs/bytecode.md §6.6).
 *
 * Scalars are plain JS values so the interpreter's hot paths never allocate a wrapper:
 * number → JS number, bool → JS boolean, null → JS null, string → JS string.
 * Everything else is a small immutable class. The JIT engine relies on exactly these
 * representations.
 */
import type { FunctionRef } from '../bytecode/bytecode.js';

/**
 * An Atlas array. The reference shares arrays copy-on-write and gives them value
 * semantics (docs/bytecode.md §2.1); here the element list is never mutated after construction, so
 * sharing one instance between variables is always safe and a store (`SetIndex`) builds a
 * new array with `with()`. The reference also copies on every compiled `a[i] = e`,
 * because the array is then referenced from both the variable and the stack.
 */
export class AtlasArray {
  constructor(readonly elements: readonly Value[]) {}

  get length(): number {
    return this.elements.length;
  }

  /** A copy with element `index` replaced (the caller has checked the bounds). */
  with(index: number, value: Value): AtlasArray {
    const copy = this.elements.slice();
    copy[index] = value;
    return new AtlasArray(copy);
  }
}

/** A compiled user function: the function constant's `FunctionRef` (docs/bytecode.md §3.1). */
export class AtlasFunction {
  /**
   * `gateSlot`: the function constant's index among the program's function constants, where
   * the JIT hook's call gate keeps its quiet calls (see `VmJitHook.callGate`); -1 for a
   * function value made elsewhere (always asks the hook).
   */
  constructor(
    readonly ref: FunctionRef,
    readonly gateSlot = -1,
  ) {}

  get name(): string {
    return this.ref.name;
  }
}

/** A closure: a function plus the values it captured by value at creation (docs/bytecode.md §2.4). */
export class AtlasClosure {
  constructor(
    readonly ref: FunctionRef,
    readonly upvalues: readonly Value[],
  ) {}

  get name(): string {
    return this.ref.name;
  }
}

/** A stdlib function, referred to by name (docs/bytecode.md §2.4 GetGlobal, §3.3). */
export class AtlasBuiltin {
  constructor(readonly name: string) {}
}

/** `Option`: `Some(value)` or `None`. Produced by the `Some` builtin and the `None` global. */
export class AtlasOption {
  private constructor(
    readonly isSome: boolean,
    readonly value: Value,
  ) {}

  static readonly None = new AtlasOption(false, null);

  static some(value: Value): AtlasOption {
    return new AtlasOption(true, value);
  }
}

/** `Result`: `Ok(value)` or `Err(value)`. Produced by the `Ok`/`Err` builtins. */
export class AtlasResult {
  private constructor(
    readonly isOk: boolean,
    readonly value: Value,
  ) {}

  static ok(value: Value): AtlasResult {
    return new AtlasResult(true, value);
  }

  static err(value: Value): AtlasResult {
    return new AtlasResult(false, value);
  }
}

export type Value =
  | number
  | boolean
  | null
  | string
  | AtlasArray
  | AtlasFunction
  | AtlasClosure
  | AtlasBuiltin
  | AtlasOption
  | AtlasResult;

/** What a host may pass to `Vm.call`: scalars and (nested) arrays of them. */
export type HostValue = number | boolean | null | string | readonly HostValue[];

export type TypeName = 'number' | 'string' | 'bool' | 'null' | 'array' | 'function' | 'builtin' | 'option' | 'result';

/** The reference type name (docs/bytecode.md §2.1); a closure reports "function". */
export function typeName(v: Value): TypeName {
  switch (typeof v) {
    case 'number': return 'number';
    case 'string': return 'string';
    case 'boolean': return 'bool';
    default:
      if (v === null) return 'null';
      if (v instanceof AtlasArray) return 'array';
      if (v instanceof AtlasFunction || v instanceof AtlasClosure) return 'function';
      if (v instanceof AtlasBuiltin) return 'builtin';
      if (v instanceof AtlasOption) return 'option';
      return 'result';
  }
}

/**
 * Structural equality (docs/bytecode.md §2.5): different kinds are never equal; numbers by IEEE `==`
 * (NaN ≠ NaN, 0 == -0); arrays element-wise and deep; functions and closures by name only
 * (docs/bytecode.md Q20); builtins by name.
 */
export function valuesEqual(a: Value, b: Value): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  if (a instanceof AtlasArray) return b instanceof AtlasArray && arraysEqual(a, b);
  if (a instanceof AtlasFunction) return b instanceof AtlasFunction && a.ref.name === b.ref.name;
  if (a instanceof AtlasClosure) return b instanceof AtlasClosure && a.ref.name === b.ref.name;
  if (a instanceof AtlasBuiltin) return b instanceof AtlasBuiltin && a.name === b.name;
  if (a instanceof AtlasOption) {
    return b instanceof AtlasOption && a.isSome === b.isSome && valuesEqual(a.value, b.value);
  }
  return b instanceof AtlasResult && a.isOk === b.isOk && valuesEqual(a.value, b.value);
}

/**
 * Arrays are compared element by element. Arrays share structure (copy on write), so one
 * array may stand many times in another (`a = [a, a]` doubles the paths at each level): the
 * pairs of nested arrays already found equal are remembered for the rest of the comparison,
 * which makes it linear in the distinct pairs instead of exponential in the depth.
 */
function arraysEqual(a: AtlasArray, b: AtlasArray, equalPairs?: Map<AtlasArray, Set<AtlasArray>>): boolean {
  if (a === b) return true;
  const x = a.elements;
  const y = b.elements;
  if (x.length !== y.length) return false;
  if (equalPairs?.get(a)?.has(b) === true) return true;
  let pairs = equalPairs;
  for (let i = 0; i < x.length; i++) {
    const u = x[i]!;
    const v = y[i]!;
    if (u instanceof AtlasArray) {
      if (!(v instanceof AtlasArray)) return false;
      pairs ??= new Map();
      if (!arraysEqual(u, v, pairs)) return false;
    } else if (!valuesEqual(u, v)) {
      return false;
    }
  }
  if (pairs !== undefined) {
    const seen = pairs.get(a) ?? new Set<AtlasArray>();
    seen.add(b);
    pairs.set(a, seen);
  }
  return true;
}

/**
 * Formats a number the way the reference prints it (docs/bytecode.md §6.6, docs/bytecode.md Q18): integral values in
 * full without decimals or exponent ("-0" kept), other finite values with the shortest
 * round-trip digits in plain decimal, and NaN / inf / -inf.
 */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Number.isInteger(n)) return Object.is(n, -0) ? '-0' : BigInt(n).toString();
  const s = String(n);
  return s.includes('e') ? expandExponent(s) : s;
}

/** Rewrites JS exponent notation ("1.5e-7") as plain decimal ("0.00000015"). */
function expandExponent(s: string): string {
  const negative = s.startsWith('-');
  const [mantissa, exponentText] = (negative ? s.slice(1) : s).split('e') as [string, string];
  const exponent = Number(exponentText);
  const [intPart, fracPart = ''] = mantissa.split('.') as [string, string?];
  const digits = intPart + fracPart;
  // Position of the decimal point, counted in digits from the left of `digits`.
  const point = intPart.length + exponent;
  let body: string;
  if (point <= 0) body = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) body = digits + '0'.repeat(point - digits.length);
  else body = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${body}` : body;
}

/**
 * The text `print` writes for a value (docs/bytecode.md §6.6). Strings are raw, without quotes.
 * Kinds `print` rejects (arrays, functions, …) get a readable form for hosts and tools;
 * that form is ours, not checked against the reference.
 */
export function display(v: Value): string {
  switch (typeof v) {
    case 'number': return formatNumber(v);
    case 'string': return v;
    case 'boolean': return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      if (v instanceof AtlasArray) return `[${v.elements.map(display).join(', ')}]`;
      if (v instanceof AtlasFunction || v instanceof AtlasClosure) return `<fn ${v.ref.name}>`;
      if (v instanceof AtlasBuiltin) return `<builtin ${v.name}>`;
      if (v instanceof AtlasOption) return v.isSome ? `Some(${display(v.value)})` : 'None';
      return `${v.isOk ? 'Ok' : 'Err'}(${display(v.value)})`;
  }
}

/** Counts Unicode scalar values (the reference's `chars().count()`), not UTF-16 units. */
export function charCount(s: string): number {
  let count = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low surrogate is one scalar value.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}
