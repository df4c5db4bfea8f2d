import { civilFromDays } from "../../data/civil-calendar.js";
import { newYorkDayNumber } from "../../data/new-york-time.js";
import { barSpanOf, type BarSize } from "../market/bar-size.js";

/**
 * The time zone the simulated TWS was "logged in" with: UTC, as its connection time says
 * (protocol/connection-time.ts). Text dates in HISTORICAL_DATA are written in it, and an endDateTime
 * without a zone is read in it, as TWS does with its login zone (ibkr-facts.md §3.1).
 */
export const SIM_TWS_TIME_ZONE = "UTC";

function twoDigits(value: number): string {
  return String(value).padStart(2, "0");
}

/** `yyyyMMdd HH:mm:ss UTC`: TWS's text date-time in its login zone (formatDate 1; HISTORICAL_DATA start/end). */
export function formatTwsDateTime(timeMs: number): string {
  const date = new Date(timeMs);
  return (
    `${date.getUTCFullYear()}${twoDigits(date.getUTCMonth() + 1)}${twoDigits(date.getUTCDate())} ` +
    `${twoDigits(date.getUTCHours())}:${twoDigits(date.getUTCMinutes())}:${twoDigits(date.getUTCSeconds())} ` +
    SIM_TWS_TIME_ZONE
  );
}

/** `yyyyMMdd` of the New York trading day containing an instant: how TWS dates day, week and month bars. */
export function formatTradingDate(timeMs: number): string {
  const { year, month, day } = civilFromDays(newYorkDayNumber(timeMs));
  return `${year}${twoDigits(month)}${twoDigits(day)}`;
}

/**
 * A bar's date as TWS writes it (ibkr-facts.md §3.1, DOC 21-hist-md.md "Format Date Received"): day, week
 * and month bars always `yyyyMMdd`; other bars by formatDate — 2 epoch seconds, 3 `MMdd HH:mm:ss zone`,
 * anything else (1) `yyyyMMdd HH:mm:ss zone`. Bars are stamped with their start.
 */
export function formatBarDate(timeMs: number, barSize: BarSize, formatDate: number): string {
  if (barSpanOf(barSize).kind !== "seconds") return formatTradingDate(timeMs);
  if (formatDate === 2) return String(Math.floor(timeMs / 1000));
  const text = formatTwsDateTime(timeMs);
  return formatDate === 3 ? text.slice(4) : text;
}
