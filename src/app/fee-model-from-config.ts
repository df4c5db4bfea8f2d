import type { FeeConfig } from "../config/config.js";
import { createFeeModel } from "../portfolio/create-fee-model.js";
import type { FeeModel } from "../portfolio/fee-model.js";
import { DEFAULT_TIERED_RATES, parseTiers } from "../portfolio/fee-schedule.js";

/** Builds the configured IB fee model with the rates from configuration. */
export function feeModelFromConfig(fees: FeeConfig): FeeModel {
  const sellFees = {
    secFeeRate: fees.secFeeRate,
    finraTafPerShare: fees.finraTafPerShare,
    finraTafMax: fees.finraTafMax,
  };
  switch (fees.model) {
    case "none":
      return createFeeModel("none");
    case "fixed":
      return createFeeModel("fixed", {
        ...sellFees,
        perShare: fees.fixedPerShare,
        minPerOrder: fees.fixedMin,
        maxPercentOfValue: fees.fixedMaxPercent,
      });
    case "tiered":
      return createFeeModel("tiered", {
        ...DEFAULT_TIERED_RATES,
        ...sellFees,
        tiers: parseTiers(fees.tieredTiers),
        minPerOrder: fees.tieredMin,
        maxPercentOfValue: fees.tieredMaxPercent,
        exchangePerShare: fees.exchangePerShare,
        clearingPerShare: fees.clearingPerShare,
      });
  }
}
