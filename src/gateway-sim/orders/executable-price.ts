import type { MarketQuote } from "../market/market-model.js";
import type { SimOrder } from "./sim-order.js";

// When and at what price a working order trades against the model's quote: buys at the ask, sells at
// the bid; a limit only at or better than its limit; a stop once the last price touches it.

/** True when a STP order's stop is touched by the last price (IB's default trigger method for US stocks). */
export function isStopTriggered(order: SimOrder, quote: MarketQuote): boolean {
  if (order.orderType !== "STP") return false;
  const stop = order.auxPrice ?? 0;
  return order.action === "BUY" ? quote.last >= stop : quote.last <= stop;
}

/** The price the order trades at against `quote`, or undefined when it cannot trade (a STP needs `triggered`). */
export function executablePrice(order: SimOrder, quote: MarketQuote): number | undefined {
  const buying = order.action === "BUY";
  const touch = buying ? quote.ask : quote.bid;
  switch (order.orderType) {
    case "MKT":
      return touch;
    case "LMT": {
      const limit = order.lmtPrice ?? 0;
      return (buying ? touch <= limit : touch >= limit) ? touch : undefined;
    }
    case "STP":
      return order.triggered ? touch : undefined;
  }
}
