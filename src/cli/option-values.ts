/**
 * Parsers for the command line's option values: each turns the text into a value or throws
 * commander's `InvalidArgumentError`, whose message commander prints after the option's name.
 */
import { InvalidArgumentError } from 'commander';

/** An integer in `min..max` (decimal digits only: `1e3`, `0x10` and `12abc` are refused). */
export function integerIn(min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `Expected an integer ≥ ${min}.` : `Expected an integer in ${min}..${max}.`);
    }
    return n;
  };
}

/** A finite number of milliseconds ≥ 0 (fractions allowed). */
export function milliseconds(text: string): number {
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n)) throw new InvalidArgumentError('Expected a number of milliseconds ≥ 0.');
  return n;
}

const UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

/** A byte count: an integer with an optional binary unit, `65536`, `512k`, `64MiB`, `1G`. */
export function byteSize(text: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text);
  const unit = match === null ? undefined : UNITS[match[2]!.toLowerCase()];
  const n = match === null || unit === undefined ? Number.NaN : Number(match[1]) * unit;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('Expected a byte count such as 65536, 512k, 64MiB or 1G.');
  return n;
}
