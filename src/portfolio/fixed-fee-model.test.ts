import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { ConfigError, InvariantError } from "../core/errors.js";
import type { OrderSide } from "../model/order.js";
import type { FeeableTrade } from "./fee-model.js";
import { DEFAULT_FIXED_RATES } from "./fee-schedule.js";
import { FixedFeeModel } from "./fixed-fee-model.js";

const MARCH_5_2024 = Date.UTC(2024, 2, 5, 15, 0);

function trade(side: OrderSide, quantity: Decimal.Value, price: Decimal.Value): FeeableTrade {
  return {
    symbol: "SPY",
    side,
    quantity: new Decimal(quantity),
    price: new Decimal(price),
    time: MARCH_5_2024,
  };
}

function expectDecimal(actual: Decimal, expected: string): void {
  expect(actual.toString()).toBe(new Decimal(expected).toString());
}

describe("FixedFeeModel", () => {
  it("charges the 1.00 USD minimum on a small buy", () => {
    const model = new FixedFeeModel();

    // 100 × 0.005 = 0.50 < 1.00 minimum; cap 1 % × 2,500 = 25 does not bind.
    const fees = model.charge(trade("BUY", 100, 25));

    expectDecimal(fees.commission, "1.00");
    expectDecimal(fees.regulatory, "0");
    expectDecimal(fees.total, "1.00");
  });

  it("charges 0.005 USD per share once that exceeds the minimum", () => {
    const model = new FixedFeeModel();

    // 1,000 × 0.005 = 5.00.
    const fees = model.charge(trade("BUY", 1000, 25));

    expectDecimal(fees.commission, "5.00");
    expectDecimal(fees.total, "5.00");
  });

  it("caps the commission at 1 % of the trade value", () => {
    const model = new FixedFeeModel();

    // 1,000 × 0.005 = 5.00, but 1 % × (1,000 × 0.25 = 250) = 2.50.
    const fees = model.charge(trade("BUY", 1000, "0.25"));

    expectDecimal(fees.commission, "2.50");
  });

  it("lets the 1 % cap win when it is below the minimum", () => {
    const model = new FixedFeeModel();

    // max(100 × 0.005 = 0.50, 1.00) = 1.00, then min(1.00, 1 % × 5 = 0.05) = 0.05.
    const fees = model.charge(trade("BUY", 100, "0.05"));

    expectDecimal(fees.commission, "0.05");
  });

  it("adds the SEC fee and FINRA TAF on a sell", () => {
    const model = new FixedFeeModel();

    // Commission 1,000 × 0.005 = 5.00; SEC 25,000 × 0.0000278 = 0.695; TAF 1,000 × 0.000166 = 0.166.
    const fees = model.charge(trade("SELL", 1000, 25));

    expectDecimal(fees.commission, "5.00");
    expectDecimal(fees.exchange, "0");
    expectDecimal(fees.clearing, "0");
    expectDecimal(fees.passThrough, "0");
    expectDecimal(fees.regulatory, "0.861");
    expectDecimal(fees.total, "5.861");
  });

  it("caps the FINRA TAF at 8.30 USD on a large sell", () => {
    const model = new FixedFeeModel();

    // Commission 100,000 × 0.005 = 500 (cap 10,000); SEC 1,000,000 × 0.0000278 = 27.80;
    // TAF 100,000 × 0.000166 = 16.60, capped to 8.30.
    const fees = model.charge(trade("SELL", 100_000, 10));

    expectDecimal(fees.commission, "500");
    expectDecimal(fees.regulatory, "36.10");
    expectDecimal(fees.total, "536.10");
  });

  it("charges no regulatory fees on a buy", () => {
    const model = new FixedFeeModel();

    const fees = model.charge(trade("BUY", 100_000, 10));

    expectDecimal(fees.regulatory, "0");
    expectDecimal(fees.total, "500");
  });

  it("previews exactly what it charges", () => {
    const model = new FixedFeeModel();
    const sell = trade("SELL", 1234, "56.78");

    const preview = model.preview(sell);
    const charged = model.charge(sell);

    expect(preview.total.eq(charged.total)).toBe(true);
  });

  it("uses the rates it is given", () => {
    const model = new FixedFeeModel({ ...DEFAULT_FIXED_RATES, perShare: new Decimal("0.01") });

    const fees = model.charge(trade("BUY", 1000, 25));

    expectDecimal(fees.commission, "10");
  });

  it("rejects a negative rate with a ConfigError naming it", () => {
    const build = (): FixedFeeModel =>
      new FixedFeeModel({ ...DEFAULT_FIXED_RATES, minPerOrder: new Decimal("-1") });

    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/minPerOrder/);
  });

  it("refuses to price a zero quantity", () => {
    const model = new FixedFeeModel();

    expect(() => model.charge(trade("BUY", 0, 25))).toThrow(InvariantError);
  });
});
