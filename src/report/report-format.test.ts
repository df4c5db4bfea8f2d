import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { formatMoney, formatParams, formatPercent, groupThousands } from "./report-format.js";

describe("report formatting", () => {
  it("formats money with two half-up decimals and thousands separators, exactly from the Decimal", () => {
    expect(formatMoney(new Decimal("1234567.005"))).toBe("1,234,567.01");
    expect(formatMoney(new Decimal("-1234.5"))).toBe("-1,234.50");
    expect(formatMoney(new Decimal("999"))).toBe("999.00");
    expect(formatMoney(new Decimal("12345678901234567890.12"))).toBe("12,345,678,901,234,567,890.12");
    expect(formatMoney(undefined)).toBe("n/a");
  });

  it("never shows a negative zero", () => {
    expect(formatMoney(new Decimal("-0.001"))).toBe("0.00");
    expect(formatPercent(-0.0000001)).toBe("0.00%");
    expect(groupThousands("-0.00")).toBe("0.00");
  });

  it("formats fractions as percentages with two decimals and undefined as n/a", () => {
    expect(formatPercent(0.123456)).toBe("12.35%");
    expect(formatPercent(-0.5)).toBe("-50.00%");
    expect(formatPercent(undefined)).toBe("n/a");
    expect(formatPercent(Number.NaN)).toBe("n/a");
  });

  it("formats strategy parameters as name=value pairs", () => {
    expect(formatParams({ fast: 10, mode: "close", levels: [1, 2] })).toBe(
      "fast=10, mode=close, levels=[1,2]",
    );
    expect(formatParams({})).toBe("none");
  });
});
