import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { referencePrice } from "./reference-price.js";
import type { OrderTerms } from "./risk-decision.js";

const base: OrderTerms = { symbol: "AAPL", side: "BUY", quantity: new Decimal(1), type: "MARKET" };

describe("referencePrice", () => {
  it("values a MARKET order at the last price", () => {
    expect(referencePrice(base, 101.25)?.toString()).toBe("101.25");
  });

  it("values a LIMIT order at its limit price, not the last price", () => {
    expect(referencePrice({ ...base, type: "LIMIT", limitPrice: 99.5 }, 101)?.toString()).toBe("99.5");
  });

  it("values a STOP order at its stop price, not the last price", () => {
    expect(referencePrice({ ...base, type: "STOP", stopPrice: 105 }, 101)?.toString()).toBe("105");
  });

  it("falls back to the last price when a LIMIT order carries no limit price", () => {
    expect(referencePrice({ ...base, type: "LIMIT" }, 101)?.toString()).toBe("101");
  });

  it("knows no price when there is no last price", () => {
    expect(referencePrice(base, undefined)).toBeUndefined();
  });

  it("treats a zero or non-finite price as unknown", () => {
    expect(referencePrice(base, 0)).toBeUndefined();
    expect(referencePrice({ ...base, type: "LIMIT", limitPrice: Number.NaN }, undefined)).toBeUndefined();
  });
});
