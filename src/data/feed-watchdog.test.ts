import { describe, expect, it } from "vitest";
import { ManualScheduler } from "../core/manual-scheduler.js";
import type { FeedResumed, FeedStalled } from "./feed-event.js";
import { FeedWatchdog } from "./feed-watchdog.js";

/** 2024-01-02 10:00 New York (15:00 UTC), inside the regular session. */
const T10_00 = Date.UTC(2024, 0, 2, 15, 0);

function aWatchdog(startMs = T10_00) {
  const scheduler = new ManualScheduler(startMs);
  const events: (FeedStalled | FeedResumed)[] = [];
  const resubscribes: number[] = [];
  const watchdog = new FeedWatchdog({
    symbol: "SPY",
    scheduler,
    onEvent: (event) => events.push(event),
    resubscribe: () => resubscribes.push(scheduler.nowMs()),
  });
  const barAt = (atMs: number): void => {
    scheduler.advanceTo(atMs);
    watchdog.barArrived();
  };
  return { scheduler, watchdog, events, resubscribes, barAt };
}

describe("FeedWatchdog", () => {
  it("reports a stall once 30 s pass without a bar in trading hours, and asks for a resubscribe", () => {
    const { scheduler, watchdog, events, resubscribes, barAt } = aWatchdog();
    watchdog.start();

    barAt(T10_00 + 5000);
    scheduler.advanceTo(T10_00 + 34_999);
    expect(events).toEqual([]);
    scheduler.advanceTo(T10_00 + 35_000);

    expect(events).toEqual([
      { type: "FeedStalled", symbol: "SPY", sinceMs: T10_00 + 5000, silentForMs: 30_000 },
    ]);
    expect(resubscribes).toEqual([T10_00 + 35_000]);
  });

  it("resubscribes again with a doubling wait while the silence lasts, reporting each time", () => {
    const { scheduler, watchdog, events, resubscribes } = aWatchdog();
    watchdog.start();

    scheduler.advanceTo(T10_00 + 10 * 60_000);

    const seconds = [30, 60, 120, 240, 480];
    expect(resubscribes).toEqual(seconds.map((s) => T10_00 + s * 1000));
    expect(events.map((event) => event.type === "FeedStalled" && event.silentForMs)).toEqual(
      seconds.map((s) => s * 1000),
    );
  });

  it("reports FeedResumed when a bar comes after a stall, then watches afresh", () => {
    const { scheduler, watchdog, events, resubscribes, barAt } = aWatchdog();
    watchdog.start();

    scheduler.advanceTo(T10_00 + 30_000);
    barAt(T10_00 + 45_000);
    scheduler.advanceTo(T10_00 + 75_000);

    expect(events).toEqual([
      { type: "FeedStalled", symbol: "SPY", sinceMs: T10_00, silentForMs: 30_000 },
      { type: "FeedResumed", symbol: "SPY", stalledForMs: 45_000 },
      { type: "FeedStalled", symbol: "SPY", sinceMs: T10_00 + 45_000, silentForMs: 30_000 },
    ]);
    expect(resubscribes).toEqual([T10_00 + 30_000, T10_00 + 75_000]);
  });

  it("does not report silence over a night, a weekend and a holiday, and counts silence from the open", () => {
    // Friday 2024-01-12 16:00 New York; Monday 01-15 is Martin Luther King Jr. Day; Tuesday opens 09:30.
    const fridayClose = Date.UTC(2024, 0, 12, 21, 0);
    const tuesdayOpen = Date.UTC(2024, 0, 16, 14, 30);
    const { scheduler, watchdog, events, resubscribes } = aWatchdog(fridayClose);
    watchdog.start();

    scheduler.advanceTo(tuesdayOpen + 29_999);
    expect(events).toEqual([]);
    expect(resubscribes).toEqual([]);
    scheduler.advanceTo(tuesdayOpen + 30_000);

    expect(events).toEqual([
      { type: "FeedStalled", symbol: "SPY", sinceMs: tuesdayOpen, silentForMs: 30_000 },
    ]);
  });

  it("stays quiet while bars keep coming", () => {
    const { scheduler, watchdog, events, barAt } = aWatchdog();
    watchdog.start();

    for (let t = T10_00 + 5000; t <= T10_00 + 30 * 60_000; t += 5000) barAt(t);
    scheduler.advanceTo(T10_00 + 30 * 60_000 + 29_999);

    expect(events).toEqual([]);
  });

  it("leaves no timer behind after stop", () => {
    const { scheduler, watchdog, events } = aWatchdog();
    watchdog.start();

    watchdog.stop();
    watchdog.barArrived();
    scheduler.advanceTo(T10_00 + 60 * 60_000);

    expect(scheduler.pendingTimers).toBe(0);
    expect(events).toEqual([]);
  });
  it("counts silence only from when the subscription request was sent, not while it waits in the send queue", () => {
    const { scheduler, watchdog, events, resubscribes } = aWatchdog();
    watchdog.subscriptionRequested();
    watchdog.start();

    // A reconnect's hundred requests wait behind the message rate: 100 s before this one leaves.
    scheduler.advanceTo(T10_00 + 100_000);
    expect(resubscribes).toEqual([]);
    watchdog.subscriptionSent();
    scheduler.advanceTo(T10_00 + 129_999);
    expect(resubscribes).toEqual([]);
    scheduler.advanceTo(T10_00 + 130_000);

    expect(resubscribes).toEqual([T10_00 + 130_000]);
    expect(events).toEqual([
      { type: "FeedStalled", symbol: "SPY", sinceMs: T10_00 + 100_000, silentForMs: 30_000 },
    ]);
  });

  it("waits for the resubscribe request to leave too before counting the next silence", () => {
    const { scheduler, watchdog, resubscribes } = aWatchdog();
    watchdog.start();
    scheduler.advanceTo(T10_00 + 30_000);
    expect(resubscribes).toEqual([T10_00 + 30_000]);
    watchdog.subscriptionRequested();

    // The next retry would be due 60 s later, but the new request is still queued until +200 s.
    scheduler.advanceTo(T10_00 + 200_000);
    expect(resubscribes).toEqual([T10_00 + 30_000]);
    watchdog.subscriptionSent();
    scheduler.advanceTo(T10_00 + 230_000);

    expect(resubscribes).toEqual([T10_00 + 30_000, T10_00 + 230_000]);
  });

  it("stops waiting for a request that is never reported sent after maxSendWaitMs", () => {
    const scheduler = new ManualScheduler(T10_00);
    const resubscribes: number[] = [];
    const watchdog = new FeedWatchdog({
      symbol: "SPY",
      scheduler,
      maxSendWaitMs: 60_000,
      onEvent: () => undefined,
      resubscribe: () => resubscribes.push(scheduler.nowMs()),
    });
    watchdog.subscriptionRequested();
    watchdog.start();

    scheduler.advanceTo(T10_00 + 89_999);
    expect(resubscribes).toEqual([]);
    scheduler.advanceTo(T10_00 + 90_000);

    expect(resubscribes).toEqual([T10_00 + 90_000]);
  });

  it("counts silence as before once a request ends unsent (refused, or lost with its session)", () => {
    const { scheduler, watchdog, resubscribes, barAt } = aWatchdog();
    watchdog.start();
    barAt(T10_00 + 5000);
    watchdog.subscriptionRequested();
    scheduler.advanceTo(T10_00 + 20_000);
    watchdog.subscriptionEnded();
    scheduler.advanceTo(T10_00 + 35_000);

    expect(resubscribes).toEqual([T10_00 + 35_000]);
  });

  it("a bar counts as the request having been sent", () => {
    const { scheduler, watchdog, resubscribes, barAt } = aWatchdog();
    watchdog.subscriptionRequested();
    watchdog.start();
    barAt(T10_00 + 5000);
    scheduler.advanceTo(T10_00 + 35_000);

    expect(resubscribes).toEqual([T10_00 + 35_000]);
  });
});
