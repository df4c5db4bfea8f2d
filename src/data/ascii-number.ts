/**
 * Parses decimal numbers straight from bytes, without creating strings: the hot path of the CSV reader.
 */

const POWERS_OF_TEN = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

/** True for the bytes trimmed around a CSV field: space, tab and double quote. */
export function isFieldPaddingByte(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === QUOTE;
}

/** Parses an exponent-form number (the rare path), validating the syntax before handing it to `Number`. */
function parseWithExponent(bytes: Uint8Array, start: number, exponentAt: number, end: number): number {
  let i = exponentAt + 1;
  const sign = bytes[i] ?? 0;
  if (sign === PLUS || sign === MINUS) i++;
  if (i === end) return Number.NaN;
  for (; i < end; i++) {
    const digit = (bytes[i] ?? 0) - ZERO;
    if (digit < 0 || digit > 9) return Number.NaN;
  }
  return Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1"));
}

/**
 * Parses the ASCII decimal number in `bytes[start, end)` — optional sign, digits, optional fraction,
 * optional exponent; surrounding spaces, tabs and quotes are ignored — and returns NaN for anything
 * else (including an empty field, `Infinity` and hex). Whatever it accepts equals `Number(text)`.
 */
export function parseAsciiNumber(bytes: Uint8Array, start: number, end: number): number {
  while (start < end && isFieldPaddingByte(bytes[start] ?? 0)) start++;
  while (end > start && isFieldPaddingByte(bytes[end - 1] ?? 0)) end--;
  let i = start;
  let negative = false;
  const first = bytes[i] ?? 0;
  if (first === MINUS) {
    negative = true;
    i++;
  } else if (first === PLUS) {
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  for (; i < end; i++) {
    const digit = (bytes[i] ?? 0) - ZERO;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
    digits++;
  }
  if (i < end && bytes[i] === DOT) {
    for (i++; i < end; i++) {
      const digit = (bytes[i] ?? 0) - ZERO;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
      fractionDigits++;
    }
    digits += fractionDigits;
  }
  if (digits === 0) return Number.NaN;
  if (i < end) {
    const byte = bytes[i];
    return byte === LOWER_E || byte === UPPER_E ? parseWithExponent(bytes, start, i, end) : Number.NaN;
  }
  // Exact fast path (Clinger): an integer mantissa below 2^53 divided by an exact power of ten is
  // correctly rounded, so it equals Number(text). Longer mantissas take the string path.
  if (mantissa > Number.MAX_SAFE_INTEGER || fractionDigits > 22) {
    return Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1"));
  }
  const value = fractionDigits === 0 ? mantissa : mantissa / (POWERS_OF_TEN[fractionDigits] ?? 1);
  return negative ? -value : value;
}
