/**
 * The NYSE trading days the market model covers, 1980-01-01 … 2099-12-31, numbered from the model's anchor
 * day 2025-01-02 (index 0; earlier days are negative). Built once on first use (~44,000 calendar days, a
 * few milliseconds) from `data/trading-session.ts`, so holidays and closures are exactly the daemon's.
 */
import { civilFromDays, daysFromCivil } from "../../data/civil-calendar.js";
import { newYorkDayNumber } from "../../data/new-york-time.js";
import { isTradingDay, sessionOfDayNumber, type TradingSession } from "../../data/trading-session.js";

/** First calendar day (days since 1970-01-01) the model has sessions for. */
export const CALENDAR_FIRST_DAY = daysFromCivil(1980, 1, 1);

/** Last calendar day (days since 1970-01-01) the model has sessions for. */
export const CALENDAR_LAST_DAY = daysFromCivil(2099, 12, 31);

/** The anchor trading day (2025-01-02), where every instrument closes at its start price. */
export const ANCHOR_DAY = daysFromCivil(2025, 1, 2);

interface Calendar {
  /** Day numbers of the trading days, ascending. */
  readonly tradingDays: Int32Array;
  /** For each calendar day from CALENDAR_FIRST_DAY: position in tradingDays of the latest trading day on or before it, or −1. */
  readonly latestAtOrBefore: Int32Array;
  /** Position of ANCHOR_DAY in tradingDays. */
  readonly anchorPosition: number;
}

let calendar: Calendar | undefined;

function build(): Calendar {
  const dayCount = CALENDAR_LAST_DAY - CALENDAR_FIRST_DAY + 1;
  const days: number[] = [];
  const latestAtOrBefore = new Int32Array(dayCount);
  for (let offset = 0; offset < dayCount; offset++) {
    const dayNumber = CALENDAR_FIRST_DAY + offset;
    const { year, month, day } = civilFromDays(dayNumber);
    if (isTradingDay(year, month, day)) days.push(dayNumber);
    latestAtOrBefore[offset] = days.length - 1;
  }
  const tradingDays = Int32Array.from(days);
  return { tradingDays, latestAtOrBefore, anchorPosition: days.indexOf(ANCHOR_DAY) };
}

function loaded(): Calendar {
  calendar ??= build();
  return calendar;
}

/** The latest trading day on or before a calendar day, as an anchor-relative index; undefined before the first one. */
export function latestTradingIndex(dayNumber: number): number | undefined {
  const { latestAtOrBefore, anchorPosition, tradingDays } = loaded();
  if (dayNumber < CALENDAR_FIRST_DAY) return undefined;
  const offset = Math.min(dayNumber, CALENDAR_LAST_DAY) - CALENDAR_FIRST_DAY;
  const position = latestAtOrBefore[offset] ?? -1;
  if (position < 0) return undefined;
  // Past the last covered day the last trading day stays the latest one.
  return (dayNumber > CALENDAR_LAST_DAY ? tradingDays.length - 1 : position) - anchorPosition;
}

/** The anchor-relative index of a calendar day when it is a trading day the model covers, else undefined. */
export function tradingIndexOf(dayNumber: number): number | undefined {
  if (dayNumber > CALENDAR_LAST_DAY) return undefined;
  const index = latestTradingIndex(dayNumber);
  return index !== undefined && tradingDayNumber(index) === dayNumber ? index : undefined;
}

/** The calendar day number of an anchor-relative trading-day index, or undefined outside the covered span. */
export function tradingDayNumber(index: number): number | undefined {
  const { tradingDays, anchorPosition } = loaded();
  return tradingDays[index + anchorPosition];
}

/** The smallest and largest anchor-relative trading-day indices the model covers. */
export function tradingIndexRange(): { readonly first: number; readonly last: number } {
  const { tradingDays, anchorPosition } = loaded();
  return { first: -anchorPosition, last: tradingDays.length - 1 - anchorPosition };
}

/** A regular session the model covers, with its New York day and anchor-relative trading-day index. */
export interface SessionDay {
  readonly dayNumber: number;
  readonly index: number;
  readonly session: TradingSession;
}

/** The session of a New York day the model covers, or undefined when that day has none. */
export function sessionDayOf(dayNumber: number): SessionDay | undefined {
  const index = tradingIndexOf(dayNumber);
  if (index === undefined) return undefined;
  const session = sessionOfDayNumber(dayNumber);
  return session === undefined ? undefined : { dayNumber, index, session };
}

/** The latest covered session that has opened by `timeMs`, or undefined before the first one. */
export function latestOpenedSession(timeMs: number): SessionDay | undefined {
  const latest = latestTradingIndex(newYorkDayNumber(timeMs));
  if (latest === undefined) return undefined;
  // The latest trading day on or before today has opened unless it is today before 09:30.
  for (const index of [latest, latest - 1]) {
    const dayNumber = tradingDayNumber(index);
    const day = dayNumber === undefined ? undefined : sessionDayOf(dayNumber);
    if (day !== undefined && day.session.openMs <= timeMs) return day;
  }
  return undefined;
}
