import { Decimal } from "decimal.js";
import type { OrderTerms } from "./risk-decision.js";

/**
 * The price an order is valued at by the notional limits: the limit price of a LIMIT order, the stop
 * price of a STOP order, otherwise the last price; undefined when no positive, finite price is known.
 */
export function referencePrice(order: OrderTerms, lastPrice: number | undefined): Decimal | undefined {
  const ownPrice =
    order.type === "LIMIT" ? order.limitPrice : order.type === "STOP" ? order.stopPrice : undefined;
  const price = usable(ownPrice) ?? usable(lastPrice);
  return price === undefined ? undefined : new Decimal(price);
}

function usable(price: number | undefined): number | undefined {
  return price !== undefined && Number.isFinite(price) && price > 0 ? price : undefined;
}
