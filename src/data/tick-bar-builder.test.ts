import { describe, expect, it } from "vitest";
import { ManualScheduler } from "../core/manual-scheduler.js";
import type { Bar } from "../model/bar.js";
import { TickBarBuilder, type TickBarBuilderOptions } from "./tick-bar-builder.js";

/** 2024-01-02 10:00 New York (15:00 UTC), inside the regular session. */
const T10_00 = Date.UTC(2024, 0, 2, 15, 0);

function aBuilder(startMs = T10_00, options: Partial<TickBarBuilderOptions> = {}) {
  const scheduler = new ManualScheduler(startMs);
  const bars: Bar[] = [];
  const builder = new TickBarBuilder({
    symbol: "SPY",
    scheduler,
    onBar: (bar) => bars.push(bar),
    ...options,
  });
  const price = (atMs: number, value: number): void => {
    scheduler.advanceTo(atMs);
    builder.onPrice(value);
  };
  const volume = (atMs: number, cumulative: number): void => {
    scheduler.advanceTo(atMs);
    builder.onVolume(cumulative);
  };
  return { scheduler, builder, bars, price, volume };
}

const ohlcv = (bar: Bar | undefined) => bar && [bar.open, bar.high, bar.low, bar.close, bar.volume];

describe("TickBarBuilder", () => {
  it("builds a 5-second bar from trade prices, with the rise in cumulative volume as its volume", () => {
    const { scheduler, bars, price, volume } = aBuilder();

    volume(T10_00 + 500, 1000);
    price(T10_00 + 1000, 100);
    price(T10_00 + 2000, 101);
    volume(T10_00 + 2100, 1200);
    price(T10_00 + 3000, 99.5);
    volume(T10_00 + 4000, 1250);
    scheduler.advanceTo(T10_00 + 5250);

    expect(bars).toEqual([
      {
        symbol: "SPY",
        openTime: T10_00,
        closeTime: T10_00 + 5000,
        open: 100,
        high: 101,
        low: 99.5,
        close: 99.5,
        volume: 250,
      },
    ]);
  });

  it("emits a bucket on the next tick when that comes before the grace timer", () => {
    const { bars, price } = aBuilder();

    price(T10_00 + 1000, 100);
    price(T10_00 + 5100, 100.5);

    expect(bars.map((bar) => bar.closeTime)).toEqual([T10_00 + 5000]);
  });

  it("emits a flat bar at the last price with volume 0 for each 5 seconds without a trade", () => {
    const { bars, price, volume } = aBuilder();

    volume(T10_00, 500);
    price(T10_00 + 1000, 100);
    volume(T10_00 + 1500, 600);
    price(T10_00 + 17_000, 102);
    volume(T10_00 + 17_500, 610);
    price(T10_00 + 20_000, 102);

    expect(bars.map(ohlcv)).toEqual([
      [100, 100, 100, 100, 100],
      [100, 100, 100, 100, 0],
      [100, 100, 100, 100, 0],
      [102, 102, 102, 102, 10],
    ]);
    expect(bars.map((bar) => bar.openTime - T10_00)).toEqual([0, 5000, 10_000, 15_000]);
  });

  it("keeps emitting flat bars on its own timer while no tick comes", () => {
    const { scheduler, bars, price } = aBuilder();

    price(T10_00 + 1000, 100);
    scheduler.advanceTo(T10_00 + 30_000);

    expect(bars.map((bar) => bar.openTime - T10_00)).toEqual([0, 5000, 10_000, 15_000, 20_000]);
    scheduler.advanceTo(T10_00 + 30_250);
    expect(bars).toHaveLength(6);
  });

  it("starts counting again after cumulative volume drops, never emitting negative volume", () => {
    const { bars, volume, price } = aBuilder();

    price(T10_00, 100);
    volume(T10_00 + 1000, 5000);
    volume(T10_00 + 6000, 5100);
    volume(T10_00 + 11_000, 300);
    volume(T10_00 + 16_000, 450);
    price(T10_00 + 21_000, 100);

    expect(bars.map((bar) => bar.volume)).toEqual([0, 100, 0, 150]);
  });

  it("puts volume that comes in a bucket without a trade into a bar at the last price", () => {
    const { bars, volume, price } = aBuilder();

    volume(T10_00, 1000);
    price(T10_00 + 4900, 100);
    volume(T10_00 + 5100, 1300);
    price(T10_00 + 11_000, 101);

    expect(bars.map(ohlcv)).toEqual([
      [100, 100, 100, 100, 0],
      [100, 100, 100, 100, 300],
    ]);
  });

  it("ignores IB's -1 'no price' and emits nothing before the first real price", () => {
    const { scheduler, bars, price, volume } = aBuilder();

    price(T10_00 + 1000, -1);
    volume(T10_00 + 1500, 100);
    volume(T10_00 + 2000, 200);
    scheduler.advanceTo(T10_00 + 60_000);

    expect(bars).toEqual([]);
    expect(scheduler.pendingTimers).toBe(0);
  });

  it("fills no flat bars outside the regular session", () => {
    const after16 = Date.UTC(2024, 0, 2, 21, 10);
    const { scheduler, bars, price } = aBuilder(after16);

    price(after16 + 1000, 100);
    scheduler.advanceTo(after16 + 10 * 60_000);

    expect(bars.map((bar) => bar.openTime)).toEqual([after16]);
  });

  it("stops filling after maxQuietMs without any tick, so a dead stream shows as silence", () => {
    const { scheduler, bars, price } = aBuilder(T10_00, { maxQuietMs: 120_000 });

    price(T10_00 + 1000, 100);
    scheduler.advanceTo(T10_00 + 5 * 60_000);
    const beforeRevival = bars.length;
    expect(scheduler.pendingTimers).toBe(0);
    price(T10_00 + 5 * 60_000 + 500, 101);
    scheduler.advanceTo(T10_00 + 5 * 60_000 + 5250);

    // The trade bucket, then flat buckets that end within 120 s of the tick: 10:00:05 … 10:01:55.
    expect(beforeRevival).toBe(24);
    expect(bars.at(-2)?.openTime).toBe(T10_00 + 115_000);
    expect(bars.at(-1)).toMatchObject({ openTime: T10_00 + 300_000, close: 101 });
  });

  it("emits nothing after stop", () => {
    const { scheduler, builder, bars, price } = aBuilder();

    price(T10_00 + 1000, 100);
    builder.stop();
    scheduler.advanceTo(T10_00 + 60_000);
    builder.onPrice(101);

    expect(bars).toEqual([]);
    expect(scheduler.pendingTimers).toBe(0);
  });
});
