import { describe, expect, it } from "vitest";
import { ManualScheduler } from "../core/manual-scheduler.js";
import { makeBar, type Bar } from "../model/bar.js";
import { parseTimeframe } from "../model/timeframe.js";
import { aggregateBars } from "./aggregate-bars.js";
import type { FeedBarClosed, FeedEvent } from "./feed-event.js";
import type { FeedWatchdogSettings } from "./feed-watchdog.js";
import { LiveBarFeed } from "./live-bar-feed.js";
import type { BackfillPriority, BackfillSource, FiveSecondBarSource } from "./live-feed-ports.js";
import { regularSessionRanges } from "./live-session-ranges.js";

/** 2024-01-02 New York 10:00 (15:00 UTC), inside the regular session. */
const T10_00 = Date.UTC(2024, 0, 2, 15, 0);
const MINUTE_MS = 60_000;
const LATENCY_MS = 300;

/** The market's 5-second bar at `openTime`: deterministic, a different shape every slot. */
function marketBar(openTime: number): Bar {
  const slot = openTime / 5000;
  const open = 100 + (slot % 13) * 0.1;
  const close = 100 + (slot % 7) * 0.15;
  return makeBar({
    symbol: "SPY",
    openTime,
    closeTime: openTime + 5000,
    open,
    high: Math.max(open, close) + (slot % 3) * 0.05,
    low: Math.min(open, close) - (slot % 5) * 0.05,
    close,
    volume: 100 + (slot % 11) * 10,
  });
}

/** The market's 5-second bars in [fromMs, toMs), regular session only. */
function marketBars(fromMs: number, toMs: number): Bar[] {
  const bars: Bar[] = [];
  for (const range of regularSessionRanges(fromMs, toMs)) {
    for (let t = Math.ceil(range.fromMs / 5000) * 5000; t < range.toMs; t += 5000) bars.push(marketBar(t));
  }
  return bars;
}

/** A gateway's 5-second bar subscriptions: bars go to whichever subscription is current. */
class FakeBarSource implements FiveSecondBarSource {
  subscriptions = 0;
  private current: ((bar: Bar) => void) | undefined;
  private endCurrent: ((error: Error) => void) | undefined;

  subscribe(
    _symbol: string,
    onBar: (bar: Bar) => void,
    onEnd: (error: Error) => void,
    onSent: () => void,
  ): () => void {
    this.subscriptions++;
    this.current = onBar;
    this.endCurrent = onEnd;
    onSent();
    return () => {
      if (this.current === onBar) this.current = undefined;
    };
  }

  get active(): boolean {
    return this.current !== undefined;
  }

  emit(bar: Bar): void {
    this.current?.(bar);
  }

  end(error: Error): void {
    this.endCurrent?.(error);
  }
}

interface HistoryCall {
  readonly barSizeSetting: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly priority: BackfillPriority;
}

/** IB history from the same market: 5-second bars, or aggregated ones; can fail the next N requests. */
class FakeHistory implements BackfillSource {
  readonly calls: HistoryCall[] = [];
  failuresLeft = 0;
  /** Extra 5-second bars returned past `toMs`, as an overlap with the live stream. */
  overlapMs = 10_000;

  fetchBars(
    _symbol: string,
    barSizeSetting: string,
    fromMs: number,
    toMs: number,
    priority: BackfillPriority,
  ): Promise<readonly Bar[]> {
    this.calls.push({ barSizeSetting, fromMs, toMs, priority });
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      return Promise.reject(
        new Error("Historical Market Data Service error message:HMDS query returned no data"),
      );
    }
    if (barSizeSetting === "5 secs") return Promise.resolve(marketBars(fromMs, toMs + this.overlapMs));
    const timeframe = parseTimeframe(barSizeSetting.replace(/ (min|mins)$/, "m").replace(/ hours?$/, "h"));
    return Promise.resolve([...aggregateBars(marketBars(fromMs, toMs), timeframe)]);
  }
}

/** Lets pending promise callbacks (the fake history's answers) run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A feed on virtual time over the fake market, streaming live bars at their close plus latency. */
function aFeed(options: { label?: string; watchdog?: FeedWatchdogSettings | false; startMs?: number } = {}) {
  const scheduler = new ManualScheduler(options.startMs ?? T10_00);
  const source = new FakeBarSource();
  const history = new FakeHistory();
  const events: FeedEvent[] = [];
  const feed = new LiveBarFeed({
    symbol: "SPY",
    timeframe: parseTimeframe(options.label ?? "1m"),
    bars: source,
    history,
    scheduler,
    onEvent: (event) => events.push(event),
    watchdog: options.watchdog ?? false,
  });
  const outages: { fromMs: number; toMs: number }[] = [];
  /** Open times of bars the gateway sends with a NaN close. */
  const corrupted = new Set<number>();
  /** Streams the market's bars from the first one that closes after now, except during outages. */
  const stream = (): void => {
    const next = (openTime: number): void => {
      scheduler.setTimer(openTime + 5000 + LATENCY_MS - scheduler.nowMs(), () => {
        const nowMs = scheduler.nowMs();
        const inOutage = outages.some((outage) => nowMs >= outage.fromMs && nowMs < outage.toMs);
        for (const bar of inOutage ? [] : marketBars(openTime, openTime + 5000)) {
          source.emit(corrupted.has(bar.openTime) ? makeBar({ ...bar, close: Number.NaN }) : bar);
        }
        next(openTime + 5000);
      });
    };
    next(Math.floor(scheduler.nowMs() / 5000) * 5000);
  };
  const runTo = async (targetMs: number): Promise<void> => {
    await settle();
    while (scheduler.nowMs() < targetMs) {
      scheduler.advanceTo(Math.min(targetMs, scheduler.nextDueMs() ?? targetMs));
      await settle();
    }
  };
  const closed = (source?: FeedBarClosed["source"]): Bar[] =>
    events.flatMap((event) =>
      event.type === "FeedBarClosed" && (source === undefined || event.source === source) ? [event.bar] : [],
    );
  return { scheduler, source, history, events, feed, outages, corrupted, stream, runTo, closed };
}

/** The 1m bars of the market, aggregated once from its 5-second bars. */
function expectedMinutes(fromMs: number, toMs: number): Bar[] {
  return [...aggregateBars(marketBars(fromMs, toMs), parseTimeframe("1m"))];
}

function openTimes(bars: readonly Bar[]): number[] {
  return bars.map((bar) => bar.openTime);
}

describe("LiveBarFeed", () => {
  it("emits warm-up bars, then live bars, with no gap or duplicate when it starts mid-bucket", async () => {
    const { history, events, feed, stream, runTo, closed } = aFeed({ startMs: T10_00 + 27_000 });

    stream();
    feed.start(5);
    await runTo(T10_00 + 3 * MINUTE_MS + 1000);

    expect(closed("history")).toEqual(expectedMinutes(T10_00 - 5 * MINUTE_MS, T10_00));
    expect(closed("live")).toEqual(expectedMinutes(T10_00, T10_00 + 3 * MINUTE_MS));
    expect(openTimes(closed())).toEqual(Array.from({ length: 8 }, (_, i) => T10_00 + (i - 5) * MINUTE_MS));
    expect(history.calls).toEqual([
      { barSizeSetting: "1 min", fromMs: Date.UTC(2024, 0, 2, 14, 30), toMs: T10_00, priority: "warmup" },
      { barSizeSetting: "5 secs", fromMs: T10_00, toMs: T10_00 + 25_000, priority: "live" },
    ]);
    expect(events.filter((event) => event.type !== "FeedBarClosed")).toEqual([]);
  });

  it("completes the first live bar from 5-second history even when the warm-up answers after live bars came", async () => {
    const { history, feed, stream, runTo, closed } = aFeed({ startMs: T10_00 + 44_000 });
    history.failuresLeft = 1;

    stream();
    feed.start(3);
    await runTo(T10_00 + 2 * MINUTE_MS + 1000);

    expect(closed("history")).toEqual(expectedMinutes(T10_00 - 3 * MINUTE_MS, T10_00));
    expect(closed("live")).toEqual(expectedMinutes(T10_00, T10_00 + 2 * MINUTE_MS));
  });

  it("warms up 1h bars from 30-minute history, cut at 10:30, 11:30, … like the live ones", async () => {
    const { history, feed, runTo, closed } = aFeed({ label: "1h", startMs: T10_00 + 2 * 60 * MINUTE_MS });

    feed.start(2);
    await runTo(T10_00 + 2 * 60 * MINUTE_MS + 1000);

    expect(history.calls[0]).toMatchObject({ barSizeSetting: "30 mins", toMs: T10_00 + 90 * MINUTE_MS });
    expect(closed("history").map((bar) => [bar.openTime, bar.closeTime])).toEqual([
      [T10_00 - 30 * MINUTE_MS, T10_00 + 30 * MINUTE_MS],
      [T10_00 + 30 * MINUTE_MS, T10_00 + 90 * MINUTE_MS],
    ]);
    expect(closed("history")[1]).toEqual(
      [
        ...aggregateBars(marketBars(T10_00 + 30 * MINUTE_MS, T10_00 + 90 * MINUTE_MS), parseTimeframe("1h")),
      ][0],
    );
  });

  it("backfills a 3-minute outage after resubscribe: bars continue without gap or duplicate", async () => {
    const { source, history, events, feed, outages, stream, runTo, closed } = aFeed();
    outages.push({ fromMs: T10_00 + 2 * MINUTE_MS + 20_000, toMs: T10_00 + 5 * MINUTE_MS + 20_000 });

    stream();
    feed.start(0);
    await runTo(T10_00 + 5 * MINUTE_MS + 20_000);
    feed.resubscribe("1101 connectivity restored, data lost");
    await runTo(T10_00 + 8 * MINUTE_MS + 1000);

    const live = closed("live");
    expect(openTimes(live)).toEqual(Array.from({ length: 8 }, (_, i) => T10_00 + i * MINUTE_MS));
    // The bucket the outage cut into closed on time with what it had; the ones after come from history.
    expect(live[2]).toEqual(
      [
        ...aggregateBars(
          marketBars(T10_00 + 2 * MINUTE_MS, T10_00 + 2 * MINUTE_MS + 15_000),
          parseTimeframe("1m"),
        ),
      ][0],
    );
    expect(live.slice(3)).toEqual(expectedMinutes(T10_00 + 3 * MINUTE_MS, T10_00 + 8 * MINUTE_MS));
    expect(history.calls.at(-1)).toEqual({
      barSizeSetting: "5 secs",
      fromMs: T10_00 + 3 * MINUTE_MS,
      toMs: T10_00 + 5 * MINUTE_MS + 15_000,
      priority: "live",
    });
    expect(events.filter((event) => event.type !== "FeedBarClosed")).toEqual([
      {
        type: "FeedResubscribed",
        symbol: "SPY",
        reason: "1101 connectivity restored, data lost",
        backfilledBars: 27,
      },
    ]);
    expect(source.subscriptions).toBe(2);
  });

  it("backfills the session's last bars after a drop at the close, without waiting for the next open", async () => {
    const close = T10_00 + 6 * 60 * MINUTE_MS;
    const { history, events, feed, outages, stream, runTo, closed } = aFeed({
      startMs: close - 3 * MINUTE_MS,
    });
    // The connection drops 20 s before the close; it is back 4 s after it.
    outages.push({ fromMs: close - 20_000, toMs: close + 3_600_000 });

    stream();
    feed.start(0);
    await runTo(close + 4_000);
    feed.resubscribe("reconnected (session 2)");
    await runTo(close + 60_000);

    expect(closed("live")).toEqual(expectedMinutes(close - 3 * MINUTE_MS, close));
    expect(history.calls.at(-1)).toEqual({
      barSizeSetting: "5 secs",
      fromMs: close - 25_000,
      // Asked up to now, 10 s after the close; only session time is fetched.
      toMs: close,
      priority: "live",
    });
    expect(events.filter((event) => event.type === "FeedResubscribed")).toEqual([
      { type: "FeedResubscribed", symbol: "SPY", reason: "reconnected (session 2)", backfilledBars: 5 },
    ]);
  });

  it("fills a short farm flap from history so the bucket it hit is complete", async () => {
    const { feed, outages, stream, runTo, closed } = aFeed();
    outages.push({ fromMs: T10_00 + 2 * MINUTE_MS + 20_000, toMs: T10_00 + 2 * MINUTE_MS + 40_000 });

    stream();
    feed.start(0);
    await runTo(T10_00 + 2 * MINUTE_MS + 40_000);
    feed.resubscribe("2104 market data farm connection is OK");
    await runTo(T10_00 + 4 * MINUTE_MS + 1000);

    expect(closed("live")).toEqual(expectedMinutes(T10_00, T10_00 + 4 * MINUTE_MS));
  });

  it("backfills the hole when a subscription recovers by itself after losing bars", async () => {
    const { history, events, feed, outages, stream, runTo, closed } = aFeed();
    outages.push({ fromMs: T10_00 + 2 * MINUTE_MS + 20_000, toMs: T10_00 + 2 * MINUTE_MS + 40_000 });

    stream();
    feed.start(0);
    await runTo(T10_00 + 4 * MINUTE_MS + 1000);

    expect(closed("live")).toEqual(expectedMinutes(T10_00, T10_00 + 4 * MINUTE_MS));
    expect(history.calls).toEqual([
      { barSizeSetting: "5 secs", fromMs: T10_00 + 135_000, toMs: T10_00 + 155_000, priority: "live" },
    ]);
    expect(events.filter((event) => event.type !== "FeedBarClosed")).toEqual([]);
  });

  it("drops a bad live bar without asking history for its slot", async () => {
    const { history, events, feed, corrupted, stream, runTo, closed } = aFeed();
    corrupted.add(T10_00 + 30_000);

    stream();
    feed.start(0);
    await runTo(T10_00 + MINUTE_MS + 1000);

    expect(history.calls).toEqual([]);
    expect(events.filter((event) => event.type === "FeedBarDropped")).toEqual([
      {
        type: "FeedBarDropped",
        symbol: "SPY",
        reason: "close NaN is not a positive finite price",
        bar: expect.objectContaining({ openTime: T10_00 + 30_000 }) as Bar,
      },
    ]);
    expect(closed("live")).toEqual([
      ...aggregateBars(
        marketBars(T10_00, T10_00 + MINUTE_MS).filter((bar) => bar.openTime !== T10_00 + 30_000),
        parseTimeframe("1m"),
      ),
    ]);
  });

  it("resubscribes through its watchdog when bars stop, and reports stall, resume and resubscribe", async () => {
    const { events, feed, outages, stream, runTo, closed } = aFeed({ watchdog: {} });
    outages.push({ fromMs: T10_00 + MINUTE_MS + 1000, toMs: T10_00 + 2 * MINUTE_MS + 50_000 });

    stream();
    feed.start(0);
    await runTo(T10_00 + 4 * MINUTE_MS + 1000);

    expect(closed("live")).toEqual(expectedMinutes(T10_00, T10_00 + 4 * MINUTE_MS));
    expect(events.filter((event) => event.type !== "FeedBarClosed")).toEqual([
      { type: "FeedStalled", symbol: "SPY", sinceMs: T10_00 + 60_300, silentForMs: 30_000 },
      { type: "FeedStalled", symbol: "SPY", sinceMs: T10_00 + 60_300, silentForMs: 60_000 },
      { type: "FeedResumed", symbol: "SPY", stalledForMs: 110_000 },
      {
        type: "FeedResubscribed",
        symbol: "SPY",
        reason: "no 5-second bar for 60s during trading hours",
        backfilledBars: 21,
      },
    ]);
  });

  it("reports a backfill that keeps failing and goes on live without it", async () => {
    const { history, events, feed, stream, runTo, closed } = aFeed({ startMs: T10_00 + 27_000 });
    history.failuresLeft = 4;

    stream();
    feed.start(0);
    await runTo(T10_00 + 2 * MINUTE_MS + 1000);

    expect(history.calls).toHaveLength(4);
    expect(events.filter((event) => event.type === "FeedFailed")).toEqual([
      { type: "FeedFailed", symbol: "SPY", stage: "backfill", error: expect.any(Error) as Error },
    ]);
    expect(openTimes(closed("live"))).toEqual([T10_00, T10_00 + MINUTE_MS]);
    expect(closed("live")[1]).toEqual(expectedMinutes(T10_00 + MINUTE_MS, T10_00 + 2 * MINUTE_MS)[0]);
  });

  it("reports a subscription the gateway ended", () => {
    const { source, events, feed } = aFeed();

    feed.start(0);
    source.end(new Error("Bust event occurred, current subscription is deactivated."));

    expect(events).toEqual([
      { type: "FeedFailed", symbol: "SPY", stage: "subscription", error: expect.any(Error) as Error },
    ]);
  });

  it("asks for no history when started at night, and joins the next session without a gap", async () => {
    const night = Date.UTC(2024, 0, 2, 23, 0);
    const { history, feed, stream, runTo, closed } = aFeed({ startMs: night, watchdog: {} });

    stream();
    feed.start(0);
    await runTo(Date.UTC(2024, 0, 3, 14, 32, 1));

    expect(history.calls).toEqual([]);
    expect(closed("live")).toEqual(
      expectedMinutes(Date.UTC(2024, 0, 3, 14, 30), Date.UTC(2024, 0, 3, 14, 32)),
    );
  });

  it("stops cleanly: no subscription, no timer, nothing emitted later", async () => {
    const { scheduler, source, events, feed, runTo } = aFeed({ watchdog: {} });

    feed.start(0);
    await runTo(T10_00 + 1000);
    feed.stop();
    source.emit(marketBar(T10_00));

    expect(source.active).toBe(false);
    expect(scheduler.pendingTimers).toBe(0);
    expect(events).toEqual([]);
  });
});
