import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { InvariantError } from "../core/errors.js";
import { ZeroFeeModel } from "./zero-fee-model.js";

describe("ZeroFeeModel", () => {
  it("charges nothing on a buy or a sell", () => {
    const model = new ZeroFeeModel();
    const base = { symbol: "SPY", quantity: new Decimal(100_000), price: new Decimal(10), time: 0 };

    const buy = model.charge({ ...base, side: "BUY" });
    const sell = model.charge({ ...base, side: "SELL" });

    expect(buy.total.isZero()).toBe(true);
    expect(sell.total.isZero()).toBe(true);
    expect(sell.regulatory.isZero()).toBe(true);
  });

  it("still refuses a malformed trade", () => {
    const model = new ZeroFeeModel();

    const charge = (): unknown =>
      model.charge({
        symbol: "SPY",
        side: "BUY",
        quantity: new Decimal(-1),
        price: new Decimal(10),
        time: 0,
      });

    expect(charge).toThrow(InvariantError);
  });
});
