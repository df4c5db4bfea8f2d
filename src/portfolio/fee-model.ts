import type { Decimal } from "decimal.js";
import { InvariantError } from "../core/errors.js";
import type { OrderSide } from "../model/order.js";

/** The fee models we know, as named in configuration (`FEE_MODEL`). */
export const FEE_MODEL_NAMES = ["fixed", "tiered", "none"] as const;

/** Name of a fee model. */
export type FeeModelName = (typeof FEE_MODEL_NAMES)[number];

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
  readonly name: FeeModelName;
  /** Charges for `trade`, and records its volume toward the monthly tier. */
  charge(trade: FeeableTrade): FeeBreakdown;
  /** What `charge` would return for `trade`, without recording anything (for cash checks). */
  preview(trade: FeeableTrade): FeeBreakdown;
  /** Records `trade`'s volume toward the monthly tier without pricing it (after a `preview` that is kept). */
  record(trade: FeeableTrade): void;
}

/** Builds a frozen breakdown whose `total` is the exact sum of its components (nothing is rounded). */
export function makeFeeBreakdown(parts: Omit<FeeBreakdown, "total">): FeeBreakdown {
  // Zero parts are skipped: Decimal additions allocate, and this runs on every simulated fill.
  let total = parts.commission;
  for (const part of [parts.exchange, parts.clearing, parts.passThrough, parts.regulatory]) {
    if (!part.isZero()) total = total.plus(part);
  }
  return Object.freeze({
    commission: parts.commission,
    exchange: parts.exchange,
    clearing: parts.clearing,
    passThrough: parts.passThrough,
    regulatory: parts.regulatory,
    total,
  });
}

/** Throws an InvariantError unless the trade has a finite positive quantity, a finite price >= 0 and a finite time. */
export function assertFeeableTrade(trade: FeeableTrade): void {
  if (!trade.quantity.isFinite() || !trade.quantity.isPositive() || trade.quantity.isZero()) {
    throw new InvariantError(
      `cannot price a ${trade.side} of ${trade.symbol}: quantity ${trade.quantity.toString()} is not positive`,
    );
  }
  if (!trade.price.isFinite() || trade.price.isNegative()) {
    throw new InvariantError(
      `cannot price a ${trade.side} of ${trade.symbol}: price ${trade.price.toString()} is not a finite number >= 0`,
    );
  }
  if (!Number.isFinite(trade.time)) {
    throw new InvariantError(
      `cannot price a ${trade.side} of ${trade.symbol}: time ${trade.time} is not finite`,
    );
  }
}
