/**
 * Where a live timeframe bucket starts and ends, so a bucket can be closed on time when its last 5-second
 * bars never come. Mirrors the intraday rule of `BarAggregator` (which does not expose its buckets):
 * buckets anchored at the 09:30 New York session open, the last one cut at 16:00; outside the session,
 * buckets anchored at UTC midnight and clipped so they never overlap the session. A property test in
 * live-bucket.test.ts pins the two together.
 */
import { UsageError } from "../core/errors.js";
import type { Timeframe } from "../model/timeframe.js";
import { sessionOf } from "./trading-session.js";

/** One bucket as epoch milliseconds: start inclusive, end exclusive. */
export interface LiveBucket {
  readonly startMs: number;
  readonly endMs: number;
}

/** Throws a UsageError unless the timeframe is intraday (5s … 4h): live bars close at the end of their bucket. */
export function requireIntradayTimeframe(timeframe: Timeframe): void {
  if (timeframe.unit === "day" || timeframe.unit === "week") {
    throw new UsageError(
      `live feeds build intraday bars only (5s … 4h), not ${timeframe.label} (fix: choose an intraday timeframe)`,
    );
  }
}

/** The bucket of an intraday timeframe that contains the instant `atMs`. */
export function liveBucketOf(atMs: number, timeframe: Timeframe): LiveBucket {
  const sizeMs = timeframe.seconds * 1000;
  const session = sessionOf(atMs);
  if (session !== undefined && atMs >= session.openMs && atMs < session.closeMs) {
    const startMs = session.openMs + Math.floor((atMs - session.openMs) / sizeMs) * sizeMs;
    return { startMs, endMs: Math.min(startMs + sizeMs, session.closeMs) };
  }
  let startMs = Math.floor(atMs / sizeMs) * sizeMs;
  let endMs = startMs + sizeMs;
  if (session !== undefined) {
    if (atMs < session.openMs && endMs > session.openMs) endMs = session.openMs;
    if (atMs >= session.closeMs && startMs < session.closeMs) startMs = session.closeMs;
  }
  return { startMs, endMs };
}
