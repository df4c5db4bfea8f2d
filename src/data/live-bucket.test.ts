import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../core/errors.js";
import { makeBar, type Bar } from "../model/bar.js";
import { parseTimeframe, TIMEFRAME_LABELS } from "../model/timeframe.js";
import { BarAggregator } from "./bar-aggregator.js";
import { liveBucketOf, requireIntradayTimeframe } from "./live-bucket.js";

const INTRADAY_LABELS = TIMEFRAME_LABELS.filter((label) => label !== "1d" && label !== "1w");
/** 2024-01-02 09:30 New York (14:30 UTC). */
const OPEN_2024_01_02 = Date.UTC(2024, 0, 2, 14, 30);
const HOUR_MS = 3_600_000;

/** The bucket BarAggregator puts a lone 5-second bar at `openTime` into. */
function aggregatorBucket(label: string, openTime: number): Bar | undefined {
  let emitted: Bar | undefined;
  const aggregator = new BarAggregator(parseTimeframe(label), (bar) => (emitted = bar));
  aggregator.push(
    makeBar({
      symbol: "SPY",
      openTime,
      closeTime: openTime + 5000,
      open: 1,
      high: 1,
      low: 1,
      close: 1,
      volume: 1,
    }),
  );
  aggregator.flush();
  return emitted;
}

describe("liveBucketOf", () => {
  it("agrees with BarAggregator's buckets for every intraday timeframe, in and out of the session", () => {
    // A week around the 2024 spring daylight-saving change, weekend included, on 5-second boundaries.
    const weekStart = Date.UTC(2024, 2, 7);
    fc.assert(
      fc.property(
        fc.constantFrom(...INTRADAY_LABELS),
        fc.integer({ min: 0, max: (7 * 24 * HOUR_MS) / 5000 }),
        (label, slot) => {
          const openTime = weekStart + slot * 5000;
          const bucket = liveBucketOf(openTime, parseTimeframe(label));
          const bar = aggregatorBucket(label, openTime);
          expect({ startMs: bar?.openTime, endMs: bar?.closeTime }).toEqual(bucket);
        },
      ),
      { seed: 20240307, numRuns: 2000 },
    );
  });

  it("cuts the last 1h bucket of the day at the 16:00 close", () => {
    const bucket = liveBucketOf(OPEN_2024_01_02 + 6 * HOUR_MS + 10 * 60_000, parseTimeframe("1h"));

    expect(bucket).toEqual({
      startMs: OPEN_2024_01_02 + 6 * HOUR_MS,
      endMs: OPEN_2024_01_02 + 6.5 * HOUR_MS,
    });
  });

  it("refuses daily and weekly timeframes with a fix", () => {
    expect(() => {
      requireIntradayTimeframe(parseTimeframe("1d"));
    }).toThrow(UsageError);
    expect(() => {
      requireIntradayTimeframe(parseTimeframe("4h"));
    }).not.toThrow();
  });
});
