import { Decimal } from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import type { OrderSide } from "../model/order.js";
import type { FeeableTrade } from "./fee-model.js";
import { DEFAULT_TIERED_RATES } from "./fee-schedule.js";
import { TieredFeeModel } from "./tiered-fee-model.js";

const MARCH_5_2024 = Date.UTC(2024, 2, 5, 15, 0);
const LAST_MS_OF_JANUARY_2024 = Date.UTC(2024, 1, 1) - 1;
const FIRST_MS_OF_FEBRUARY_2024 = Date.UTC(2024, 1, 1);

function trade(
  side: OrderSide,
  quantity: Decimal.Value,
  price: Decimal.Value,
  time = MARCH_5_2024,
): FeeableTrade {
  return { symbol: "SPY", side, quantity: new Decimal(quantity), price: new Decimal(price), time };
}

function expectDecimal(actual: Decimal, expected: string): void {
  expect(actual.toString()).toBe(new Decimal(expected).toString());
}

describe("TieredFeeModel", () => {
  it("itemizes a small buy: minimum commission, exchange, clearing, pass-through and CAT", () => {
    const model = new TieredFeeModel();

    const fees = model.charge(trade("BUY", 100, 25));

    // Commission: 100 × 0.0035 = 0.35, equal to the 0.35 minimum; cap 1 % × 2,500 = 25.
    expectDecimal(fees.commission, "0.35");
    // Exchange: 100 × 0.003 = 0.30.
    expectDecimal(fees.exchange, "0.30");
    // Clearing: 100 × 0.0002 = 0.02; cap 0.5 % × 2,500 = 12.50.
    expectDecimal(fees.clearing, "0.02");
    // FINRA pass-through: 0.35 × 0.00056 = 0.000196.
    expectDecimal(fees.passThrough, "0.000196");
    // FINRA CAT: 100 × 0.000048 = 0.0048; no SEC fee or TAF on a buy.
    expectDecimal(fees.regulatory, "0.0048");
    // 0.35 + 0.30 + 0.02 + 0.000196 + 0.0048.
    expectDecimal(fees.total, "0.674996");
  });

  it("adds the SEC fee and FINRA TAF to CAT on a sell", () => {
    const model = new TieredFeeModel();

    const fees = model.charge(trade("SELL", 1000, 25));

    // Commission 1,000 × 0.0035 = 3.50; exchange 3.00; clearing 0.20; pass-through 3.50 × 0.00056 = 0.00196.
    expectDecimal(fees.commission, "3.50");
    expectDecimal(fees.exchange, "3.00");
    expectDecimal(fees.clearing, "0.20");
    expectDecimal(fees.passThrough, "0.00196");
    // CAT 1,000 × 0.000048 = 0.048; SEC 25,000 × 0.0000278 = 0.695; TAF 1,000 × 0.000166 = 0.166.
    expectDecimal(fees.regulatory, "0.909");
    expectDecimal(fees.total, "7.61096");
  });

  it("caps the FINRA TAF at 8.30 USD on a 100,000-share sell", () => {
    const model = new TieredFeeModel();

    const fees = model.charge(trade("SELL", 100_000, 10));

    // Commission 100,000 × 0.0035 = 350 (cap 10,000); exchange 300; clearing 20 (cap 5,000);
    // pass-through 350 × 0.00056 = 0.196.
    expectDecimal(fees.commission, "350");
    expectDecimal(fees.exchange, "300");
    expectDecimal(fees.clearing, "20");
    expectDecimal(fees.passThrough, "0.196");
    // CAT 4.80 + SEC 1,000,000 × 0.0000278 = 27.80 + TAF min(16.60, 8.30) = 8.30.
    expectDecimal(fees.regulatory, "40.90");
    expectDecimal(fees.total, "711.096");
  });

  it("caps clearing at 0.5 % and the commission at 1 % of a tiny trade's value", () => {
    const model = new TieredFeeModel();

    const fees = model.charge(trade("BUY", 10_000, "0.01"));

    // Value 100. Commission min(max(35, 0.35), 1.00) = 1.00; clearing min(2.00, 0.50) = 0.50.
    expectDecimal(fees.commission, "1.00");
    expectDecimal(fees.clearing, "0.50");
    // Exchange 30; pass-through 1.00 × 0.00056 = 0.00056; CAT 10,000 × 0.000048 = 0.48.
    expectDecimal(fees.total, "31.98056");
  });

  it("moves to the 0.002 tier once 300,000 shares have traded in the month", () => {
    const model = new TieredFeeModel();
    // 300,000 × 0.0035 = 1,050, below the cap of 1 % × 3,000,000.
    const first = model.charge(trade("BUY", 300_000, 10));

    const second = model.charge(trade("BUY", 1000, 25));

    expectDecimal(first.commission, "1050");
    // 1,000 × 0.002 = 2.00 (was 3.50 in the first tier).
    expectDecimal(second.commission, "2.00");
    expectDecimal(model.monthToDateVolume(MARCH_5_2024), "301000");
  });

  it("prices a whole order at the tier in force before it, even when it crosses into the next", () => {
    const model = new TieredFeeModel();
    model.charge(trade("BUY", 299_000, 10));

    const crossing = model.charge(trade("BUY", 2000, 25));
    const after = model.charge(trade("BUY", 2000, 25));

    // All 2,000 shares at 0.0035 = 7.00, then the next order at 0.002 = 4.00.
    expectDecimal(crossing.commission, "7.00");
    expectDecimal(after.commission, "4.00");
  });

  it("resets the volume when the UTC calendar month changes", () => {
    const model = new TieredFeeModel();
    model.charge(trade("BUY", 300_000, 10, LAST_MS_OF_JANUARY_2024));

    const february = model.charge(trade("BUY", 1000, 25, FIRST_MS_OF_FEBRUARY_2024));

    // Back in the first tier: 1,000 × 0.0035 = 3.50.
    expectDecimal(february.commission, "3.50");
    expectDecimal(model.monthToDateVolume(LAST_MS_OF_JANUARY_2024), "300000");
    expectDecimal(model.monthToDateVolume(FIRST_MS_OF_FEBRUARY_2024), "1000");
  });

  it("prices a late trade from an earlier month against that month's volume", () => {
    const model = new TieredFeeModel();
    model.charge(trade("BUY", 300_000, 10, LAST_MS_OF_JANUARY_2024));
    model.charge(trade("BUY", 1000, 25, FIRST_MS_OF_FEBRUARY_2024));

    const late = model.charge(trade("BUY", 1000, 25, LAST_MS_OF_JANUARY_2024 - 1));

    expectDecimal(late.commission, "2.00");
    expectDecimal(model.monthToDateVolume(FIRST_MS_OF_FEBRUARY_2024), "1000");
  });

  it("previews without counting volume toward the tier", () => {
    const model = new TieredFeeModel();

    const preview = model.preview(trade("BUY", 300_000, 10));
    const next = model.charge(trade("BUY", 1000, 25));

    expectDecimal(preview.commission, "1050");
    expectDecimal(next.commission, "3.50");
    expect(model.tierAt(MARCH_5_2024).perShare.toString()).toBe("0.0035");
  });

  it("rejects tiers that do not end in an unbounded tier", () => {
    const build = (): TieredFeeModel =>
      new TieredFeeModel({
        ...DEFAULT_TIERED_RATES,
        tiers: [{ upToShares: 300_000, perShare: new Decimal("0.0035") }],
      });

    expect(build).toThrow(ConfigError);
  });

  it("always charges non-negative components that sum to the total, within the 1 % commission cap", () => {
    const trades = fc.record({
      side: fc.constantFrom<OrderSide>("BUY", "SELL"),
      quantity: fc.integer({ min: 1, max: 2_000_000 }),
      priceCents: fc.integer({ min: 0, max: 500_000 }),
    });
    fc.assert(
      fc.property(fc.array(trades, { minLength: 1, maxLength: 20 }), (generated) => {
        const model = new TieredFeeModel();
        for (const t of generated) {
          const price = new Decimal(t.priceCents).div(100);
          const fees = model.charge(trade(t.side, t.quantity, price));
          const parts = [fees.commission, fees.exchange, fees.clearing, fees.passThrough, fees.regulatory];
          const sum = parts.reduce((a, b) => a.plus(b), new Decimal(0));
          expect(parts.every((part) => !part.isNegative())).toBe(true);
          expect(sum.eq(fees.total)).toBe(true);
          expect(fees.commission.lte(price.times(t.quantity).div(100))).toBe(true);
        }
      }),
      { seed: 42 },
    );
  });
});
