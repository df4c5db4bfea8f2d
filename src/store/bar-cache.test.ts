import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TraderError } from "../core/errors.js";
import { makeBar, type Bar } from "../model/bar.js";
import type { BarCache, BarSeries } from "./bar-cache.js";
import { MarketDataStore } from "./market-data-store.js";

const MINUTE_MS = 60_000;
const T0 = Date.UTC(2024, 0, 2, 14, 30);
const SPY_1_MIN: BarSeries = {
  symbol: "SPY",
  conId: 756733,
  barSizeSetting: "1 min",
  whatToShow: "TRADES",
  useRth: true,
};

/** `count` consecutive one-minute bars from `startMs`, each with a close that tells it apart. */
function minuteBars(startMs: number, count: number, closeOffset = 0): Bar[] {
  return Array.from({ length: count }, (_, index) => {
    const openTime = startMs + index * MINUTE_MS;
    const close = 100 + index / 100 + closeOffset;
    return makeBar({
      symbol: "SPY",
      openTime,
      closeTime: openTime + MINUTE_MS,
      open: close - 0.01,
      high: close + 0.05,
      low: close - 0.05,
      close,
      volume: 1000 + index,
    });
  });
}

const at = (minutes: number): number => T0 + minutes * MINUTE_MS;

describe("BarCache", () => {
  let store: MarketDataStore;
  let cache: BarCache;

  beforeEach(() => {
    store = MarketDataStore.open(":memory:");
    cache = store.bars;
  });

  afterEach(() => {
    store.close();
  });

  it("reads back a few thousand stored bars exactly, ascending and frozen", () => {
    const bars = minuteBars(T0, 5000);
    for (let start = 0; start < bars.length; start += 400) {
      const chunk = bars.slice(start, start + 400);
      cache.store(SPY_1_MIN, chunk[0]!.openTime, chunk.at(-1)!.closeTime, chunk);
    }
    const read = cache.bars(SPY_1_MIN, T0, at(5000));
    expect(read).toEqual(bars);
    expect(read.every((bar) => Object.isFrozen(bar))).toBe(true);
  });

  it("returns the bars with from ≤ openTime < to", () => {
    cache.store(SPY_1_MIN, T0, at(10), minuteBars(T0, 10));
    expect(cache.bars(SPY_1_MIN, at(2), at(5)).map((bar) => bar.openTime)).toEqual([at(2), at(3), at(4)]);
  });

  it("replaces a stored bar with a re-fetched one of the same open time", () => {
    cache.store(SPY_1_MIN, T0, at(3), minuteBars(T0, 3));
    const refetched = minuteBars(at(1), 1, 7);
    cache.store(SPY_1_MIN, at(1), at(2), refetched);
    const read = cache.bars(SPY_1_MIN, T0, at(3));
    expect(read).toHaveLength(3);
    expect(read[1]).toEqual(refetched[0]);
  });

  it("keeps the last of two bars with the same open time in one chunk", () => {
    const bars = minuteBars(T0, 60);
    const replacement = minuteBars(at(10), 1, 7)[0]!;
    cache.store(SPY_1_MIN, T0, at(60), [...bars.slice(0, 30), replacement, ...bars.slice(30)]);
    const read = cache.bars(SPY_1_MIN, T0, at(60));
    expect(read).toHaveLength(60);
    expect(read[10]).toEqual(replacement);
  });

  it("keeps series with the same contract but another bar size, whatToShow or session apart", () => {
    const others: BarSeries[] = [
      { ...SPY_1_MIN, barSizeSetting: "5 mins" },
      { ...SPY_1_MIN, whatToShow: "MIDPOINT" },
      { ...SPY_1_MIN, useRth: false },
    ];
    cache.store(SPY_1_MIN, T0, at(5), minuteBars(T0, 5));
    for (const other of others) {
      expect(cache.bars(other, T0, at(5))).toEqual([]);
      expect(cache.missingRanges(other, T0, at(5))).toEqual([{ fromMs: T0, toMs: at(5) }]);
    }
  });

  it("reports the whole request as missing for a series it has never seen", () => {
    expect(cache.missingRanges(SPY_1_MIN, T0, at(60))).toEqual([{ fromMs: T0, toMs: at(60) }]);
  });

  it("reports the holes around and between stored ranges", () => {
    cache.store(SPY_1_MIN, at(10), at(20), minuteBars(at(10), 10));
    cache.store(SPY_1_MIN, at(30), at(40), minuteBars(at(30), 10));
    expect(cache.missingRanges(SPY_1_MIN, at(0), at(50))).toEqual([
      { fromMs: at(0), toMs: at(10) },
      { fromMs: at(20), toMs: at(30) },
      { fromMs: at(40), toMs: at(50) },
    ]);
    expect(cache.missingRanges(SPY_1_MIN, at(12), at(18))).toEqual([]);
  });

  it("counts a fetched range with no bars (a holiday) as covered", () => {
    cache.store(SPY_1_MIN, at(0), at(60), []);
    expect(cache.missingRanges(SPY_1_MIN, at(0), at(60))).toEqual([]);
    expect(cache.bars(SPY_1_MIN, at(0), at(60))).toEqual([]);
  });

  it("treats touching and overlapping stored ranges as one covered span", () => {
    cache.store(SPY_1_MIN, at(0), at(10), []);
    cache.store(SPY_1_MIN, at(20), at(30), []);
    cache.store(SPY_1_MIN, at(10), at(15), []);
    cache.store(SPY_1_MIN, at(14), at(25), []);
    expect(cache.missingRanges(SPY_1_MIN, at(-5), at(35))).toEqual([
      { fromMs: at(-5), toMs: at(0) },
      { fromMs: at(30), toMs: at(35) },
    ]);
  });

  it("stores nothing of a call that fails part-way, and says so with STORE_FAILED", () => {
    const bars = minuteBars(T0, 3);
    const broken = [bars[0]!, bars[1]!, { ...bars[2]!, close: Number.NaN }];
    expect(() => {
      cache.store(SPY_1_MIN, T0, at(3), broken);
    }).toThrow(expect.objectContaining({ code: "STORE_FAILED" }) as TraderError);
    expect(cache.bars(SPY_1_MIN, T0, at(3))).toEqual([]);
    expect(cache.missingRanges(SPY_1_MIN, T0, at(3))).toEqual([{ fromMs: T0, toMs: at(3) }]);
  });

  it("refuses a covered range that ends before it starts", () => {
    expect(() => {
      cache.store(SPY_1_MIN, at(5), at(4), []);
    }).toThrow(expect.objectContaining({ code: "INVARIANT_BROKEN" }) as TraderError);
  });

  it("counts series and bars", () => {
    cache.store(SPY_1_MIN, T0, at(5), minuteBars(T0, 5));
    cache.store({ ...SPY_1_MIN, useRth: false }, T0, at(3), minuteBars(T0, 3));
    expect(cache.stats()).toEqual({ seriesCount: 2, barCount: 8 });
  });
});

describe("BarCache in a file", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ibkr-bar-cache-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps bars and coverage when the file is closed and opened again", () => {
    const path = join(dir, "market-data.sqlite");
    const bars = minuteBars(T0, 100);
    const first = MarketDataStore.open(path);
    first.bars.store(SPY_1_MIN, T0, at(100), bars);
    first.bars.store(SPY_1_MIN, at(200), at(300), []);
    first.close();

    const second = MarketDataStore.open(path);
    try {
      expect(second.bars.bars(SPY_1_MIN, T0, at(300))).toEqual(bars);
      expect(second.bars.missingRanges(SPY_1_MIN, T0, at(300))).toEqual([{ fromMs: at(100), toMs: at(200) }]);
    } finally {
      second.close();
    }
  });

  it("keeps one coverage row per merged range in the file", () => {
    const path = join(dir, "market-data.sqlite");
    const store = MarketDataStore.open(path);
    store.bars.store(SPY_1_MIN, at(0), at(10), []);
    store.bars.store(SPY_1_MIN, at(20), at(30), []);
    store.bars.store(SPY_1_MIN, at(10), at(20), []);
    store.close();

    const reader = new Database(path, { readonly: true });
    try {
      const rows = reader.prepare("SELECT from_ms AS fromMs, to_ms AS toMs FROM bar_coverage").all();
      expect(rows).toEqual([{ fromMs: at(0), toMs: at(30) }]);
    } finally {
      reader.close();
    }
  });
});
