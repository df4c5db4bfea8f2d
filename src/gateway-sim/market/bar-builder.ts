/**
 * Bar building rules. A request covers the bars whose start lies in [fromMs, toMs), each folded from the
 * 5-second bars that have ended by toMs (so a bar still forming at toMs is partial, never ahead of the live
 * stream). Intraday buckets are aligned to New York clock time and cut at the session open (hourly bars:
 * 09:30, 10:00, …); one-second bars are refined from the 5-second bars; day, week (Monday–Sunday) and month
 * bars are stamped with their first session's open, folded from whole-session summaries, and left out when
 * that first session lies before fromMs.
 */
import { civilFromDays, daysFromCivil, weekdayOfDays } from "../../data/civil-calendar.js";
import { newYorkDayNumber, newYorkOffsetMs } from "../../data/new-york-time.js";
import { BarAccumulator } from "./bar-accumulator.js";
import { BARS_PER_SESSION, FIVE_SECONDS_MS } from "./intraday-path.js";
import type { MarketBar, WhatToShow } from "./market-bar.js";
import { halfCentShift } from "./quote-spread.js";
import { secondBarPieces } from "./second-bars.js";
import type { ModelledInstrument, SessionPathStore } from "./session-path-store.js";
import { sessionDayOf } from "./trading-day-calendar.js";

/** History requests spanning more calendar days than this do not displace the live stream's cached paths. */
const CACHED_REQUEST_DAYS = 7;

/** A bar window: bars whose start lies in [fromMs, toMs), built from the 5-second bars that have ended by toMs. */
interface Window {
  readonly fromMs: number;
  readonly toMs: number;
}

/** Builds bars of every IB size from a store's sessions. */
export class BarBuilder {
  private readonly accumulator = new BarAccumulator();

  constructor(private readonly store: SessionPathStore) {}

  /** Bars of `bucketMs` (a divisor of a day, ≥ 5 s). */
  intraday(
    modelled: ModelledInstrument,
    window: Window,
    bucketMs: number,
    whatToShow: WhatToShow,
  ): MarketBar[] {
    const { fromMs, toMs } = window;
    const bars: MarketBar[] = [];
    const firstDay = newYorkDayNumber(fromMs);
    const lastDay = newYorkDayNumber(toMs - 1);
    const cache = lastDay - firstDay <= CACHED_REQUEST_DAYS;
    for (let dayNumber = firstDay; dayNumber <= lastDay; dayNumber++) {
      const day = sessionDayOf(dayNumber);
      if (day === undefined) continue;
      const { openMs, closeMs } = day.session;
      const barsDone = Math.min(BARS_PER_SESSION, Math.floor((toMs - openMs) / FIVE_SECONDS_MS));
      if (closeMs <= fromMs || barsDone <= 0) continue;
      const path = this.store.path(modelled, day, cache);
      const shift = halfCentShift(whatToShow, path.summary.spreadCents);
      // Sessions never contain a daylight-saving change (those happen at 02:00), so one offset serves the day.
      const offsetMs = newYorkOffsetMs(openMs);
      for (let startMs = openMs; startMs < closeMs && startMs < toMs;) {
        const endMs = Math.min(
          closeMs,
          (Math.floor((startMs + offsetMs) / bucketMs) + 1) * bucketMs - offsetMs,
        );
        const fromIndex = (startMs - openMs) / FIVE_SECONDS_MS;
        const toIndex = Math.min(barsDone, (endMs - openMs) / FIVE_SECONDS_MS);
        if (startMs >= fromMs && toIndex > fromIndex) {
          this.accumulator.reset(startMs);
          this.accumulator.addBars(path, fromIndex, toIndex, shift);
          bars.push(this.accumulator.toBar(whatToShow));
        }
        startMs = endMs;
      }
    }
    return bars;
  }

  /** One-second bars. */
  seconds(modelled: ModelledInstrument, window: Window, whatToShow: WhatToShow): MarketBar[] {
    const { fromMs, toMs } = window;
    const bars: MarketBar[] = [];
    const lastDay = newYorkDayNumber(toMs - 1);
    for (let dayNumber = newYorkDayNumber(fromMs); dayNumber <= lastDay; dayNumber++) {
      const day = sessionDayOf(dayNumber);
      if (day === undefined) continue;
      const { openMs, closeMs } = day.session;
      const firstBar = Math.max(0, Math.floor((fromMs - openMs) / FIVE_SECONDS_MS));
      const endBar = Math.min(BARS_PER_SESSION, Math.ceil((toMs - openMs) / FIVE_SECONDS_MS));
      if (closeMs <= fromMs || endBar <= firstBar) continue;
      const path = this.store.path(modelled, day, true);
      const shift = halfCentShift(whatToShow, path.summary.spreadCents);
      const label = { seed: this.store.seed, symbol: modelled.instrument.symbol, dayNumber };
      for (let barIndex = firstBar; barIndex < endBar; barIndex++) {
        secondBarPieces(path, barIndex, label, shift).forEach((piece, second) => {
          const startMs = openMs + barIndex * FIVE_SECONDS_MS + second * 1000;
          if (startMs < fromMs || startMs + 1000 > toMs) return;
          this.accumulator.reset(startMs);
          const { open, high, low, close, volume, turnover, count } = piece;
          this.accumulator.addHalfCents(open, high, low, close, volume, turnover, count);
          bars.push(this.accumulator.toBar(whatToShow));
        });
      }
    }
    return bars;
  }

  /** Day, week or month bars; a session still in progress at toMs contributes its 5-second bars so far. */
  sessions(
    modelled: ModelledInstrument,
    window: Window,
    kind: "day" | "week" | "month",
    whatToShow: WhatToShow,
  ): MarketBar[] {
    const { fromMs, toMs } = window;
    const bars: MarketBar[] = [];
    const accumulator = this.accumulator;
    const lastDay = newYorkDayNumber(toMs - 1);
    let bucket = Number.NaN;
    let included = false;
    const flush = (): void => {
      if (included && !accumulator.isEmpty) bars.push(accumulator.toBar(whatToShow));
    };
    for (let dayNumber = bucketStartDay(kind, newYorkDayNumber(fromMs)); dayNumber <= lastDay; dayNumber++) {
      const day = sessionDayOf(dayNumber);
      if (day === undefined) continue;
      const { openMs, closeMs } = day.session;
      if (openMs >= toMs) break;
      const dayBucket = bucketStartDay(kind, dayNumber);
      if (dayBucket !== bucket) {
        flush();
        bucket = dayBucket;
        // A bucket is stamped with its first session's open and belongs to the request only if that lies in it.
        included = openMs >= fromMs;
        accumulator.reset(openMs);
      }
      if (!included) continue;
      if (closeMs <= toMs) {
        const summary = this.store.summary(modelled, day);
        accumulator.addSummary(summary, halfCentShift(whatToShow, summary.spreadCents));
      } else {
        const path = this.store.path(modelled, day, true);
        const barsDone = Math.floor((toMs - openMs) / FIVE_SECONDS_MS);
        accumulator.addBars(path, 0, barsDone, halfCentShift(whatToShow, path.summary.spreadCents));
      }
    }
    flush();
    return bars;
  }
}

/** The first calendar day of the day, ISO week (Monday) or month containing a day. */
function bucketStartDay(kind: "day" | "week" | "month", dayNumber: number): number {
  if (kind === "day") return dayNumber;
  if (kind === "week") return dayNumber - ((weekdayOfDays(dayNumber) + 6) % 7);
  const { year, month } = civilFromDays(dayNumber);
  return daysFromCivil(year, month, 1);
}
