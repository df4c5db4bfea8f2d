import { InvariantError } from "../../core/errors.js";

/**
 * Formats a finite double the way Java's `Double.toString` does (JDK 19+ specification; TWS is a Java
 * program): the shortest digits that read back to the same double (two digits when one would do and two
 * are closer), plain notation with at least one decimal (`201.94`, `100.0`, `0.0`) for
 * 10^-3 ≤ |x| < 10^7, otherwise `d.dddE±n` (`1.0E-4`, `1.7976931348623157E308`).
 */
export function formatJavaDouble(value: number): string {
  if (!Number.isFinite(value)) {
    throw new InvariantError(`cannot put the non-finite double ${value} on the wire`);
  }
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const sign = value < 0 ? "-" : "";
  const magnitude = Math.abs(value);
  const { digits, exponent } = shortestDigits(magnitude);
  return (
    sign + (magnitude >= 1e-3 && magnitude < 1e7 ? plain(digits, exponent) : scientific(digits, exponent))
  );
}

/** Significant digits and decimal exponent of `magnitude` > 0, so that it equals d.ddd × 10^exponent. */
function shortestDigits(magnitude: number): { digits: string; exponent: number } {
  // toExponential() without an argument gives the fewest digits that read back to the same double.
  let text = magnitude.toExponential();
  if (!text.includes(".")) {
    // One digit: Java prefers the closest two-digit decimal when it still reads back (e.g. 4.9E-324).
    const twoDigits = magnitude.toExponential(1);
    if (Number(twoDigits) === magnitude && !twoDigits.startsWith("0", 2)) text = twoDigits;
  }
  const [mantissa = "", exponent = "0"] = text.split("e");
  return { digits: mantissa.replace(".", ""), exponent: Number(exponent) };
}

function plain(digits: string, exponent: number): string {
  if (exponent < 0) return `0.${"0".repeat(-exponent - 1)}${digits}`;
  const integerPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1);
  return `${integerPart}.${fraction === "" ? "0" : fraction}`;
}

function scientific(digits: string, exponent: number): string {
  const fraction = digits.slice(1);
  return `${digits.slice(0, 1)}.${fraction === "" ? "0" : fraction}E${exponent}`;
}
