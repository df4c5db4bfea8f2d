/**
 * The US equity regular trading session: 09:30–16:00 New York time on NYSE trading days.
 *
 * Trading days exclude weekends and the NYSE full-day holidays: New Year's Day, Martin Luther King Jr.
 * Day (from 1998), Washington's Birthday, Good Friday, Memorial Day, Juneteenth (from 2022),
 * Independence Day, Labor Day, Thanksgiving and Christmas. A fixed-date holiday on a Saturday is
 * observed on the Friday before and on a Sunday on the Monday after — except New Year's Day on a
 * Saturday, which NYSE does not observe (the Friday is the last day of the accounting year). The
 * unscheduled full-day closures since 1985 (storms, national days of mourning, September 2001) are
 * also excluded. The rules are the modern ones, accurate from 1985 on. Early closes (13:00 on some days around July 4, Thanksgiving and Christmas) are NOT
 * modelled: those days report the full 16:00 close.
 */
import {
  civilFromDays,
  daysFromCivil,
  lastWeekdayOfMonth,
  nthWeekdayOfMonth,
  weekdayOfDays,
} from "./civil-calendar.js";
import { newYorkDayNumber, newYorkLocalToUtcMs } from "./new-york-time.js";
import { InvariantError } from "../core/errors.js";

/** One regular session as UTC epoch milliseconds: open inclusive, close exclusive. */
export interface TradingSession {
  readonly openMs: number;
  readonly closeMs: number;
}

const SUNDAY = 0;
const MONDAY = 1;
const THURSDAY = 4;
const SATURDAY = 6;

/** Unscheduled full-day NYSE closures (year, month, day). */
const SPECIAL_CLOSURES: readonly (readonly [number, number, number])[] = [
  [1985, 9, 27], // Hurricane Gloria
  [1994, 4, 27], // President Nixon's funeral
  [2001, 9, 11], // September 11 attacks
  [2001, 9, 12],
  [2001, 9, 13],
  [2001, 9, 14],
  [2004, 6, 11], // President Reagan's funeral
  [2007, 1, 2], // President Ford's funeral
  [2012, 10, 29], // Hurricane Sandy
  [2012, 10, 30],
  [2018, 12, 5], // President George H. W. Bush's funeral
  [2025, 1, 9], // President Carter's funeral
];

/** Day number of Easter Sunday (Gregorian computus, anonymous algorithm). */
function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return daysFromCivil(year, month, day);
}

/** A fixed-date holiday moved off the weekend: Saturday → Friday, Sunday → Monday. */
function observed(dayNumber: number): number {
  const weekday = weekdayOfDays(dayNumber);
  if (weekday === SATURDAY) return dayNumber - 1;
  if (weekday === SUNDAY) return dayNumber + 1;
  return dayNumber;
}

function computeHolidays(year: number): ReadonlySet<number> {
  const days: number[] = [];
  const newYear = daysFromCivil(year, 1, 1);
  if (weekdayOfDays(newYear) !== SATURDAY) days.push(observed(newYear));
  if (year >= 1998) days.push(nthWeekdayOfMonth(year, 1, MONDAY, 3));
  days.push(nthWeekdayOfMonth(year, 2, MONDAY, 3));
  days.push(easterSunday(year) - 2);
  days.push(lastWeekdayOfMonth(year, 5, MONDAY));
  if (year >= 2022) days.push(observed(daysFromCivil(year, 6, 19)));
  days.push(observed(daysFromCivil(year, 7, 4)));
  days.push(nthWeekdayOfMonth(year, 9, MONDAY, 1));
  days.push(nthWeekdayOfMonth(year, 11, THURSDAY, 4));
  days.push(observed(daysFromCivil(year, 12, 25)));
  for (const [closureYear, month, day] of SPECIAL_CLOSURES) {
    if (closureYear === year) days.push(daysFromCivil(year, month, day));
  }
  return new Set(days);
}

const holidaysByYear = new Map<number, ReadonlySet<number>>();

function isTradingDayNumber(dayNumber: number, year: number): boolean {
  const weekday = weekdayOfDays(dayNumber);
  if (weekday === SATURDAY || weekday === SUNDAY) return false;
  let holidays = holidaysByYear.get(year);
  if (holidays === undefined) {
    holidays = computeHolidays(year);
    holidaysByYear.set(year, holidays);
  }
  return !holidays.has(dayNumber);
}

/** True when NYSE holds a regular session on a calendar date (month 1–12). */
export function isTradingDay(year: number, month: number, day: number): boolean {
  return isTradingDayNumber(daysFromCivil(year, month, day), year);
}

const sessionsByDay = new Map<number, TradingSession | null>();

/** The regular session of a New York day number (days since 1970-01-01), or undefined when closed. */
export function sessionOfDayNumber(dayNumber: number): TradingSession | undefined {
  let session = sessionsByDay.get(dayNumber);
  if (session === undefined) {
    const { year, month, day } = civilFromDays(dayNumber);
    session = isTradingDayNumber(dayNumber, year)
      ? Object.freeze({
          openMs: newYorkLocalToUtcMs(year, month, day, 9, 30, 0),
          closeMs: newYorkLocalToUtcMs(year, month, day, 16, 0, 0),
        })
      : null;
    sessionsByDay.set(dayNumber, session);
  }
  return session ?? undefined;
}

/** The regular session on the New York calendar day containing an instant (whether or not the instant is inside it), or undefined when that day is closed. */
export function sessionOf(utcMs: number): TradingSession | undefined {
  return sessionOfDayNumber(newYorkDayNumber(utcMs));
}

/** The first regular-session open at or after an instant. */
export function nextSessionOpen(utcMs: number): number {
  if (!Number.isFinite(utcMs)) throw new InvariantError(`nextSessionOpen needs a finite time, got ${utcMs}`);
  const firstDay = newYorkDayNumber(utcMs);
  // The longest run of closed days (weekend plus holidays, or the week of September 2001) is under two weeks.
  for (let dayNumber = firstDay; dayNumber < firstDay + 14; dayNumber++) {
    const session = sessionOfDayNumber(dayNumber);
    if (session !== undefined && session.openMs >= utcMs) return session.openMs;
  }
  throw new InvariantError(`no trading session within 14 days after ${new Date(utcMs).toISOString()}`);
}
