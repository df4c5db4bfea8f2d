/**
 * Aggregates bars of a shorter timeframe into a longer one, tracking each symbol separately.
 *
 * Buckets: an intraday timeframe is anchored to the regular session open (09:30 New York), so 1h
 * buckets are 09:30, 10:30, … 15:30, the last one truncated at the 16:00 close; bars outside the
 * regular session fall in buckets anchored to UTC midnight, clipped so they never overlap the session.
 * An intraday bucket's bar spans the whole bucket. `1d` is one bucket per New York calendar day and
 * `1w` one per New York week starting Monday; a bar belongs to the day (week) containing its midpoint,
 * so daily input bars stamped at UTC or New York midnight both land on their own date, and the
 * aggregated bar runs from the first bar's open to the last bar's close.
 */
import { DataIntegrityError } from "../core/errors.js";
import { makeBar, type Bar } from "../model/bar.js";
import type { Timeframe } from "../model/timeframe.js";
import { formatTimeForMessage } from "./bar-validation.js";
import { weekdayOfDays } from "./civil-calendar.js";
import { newYorkDayNumber, newYorkMidnightUtcMs } from "./new-york-time.js";
import { sessionOf } from "./trading-session.js";

type BucketKind = "intraday" | "day" | "week";

/** One symbol's open bucket and what has been emitted. */
class SymbolBuckets {
  readonly symbol: string;
  active = false;
  start = 0;
  end = 0;
  openTime = 0;
  closeTime = 0;
  open = 0;
  high = 0;
  low = 0;
  close = 0;
  volume = 0;
  lastOpenTime = Number.NEGATIVE_INFINITY;
  emittedEnd = Number.NEGATIVE_INFINITY;

  constructor(symbol: string) {
    this.symbol = symbol;
  }
}

/**
 * Builds longer bars from shorter ones: `push` bars in time order per symbol; a bucket is emitted to
 * `onBar` when a later bucket's bar arrives, when `closeAt` reaches its end, or on `flush`.
 */
export class BarAggregator {
  private readonly timeframe: Timeframe;
  private readonly onBar: (bar: Bar) => void;
  private readonly timeframeMs: number;
  private readonly kind: BucketKind;
  private readonly buckets = new Map<string, SymbolBuckets>();

  /** Creates an aggregator into `timeframe` that hands each finished bar to `onBar`. */
  constructor(timeframe: Timeframe, onBar: (bar: Bar) => void) {
    this.timeframe = timeframe;
    this.onBar = onBar;
    this.timeframeMs = timeframe.seconds * 1000;
    this.kind = timeframe.unit === "day" ? "day" : timeframe.unit === "week" ? "week" : "intraday";
  }

  /** Adds one bar; throws a DataIntegrityError for a bar longer than the timeframe or out of time order. */
  push(bar: Bar): void {
    const durationMs = bar.closeTime - bar.openTime;
    if (durationMs > this.timeframeMs) {
      throw new DataIntegrityError(
        `${bar.symbol} bar at ${formatTimeForMessage(bar.openTime)} lasts ${durationMs / 1000}s, longer than the ` +
          `${this.timeframe.label} timeframe (${this.timeframe.seconds}s) (fix: aggregate into a timeframe at least as long as the input bars)`,
      );
    }
    let state = this.buckets.get(bar.symbol);
    if (state === undefined) {
      state = new SymbolBuckets(bar.symbol);
      this.buckets.set(bar.symbol, state);
    }
    const at = this.kind === "intraday" ? bar.openTime : (bar.openTime + bar.closeTime) / 2;
    if (bar.openTime <= state.lastOpenTime || at < state.emittedEnd) {
      throw new DataIntegrityError(
        `${bar.symbol} bar at ${formatTimeForMessage(bar.openTime)} arrived after the bar at ` +
          `${formatTimeForMessage(state.lastOpenTime)} or after its ${this.timeframe.label} bucket was emitted ` +
          `(fix: push each symbol's bars in ascending time order)`,
      );
    }
    state.lastOpenTime = bar.openTime;
    if (state.active && at >= state.start && at < state.end) {
      if (bar.high > state.high) state.high = bar.high;
      if (bar.low < state.low) state.low = bar.low;
      state.close = bar.close;
      state.volume += bar.volume;
      state.closeTime = bar.closeTime;
      return;
    }
    if (state.active) this.emit(state);
    this.locateBucket(state, at);
    state.active = true;
    state.openTime = bar.openTime;
    state.closeTime = bar.closeTime;
    state.open = bar.open;
    state.high = bar.high;
    state.low = bar.low;
    state.close = bar.close;
    state.volume = bar.volume;
  }

  /** Emits every open bucket whose end is at or before `timeMs` (for a live clock). */
  closeAt(timeMs: number): void {
    for (const state of this.buckets.values()) {
      if (state.active && state.end <= timeMs) this.emit(state);
    }
  }

  /** Emits every open bucket, e.g. at the end of the input. */
  flush(): void {
    for (const state of this.buckets.values()) {
      if (state.active) this.emit(state);
    }
  }

  private emit(state: SymbolBuckets): void {
    state.active = false;
    state.emittedEnd = state.end;
    const intraday = this.kind === "intraday";
    this.onBar(
      makeBar({
        symbol: state.symbol,
        openTime: intraday ? state.start : state.openTime,
        closeTime: intraday ? state.end : state.closeTime,
        open: state.open,
        high: state.high,
        low: state.low,
        close: state.close,
        volume: state.volume,
      }),
    );
  }

  /** Sets `state.start` and `state.end` to the bucket containing the instant `at`. */
  private locateBucket(state: SymbolBuckets, at: number): void {
    if (this.kind === "intraday") {
      const size = this.timeframeMs;
      const session = sessionOf(at);
      if (session !== undefined && at >= session.openMs && at < session.closeMs) {
        state.start = session.openMs + Math.floor((at - session.openMs) / size) * size;
        state.end = Math.min(state.start + size, session.closeMs);
        return;
      }
      state.start = Math.floor(at / size) * size;
      state.end = state.start + size;
      if (session !== undefined) {
        if (at < session.openMs && state.end > session.openMs) state.end = session.openMs;
        if (at >= session.closeMs && state.start < session.closeMs) state.start = session.closeMs;
      }
      return;
    }
    const dayNumber = newYorkDayNumber(at);
    const firstDay = this.kind === "day" ? dayNumber : dayNumber - ((weekdayOfDays(dayNumber) + 6) % 7);
    const days = this.kind === "day" ? 1 : 7;
    state.start = newYorkMidnightUtcMs(firstDay);
    state.end = newYorkMidnightUtcMs(firstDay + days);
  }
}
