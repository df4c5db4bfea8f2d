import { Decimal } from "decimal.js";
import { assertFeeableTrade, makeFeeBreakdown } from "./fee-model.js";
import type { FeeableTrade, FeeBreakdown, FeeModel } from "./fee-model.js";

const ZERO = new Decimal(0);

/** The all-zero breakdown that ZeroFeeModel returns for every trade. */
export const ZERO_FEE_BREAKDOWN: FeeBreakdown = makeFeeBreakdown({
  commission: ZERO,
  exchange: ZERO,
  clearing: ZERO,
  passThrough: ZERO,
  regulatory: ZERO,
});

/** Charges nothing: for frictionless backtests and for comparing a strategy with and without costs. */
export class ZeroFeeModel implements FeeModel {
  readonly name = "none";

  charge(trade: FeeableTrade): FeeBreakdown {
    return this.preview(trade);
  }

  /** Nothing to record: this plan has no volume tiers. */
  record(): void {
    // Deliberately empty: fixed-rate plans keep no state.
  }

  preview(trade: FeeableTrade): FeeBreakdown {
    assertFeeableTrade(trade);
    return ZERO_FEE_BREAKDOWN;
  }
}
