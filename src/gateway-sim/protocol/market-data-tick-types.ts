/**
 * Tick type ids of the top-of-book ticks the simulator sends, live and delayed (IB's tick type table;
 * delayed ids from ibkr-facts.md §3.4; the same numbers as @stoqey/ib's TickType enum).
 */
export const TickType = {
  BID_SIZE: 0,
  BID: 1,
  ASK: 2,
  ASK_SIZE: 3,
  LAST: 4,
  LAST_SIZE: 5,
  HIGH: 6,
  LOW: 7,
  VOLUME: 8,
  CLOSE: 9,
  OPEN: 14,
  /** A tickString with the last trade's time in epoch seconds. */
  LAST_TIMESTAMP: 45,
  DELAYED_BID: 66,
  DELAYED_ASK: 67,
  DELAYED_LAST: 68,
  DELAYED_BID_SIZE: 69,
  DELAYED_ASK_SIZE: 70,
  DELAYED_LAST_SIZE: 71,
  DELAYED_HIGH: 72,
  DELAYED_LOW: 73,
  DELAYED_VOLUME: 74,
  DELAYED_CLOSE: 75,
  DELAYED_OPEN: 76,
  DELAYED_LAST_TIMESTAMP: 88,
} as const;

/** One of the tick type ids above. */
export type TickType = (typeof TickType)[keyof typeof TickType];

/** The kinds of market data reqMarketDataType selects and MARKET_DATA_TYPE announces (ibkr-facts.md §2.2). */
export const MarketDataType = {
  LIVE: 1,
  FROZEN: 2,
  DELAYED: 3,
  DELAYED_FROZEN: 4,
} as const;

/** 1 live, 2 frozen, 3 delayed, 4 delayed-frozen. */
export type MarketDataType = (typeof MarketDataType)[keyof typeof MarketDataType];

/** True when `value` is one of the four market data types. */
export function isMarketDataType(value: number): value is MarketDataType {
  return value === 1 || value === 2 || value === 3 || value === 4;
}
