/** The price series TWS can show for bars (`whatToShow`) that the simulator models. */
export type WhatToShow = "TRADES" | "MIDPOINT" | "BID" | "ASK";

/** Every supported `whatToShow`, in IB's spelling. */
export const WHAT_TO_SHOW: readonly WhatToShow[] = Object.freeze(["TRADES", "MIDPOINT", "BID", "ASK"]);

/** One bar as TWS reports it in HISTORICAL_DATA and REAL_TIME_BARS, before encoding. */
export interface MarketBar {
  /** The bar's start (UTC epoch ms): its first 5-second bar, or for day, week and month bars its first session's open. */
  readonly timeMs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** Shares traded; −1 for MIDPOINT, BID and ASK, as TWS sends it. */
  readonly volume: number;
  /** Volume-weighted average price; −1 for MIDPOINT, BID and ASK. */
  readonly wap: number;
  /** Number of trades; −1 for MIDPOINT, BID and ASK. */
  readonly count: number;
}
