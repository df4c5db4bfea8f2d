import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualScheduler } from "../core/manual-scheduler.js";
import { makeBar, type Bar } from "../model/bar.js";
import { parseTimeframe } from "../model/timeframe.js";
import { aggregateBars } from "./aggregate-bars.js";
import type { FeedEvent } from "./feed-event.js";
import { LiveBarFeed } from "./live-bar-feed.js";
import { liveBucketOf } from "./live-bucket.js";

/** 2024-01-02 09:30 New York (14:30 UTC). */
const OPEN_2024_01_02 = Date.UTC(2024, 0, 2, 14, 30);

const slotArbitrary = fc.record({
  present: fc.integer({ min: 0, max: 9 }).map((roll) => roll > 0),
  first: fc.integer({ min: 5000, max: 6000 }),
  last: fc.integer({ min: 5000, max: 6000 }),
  up: fc.integer({ min: 0, max: 50 }),
  down: fc.integer({ min: 0, max: 50 }),
  volume: fc.integer({ min: 0, max: 1000 }),
});

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const outageArbitrary = fc.option(
  fc.record({
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    slots: fc.integer({ min: 1, max: 60 }),
    resentSlots: fc.integer({ min: 0, max: 8 }),
    recoveredSlots: fc.integer({ min: 0, max: 6 }),
  }),
  { nil: undefined, freq: 2 },
);

describe("LiveBarFeed seams", () => {
  it("emits the same timeframe bars as aggregating the whole 5-second sequence once, across the history/live seam and a resubscribe", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("5s", "1m", "5m", "15m"),
        fc.integer({ min: 0, max: 3 * 3600 }),
        fc.array(slotArbitrary, { minLength: 2, maxLength: 300, size: "max" }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 4000 }),
        outageArbitrary,
        async (label, startOffsetSeconds, slots, seamAt, overlapSlots, underlapSlots, latencyMs, outage) => {
          const timeframe = parseTimeframe(label);
          const startMs = OPEN_2024_01_02 + startOffsetSeconds * 1000;
          const firstSlotMs = liveBucketOf(startMs, timeframe).startMs;
          const slotMs = (index: number): number => firstSlotMs + index * 5000;
          const bars = slots.flatMap((slot, index) =>
            slot.present || index === slots.length - 1
              ? [
                  makeBar({
                    symbol: "SPY",
                    openTime: slotMs(index),
                    closeTime: slotMs(index) + 5000,
                    open: slot.first / 100,
                    close: slot.last / 100,
                    high: (Math.max(slot.first, slot.last) + slot.up) / 100,
                    low: (Math.min(slot.first, slot.last) - slot.down) / 100,
                    volume: slot.volume,
                  }),
                ]
              : [],
          );
          // Live bars start at a slot that opens after the subscription: earlier ones have already been sent.
          const firstLiveSlot = Math.ceil((startMs - firstSlotMs) / 5000);
          const seamSlot = Math.min(
            slots.length - 1,
            firstLiveSlot + Math.floor(seamAt * (slots.length - firstLiveSlot)),
          );
          // During an outage no bar is delivered; the old subscription may recover by itself for a few slots
          // (a farm flap), then the feed resubscribes and the new subscription starts a few slots back,
          // repeating bars the feed may already have. The market goes on: the new subscription sends the last bar.
          const lastSlot = slots.length - 1;
          const outageFromSlot =
            outage === undefined ? slots.length : seamSlot + Math.floor(outage.at * (lastSlot - seamSlot));
          const outageToSlot =
            outage === undefined ? slots.length : Math.min(lastSlot, outageFromSlot + outage.slots);
          const resubscribeMs = Math.min(
            slotMs(lastSlot),
            slotMs(outageToSlot + (outage?.recoveredSlots ?? 0)),
          );
          const delivered = (bar: Bar): boolean =>
            bar.closeTime + latencyMs < slotMs(outageFromSlot) ||
            bar.closeTime + latencyMs >= slotMs(outageToSlot);

          const scheduler = new ManualScheduler(startMs);
          const events: FeedEvent[] = [];
          let subscription = 0;
          let onLiveBar: ((bar: Bar) => void) | undefined;
          const deliver = (generation: number, bar: Bar, atMs: number): void => {
            scheduler.setTimer(atMs - scheduler.nowMs(), () => {
              if (generation === subscription) onLiveBar?.(bar);
            });
          };
          const feed = new LiveBarFeed({
            symbol: "SPY",
            timeframe,
            scheduler,
            watchdog: false,
            // With an outage, only bars close buckets, so the result does not depend on how long it lasts.
            ...(outage === undefined ? {} : { graceMs: 3_600_000 }),
            onEvent: (event) => events.push(event),
            bars: {
              subscribe: (_symbol, onBar, _onEnd, onSent) => {
                subscription++;
                onSent();
                onLiveBar = onBar;
                return () => (onLiveBar = undefined);
              },
            },
            history: {
              fetchBars: (_symbol, _barSize, fromMs, toMs) =>
                Promise.resolve(
                  bars.filter(
                    (bar) =>
                      bar.openTime >= fromMs - underlapSlots * 5000 &&
                      bar.openTime < toMs + overlapSlots * 5000,
                  ),
                ),
            },
          });
          feed.start(0);
          for (const bar of bars) {
            if (bar.openTime >= slotMs(seamSlot) && delivered(bar))
              deliver(1, bar, bar.closeTime + latencyMs);
          }
          if (outage !== undefined) {
            scheduler.setTimer(resubscribeMs - startMs, () => {
              feed.resubscribe("outage over");
              for (const bar of bars) {
                if (bar.openTime >= resubscribeMs - outage.resentSlots * 5000) {
                  deliver(subscription, bar, Math.max(resubscribeMs, bar.closeTime + latencyMs));
                }
              }
            });
          }

          const endMs =
            slotMs(slots.length) + timeframe.seconds * 1000 + (outage === undefined ? 20_000 : 3_700_000);
          await settle();
          while (scheduler.nowMs() < endMs) {
            scheduler.advanceTo(Math.min(endMs, scheduler.nextDueMs() ?? endMs));
            await settle();
          }

          const emitted = events.flatMap((event) => (event.type === "FeedBarClosed" ? [event.bar] : []));
          expect(
            events.filter((event) => event.type !== "FeedBarClosed" && event.type !== "FeedResubscribed"),
          ).toEqual([]);
          expect(emitted).toEqual([...aggregateBars(bars, timeframe)]);
        },
      ),
      { seed: 20240102, numRuns: 200 },
    );
  });
});
