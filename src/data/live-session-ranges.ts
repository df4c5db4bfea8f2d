/**
 * Session arithmetic for history requests: which parts of a gap lie in regular sessions (only those have
 * bars to backfill), and how far back a warm-up must reach to cover a number of bars.
 */
import type { Timeframe } from "../model/timeframe.js";
import { newYorkDayNumber } from "./new-york-time.js";
import { sessionOfDayNumber } from "./trading-session.js";

/** A span of time, start inclusive and end exclusive, in epoch milliseconds. */
export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** Enough days to walk back over for any sensible warm-up (ten years of sessions). */
const MAX_WARMUP_DAYS = 3660;

/** The parts of [fromMs, toMs) inside regular sessions, in time order (empty for a gap at night or over a weekend). */
export function regularSessionRanges(fromMs: number, toMs: number): TimeRange[] {
  const ranges: TimeRange[] = [];
  if (!(toMs > fromMs)) return ranges;
  const lastDay = newYorkDayNumber(toMs - 1);
  for (let dayNumber = newYorkDayNumber(fromMs); dayNumber <= lastDay; dayNumber++) {
    const session = sessionOfDayNumber(dayNumber);
    if (session === undefined) continue;
    const start = Math.max(fromMs, session.openMs);
    const end = Math.min(toMs, session.closeMs);
    if (end > start) ranges.push({ fromMs: start, toMs: end });
  }
  return ranges;
}

/**
 * The session open far enough before `endMs` that the regular sessions in between hold at least `bars`
 * buckets of `timeframe` (09:30-anchored, the last one of a day cut at 16:00); `endMs` itself for no bars.
 */
export function warmupStartMs(endMs: number, timeframe: Timeframe, bars: number): number {
  const sizeMs = timeframe.seconds * 1000;
  let needed = bars;
  let startMs = endMs;
  const firstDay = newYorkDayNumber(endMs);
  for (let dayNumber = firstDay; needed > 0 && dayNumber > firstDay - MAX_WARMUP_DAYS; dayNumber--) {
    const session = sessionOfDayNumber(dayNumber);
    if (session === undefined || session.openMs >= endMs) continue;
    needed -= Math.ceil((Math.min(session.closeMs, endMs) - session.openMs) / sizeMs);
    startMs = session.openMs;
  }
  return startMs;
}
