/**
 * JSON text writers: `toJSON`'s compact form of Atlas values (numbers in the `print` form,
 * so `-0` stays `-0` and nothing uses an exponent), and the serde_json writer that
 * `minifyJSON`/`prettifyJSON` use on a parsed document (integers kept exact, doubles with
 * serde's float form `1.0`, `1e+16`). Object keys are always written in code-point order.
 */
import {
  AtlasArray, AtlasBuiltin, AtlasClosure, AtlasFunction, AtlasJson, AtlasOption, type JsonData, type Value,
  formatShortest, jsonObjectEntries,
} from '../values.js';
import { compareCodePoints } from './code-point-order.js';
import { typeError } from './arg-checks.js';
import type { SerdeValue } from './json-parse.js';

/** serde_json's string escaping: quotes, backslashes and control characters only. */
export function quoteJson(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20) out += s[i];
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else out += `\\u00${c.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}

function compactNumber(n: number): string {
  if (!Number.isFinite(n)) throw typeError('Cannot serialize NaN or Infinity to JSON');
  return formatShortest(n);
}

function compactJson(data: JsonData): string {
  if (data === null) return 'null';
  switch (typeof data) {
    case 'boolean': return data ? 'true' : 'false';
    case 'number': return compactNumber(data);
    case 'string': return quoteJson(data);
    default:
      if (data instanceof Map) return `{${jsonObjectEntries(data).map(([k, v]) => `${quoteJson(k)}:${compactJson(v)}`).join(',')}}`;
      return `[${(data as readonly JsonData[]).map(compactJson).join(',')}]`;
  }
}

/** `toJSON(v)`: compact JSON text, or a TypeError for values JSON cannot hold. */
export function toJsonText(v: Value): string {
  switch (typeof v) {
    case 'number': return compactNumber(v);
    case 'string': return quoteJson(v);
    case 'boolean': return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      if (v instanceof AtlasArray) return `[${v.elements.map(toJsonText).join(',')}]`;
      if (v instanceof AtlasJson) return compactJson(v.data);
      if (v instanceof AtlasFunction || v instanceof AtlasClosure || v instanceof AtlasBuiltin) {
        throw typeError('Cannot serialize function to JSON');
      }
      throw typeError(`Cannot serialize ${v instanceof AtlasOption ? 'Option' : 'Result'} to JSON`);
  }
}

/**
 * serde's float form: shortest round-trip digits, plain decimal when the decimal exponent
 * is in [-5, 15] (integral values with `.0`), otherwise `d.ddde±X`.
 */
export function serdeFloat(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, exponentText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const e = Number(exponentText);
  if (e < -5 || e > 15) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${fraction}e${e < 0 ? '-' : '+'}${Math.abs(e)}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  if (digits.length <= e + 1) return `${sign}${digits}${'0'.repeat(e + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
}

/** serde_json's writer: `indent` undefined for compact output, else the pretty layout. */
export function writeSerde(value: SerdeValue, indent?: string, depth = 0): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean': return value ? 'true' : 'false';
    case 'bigint': return value.toString();
    case 'number': return serdeFloat(value);
    case 'string': return quoteJson(value);
    default: break;
  }
  const items = value instanceof Map
    ? [...value.entries()].sort(([a], [b]) => compareCodePoints(a, b))
      .map(([k, v]) => `${quoteJson(k)}:${indent === undefined ? '' : ' '}${writeSerde(v, indent, depth + 1)}`)
    : value.map((v) => writeSerde(v, indent, depth + 1));
  const [open, close] = value instanceof Map ? ['{', '}'] : ['[', ']'];
  if (items.length === 0) return open + close;
  if (indent === undefined) return `${open}${items.join(',')}${close}`;
  const inner = `\n${indent.repeat(depth + 1)}`;
  return `${open}${inner}${items.join(`,${inner}`)}\n${indent.repeat(depth)}${close}`;
}
