import { DAY_MS, daysInMonth } from "../../data/civil-calendar.js";
import { latestOpenedSession, sessionDayOf, tradingDayNumber } from "../market/trading-day-calendar.js";
import type { HistoricalDuration } from "./historical-duration.js";

/** Earliest instant the market model has sessions for (1980-01-01, trading-day-calendar.ts). */
const MODEL_FIRST_MS = Date.UTC(1980, 0, 1);

/** The same UTC time of day `months` calendar months earlier, the day clamped to the month's length (Mar 31 → Feb 29). */
export function monthsBefore(timeMs: number, months: number): number {
  const date = new Date(timeMs);
  const monthIndex = date.getUTCFullYear() * 12 + date.getUTCMonth() - months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12 + 1;
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
  const timeOfDayMs = timeMs - Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  return Date.UTC(year, month - 1, day) + timeOfDayMs;
}

/** The bars a request covers — those starting in [fromMs, endMs) — and the start TWS reports for it. */
export interface HistoricalWindow {
  readonly fromMs: number;
  readonly endMs: number;
  /** HISTORICAL_DATA's startDateStr: the end less the duration in calendar terms. */
  readonly reportedStartMs: number;
}

/**
 * The window a duration reaches back from `endMs`. Seconds, weeks, months and years are calendar spans.
 * Days count trading sessions, the latest one opened by the end included: real TWS answered `8 D` of daily
 * bars ending on a Sunday with 8 bars reaching back to the Wednesday of the week before, while reporting
 * the start as the end less 8 calendar days (ibkr-facts.md §2.2, ib_async#140); the same rule makes `1 D`
 * of minute bars the latest session.
 */
export function historicalWindow(duration: HistoricalDuration, endMs: number): HistoricalWindow {
  const { amount, unit } = duration;
  const calendarStart = (): number => {
    switch (unit) {
      case "S":
        return endMs - amount * 1000;
      case "D":
        return endMs - amount * DAY_MS;
      case "W":
        return endMs - amount * 7 * DAY_MS;
      case "M":
        return monthsBefore(endMs, amount);
      case "Y":
        return monthsBefore(endMs, 12 * amount);
    }
  };
  const reportedStartMs = calendarStart();
  if (unit !== "D") return { fromMs: Math.max(reportedStartMs, MODEL_FIRST_MS), endMs, reportedStartMs };
  const latest = latestOpenedSession(endMs);
  if (latest === undefined) return { fromMs: endMs, endMs, reportedStartMs };
  const firstDayNumber = tradingDayNumber(latest.index - (amount - 1));
  const first = firstDayNumber === undefined ? undefined : sessionDayOf(firstDayNumber);
  return { fromMs: first?.session.openMs ?? MODEL_FIRST_MS, endMs, reportedStartMs };
}
