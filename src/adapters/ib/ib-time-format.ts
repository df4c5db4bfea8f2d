import { daysFromCivil } from "../../data/civil-calendar.js";
import { newYorkMidnightUtcMs } from "../../data/new-york-time.js";
import { sessionOfDayNumber } from "../../data/trading-session.js";

function twoDigits(value: number): string {
  return String(value).padStart(2, "0");
}

/** An endDateTime in the one form that needs no time zone: `yyyyMMdd-HH:mm:ss` in UTC (ibkr-facts.md §2.5). */
export function formatIbEndDateTime(utcMs: number): string {
  const date = new Date(utcMs);
  return (
    `${date.getUTCFullYear()}${twoDigits(date.getUTCMonth() + 1)}${twoDigits(date.getUTCDate())}-` +
    `${twoDigits(date.getUTCHours())}:${twoDigits(date.getUTCMinutes())}:${twoDigits(date.getUTCSeconds())}`
  );
}

/** A historical bar's span in epoch ms, from its date text as TWS sends it with formatDate 2. */
export interface IbBarSpan {
  readonly openTime: number;
  readonly closeTime: number;
}

/**
 * Reads a bar date: intraday bars come as epoch seconds of the bar's start (formatDate 2) and last
 * `barSeconds`; day bars always come as `yyyyMMdd` (§3.1) and span that day's regular session, or the New
 * York calendar day when it was no trading day. Undefined for text TWS would not send.
 */
export function parseIbBarTime(text: string, barSeconds: number): IbBarSpan | undefined {
  const trimmed = text.trim();
  const day = /^(\d{4})(\d{2})(\d{2})$/.exec(trimmed);
  if (day !== null) {
    const dayNumber = daysFromCivil(Number(day[1]), Number(day[2]), Number(day[3]));
    const session = sessionOfDayNumber(dayNumber);
    if (session !== undefined) return { openTime: session.openMs, closeTime: session.closeMs };
    return { openTime: newYorkMidnightUtcMs(dayNumber), closeTime: newYorkMidnightUtcMs(dayNumber + 1) };
  }
  if (!/^\d{1,12}$/.test(trimmed)) return undefined;
  const openTime = Number(trimmed) * 1000;
  return { openTime, closeTime: openTime + barSeconds * 1000 };
}
