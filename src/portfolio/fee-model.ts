import type { Decimal } from "decimal.js";
import type { OrderSide } from "../model/order.js";

/** One execution to price: the fee model sees side, size, price and time (for monthly volume tiers). */
export interface FeeableTrade {
  readonly symbol: string;
  readonly side: OrderSide;
  /** Positive number of shares. */
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly time: number;
}

/** Itemized charges for one execution, all in USD, all >= 0. */
export interface FeeBreakdown {
  /** IBKR's own commission (after min/max caps). */
  readonly commission: Decimal;
  readonly exchange: Decimal;
  readonly clearing: Decimal;
  /** Pass-through fees (FINRA pass-through, ...). */
  readonly passThrough: Decimal;
  /** SEC transaction fee + FINRA TAF (+ CAT), sells only where the rule says so. */
  readonly regulatory: Decimal;
  /** Sum of all the above: what the ledger charges. */
  readonly total: Decimal;
}

/** Prices executions. Stateful models (tiered) count monthly volume as trades are recorded. */
export interface FeeModel {
  readonly name: "fixed" | "tiered" | "none";
  /** Charges for `trade`, and records its volume toward the monthly tier. */
  charge(trade: FeeableTrade): FeeBreakdown;
}
