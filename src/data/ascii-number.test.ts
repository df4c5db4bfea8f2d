import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAsciiNumber } from "./ascii-number.js";

function parse(text: string): number {
  const bytes = Buffer.from(`#${text}#`, "latin1");
  return parseAsciiNumber(bytes, 1, bytes.length - 1);
}

describe("parseAsciiNumber", () => {
  it("parses decimals exactly like Number()", () => {
    for (const text of ["0", "100", "3578.73", "45.599998", "-2.5", "+7", ".5", "5.", "0.000001", "007.10"]) {
      expect(parse(text)).toBe(Number(text));
    }
  });

  it("equals Number() for any double printed by String() or toFixed()", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e12, max: 1e12, noNaN: true }),
        fc.integer({ min: 0, max: 12 }),
        (value, digits) => {
          for (const text of [String(value), value.toFixed(digits)]) {
            expect(Object.is(parse(text), Number(text)), text).toBe(true);
          }
        },
      ),
      { seed: 42, numRuns: 20_000 },
    );
  });

  it("handles exponents and long mantissas through the exact slow path", () => {
    expect(parse("1e5")).toBe(100_000);
    expect(parse("2.5E-3")).toBe(0.0025);
    expect(parse("1.e+2")).toBe(100);
    expect(parse("12345678901234567890.123")).toBe(Number("12345678901234567890.123"));
  });

  it("ignores surrounding spaces, tabs and double quotes", () => {
    expect(parse(' "12.5" ')).toBe(12.5);
    expect(parse("\t3\t")).toBe(3);
  });

  it("returns NaN for empty fields, words, hex, Infinity and trailing junk", () => {
    for (const text of [
      "",
      " ",
      "abc",
      "-",
      ".",
      "1.2.3",
      "0x10",
      "Infinity",
      "NaN",
      "12abc",
      "1e",
      "1e+",
      "1e5x",
      "null",
    ]) {
      expect(parse(text), text).toBeNaN();
    }
  });
});
