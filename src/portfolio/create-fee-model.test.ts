import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { InvariantError } from "../core/errors.js";
import { createFeeModel } from "./create-fee-model.js";
import { DEFAULT_FIXED_RATES, DEFAULT_TIERED_RATES } from "./fee-schedule.js";
import type { FeeableTrade } from "./fee-model.js";

const BUY_1000_AT_25: FeeableTrade = {
  symbol: "SPY",
  side: "BUY",
  quantity: new Decimal(1000),
  price: new Decimal(25),
  time: 0,
};

describe("createFeeModel", () => {
  it("builds each named model with its default rates", () => {
    const fixed = createFeeModel("fixed");
    const tiered = createFeeModel("tiered");
    const none = createFeeModel("none");

    expect([fixed.name, tiered.name, none.name]).toEqual(["fixed", "tiered", "none"]);
    expect(fixed.charge(BUY_1000_AT_25).commission.toString()).toBe("5");
    expect(tiered.charge(BUY_1000_AT_25).commission.toString()).toBe("3.5");
    expect(none.charge(BUY_1000_AT_25).total.toString()).toBe("0");
  });

  it("uses the rates it is given", () => {
    const model = createFeeModel("fixed", { ...DEFAULT_FIXED_RATES, perShare: new Decimal("0.002") });

    expect(model.charge(BUY_1000_AT_25).commission.toString()).toBe("2");
  });

  it("refuses rates meant for another model", () => {
    expect(() => createFeeModel("fixed", DEFAULT_TIERED_RATES)).toThrow(InvariantError);
    expect(() => createFeeModel("tiered", DEFAULT_FIXED_RATES)).toThrow(InvariantError);
  });
});
