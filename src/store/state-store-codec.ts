import { Decimal } from "decimal.js";
import { InvariantError } from "../core/errors.js";

/**
 * How the state store writes values: money and quantities as exact decimal text (never REAL, so nothing is
 * rounded by a float), times and IB ids as integers. A value that cannot be stored exactly is refused.
 */
export function decimalText(value: Decimal, what: string): string {
  if (!value.isFinite())
    throw new InvariantError(`state store: ${what} must be a finite decimal, got ${value.toString()}`);
  // toFixed() without digits never rounds and never uses exponent notation, so the file stays readable.
  return value.toFixed();
}

/** Reads a decimal written by `decimalText`. */
export function decimalFrom(text: string): Decimal {
  return new Decimal(text);
}

/** A JS number (such as a limit price) as the shortest text that reads back to the same number. */
export function numberText(value: number, what: string): string {
  if (!Number.isFinite(value)) throw new InvariantError(`state store: ${what} must be finite, got ${value}`);
  return String(value);
}

/** Refuses a time or id that is not a whole number, so no INTEGER column ever receives a REAL. */
export function requireInteger(value: number, what: string, minimum = 0): number {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new InvariantError(`state store: ${what} must be an integer ≥ ${minimum}, got ${value}`);
  }
  return value;
}

/** A nullable column as an optional property: `{ key: value }` or nothing, for exactOptionalPropertyTypes. */
export function optional<K extends string, V>(key: K, value: V | null): Partial<Record<K, V>> {
  return value === null ? {} : ({ [key]: value } as Record<K, V>);
}
