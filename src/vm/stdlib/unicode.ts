/**
 * The reference's string units (strings are UTF-8 there, UTF-16 here): UTF-8 byte offsets
 * for `indexOf`/`lastIndexOf`/`substring`, and Rust's `char::is_whitespace` set for trimming
 * (it trims U+0085 and keeps U+FEFF, unlike JS `trim`).
 */

/** Rust's `char::is_whitespace` (Unicode White_Space); every member is one UTF-16 unit. */
function isWhiteSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029
    || c === 0x202f || c === 0x205f || c === 0x3000;
}

// Loops rather than anchored regexes: `/\s+$/`-style patterns are quadratic on long inner runs.
export function trimStart(s: string): string {
  let i = 0;
  while (i < s.length && isWhiteSpace(s.charCodeAt(i))) i++;
  return s.slice(i);
}

export function trimEnd(s: string): string {
  let end = s.length;
  while (end > 0 && isWhiteSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(0, end);
}

export function trim(s: string): string {
  return trimEnd(trimStart(s));
}

/** Bytes of the UTF-8 encoding of `s.slice(0, end)` (the whole string by default). */
export function utf8Length(s: string, end = s.length): number {
  let bytes = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      bytes += 4; // a surrogate pair is one code point of 4 bytes
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * The UTF-16 index at UTF-8 byte offset `byte`, or -1 when `byte` falls inside a code point
 * (`byte` is at most the byte length).
 */
export function indexAtByte(s: string, byte: number): number {
  let bytes = 0;
  let i = 0;
  while (bytes < byte && i < s.length) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
    i += pair ? 2 : 1;
  }
  return bytes === byte ? i : -1;
}
