import { describe, expect, it } from "vitest";
import { aBar } from "../../test/kit/bars.js";
import { validateBar } from "./bar-validation.js";

describe("validateBar", () => {
  it("accepts a well-formed bar", () => {
    expect(validateBar(aBar({ open: 100, high: 101, low: 99, close: 100.5 }))).toBeUndefined();
  });

  it("rejects a high below the low", () => {
    expect(validateBar(aBar({ open: 10, high: 9.5, low: 10, close: 10 }))).toBe("high 9.5 is below low 10");
  });

  it.each([
    [{ open: 102, high: 101, low: 99, close: 100 }, "high 101 is below open 102"],
    [{ open: 100, high: 101, low: 99, close: 101.5 }, "high 101 is below close 101.5"],
    [{ open: 98, high: 101, low: 99, close: 100 }, "low 99 is above open 98"],
    [{ open: 100, high: 101, low: 99, close: 98.5 }, "low 99 is above close 98.5"],
  ])("rejects a high or low that does not contain open and close: %o", (prices, reason) => {
    expect(validateBar(aBar(prices))).toBe(reason);
  });

  it.each([
    [{ open: 0 }, "open 0 is not a positive finite price"],
    [{ low: -1 }, "low -1 is not a positive finite price"],
    [{ high: Number.POSITIVE_INFINITY }, "high Infinity is not a positive finite price"],
    [{ close: Number.NaN }, "close NaN is not a positive finite price"],
  ])("rejects a price that is not positive and finite: %o", (prices, reason) => {
    expect(validateBar(aBar(prices))).toBe(reason);
  });

  it("rejects a negative or non-finite volume and accepts zero", () => {
    expect(validateBar(aBar({ volume: -5 }))).toBe("volume -5 is not a finite number >= 0");
    expect(validateBar(aBar({ volume: Number.NaN }))).toBe("volume NaN is not a finite number >= 0");
    expect(validateBar(aBar({ volume: 0 }))).toBeUndefined();
  });

  it("rejects a bar that does not close after it opens", () => {
    const openTime = Date.UTC(2024, 0, 2, 14, 30);
    expect(validateBar(aBar({ openTime, closeTime: openTime }))).toBe(
      "closeTime 2024-01-02T14:30:00.000Z is not after openTime 2024-01-02T14:30:00.000Z",
    );
    expect(validateBar(aBar({ openTime: Number.NaN, closeTime: 1 }))).toBe(
      "openTime NaN and closeTime 1 must be finite epoch milliseconds",
    );
  });

  it("rejects a bar that opens before the previous bar of the same symbol closes", () => {
    const previous = aBar({
      openTime: Date.UTC(2024, 0, 2, 14, 30),
      closeTime: Date.UTC(2024, 0, 2, 14, 35),
    });
    const next = aBar({ openTime: Date.UTC(2024, 0, 2, 14, 31) });
    expect(validateBar(next, previous)).toBe(
      "bar opens at 2024-01-02T14:31:00.000Z, before the previous SPY bar closes at 2024-01-02T14:35:00.000Z",
    );
    expect(validateBar(aBar({ openTime: Date.UTC(2024, 0, 2, 14, 35) }), previous)).toBeUndefined();
  });

  it("does not compare with a previous bar of another symbol", () => {
    const previous = aBar({ symbol: "QQQ", closeTime: Date.UTC(2024, 0, 2, 16) });
    expect(validateBar(aBar(), previous)).toBeUndefined();
  });
});
