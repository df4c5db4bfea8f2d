import type { Decimal } from "decimal.js";

/** Inputs of IBKR's per-share commission rule. */
export interface IbkrCommissionInput {
  readonly perShare: Decimal;
  readonly quantity: Decimal;
  /** Quantity × price. */
  readonly tradeValue: Decimal;
  readonly minPerOrder: Decimal;
  /** Cap in percent of the trade value (1 means 1 %). */
  readonly maxPercentOfValue: Decimal;
}

/**
 * IBKR's commission: per-share rate × quantity, raised to the per-order minimum, then capped at a percentage of
 * the trade value; the cap wins when it is below the minimum, i.e. min(max(rate × qty, min), max% × value).
 */
export function ibkrCommission(input: IbkrCommissionInput): Decimal {
  const raw = input.perShare.times(input.quantity);
  const floored = raw.lt(input.minPerOrder) ? input.minPerOrder : raw;
  const cap = input.tradeValue.times(input.maxPercentOfValue).div(100);
  return floored.gt(cap) ? cap : floored;
}
