import { describe, expect, it } from "vitest";
import { ManualScheduler } from "../core/manual-scheduler.js";
import { makeBar, type Bar } from "../model/bar.js";
import { parseTimeframe } from "../model/timeframe.js";
import { LiveBarAssembler } from "./live-bar-assembler.js";

/** 2024-01-02 10:00 New York (15:00 UTC), inside the regular session. */
const T10_00 = Date.UTC(2024, 0, 2, 15, 0);
const SECOND_MS = 1000;

function fiveSecondBar(openTime: number, overrides: Partial<Bar> = {}): Bar {
  return makeBar({
    symbol: "SPY",
    openTime,
    closeTime: openTime + 5 * SECOND_MS,
    open: 100,
    high: 100,
    low: 100,
    close: 100,
    volume: 10,
    ...overrides,
  });
}

/** A 1m assembler on virtual time, recording what it emits and drops. */
function anAssembler(label = "1m", startMs = T10_00) {
  const scheduler = new ManualScheduler(startMs);
  const closed: Bar[] = [];
  const dropped: { bar: Bar; reason: string }[] = [];
  const assembler = new LiveBarAssembler({
    symbol: "SPY",
    timeframe: parseTimeframe(label),
    scheduler,
    onBar: (bar) => closed.push(bar),
    onDropped: (bar, reason) => dropped.push({ bar, reason }),
  });
  /** Delivers a bar the way IB does: at its close plus a little latency. */
  const deliver = (bar: Bar, latencyMs = 300): boolean => {
    scheduler.advanceTo(Math.max(scheduler.nowMs(), bar.closeTime + latencyMs));
    return assembler.push(bar);
  };
  return { scheduler, assembler, closed, dropped, deliver };
}

/** Twelve 5-second bars of one minute with distinct prices and volumes. */
function oneMinute(startMs: number): Bar[] {
  return Array.from({ length: 12 }, (_, index) => {
    const open = 100 + index;
    const close = 100 + index + (index % 2 === 0 ? 0.5 : -0.5);
    return fiveSecondBar(startMs + index * 5 * SECOND_MS, {
      open,
      close,
      high: Math.max(open, close) + 0.25,
      low: Math.min(open, close) - 0.25 - (index === 7 ? 10 : 0),
      volume: index + 1,
    });
  });
}

describe("LiveBarAssembler", () => {
  it("keeps a bucket open while held (subscription down) and closes it complete once the backfill is in", () => {
    const { scheduler, assembler, closed, deliver } = anAssembler();
    const minute = oneMinute(T10_00);
    for (const bar of minute.slice(0, 4)) deliver(bar);
    assembler.hold();
    scheduler.advanceTo(T10_00 + 5 * 60 * SECOND_MS);
    expect(closed).toEqual([]);
    for (const bar of minute.slice(4)) assembler.push(bar);
    assembler.release();
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ openTime: T10_00, volume: 78 });
  });

  it("closes a still incomplete bucket at once on release when its time has passed", () => {
    const { scheduler, assembler, closed, deliver } = anAssembler();
    for (const bar of oneMinute(T10_00).slice(0, 4)) deliver(bar);
    assembler.hold();
    scheduler.advanceTo(T10_00 + 5 * 60 * SECOND_MS);
    assembler.release();
    scheduler.advanceBy(0);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ openTime: T10_00, volume: 10 });
  });

  it("aggregates twelve 5-second bars into one 1m bar with exact OHLCV, stamped with the bucket", () => {
    const { closed, deliver } = anAssembler();

    for (const bar of oneMinute(T10_00)) deliver(bar);

    expect(closed).toEqual([
      {
        symbol: "SPY",
        openTime: T10_00,
        closeTime: T10_00 + 60 * SECOND_MS,
        open: 100,
        high: 111.25,
        low: 96.25,
        close: 110.5,
        volume: 78,
      },
    ]);
  });

  it("emits the bar as soon as the 5-second bar that ends the bucket arrives", () => {
    const { scheduler, closed, deliver } = anAssembler();
    const bars = oneMinute(T10_00);

    for (const bar of bars.slice(0, 11)) deliver(bar);
    expect(closed).toHaveLength(0);
    deliver(bars[11]!, 300);

    expect(closed).toHaveLength(1);
    expect(scheduler.nowMs()).toBe(T10_00 + 60_300);
  });

  it("closes a bucket whose last 5-second bars never come when the grace timer fires, at the bucket end", () => {
    const { scheduler, closed, deliver } = anAssembler();
    const bars = oneMinute(T10_00).slice(0, 9);

    for (const bar of bars) deliver(bar);
    scheduler.advanceTo(T10_00 + 69_999);
    expect(closed).toHaveLength(0);
    scheduler.advanceTo(T10_00 + 70_000);

    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({
      openTime: T10_00,
      closeTime: T10_00 + 60_000,
      close: 108.5,
      volume: 45,
    });
  });

  it("closes a bucket when a bar of the next bucket arrives before the grace ends", () => {
    const { closed, deliver } = anAssembler();
    const bars = oneMinute(T10_00).slice(0, 11);

    for (const bar of bars) deliver(bar);
    deliver(fiveSecondBar(T10_00 + 60_000));

    expect(closed.map((bar) => bar.closeTime)).toEqual([T10_00 + 60_000]);
  });

  it("emits each bar once: neither the grace timer nor later bars emit a closed bucket again", () => {
    const { scheduler, assembler, closed, deliver } = anAssembler();

    for (const bar of [...oneMinute(T10_00), ...oneMinute(T10_00 + 60_000).slice(0, 3)]) deliver(bar);
    scheduler.advanceTo(T10_00 + 10 * 60_000);
    assembler.stop();

    expect(closed.map((bar) => bar.openTime)).toEqual([T10_00, T10_00 + 60_000]);
    expect(scheduler.pendingTimers).toBe(0);
  });

  it("closes a 1h bucket at 10:30 New York, anchored at the 09:30 open", () => {
    const { closed, deliver } = anAssembler("1h", T10_00);

    deliver(fiveSecondBar(T10_00 + 30 * 60_000 - 5000));

    expect(closed).toEqual([
      expect.objectContaining({ openTime: T10_00 - 30 * 60_000, closeTime: T10_00 + 30 * 60_000 }),
    ]);
  });

  it.each([
    ["high below low", { high: 99, low: 101, open: 100, close: 100 }, "high 99 is below low 101"],
    ["open above high", { open: 102, high: 101 }, "high 101 is below open 102"],
    ["close below low", { close: 98, low: 99, open: 99.5 }, "low 99 is above close 98"],
    ["a NaN price", { close: Number.NaN }, "close NaN is not a positive finite price"],
    ["a zero price", { low: 0 }, "low 0 is not a positive finite price"],
    ["an infinite price", { high: Number.POSITIVE_INFINITY }, "high Infinity is not a positive finite price"],
    ["negative volume", { volume: -1 }, "volume -1 is not a finite number >= 0"],
    ["NaN volume", { volume: Number.NaN }, "volume NaN is not a finite number >= 0"],
    ["another symbol", { symbol: "QQQ" }, "bar is for QQQ, not SPY"],
    ["a 1-minute bar", { closeTime: T10_00 + 60_000 }, "is not a 5-second bar on a 5-second boundary"],
  ])("drops a bar with %s and says why", (_name, overrides, reason) => {
    const { closed, dropped, deliver } = anAssembler();

    const accepted = deliver(fiveSecondBar(T10_00, overrides));

    expect(accepted).toBe(false);
    expect(dropped).toEqual([
      { bar: expect.objectContaining(overrides) as Bar, reason: expect.stringContaining(reason) as string },
    ]);
    expect(closed).toHaveLength(0);
  });

  it("drops duplicates and out-of-order bars and keeps aggregating the good ones", () => {
    const { closed, dropped, deliver } = anAssembler();
    const bars = oneMinute(T10_00);

    for (const bar of bars.slice(0, 6)) deliver(bar);
    deliver(bars[5]!);
    deliver(bars[2]!);
    for (const bar of bars.slice(6)) deliver(bar);

    expect(dropped.map((drop) => drop.reason)).toEqual([
      "duplicate of the bar at 2024-01-02T15:00:25.000Z",
      "out of order: opens at 2024-01-02T15:00:10.000Z, before the previous bar at 2024-01-02T15:00:25.000Z",
    ]);
    expect(closed).toEqual([expect.objectContaining({ open: 100, close: 110.5, volume: 78 })]);
  });

  it("drops a bar stamped more than a minute ahead of the clock", () => {
    const { assembler, dropped, closed } = anAssembler();

    const accepted = assembler.push(fiveSecondBar(T10_00 + 65_000));

    expect(accepted).toBe(false);
    expect(dropped[0]?.reason).toBe(
      "opens at 2024-01-02T15:01:05.000Z, in the future (now 2024-01-02T15:00:00.000Z)",
    );
    expect(closed).toEqual([]);
  });

  it("drops a 5-second bar that arrives after its bucket was closed by the grace timer", () => {
    const { closed, dropped, deliver } = anAssembler();
    const bars = oneMinute(T10_00);

    for (const bar of bars.slice(0, 10)) deliver(bar);
    deliver(bars[11]!, 15_000);

    expect(closed).toEqual([expect.objectContaining({ close: bars[9]!.close, volume: 55 })]);
    expect(dropped).toEqual([
      { bar: bars[11], reason: "too late: its 1m bar closed at 2024-01-02T15:01:00.000Z before it arrived" },
    ]);
  });
});
