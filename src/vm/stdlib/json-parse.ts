/**
 * A JSON parser that reads numbers, limits and errors the way the reference's parser
 * (serde_json without `float_roundtrip`) does: the same grammar as `JSON.parse`, but a
 * nesting limit of 127, lone surrogate escapes rejected, numbers overflowing to ∞ rejected,
 * and the same (not always correctly rounded) decimal-to-double conversion, so 17-digit
 * numbers read as the reference reads them. Errors carry serde's message and its
 * line/column (columns count UTF-8 bytes).
 */

/**
 * A parsed value that still knows serde's number kinds: integers that fit u64 (or i64 when
 * negative) are bigints, every other number is a double. Objects keep the last of
 * duplicate keys.
 */
export type SerdeValue = null | boolean | string | number | bigint | SerdeValue[] | Map<string, SerdeValue>;

export class JsonSyntaxError extends Error {
  constructor(message: string, line: number, column: number) {
    super(`${message} at line ${line} column ${column}`);
    this.name = 'JsonSyntaxError';
  }
}

/** serde_json's recursion limit: the 128th nested container is refused. */
const MAX_DEPTH = 128;
const U64_MAX = 2n ** 64n - 1n;
const I64_MIN_MAGNITUDE = 2n ** 63n;
const POW10: readonly number[] = Array.from({ length: 309 }, (_, k) => Number(`1e${k}`));

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isDigit(b: number | undefined): b is number {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

class Parser {
  private index = 0;
  private depth = MAX_DEPTH;
  private readonly decoder = new TextDecoder();

  constructor(private readonly bytes: Uint8Array) {}

  parseDocument(): SerdeValue {
    const value = this.parseValue();
    if (this.skipWhitespace() !== undefined) throw this.peekError('trailing characters');
    return value;
  }

  // serde reports `error` at the read position and `peekError` one byte further.
  private error(message: string, at = this.index): JsonSyntaxError {
    const upTo = this.bytes.subarray(0, at);
    const lineStart = upTo.lastIndexOf(0x0a) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (this.bytes[i] === 0x0a) line++;
    return new JsonSyntaxError(message, line, at - lineStart);
  }

  private peekError(message: string): JsonSyntaxError {
    return this.error(message, Math.min(this.index + 1, this.bytes.length));
  }

  private peek(): number | undefined {
    return this.bytes[this.index];
  }

  private skipWhitespace(): number | undefined {
    for (;;) {
      const b = this.peek();
      if (b !== 0x20 && b !== 0x0a && b !== 0x09 && b !== 0x0d) return b;
      this.index++;
    }
  }

  private parseValue(): SerdeValue {
    const b = this.skipWhitespace();
    switch (b) {
      case undefined: throw this.peekError('EOF while parsing a value');
      case 0x6e: return this.parseIdent('null', null);
      case 0x74: return this.parseIdent('true', true);
      case 0x66: return this.parseIdent('false', false);
      case 0x2d: this.index++; return this.parseNumber(false);
      case QUOTE: this.index++; return this.parseString();
      case 0x5b: return this.nested(() => this.parseArray());
      case 0x7b: return this.nested(() => this.parseObject());
      default:
        if (isDigit(b)) return this.parseNumber(true);
        throw this.peekError('expected value');
    }
  }

  private parseIdent(word: string, value: SerdeValue): SerdeValue {
    this.index++;
    for (let i = 1; i < word.length; i++) {
      const b = this.bytes[this.index++];
      if (b === undefined) {
        this.index--;
        throw this.error('EOF while parsing a value');
      }
      if (b !== word.charCodeAt(i)) throw this.error('expected ident');
    }
    return value;
  }

  private nested(parse: () => SerdeValue): SerdeValue {
    if (--this.depth === 0) throw this.peekError('recursion limit exceeded');
    this.index++;
    const value = parse();
    this.depth++;
    return value;
  }

  private parseArray(): SerdeValue[] {
    const elements: SerdeValue[] = [];
    for (let first = true; ; first = false) {
      let b = this.skipWhitespace();
      if (b === 0x5d) break;
      if (!first) {
        if (b === undefined) throw this.peekError('EOF while parsing a list');
        if (b !== 0x2c) throw this.peekError('expected `,` or `]`');
        this.index++;
        b = this.skipWhitespace();
        if (b === 0x5d) throw this.peekError('trailing comma');
      } else if (b === undefined) {
        throw this.peekError('EOF while parsing a list');
      }
      elements.push(this.parseValue());
    }
    this.index++;
    return elements;
  }

  private parseObject(): Map<string, SerdeValue> {
    const members = new Map<string, SerdeValue>();
    for (let first = true; ; first = false) {
      let b = this.skipWhitespace();
      if (b === 0x7d) break;
      if (!first) {
        if (b === undefined) throw this.peekError('EOF while parsing an object');
        if (b !== 0x2c) throw this.peekError('expected `,` or `}`');
        this.index++;
        b = this.skipWhitespace();
      } else if (b === undefined) {
        throw this.peekError('EOF while parsing an object');
      }
      if (b === 0x7d) throw this.peekError('trailing comma');
      if (b === undefined) throw this.peekError('EOF while parsing a value');
      if (b !== QUOTE) throw this.peekError('key must be a string');
      this.index++;
      const key = this.parseString();
      const colon = this.skipWhitespace();
      if (colon === undefined) throw this.peekError('EOF while parsing an object');
      if (colon !== 0x3a) throw this.peekError('expected `:`');
      this.index++;
      members.set(key, this.parseValue());
    }
    this.index++;
    return members;
  }

  /** The string body after its opening quote. */
  private parseString(): string {
    let out = '';
    let chunk = this.index;
    for (;;) {
      const b = this.bytes[this.index];
      if (b === undefined) throw this.error('EOF while parsing a string');
      if (b === QUOTE) {
        out += this.decoder.decode(this.bytes.subarray(chunk, this.index));
        this.index++;
        return out;
      }
      if (b === BACKSLASH) {
        out += this.decoder.decode(this.bytes.subarray(chunk, this.index));
        this.index++;
        out += this.parseEscape();
        chunk = this.index;
      } else if (b < 0x20) {
        this.index++;
        throw this.error('control character (\\u0000-\\u001F) found while parsing a string');
      } else {
        this.index++;
      }
    }
  }

  private parseEscape(): string {
    const b = this.bytes[this.index++];
    switch (b) {
      case undefined: this.index--; throw this.error('EOF while parsing a string');
      case QUOTE: return '"';
      case BACKSLASH: return '\\';
      case 0x2f: return '/';
      case 0x62: return '\b';
      case 0x66: return '\f';
      case 0x6e: return '\n';
      case 0x72: return '\r';
      case 0x74: return '\t';
      case 0x75: return this.parseUnicodeEscape();
      default: throw this.error('invalid escape');
    }
  }

  private parseUnicodeEscape(): string {
    const high = this.hex4();
    if (high >= 0xdc00 && high <= 0xdfff) throw this.error('lone leading surrogate in hex escape');
    if (high < 0xd800 || high > 0xdbff) return String.fromCharCode(high);
    for (const expected of [BACKSLASH, 0x75]) {
      const b = this.bytes[this.index];
      if (b === undefined) throw this.error('EOF while parsing a string');
      this.index++;
      if (b !== expected) throw this.error('unexpected end of hex escape');
    }
    const low = this.hex4();
    if (low < 0xdc00 || low > 0xdfff) throw this.error('lone leading surrogate in hex escape');
    return String.fromCharCode(high, low);
  }

  private hex4(): number {
    if (this.index + 4 > this.bytes.length) {
      this.index = this.bytes.length;
      throw this.error('EOF while parsing a string');
    }
    // All four bytes are read before a bad digit is reported (the error is after them).
    const digits = String.fromCharCode(...this.bytes.subarray(this.index, this.index + 4));
    this.index += 4;
    if (!/^[0-9a-f]{4}$/i.test(digits)) throw this.error('invalid escape');
    return Number.parseInt(digits, 16);
  }

  /** serde's `parse_integer`: the sign is already consumed. */
  private parseNumber(positive: boolean): SerdeValue {
    const first = this.bytes[this.index];
    if (first === undefined) throw this.error('EOF while parsing a value');
    this.index++;
    if (!isDigit(first)) throw this.error('invalid number');
    let significand = BigInt(first - 0x30);
    if (first === 0x30) {
      if (isDigit(this.peek())) throw this.peekError('invalid number');
    } else {
      for (let b = this.peek(); isDigit(b); b = this.peek()) {
        const next = significand * 10n + BigInt(b - 0x30);
        if (next > U64_MAX) return this.parseLongInteger(positive, significand);
        significand = next;
        this.index++;
      }
    }
    const b = this.peek();
    if (b === 0x2e) return this.parseDecimal(positive, significand, 0);
    if (b === 0x65 || b === 0x45) return this.parseExponent(positive, significand, 0);
    if (positive) return significand;
    // -0 and negatives beyond i64 become doubles; the rest stay i64.
    if (significand === 0n || significand > I64_MIN_MAGNITUDE) return -Number(significand);
    return -significand;
  }

  /** Digits past u64: dropped, each adding one to the decimal exponent. */
  private parseLongInteger(positive: boolean, significand: bigint): number {
    let exponent = 0;
    for (;;) {
      const b = this.peek();
      if (isDigit(b)) {
        this.index++;
        exponent++;
      } else if (b === 0x2e) {
        return this.parseDecimal(positive, significand, exponent);
      } else if (b === 0x65 || b === 0x45) {
        return this.parseExponent(positive, significand, exponent);
      } else {
        return this.fromParts(positive, significand, exponent);
      }
    }
  }

  private parseDecimal(positive: boolean, significand: bigint, exponentBefore: number): number {
    this.index++; // the '.'
    let after = 0;
    let digits = 0;
    for (let b = this.peek(); isDigit(b); b = this.peek()) {
      digits++;
      const next = significand * 10n + BigInt(b - 0x30);
      this.index++;
      if (next > U64_MAX) {
        // Further digits are ignored (truncated), as in the reference.
        while (isDigit(this.peek())) this.index++;
        break;
      }
      significand = next;
      after--;
    }
    if (digits === 0) {
      if (this.peek() === undefined) throw this.peekError('EOF while parsing a value');
      throw this.peekError('invalid number');
    }
    const b = this.peek();
    if (b === 0x65 || b === 0x45) return this.parseExponent(positive, significand, exponentBefore + after);
    return this.fromParts(positive, significand, exponentBefore + after);
  }

  private parseExponent(positive: boolean, significand: bigint, startExponent: number): number {
    this.index++; // the 'e'
    let positiveExponent = true;
    const sign = this.peek();
    if (sign === 0x2b || sign === 0x2d) {
      positiveExponent = sign === 0x2b;
      this.index++;
    }
    const first = this.bytes[this.index];
    if (first === undefined) throw this.error('EOF while parsing a value');
    this.index++;
    if (!isDigit(first)) throw this.error('invalid number');
    let exponent = first - 0x30;
    for (let b = this.peek(); isDigit(b); b = this.peek()) {
      this.index++;
      exponent = exponent * 10 + (b - 0x30);
      if (exponent > 0x7fffffff) {
        // An exponent beyond i32: out of range, or zero.
        if (significand !== 0n && positiveExponent) throw this.error('number out of range');
        while (isDigit(this.peek())) this.index++;
        return positive ? 0 : -0;
      }
    }
    const total = positiveExponent ? startExponent + exponent : startExponent - exponent;
    return this.fromParts(positive, significand, Math.max(-0x80000000, Math.min(0x7fffffff, total)));
  }

  /** One u64→f64 rounding, then one multiplication or division by a power of ten. */
  private fromParts(positive: boolean, significand: bigint, exponent: number): number {
    let f = Number(significand);
    for (;;) {
      const pow = POW10[Math.abs(exponent)];
      if (pow !== undefined) {
        if (exponent >= 0) {
          f *= pow;
          if (!Number.isFinite(f)) throw this.error('number out of range');
        } else {
          f /= pow;
        }
        break;
      }
      if (f === 0) break;
      if (exponent >= 0) throw this.error('number out of range');
      f /= 1e308;
      exponent += 308;
    }
    return positive ? f : -f;
  }
}

/** Parses a whole JSON document; throws JsonSyntaxError. */
export function parseSerdeJson(text: string): SerdeValue {
  return new Parser(new TextEncoder().encode(text)).parseDocument();
}
