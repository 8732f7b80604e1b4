/**
 * Atlas runtime values (docs/bytecode.md §2.1, §2.5, docs/bytecode.md §6.6).
 *
 * Scalars are plain JS values so the interpreter's hot paths never allocate a wrapper:
 * number → JS number, bool → JS boolean, null → JS null, string → JS string.
 * Everything else is a small immutable class. The JIT engine relies on exactly these
 * representations.
 */
import { compareCodePoints } from './stdlib/code-point-order.js';
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

/**
 * The data of a JSON value: the reference's `JsonValue` (null, bool, f64, string, array,
 * object). Objects are maps; the reference iterates them in random order, this runtime
 * always in key order (code-point order), see `jsonObjectEntries`.
 */
export type JsonData = null | boolean | number | string | readonly JsonData[] | JsonObject;
export type JsonObject = ReadonlyMap<string, JsonData>;

/** A JSON value (`json` type), produced by `parseJSON` and by indexing another JSON value. */
export class AtlasJson {
  constructor(readonly data: JsonData) {}

  static readonly Null = new AtlasJson(null);

  /**
   * `j[index]` (the reference `index_str` / `index_num`): a missing key, an index out of
   * range or not a non-negative integer, or a container of the wrong kind gives JSON null.
   */
  index(index: string | number): AtlasJson {
    const data = this.data;
    let found: JsonData | undefined;
    if (typeof index === 'string') {
      if (data instanceof Map) found = data.get(index);
    } else if (Array.isArray(data) && Number.isInteger(index) && index >= 0) {
      found = (data as readonly JsonData[])[index];
    }
    return found === undefined || found === null ? AtlasJson.Null : new AtlasJson(found);
  }
}

/** A JSON object's entries in key order (code-point order, as the reference's sorted maps). */
export function jsonObjectEntries(object: JsonObject): [string, JsonData][] {
  return [...object.entries()].sort(([a], [b]) => compareCodePoints(a, b));
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
  | AtlasResult
  | AtlasJson;

/** What a host may pass to `Vm.call`: scalars and (nested) arrays of them. */
export type HostValue = number | boolean | null | string | readonly HostValue[];

export type TypeName = 'number' | 'string' | 'bool' | 'null' | 'array' | 'function' | 'builtin' | 'json' | 'Option' | 'Result';

/**
 * The reference type name (`Value::type_name`, docs/bytecode.md §2.1) used in argument
 * errors (`… got Option`); a closure reports "function". `typeof` uses other names
 * (lower-case `option`, `closure`): see the type-checking builtins.
 */
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
      if (v instanceof AtlasOption) return 'Option';
      if (v instanceof AtlasJson) return 'json';
      return 'Result';
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
  if (a instanceof AtlasJson) return b instanceof AtlasJson && jsonEqual(a.data, b.data);
  return b instanceof AtlasResult && a.isOk === b.isOk && valuesEqual(a.value, b.value);
}

/** Deep JSON equality: numbers by IEEE `==`, objects by their key sets (order never matters). */
export function jsonEqual(a: JsonData, b: JsonData): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [key, value] of a) {
      const other = b.get(key);
      if (other === undefined || !jsonEqual(value, other)) return false;
    }
    return true;
  }
  if (b instanceof Map) return false;
  const x = a as readonly JsonData[];
  const y = b as readonly JsonData[];
  return x.length === y.length && x.every((v, i) => jsonEqual(v, y[i]!));
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
  return shortestPlain(n);
}

/**
 * Rust's `{}` for a double: the shortest round-trip digits in plain decimal, padded with
 * zeros (1.2345678901234568e29 → "123456789012345680000000000000", where `formatNumber`
 * writes the exact integer). `toString`, `toJSON` and JSON display use it.
 */
export function formatShortest(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Object.is(n, -0)) return '-0';
  if (n === 0) return '0';
  return shortestPlain(n);
}

/**
 * The shortest round-trip digits of finite non-zero `n` in plain decimal. When two digit
 * strings of that length are equally close to `n` (`n` lies exactly halfway between them,
 * e.g. 1000000000000000.25), JS picks the even one and Rust the one of larger magnitude;
 * this follows Rust.
 */
function shortestPlain(n: number): string {
  let s = String(n);
  const exponentAt = s.indexOf('e');
  // Only an even last digit can be a tie that JS broke to even.
  if ((s.charCodeAt(exponentAt < 0 ? s.length - 1 : exponentAt - 1) & 1) === 0 && mayBeTie(n)) s = tieBrokenUp(n) ?? s;
  return s.includes('e') ? expandExponent(s) : s;
}

/**
 * Rules out nearly every number cheaply: a tie needs an exact expansion of at most 18
 * significant digits. Below 1e18 a non-integer m·2^-k (m odd) has m·5^k as its digits,
 * so k ≤ 25, i.e. `x·2^25` is an integer (exact: scaling by a power of two).
 */
function mayBeTie(n: number): boolean {
  const x = Math.abs(n);
  return x >= 1e18 || Number.isInteger(x * 2 ** 25);
}

/** `n` in exponent form with the larger of two equally close shortest digit strings, or undefined when there is no tie. */
function tieBrokenUp(n: number): string | undefined {
  const [mantissa, exponentText] = n.toExponential().split('e') as [string, string];
  const digits = mantissa.replace('-', '').replace('.', '');
  // JS breaks a tie to even; a midpoint's exact expansion is the digits followed by a 5
  // (toExponential rounds exactly, so it rules most numbers out cheaply).
  if ((digits.charCodeAt(digits.length - 1) - 0x30) % 2 !== 0 || digits.length > 99) return undefined;
  const longer = Math.abs(n).toExponential(digits.length).split('e')[0]!.replace('.', '');
  if (longer !== `${digits}5`) return undefined;
  const point = Number(exponentText) - (digits.length - 1); // value = digits × 10^point
  if (!isMidpoint(Math.abs(n), BigInt(digits), point)) return undefined;
  const up = (BigInt(digits) + 1n).toString(); // the last digit is even, so no carry
  return `${n < 0 ? '-' : ''}${up[0]}${up.length > 1 ? `.${up.slice(1)}` : ''}e${exponentText}`;
}

/** Whether x equals exactly (d + 1/2) × 10^p, the midpoint between d and d + 1 at scale 10^p. */
function isMidpoint(x: number, d: bigint, p: number): boolean {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  // x = m × 2^e exactly.
  const m = biased === 0 ? fraction : fraction | (1n << 52n);
  const e = (biased === 0 ? 1 : biased) - 1075;
  // Compare 2m × 2^e with (2d + 1) × 10^p, both scaled to integers.
  const left = 2n * m * 2n ** BigInt(Math.max(e, 0)) * 10n ** BigInt(Math.max(-p, 0));
  const right = (2n * d + 1n) * 2n ** BigInt(Math.max(-e, 0)) * 10n ** BigInt(Math.max(p, 0));
  return left === right;
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
      if (v instanceof AtlasJson) return displayJson(v.data);
      return `${v.isOk ? 'Ok' : 'Err'}(${display(v.value)})`;
  }
}

/**
 * The reference's JSON Display: integral numbers through a saturating i64 conversion
 * (-0 → `0`, 1e20 → `9223372036854775807`), strings quoted without escaping, objects as
 * `{"k": v}` (in key order here; random in the reference).
 */
export function displayJson(data: JsonData): string {
  if (data === null) return 'null';
  switch (typeof data) {
    case 'boolean': return data ? 'true' : 'false';
    case 'number': return displayJsonNumber(data);
    case 'string': return `"${data}"`;
    default:
      if (data instanceof Map) {
        return `{${jsonObjectEntries(data).map(([k, v]) => `"${k}": ${displayJson(v)}`).join(', ')}}`;
      }
      return `[${(data as readonly JsonData[]).map(displayJson).join(', ')}]`;
  }
}

const I64_MAX = 2 ** 63;

function displayJsonNumber(n: number): string {
  if (!Number.isInteger(n)) return formatShortest(n);
  if (n >= I64_MAX) return '9223372036854775807';
  if (n <= -I64_MAX) return '-9223372036854775808';
  return BigInt(n).toString();
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
