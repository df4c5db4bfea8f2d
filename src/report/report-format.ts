import { Decimal } from "decimal.js";

/** Text shown for a value that is not defined (no trades, no variance, ...). */
export const NOT_AVAILABLE = "n/a";

/** Inserts thousands separators into a plain decimal string such as `-1234567.89`. */
export function groupThousands(plain: string): string {
  const negative = plain.startsWith("-");
  const unsigned = negative ? plain.slice(1) : plain;
  const dot = unsigned.indexOf(".");
  const integerPart = dot < 0 ? unsigned : unsigned.slice(0, dot);
  const fraction = dot < 0 ? "" : unsigned.slice(dot);
  const grouped = integerPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const isZero = /^[0.,]*$/.test(grouped + fraction);
  return `${negative && !isZero ? "-" : ""}${grouped}${fraction}`;
}

/** Money with 2 decimals (half-up) and thousands separators, computed exactly from the Decimal: `-1,234.50`. */
export function formatMoney(value: Decimal | undefined): string {
  return value === undefined ? NOT_AVAILABLE : groupThousands(value.toFixed(2, Decimal.ROUND_HALF_UP));
}

/** A float with fixed decimals and thousands separators; "n/a" when undefined or not finite. */
export function formatNumber(value: number | undefined, decimals = 2): string {
  return value === undefined || !Number.isFinite(value)
    ? NOT_AVAILABLE
    : groupThousands(value.toFixed(decimals));
}

/** A fraction as a percentage with 2 decimals (0.1234 → `12.34%`); "n/a" when undefined or not finite. */
export function formatPercent(value: number | undefined, decimals = 2): string {
  return value === undefined || !Number.isFinite(value)
    ? NOT_AVAILABLE
    : `${formatNumber(value * 100, decimals)}%`;
}

/** A UTC time as `YYYY-MM-DD HH:mm`; "n/a" when undefined. */
export function formatUtcMinute(timeMs: number | undefined): string {
  if (timeMs === undefined) return NOT_AVAILABLE;
  const iso = new Date(timeMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** A UTC time as `YYYY-MM-DD`. */
export function formatUtcDate(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}

/** Strategy parameters as `name=value` pairs joined by commas (objects as JSON); `none` when empty. */
export function formatParams(params: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return "none";
  return entries.map(([name, value]) => `${name}=${formatParamValue(value)}`).join(", ");
}

function formatParamValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (value === undefined) return "undefined";
  return JSON.stringify(value);
}
