import { Decimal } from "decimal.js";
import type { FeeableTrade } from "./fee-model.js";
import type { SellTransactionFeeRates } from "./fee-schedule.js";

const ZERO = new Decimal(0);

/** SEC fee (rate × sale value) plus FINRA TAF (per share sold, capped per trade) for a sale; zero for a buy. */
export function sellTransactionFees(
  trade: FeeableTrade,
  tradeValue: Decimal,
  rates: SellTransactionFeeRates,
): Decimal {
  if (trade.side !== "SELL") return ZERO;
  const secFee = tradeValue.times(rates.secFeeRate);
  const taf = trade.quantity.times(rates.finraTafPerShare);
  return secFee.plus(taf.gt(rates.finraTafMax) ? rates.finraTafMax : taf);
}
