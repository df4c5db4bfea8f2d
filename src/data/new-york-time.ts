/**
 * America/New_York wall-clock time without `Intl`: US daylight-saving rules as pure arithmetic, with a
 * per-year cache of the transition instants and a per-day cache of the calendar date, so the hot paths
 * (CSV parsing, session lookup, aggregation) cost a couple of comparisons.
 *
 * Rules (tzdb `America/New_York`): from 2007 DST runs from the second Sunday of March 02:00 EST to the
 * first Sunday of November 02:00 EDT; 1987–2006 first Sunday of April → last Sunday of October;
 * 1967–1986 last Sunday of April → last Sunday of October, except the 1974 (January 6) and 1975
 * (February 23) energy-crisis starts. Years before 1967 reuse the 1967 rule, which matches tzdb from
 * 1955 on; earlier years are an approximation.
 */
import {
  DAY_MS,
  civilFromDays,
  daysFromCivil,
  lastWeekdayOfMonth,
  nthWeekdayOfMonth,
  weekdayOfDays,
  yearOfDays,
} from "./civil-calendar.js";

const HOUR_MS = 3_600_000;
const SUNDAY = 0;

/** UTC offset of Eastern Standard Time in milliseconds (−5 h). */
export const EST_OFFSET_MS = -5 * HOUR_MS;

/** UTC offset of Eastern Daylight Time in milliseconds (−4 h). */
export const EDT_OFFSET_MS = -4 * HOUR_MS;

/** A New York calendar date; `month` is 1–12 and `weekday` 0 = Sunday … 6 = Saturday. */
export interface NewYorkDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: number;
}

/** Day numbers (days since 1970-01-01) of the DST start and end dates of a year. */
function dstDays(year: number): { start: number; end: number } {
  if (year >= 2007) {
    return { start: nthWeekdayOfMonth(year, 3, SUNDAY, 2), end: nthWeekdayOfMonth(year, 11, SUNDAY, 1) };
  }
  if (year >= 1987) {
    return { start: nthWeekdayOfMonth(year, 4, SUNDAY, 1), end: lastWeekdayOfMonth(year, 10, SUNDAY) };
  }
  const end = lastWeekdayOfMonth(year, 10, SUNDAY);
  if (year === 1974) return { start: daysFromCivil(1974, 1, 6), end };
  if (year === 1975) return { start: daysFromCivil(1975, 2, 23), end };
  return { start: lastWeekdayOfMonth(year, 4, SUNDAY), end };
}

// Per-year cache: the UTC year [yearStartMs, yearEndMs) and its DST interval [dstStartMs, dstEndMs).
let yearStartMs = 0;
let yearEndMs = -1;
let dstStartMs = 0;
let dstEndMs = 0;

function loadYear(utcMs: number): void {
  const year = yearOfDays(Math.floor(utcMs / DAY_MS));
  const { start, end } = dstDays(year);
  yearStartMs = daysFromCivil(year, 1, 1) * DAY_MS;
  yearEndMs = daysFromCivil(year + 1, 1, 1) * DAY_MS;
  // Spring forward at 02:00 EST (07:00 UTC); fall back at 02:00 EDT (06:00 UTC).
  dstStartMs = start * DAY_MS + 7 * HOUR_MS;
  dstEndMs = end * DAY_MS + 6 * HOUR_MS;
}

/** New York's UTC offset in milliseconds at an instant: −5 h (EST) or −4 h (EDT); NaN for a non-finite instant. */
export function newYorkOffsetMs(utcMs: number): number {
  if (!(utcMs >= yearStartMs && utcMs < yearEndMs)) {
    if (!Number.isFinite(utcMs)) return Number.NaN;
    loadYear(utcMs);
  }
  return utcMs >= dstStartMs && utcMs < dstEndMs ? EDT_OFFSET_MS : EST_OFFSET_MS;
}

/**
 * The UTC instant of a New York wall-clock time (month 1–12); a time skipped by spring-forward is
 * shifted one hour later and a repeated fall-back time resolves to its first (EDT) occurrence.
 */
export function newYorkLocalToUtcMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  const localMs = daysFromCivil(year, month, day) * DAY_MS + hour * HOUR_MS + minute * 60_000 + second * 1000;
  const asDaylight = localMs - EDT_OFFSET_MS;
  if (newYorkOffsetMs(asDaylight) === EDT_OFFSET_MS) return asDaylight;
  // Standard time, or a spring-forward gap time, which reads as EST and so lands one hour later in EDT.
  return localMs - EST_OFFSET_MS;
}

/** The New York calendar day number (days since 1970-01-01) containing an instant. */
export function newYorkDayNumber(utcMs: number): number {
  return Math.floor((utcMs + newYorkOffsetMs(utcMs)) / DAY_MS);
}

/** The UTC instant of New York midnight starting a New York day number. */
export function newYorkMidnightUtcMs(dayNumber: number): number {
  // Midnight is never inside a DST transition (they happen at 02:00), so one offset lookup suffices.
  const localMs = dayNumber * DAY_MS;
  return localMs - newYorkOffsetMs(localMs - EST_OFFSET_MS);
}

let cachedDayNumber = Number.NaN;
let cachedDate: NewYorkDate = Object.freeze({ year: 1970, month: 1, day: 1, weekday: 4 });

/** The New York calendar date and weekday containing an instant (cached for consecutive calls on one day). */
export function newYorkDateOf(utcMs: number): NewYorkDate {
  const dayNumber = newYorkDayNumber(utcMs);
  if (dayNumber !== cachedDayNumber) {
    const { year, month, day } = civilFromDays(dayNumber);
    cachedDate = Object.freeze({ year, month, day, weekday: weekdayOfDays(dayNumber) });
    cachedDayNumber = dayNumber;
  }
  return cachedDate;
}
