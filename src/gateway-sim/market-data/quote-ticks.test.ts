import { describe, expect, it } from "vitest";
import type { MarketQuote } from "../market/market-model.js";
import { QuoteTicks, type TimedQuote } from "./quote-ticks.js";

const QUOTE: MarketQuote = {
  bid: 242.99,
  ask: 243.01,
  last: 243,
  bidSize: 300,
  askSize: 500,
  lastSize: 100,
  volume: 1_000_000,
  high: 244,
  low: 241,
  open: 242,
  close: 240,
};

function at(quote: Partial<MarketQuote>, lastTradeSeconds = 1_709_649_000): TimedQuote {
  return { quote: { ...QUOTE, ...quote }, lastTradeSeconds };
}

describe("QuoteTicks", () => {
  it("sends every live tick on the first quote", () => {
    expect(new QuoteTicks(false).next(at({}))).toEqual([
      { kind: "price", tickType: 1, price: 242.99, size: 300, attributeMask: 1 },
      { kind: "size", tickType: 0, size: 300 },
      { kind: "price", tickType: 2, price: 243.01, size: 500, attributeMask: 1 },
      { kind: "size", tickType: 3, size: 500 },
      { kind: "price", tickType: 4, price: 243, size: 100, attributeMask: 0 },
      { kind: "size", tickType: 5, size: 100 },
      { kind: "size", tickType: 8, size: 1_000_000 },
      { kind: "price", tickType: 6, price: 244, size: 0, attributeMask: 0 },
      { kind: "price", tickType: 7, price: 241, size: 0, attributeMask: 0 },
      { kind: "price", tickType: 9, price: 240, size: 0, attributeMask: 0 },
      { kind: "price", tickType: 14, price: 242, size: 0, attributeMask: 0 },
      { kind: "string", tickType: 45, value: "1709649000" },
    ]);
  });

  it("uses the delayed tick types 66–76 and 88 for a delayed feed", () => {
    const types = new QuoteTicks(true).next(at({})).map((tick) => tick.tickType);
    expect(types).toEqual([66, 69, 67, 70, 68, 71, 74, 72, 73, 75, 76, 88]);
  });

  it("sends nothing when the quote has not changed", () => {
    const ticks = new QuoteTicks(false);
    ticks.next(at({}));
    expect(ticks.next(at({}))).toEqual([]);
  });

  it("sends a size change alone as a TICK_SIZE", () => {
    const ticks = new QuoteTicks(false);
    ticks.next(at({}));
    expect(ticks.next(at({ askSize: 700 }))).toEqual([{ kind: "size", tickType: 3, size: 700 }]);
  });

  it("repeats LAST for a new trade at the same price", () => {
    const ticks = new QuoteTicks(false);
    ticks.next(at({}));
    expect(ticks.next(at({ volume: 1_000_100 }, 1_709_649_005))).toEqual([
      { kind: "price", tickType: 4, price: 243, size: 100, attributeMask: 0 },
      { kind: "size", tickType: 5, size: 100 },
      { kind: "size", tickType: 8, size: 1_000_100 },
      { kind: "string", tickType: 45, value: "1709649005" },
    ]);
  });
});
