import { describe, expect, it } from "vitest";
import { InvariantError } from "../../core/errors.js";
import { newYorkLocalToUtcMs } from "../../data/new-york-time.js";
import type { MarketBar } from "./market-bar.js";
import { MarketModel } from "./market-model.js";
import { syntheticInstruments } from "./synthetic-instruments.js";

const MINUTE_MS = 60_000;

/** A New York wall-clock time (month 1–12) as UTC epoch ms. */
function newYork(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  return newYorkLocalToUtcMs(year, month, day, hour, minute, second);
}

/** The 5-second bars a live subscriber would have received in [fromMs, toMs), in order. */
function streamed(model: MarketModel, symbol: string, fromMs: number, toMs: number): MarketBar[] {
  const bars: MarketBar[] = [];
  for (let timeMs = fromMs; timeMs + 5_000 <= toMs; timeMs += 5_000) {
    const bar = model.fiveSecondBar(symbol, timeMs);
    if (bar !== undefined) bars.push(bar);
  }
  return bars;
}

/** Folds bars into one the way a client would: WAP weighted by volume (each bar's price × volume is whole cents). */
function fold(bars: readonly MarketBar[], timeMs: number): MarketBar {
  const first = bars[0];
  const last = bars[bars.length - 1];
  if (first === undefined || last === undefined) throw new Error("nothing to fold");
  const volume = bars.reduce((sum, bar) => sum + bar.volume, 0);
  const turnover = bars.reduce((sum, bar) => sum + Math.round(bar.wap * bar.volume * 100), 0);
  return {
    timeMs,
    open: first.open,
    high: Math.max(...bars.map((bar) => bar.high)),
    low: Math.min(...bars.map((bar) => bar.low)),
    close: last.close,
    volume,
    wap: turnover / (100 * volume),
    count: bars.reduce((sum, bar) => sum + bar.count, 0),
  };
}

/** A bar without its WAP, which one-second bars only approximate. */
function withoutWap({ timeMs, open, high, low, close, volume, count }: MarketBar): Omit<MarketBar, "wap"> {
  return { timeMs, open, high, low, close, volume, count };
}

/** Groups bars by the start of the `bucketMs` period containing them. */
function foldBy(bars: readonly MarketBar[], bucketMs: number): MarketBar[] {
  const groups = new Map<number, MarketBar[]>();
  for (const bar of bars) {
    const start = Math.floor(bar.timeMs / bucketMs) * bucketMs;
    groups.set(start, [...(groups.get(start) ?? []), bar]);
  }
  return [...groups].map(([start, group]) => fold(group, start));
}

describe("MarketModel determinism", () => {
  it("gives identical bars for the same seed in two separate models", () => {
    const request = { fromMs: newYork(2025, 3, 24), toMs: newYork(2025, 3, 26), barSize: "5 mins" } as const;
    expect(new MarketModel({ seed: 7 }).bars("AAPL", request)).toEqual(
      new MarketModel({ seed: 7 }).bars("AAPL", request),
    );
  });

  it("gives different bars for a different seed", () => {
    const request = { fromMs: newYork(2025, 3, 24), toMs: newYork(2025, 3, 25), barSize: "1 hour" } as const;
    expect(new MarketModel({ seed: 7 }).bars("AAPL", request)).not.toEqual(
      new MarketModel({ seed: 8 }).bars("AAPL", request),
    );
  });

  it("closes the anchor day 2025-01-02 at each instrument's start price", () => {
    const [day] = new MarketModel({ seed: 7 }).bars("AAPL", {
      fromMs: newYork(2025, 1, 2),
      toMs: newYork(2025, 1, 3),
      barSize: "1 day",
    });
    expect(day?.close).toBe(243);
  });
});

describe("MarketModel sessions", () => {
  const model = new MarketModel({ seed: 7 });

  it("shows no 5-second bars on weekends, NYSE holidays, before 09:30 or from 16:00 New York", () => {
    const closedInstants = [
      newYork(2025, 3, 29, 10, 0), // Saturday
      newYork(2025, 3, 30, 10, 0), // Sunday
      newYork(2025, 4, 18, 10, 0), // Good Friday
      newYork(2025, 7, 4, 10, 0), // Independence Day
      newYork(2025, 12, 25, 10, 0), // Christmas
      newYork(2025, 3, 24, 9, 29, 55),
      newYork(2025, 3, 24, 16, 0),
      newYork(2025, 3, 24, 20, 0),
    ];
    expect(closedInstants.map((timeMs) => model.fiveSecondBar("SPY", timeMs))).toEqual(
      closedInstants.map(() => undefined),
    );
  });

  it("shows 5-second bars from 09:30:00 to 15:59:55 in winter and summer time, on 5-second boundaries only", () => {
    for (const [month, day] of [
      [1, 15],
      [7, 15],
    ] as const) {
      expect(model.fiveSecondBar("SPY", newYork(2025, month, day, 9, 30))).toBeDefined();
      expect(model.fiveSecondBar("SPY", newYork(2025, month, day, 15, 59, 55))).toBeDefined();
    }
    expect(model.fiveSecondBar("SPY", newYork(2025, 1, 15, 9, 30) + 1_000)).toBeUndefined();
  });

  it("has no bars of any size in a window covering only a weekend", () => {
    const weekend = { fromMs: newYork(2025, 3, 29), toMs: newYork(2025, 3, 31) };
    expect(model.bars("SPY", { ...weekend, barSize: "1 min" })).toEqual([]);
    expect(model.bars("SPY", { ...weekend, barSize: "1 day" })).toEqual([]);
  });

  it("stamps hourly bars at 09:30, then on the clock hour, the first covering half an hour", () => {
    const hours = model.bars("SPY", {
      fromMs: newYork(2025, 3, 24),
      toMs: newYork(2025, 3, 25),
      barSize: "1 hour",
    });
    expect(hours.map((bar) => bar.timeMs)).toEqual([
      newYork(2025, 3, 24, 9, 30),
      ...[10, 11, 12, 13, 14, 15].map((hour) => newYork(2025, 3, 24, hour)),
    ]);
    const firstHalfHour = streamed(model, "SPY", newYork(2025, 3, 24, 9, 30), newYork(2025, 3, 24, 10));
    expect(hours[0]).toEqual(fold(firstHalfHour, newYork(2025, 3, 24, 9, 30)));
  });
});

describe("MarketModel history and the live stream", () => {
  it("builds 1-minute history equal to the 5-second bars streamed live, across the close and the night", () => {
    const model = new MarketModel({ seed: 7 });
    const fromMs = newYork(2025, 3, 24, 15, 50);
    const toMs = newYork(2025, 3, 25, 9, 40);
    const live = streamed(model, "AAPL", fromMs, toMs);
    expect(live).toHaveLength(2 * 10 * 12);
    expect(model.bars("AAPL", { fromMs, toMs, barSize: "1 min" })).toEqual(foldBy(live, MINUTE_MS));
  });

  it("agrees with what was streamed even when a fresh model with a one-day cache is asked later", () => {
    const live = new MarketModel({ seed: 7 });
    const fromMs = newYork(2025, 3, 24, 9, 30);
    const toMs = newYork(2025, 3, 24, 10, 30);
    const shown = streamed(live, "MSFT", fromMs, toMs);
    const later = new MarketModel({ seed: 7, cachedPaths: 1 });
    later.bars("MSFT", { fromMs: newYork(2024, 1, 1), toMs: newYork(2025, 1, 1), barSize: "1 day" });
    later.quote("MSFT", newYork(2025, 3, 26, 12));
    expect(later.bars("MSFT", { fromMs, toMs, barSize: "5 secs" })).toEqual(shown);
  });

  it("counts only the 5-second bars that have ended by the end of the request", () => {
    const model = new MarketModel({ seed: 7 });
    const minuteMs = newYork(2025, 3, 24, 11, 0);
    const bars = model.bars("AAPL", { fromMs: minuteMs, toMs: minuteMs + 22_000, barSize: "1 min" });
    expect(bars).toEqual([fold(streamed(model, "AAPL", minuteMs, minuteMs + 20_000), minuteMs)]);
  });

  it("makes the 1-day bar the fold of the session's 5-second bars", () => {
    const model = new MarketModel({ seed: 7 });
    const [day] = model.bars("KO", {
      fromMs: newYork(2025, 3, 24),
      toMs: newYork(2025, 3, 25),
      barSize: "1 day",
    });
    const session = streamed(model, "KO", newYork(2025, 3, 24, 9, 30), newYork(2025, 3, 24, 16));
    expect(session).toHaveLength(4_680);
    expect(day).toEqual(fold(session, newYork(2025, 3, 24, 9, 30)));
  });

  it("reports a session still in progress with the same statistics as the quote at that instant", () => {
    const model = new MarketModel({ seed: 7 });
    const nowMs = newYork(2025, 3, 24, 13, 17, 42);
    const [day] = model.bars("TSLA", { fromMs: newYork(2025, 3, 24), toMs: nowMs, barSize: "1 day" });
    const quote = model.quote("TSLA", nowMs);
    expect(day).toMatchObject({ open: quote.open, high: quote.high, low: quote.low, volume: quote.volume });
    expect(day?.close).toBe(quote.last);
  });

  it("stamps a week with its first session and makes it the fold of its days", () => {
    const model = new MarketModel({ seed: 7 });
    const window = { fromMs: newYork(2025, 1, 20), toMs: newYork(2025, 1, 25) };
    const [week] = model.bars("IBM", { ...window, barSize: "1 week" });
    const days = model.bars("IBM", { ...window, barSize: "1 day" });
    // Monday 2025-01-20 is Martin Luther King Jr. Day.
    expect(days).toHaveLength(4);
    expect(week).toEqual(fold(days, newYork(2025, 1, 21, 9, 30)));
  });

  it("stamps a month with its first session and leaves out a month that began before the request", () => {
    const model = new MarketModel({ seed: 7 });
    const months = model.bars("IBM", {
      fromMs: newYork(2025, 1, 15),
      toMs: newYork(2025, 4, 1),
      barSize: "1 month",
    });
    expect(months.map((bar) => bar.timeMs)).toEqual([newYork(2025, 2, 3, 9, 30), newYork(2025, 3, 3, 9, 30)]);
  });

  it("continues each session from the previous one: the quote's close is yesterday's daily close", () => {
    const model = new MarketModel({ seed: 7 });
    const [monday] = model.bars("AAPL", {
      fromMs: newYork(2025, 3, 24),
      toMs: newYork(2025, 3, 25),
      barSize: "1 day",
    });
    expect(model.quote("AAPL", newYork(2025, 3, 25, 10)).close).toBe(monday?.close);
  });
});

describe("MarketModel quotes", () => {
  const model = new MarketModel({ seed: 7 });

  it("quotes the bid below the ask with the last trade between them", () => {
    const quote = model.quote("NVDA", newYork(2025, 3, 24, 11, 3, 7));
    expect(quote.bid).toBeLessThan(quote.ask);
    expect(quote.last).toBeGreaterThanOrEqual(quote.bid);
    expect(quote.last).toBeLessThanOrEqual(quote.ask);
    expect(quote.low).toBeLessThanOrEqual(quote.last);
    expect(quote.high).toBeGreaterThanOrEqual(quote.last);
    expect(Math.min(quote.bidSize, quote.askSize, quote.lastSize)).toBeGreaterThan(0);
  });

  it("moves the quote on the 5-second grid to each bar's close", () => {
    const barMs = newYork(2025, 3, 24, 11, 3, 5);
    const bar = model.fiveSecondBar("NVDA", barMs);
    expect(model.quote("NVDA", barMs + 4_999)).toEqual(model.quote("NVDA", barMs));
    expect(model.quote("NVDA", barMs + 5_000).last).toBe(bar?.close);
  });

  it("rests at the finished session's close, range and volume until the next open", () => {
    const [friday] = model.bars("NVDA", {
      fromMs: newYork(2025, 3, 28),
      toMs: newYork(2025, 3, 29),
      barSize: "1 day",
    });
    const saturday = model.quote("NVDA", newYork(2025, 3, 29, 12));
    const mondayBeforeOpen = model.quote("NVDA", newYork(2025, 3, 31, 9, 29, 59));
    expect(saturday).toEqual(mondayBeforeOpen);
    expect(saturday).toMatchObject({
      last: friday?.close,
      open: friday?.open,
      high: friday?.high,
      low: friday?.low,
      volume: friday?.volume,
    });
  });

  it("opens the day with no volume yet and the open as the whole range", () => {
    const quote = model.quote("NVDA", newYork(2025, 3, 24, 9, 30));
    expect(quote.volume).toBe(0);
    expect([quote.high, quote.low, quote.last]).toEqual([quote.open, quote.open, quote.open]);
  });
});

describe("MarketModel series and sizes", () => {
  const model = new MarketModel({ seed: 7 });
  const window = {
    fromMs: newYork(2025, 3, 24, 10),
    toMs: newYork(2025, 3, 24, 11),
    barSize: "1 min",
  } as const;

  it("reports −1 volume, WAP and count for MIDPOINT, BID and ASK bars as TWS does", () => {
    for (const whatToShow of ["MIDPOINT", "BID", "ASK"] as const) {
      for (const bar of model.bars("AAPL", { ...window, whatToShow })) {
        expect([bar.volume, bar.wap, bar.count]).toEqual([-1, -1, -1]);
      }
    }
  });

  it("keeps each BID bar below its MIDPOINT bar and that below its ASK bar, around the trades", () => {
    const trades = model.bars("AAPL", window);
    const bids = model.bars("AAPL", { ...window, whatToShow: "BID" });
    const mids = model.bars("AAPL", { ...window, whatToShow: "MIDPOINT" });
    const asks = model.bars("AAPL", { ...window, whatToShow: "ASK" });
    trades.forEach((trade, i) => {
      expect(bids[i]?.close).toBeLessThan(mids[i]?.close ?? 0);
      expect(mids[i]?.close).toBeLessThan(asks[i]?.close ?? 0);
      expect(bids[i]?.low).toBeLessThanOrEqual(trade.low);
      expect(asks[i]?.high).toBeGreaterThan(trade.high);
    });
  });

  it("splits 5-second bars into one-second bars whose prices, volume and trades add back up", () => {
    const fromMs = newYork(2025, 3, 24, 14);
    const seconds = model.bars("AAPL", { fromMs, toMs: fromMs + MINUTE_MS, barSize: "1 secs" });
    expect(seconds).toHaveLength(60);
    const refolded = foldBy(seconds, 5_000).map(withoutWap);
    const fiveSeconds = streamed(model, "AAPL", fromMs, fromMs + MINUTE_MS).map(withoutWap);
    expect(refolded).toEqual(fiveSeconds);
  });

  it("models the synthetic instruments of the 100-instrument benchmark", () => {
    const benchmark = new MarketModel({ seed: 7, instruments: syntheticInstruments(100) });
    const bar = benchmark.fiveSecondBar("SIM100", newYork(2025, 3, 24, 9, 30));
    expect(bar?.volume).toBeGreaterThan(0);
  });

  it("refuses a symbol outside its universe", () => {
    expect(() => model.quote("SIM001", newYork(2025, 3, 24, 10))).toThrow(InvariantError);
  });
});
