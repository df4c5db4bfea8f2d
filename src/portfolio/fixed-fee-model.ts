import { Decimal } from "decimal.js";
import { assertFeeableTrade, makeFeeBreakdown } from "./fee-model.js";
import type { FeeableTrade, FeeBreakdown, FeeModel } from "./fee-model.js";
import { assertFixedFeeRates, DEFAULT_FIXED_RATES } from "./fee-schedule.js";
import type { FixedFeeRates } from "./fee-schedule.js";
import { ibkrCommission } from "./ibkr-commission.js";
import { sellTransactionFees } from "./sell-transaction-fees.js";

const ZERO = new Decimal(0);

/**
 * IBKR Pro Fixed pricing: a capped per-share commission that bundles exchange and clearing fees, plus the SEC fee
 * and FINRA TAF passed through on sells. Amounts are exact (never rounded), as are all fee models'.
 */
export class FixedFeeModel implements FeeModel {
  readonly name = "fixed";
  readonly rates: FixedFeeRates;

  constructor(rates: FixedFeeRates = DEFAULT_FIXED_RATES) {
    assertFixedFeeRates(rates);
    this.rates = rates;
  }

  charge(trade: FeeableTrade): FeeBreakdown {
    return this.preview(trade);
  }

  /** Nothing to record: this plan has no volume tiers. */
  record(): void {
    // Deliberately empty: fixed-rate plans keep no state.
  }

  /** Fixed pricing keeps no volume, so a preview is exactly the charge. */
  preview(trade: FeeableTrade): FeeBreakdown {
    assertFeeableTrade(trade);
    const tradeValue = trade.quantity.times(trade.price);
    return makeFeeBreakdown({
      commission: ibkrCommission({
        perShare: this.rates.perShare,
        quantity: trade.quantity,
        tradeValue,
        minPerOrder: this.rates.minPerOrder,
        maxPercentOfValue: this.rates.maxPercentOfValue,
      }),
      exchange: ZERO,
      clearing: ZERO,
      passThrough: ZERO,
      regulatory: sellTransactionFees(trade, tradeValue, this.rates),
    });
  }
}
