import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvariantError } from "../../core/errors.js";
import { formatJavaDouble } from "./java-double.js";

const SEED = { seed: 42 } as const;

describe("formatJavaDouble", () => {
  it.each([
    [201.94, "201.94"],
    [0, "0.0"],
    [-0, "-0.0"],
    [100, "100.0"],
    [-1.5, "-1.5"],
    [0.01, "0.01"],
    [0.001, "0.001"],
    [0.003, "0.003"],
    [1e23, "1.0E23"],
    [9_999_999, "9999999.0"],
    [1e7, "1.0E7"],
    [12_345_678.9, "1.23456789E7"],
    [0.0001, "1.0E-4"],
    [1.5e-7, "1.5E-7"],
    [Number.MAX_VALUE, "1.7976931348623157E308"],
    [Number.MIN_VALUE, "4.9E-324"],
  ])("writes %s as Java's Double.toString does: %s", (value, expected) => {
    expect(formatJavaDouble(value)).toBe(expected);
  });

  it("refuses NaN and infinities, which have no place in a TWS message", () => {
    expect(() => formatJavaDouble(Number.NaN)).toThrow(InvariantError);
    expect(() => formatJavaDouble(Number.POSITIVE_INFINITY)).toThrow(InvariantError);
  });

  it("reads back to the very same double for every finite value", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        expect(Object.is(Number(formatJavaDouble(value)), value)).toBe(true);
      }),
      SEED,
    );
  });
});
