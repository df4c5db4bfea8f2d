import { describe, expect, it } from "vitest";
import { aBar, barsFromCloses } from "../../test/kit/bars.js";
import { DataIntegrityError } from "../core/errors.js";
import type { Bar } from "../model/bar.js";
import { parseTimeframe } from "../model/timeframe.js";
import { BarAggregator } from "./bar-aggregator.js";
import { generateSyntheticBars } from "./synthetic-bar-source.js";

const OPEN_2024_01_02 = Date.UTC(2024, 0, 2, 14, 30);
const MINUTE_MS = 60_000;

function aggregate(label: string, bars: Iterable<Bar>): Bar[] {
  const out: Bar[] = [];
  const aggregator = new BarAggregator(parseTimeframe(label), (bar) => out.push(bar));
  for (const bar of bars) aggregator.push(bar);
  aggregator.flush();
  return out;
}

/** The expected OHLCV of a group of bars. */
function summary(bars: readonly Bar[]): Pick<Bar, "open" | "high" | "low" | "close" | "volume"> {
  return {
    open: bars[0]?.open ?? Number.NaN,
    high: Math.max(...bars.map((bar) => bar.high)),
    low: Math.min(...bars.map((bar) => bar.low)),
    close: bars.at(-1)?.close ?? Number.NaN,
    volume: bars.reduce((sum, bar) => sum + bar.volume, 0),
  };
}

describe("BarAggregator", () => {
  it("aggregates 1m bars into 5m bars with exact OHLCV", () => {
    const out: Bar[] = [];
    const aggregator = new BarAggregator(parseTimeframe("5m"), (bar) => out.push(bar));
    const bars = barsFromCloses("100 101 102 101 100 99 98 99 100 101").map((bar, index) => ({
      ...bar,
      volume: 100 * (index + 1),
    }));

    for (const bar of bars.slice(0, 5)) aggregator.push(bar);
    expect(out).toEqual([]);
    aggregator.push(bars[5]!);
    expect(out).toEqual([
      {
        symbol: "SPY",
        openTime: OPEN_2024_01_02,
        closeTime: OPEN_2024_01_02 + 5 * MINUTE_MS,
        open: 100,
        high: 102,
        low: 100,
        close: 100,
        volume: 1500,
      },
    ]);
    for (const bar of bars.slice(6)) aggregator.push(bar);
    aggregator.flush();
    expect(out[1]).toEqual({
      symbol: "SPY",
      openTime: OPEN_2024_01_02 + 5 * MINUTE_MS,
      closeTime: OPEN_2024_01_02 + 10 * MINUTE_MS,
      open: 100,
      high: 101,
      low: 98,
      close: 101,
      volume: 4000,
    });
    expect(Object.isFrozen(out[0])).toBe(true);
  });

  it("anchors 1h buckets at the 09:30 open and truncates the last one at the 16:00 close", () => {
    const closes = Array.from({ length: 390 }, (_, index) => 100 + Math.sin(index / 10)).join(" ");
    const bars = barsFromCloses(closes);
    const hours = aggregate("1h", bars);

    expect(
      hours.map((bar) => [new Date(bar.openTime).toISOString(), new Date(bar.closeTime).toISOString()]),
    ).toEqual([
      ["2024-01-02T14:30:00.000Z", "2024-01-02T15:30:00.000Z"],
      ["2024-01-02T15:30:00.000Z", "2024-01-02T16:30:00.000Z"],
      ["2024-01-02T16:30:00.000Z", "2024-01-02T17:30:00.000Z"],
      ["2024-01-02T17:30:00.000Z", "2024-01-02T18:30:00.000Z"],
      ["2024-01-02T18:30:00.000Z", "2024-01-02T19:30:00.000Z"],
      ["2024-01-02T19:30:00.000Z", "2024-01-02T20:30:00.000Z"],
      ["2024-01-02T20:30:00.000Z", "2024-01-02T21:00:00.000Z"],
    ]);
    expect(hours[6]).toMatchObject(summary(bars.slice(360)));
    expect(hours[6]?.volume).toBe(30 * 1000);
    expect(hours[0]).toMatchObject(summary(bars.slice(0, 60)));
  });

  it("anchors to the session open in summer time too (13:30 UTC)", () => {
    const bars = barsFromCloses("1 2 3", { startMs: Date.UTC(2024, 6, 1, 14, 29) });
    expect(aggregate("1h", bars).map((bar) => bar.openTime)).toEqual([
      Date.UTC(2024, 6, 1, 13, 30),
      Date.UTC(2024, 6, 1, 14, 30),
    ]);
  });

  it("makes one 1d bar per New York day, from the first bar's open to the last bar's close", () => {
    const bars = [
      ...generateSyntheticBars({ symbols: ["SPY"], seed: 1, startMs: Date.UTC(2024, 0, 2), count: 780 }),
    ];
    const days = aggregate("1d", bars);

    expect(days).toEqual([
      {
        symbol: "SPY",
        openTime: Date.UTC(2024, 0, 2, 14, 30),
        closeTime: Date.UTC(2024, 0, 2, 21),
        ...summary(bars.slice(0, 390)),
      },
      {
        symbol: "SPY",
        openTime: Date.UTC(2024, 0, 3, 14, 30),
        closeTime: Date.UTC(2024, 0, 3, 21),
        ...summary(bars.slice(390)),
      },
    ]);
  });

  it("makes one 1w bar per New York week starting Monday", () => {
    const bars = [
      ...generateSyntheticBars({ symbols: ["SPY"], seed: 1, startMs: Date.UTC(2024, 0, 5), count: 500 }),
    ];
    const weeks = aggregate("1w", bars);

    expect(weeks.map((bar) => [bar.openTime, bar.closeTime])).toEqual([
      [Date.UTC(2024, 0, 5, 14, 30), Date.UTC(2024, 0, 5, 21)],
      [Date.UTC(2024, 0, 8, 14, 30), Date.UTC(2024, 0, 8, 14, 30) + 110 * MINUTE_MS],
    ]);
    expect(weeks[0]).toMatchObject(summary(bars.slice(0, 390)));
  });

  it("puts daily bars stamped at UTC midnight in the week of their own date", () => {
    const daily = barsFromCloses("10 11 12 13 14", { startMs: Date.UTC(2024, 0, 2), barSeconds: 86_400 });
    const monday = barsFromCloses("15", { startMs: Date.UTC(2024, 0, 8), barSeconds: 86_400 });
    const weeks = aggregate("1w", [...daily, ...monday]);

    expect(weeks.map((bar) => [bar.openTime, bar.close])).toEqual([
      [Date.UTC(2024, 0, 2), 14],
      [Date.UTC(2024, 0, 8), 15],
    ]);
  });

  it("anchors bars outside regular hours to UTC midnight, clipped at the session open and close", () => {
    const premarket = barsFromCloses("1 2", { startMs: Date.UTC(2024, 0, 2, 13, 0), barSeconds: 1800 });
    const regular = barsFromCloses("3", { startMs: OPEN_2024_01_02, barSeconds: 1800 });
    const after = barsFromCloses("4", { startMs: Date.UTC(2024, 0, 2, 21, 30), barSeconds: 1800 });
    const out = aggregate("4h", [...premarket, ...regular, ...after]);

    expect(out.map((bar) => [bar.openTime, bar.closeTime])).toEqual([
      [Date.UTC(2024, 0, 2, 12), OPEN_2024_01_02],
      [OPEN_2024_01_02, Date.UTC(2024, 0, 2, 18, 30)],
      [Date.UTC(2024, 0, 2, 21), Date.UTC(2024, 0, 3, 0)],
    ]);
  });

  it("tracks each symbol separately", () => {
    const spy = barsFromCloses("1 2 3 4 5 6", { symbol: "SPY" });
    const qqq = barsFromCloses("10 20 30 40 50 60", { symbol: "QQQ" });
    const interleaved = spy.flatMap((bar, index) => [bar, qqq[index]!]);
    const out = aggregate("5m", interleaved);

    expect(out.map((bar) => [bar.symbol, bar.openTime, bar.close])).toEqual([
      ["SPY", OPEN_2024_01_02, 5],
      ["QQQ", OPEN_2024_01_02, 50],
      ["SPY", OPEN_2024_01_02 + 5 * MINUTE_MS, 6],
      ["QQQ", OPEN_2024_01_02 + 5 * MINUTE_MS, 60],
    ]);
  });

  it("emits a bucket when closeAt reaches its end, and not before", () => {
    const out: Bar[] = [];
    const aggregator = new BarAggregator(parseTimeframe("5m"), (bar) => out.push(bar));
    for (const bar of barsFromCloses("1 2 3 4 5")) aggregator.push(bar);

    aggregator.closeAt(OPEN_2024_01_02 + 5 * MINUTE_MS - 1);
    expect(out).toEqual([]);
    aggregator.closeAt(OPEN_2024_01_02 + 5 * MINUTE_MS);
    expect(out.map((bar) => bar.close)).toEqual([5]);
    aggregator.flush();
    expect(out).toHaveLength(1);
  });

  it("refuses input bars longer than the timeframe, naming both", () => {
    const aggregator = new BarAggregator(parseTimeframe("5m"), () => undefined);
    expect(() => {
      aggregator.push(aBar({ closeTime: OPEN_2024_01_02 + 3_600_000 }));
    }).toThrow(
      new DataIntegrityError(
        "SPY bar at 2024-01-02T14:30:00.000Z lasts 3600s, longer than the 5m timeframe (300s) " +
          "(fix: aggregate into a timeframe at least as long as the input bars)",
      ),
    );
  });

  it("refuses bars out of time order, including late bars for an emitted bucket", () => {
    const aggregator = new BarAggregator(parseTimeframe("5m"), () => undefined);
    aggregator.push(aBar({ openTime: OPEN_2024_01_02 + MINUTE_MS }));
    expect(() => {
      aggregator.push(aBar());
    }).toThrow(DataIntegrityError);

    const closed = new BarAggregator(parseTimeframe("5m"), () => undefined);
    closed.push(aBar());
    closed.closeAt(OPEN_2024_01_02 + 5 * MINUTE_MS);
    expect(() => {
      closed.push(aBar({ openTime: OPEN_2024_01_02 + 4 * MINUTE_MS }));
    }).toThrow(DataIntegrityError);
  });
});
