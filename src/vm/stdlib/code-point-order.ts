/**
 * String order by code point, which is the reference's order (UTF-8 bytes compare like code
 * points). JavaScript's `<` compares UTF-16 units instead, which puts astral characters
 * (surrogate pairs, 0xD800–0xDFFF) before U+E000–U+FFFF.
 */

/** A UTF-16 unit moved so that unit order becomes code-point order: surrogates above the rest of the BMP. */
function rank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** Negative, zero or positive as `a` comes before, equals or comes after `b` in code-point order. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}
