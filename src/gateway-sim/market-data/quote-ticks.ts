import type { MarketQuote } from "../market/market-model.js";
import { TickAttribute } from "../protocol/market-data-messages.js";
import { TickType } from "../protocol/market-data-tick-types.js";

/** One top-of-book tick before encoding: a TICK_PRICE, TICK_SIZE or TICK_STRING. */
export type QuoteTick =
  | {
      readonly kind: "price";
      readonly tickType: number;
      readonly price: number;
      readonly size: number;
      readonly attributeMask: number;
    }
  | { readonly kind: "size"; readonly tickType: number; readonly size: number }
  | { readonly kind: "string"; readonly tickType: number; readonly value: string };

/** A quote plus the time of the trade its `last` belongs to. */
export interface TimedQuote {
  readonly quote: MarketQuote;
  /** Epoch seconds of the last trade (the LAST_TIMESTAMP tick). */
  readonly lastTradeSeconds: number;
}

/** The tick type ids of one feed: live, or delayed (ibkr-facts.md §3.4: 66–76 and 88). */
interface FeedTickTypes {
  readonly bid: number;
  readonly ask: number;
  readonly last: number;
  readonly bidSize: number;
  readonly askSize: number;
  readonly lastSize: number;
  readonly high: number;
  readonly low: number;
  readonly volume: number;
  readonly close: number;
  readonly open: number;
  readonly lastTimestamp: number;
}

const LIVE: FeedTickTypes = {
  bid: TickType.BID,
  ask: TickType.ASK,
  last: TickType.LAST,
  bidSize: TickType.BID_SIZE,
  askSize: TickType.ASK_SIZE,
  lastSize: TickType.LAST_SIZE,
  high: TickType.HIGH,
  low: TickType.LOW,
  volume: TickType.VOLUME,
  close: TickType.CLOSE,
  open: TickType.OPEN,
  lastTimestamp: TickType.LAST_TIMESTAMP,
};

const DELAYED: FeedTickTypes = {
  bid: TickType.DELAYED_BID,
  ask: TickType.DELAYED_ASK,
  last: TickType.DELAYED_LAST,
  bidSize: TickType.DELAYED_BID_SIZE,
  askSize: TickType.DELAYED_ASK_SIZE,
  lastSize: TickType.DELAYED_LAST_SIZE,
  high: TickType.DELAYED_HIGH,
  low: TickType.DELAYED_LOW,
  volume: TickType.DELAYED_VOLUME,
  close: TickType.DELAYED_CLOSE,
  open: TickType.DELAYED_OPEN,
  lastTimestamp: TickType.DELAYED_LAST_TIMESTAMP,
};

/**
 * Turns successive quotes of one subscription into the ticks TWS would send: everything on the first
 * quote, afterwards only what changed. A bid, ask or last price goes out as TICK_PRICE carrying its size
 * and is followed by the matching TICK_SIZE, as TWS also sends separate size ticks (ibkr-facts.md §2.2 —
 * and @stoqey/ib never derives BID_SIZE from the TICK_PRICE); a size change alone is a TICK_SIZE. A new
 * last-trade time repeats LAST even at an unchanged price, as every trade does.
 */
export class QuoteTicks {
  private readonly types: FeedTickTypes;
  private previous: TimedQuote | undefined;

  constructor(readonly delayed: boolean) {
    this.types = delayed ? DELAYED : LIVE;
  }

  /** The ticks for `current`; empty when nothing changed since the previous call. */
  next(current: TimedQuote): QuoteTick[] {
    const before = this.previous;
    this.previous = current;
    const { quote, lastTradeSeconds } = current;
    const types = this.types;
    const ticks: QuoteTick[] = [];
    // IB sets canAutoExecute on live bid and ask ticks; delayed quotes cannot be executed against.
    const bookMask = this.delayed ? 0 : TickAttribute.CAN_AUTO_EXECUTE;
    const side = (
      priceType: number,
      sizeType: number,
      price: number,
      size: number,
      mask: number,
      priceChanged: boolean,
      sizeChanged: boolean,
    ): void => {
      if (priceChanged) ticks.push({ kind: "price", tickType: priceType, price, size, attributeMask: mask });
      if (priceChanged || sizeChanged) ticks.push({ kind: "size", tickType: sizeType, size });
    };
    side(
      types.bid,
      types.bidSize,
      quote.bid,
      quote.bidSize,
      bookMask,
      before?.quote.bid !== quote.bid,
      before?.quote.bidSize !== quote.bidSize,
    );
    side(
      types.ask,
      types.askSize,
      quote.ask,
      quote.askSize,
      bookMask,
      before?.quote.ask !== quote.ask,
      before?.quote.askSize !== quote.askSize,
    );
    side(
      types.last,
      types.lastSize,
      quote.last,
      quote.lastSize,
      0,
      before?.quote.last !== quote.last || before.lastTradeSeconds !== lastTradeSeconds,
      before?.quote.lastSize !== quote.lastSize,
    );
    if (before?.quote.volume !== quote.volume) {
      ticks.push({ kind: "size", tickType: types.volume, size: quote.volume });
    }
    const statistic = (tickType: number, price: number, previousPrice: number | undefined): void => {
      if (price !== previousPrice) ticks.push({ kind: "price", tickType, price, size: 0, attributeMask: 0 });
    };
    statistic(types.high, quote.high, before?.quote.high);
    statistic(types.low, quote.low, before?.quote.low);
    statistic(types.close, quote.close, before?.quote.close);
    statistic(types.open, quote.open, before?.quote.open);
    if (before?.lastTradeSeconds !== lastTradeSeconds) {
      ticks.push({ kind: "string", tickType: types.lastTimestamp, value: String(lastTradeSeconds) });
    }
    return ticks;
  }
}
