/**
 * Wall-clock time in an IANA time zone through `Intl` (no tz tables of our own): offsets, day numbers and the
 * instant of a wall time. One formatter per zone is cached, because building one costs far more than using
 * it. Shared by trading hours, the daily cycle and IB's execution times.
 */
import { DAY_MS } from "./civil-calendar.js";

const MINUTE_MS = 60_000;
/** The zone may come from text IB sends: the cache stays small whatever it is. */
const MAX_CACHED_ZONES = 32;
const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock formatter of `timeZone`; throws a RangeError for a zone Intl does not know. */
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  const cached = zoneFormatters.get(timeZone);
  if (cached !== undefined) return cached;
  const formatter = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  if (zoneFormatters.size >= MAX_CACHED_ZONES) {
    const oldest = zoneFormatters.keys().next();
    if (oldest.done !== true) zoneFormatters.delete(oldest.value);
  }
  zoneFormatters.set(timeZone, formatter);
  return formatter;
}

/** True when `Intl` knows the time zone. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of an IANA time zone from UTC at an instant, in ms; throws a RangeError for an unknown zone. */
export function zoneOffsetMs(timeZone: string, utcMs: number): number {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatterOf(timeZone).formatToParts(new Date(utcMs))) {
    const value = Number(part.value);
    if (part.type === "year") year = value;
    else if (part.type === "month") month = value;
    else if (part.type === "day") day = value;
    else if (part.type === "hour") hour = value;
    else if (part.type === "minute") minute = value;
    else if (part.type === "second") second = value;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) - Math.floor(utcMs / 1000) * 1000;
}

/** The calendar day number (days since 1970-01-01) in `timeZone` containing an instant. */
export function zonedDayNumber(timeZone: string, utcMs: number): number {
  return Math.floor((utcMs + zoneOffsetMs(timeZone, utcMs)) / DAY_MS);
}

/**
 * The instant of a wall-clock time in `timeZone`: a day number plus minutes since its midnight (1440 is the
 * next midnight). A time skipped by a forward shift lands later by the gap; a repeated time resolves to its
 * first occurrence.
 */
export function zonedTimeToUtcMs(timeZone: string, dayNumber: number, minuteOfDay: number): number {
  const wallMs = dayNumber * DAY_MS + minuteOfDay * MINUTE_MS;
  // The offsets a day either side bracket the instant: no zone shifts twice within two days.
  const before = zoneOffsetMs(timeZone, wallMs - DAY_MS);
  const after = zoneOffsetMs(timeZone, wallMs + DAY_MS);
  const early = wallMs - before;
  if (before === after) return early;
  const late = wallMs - after;
  const earlyValid = zoneOffsetMs(timeZone, early) === before;
  const lateValid = zoneOffsetMs(timeZone, late) === after;
  if (earlyValid && lateValid) return Math.min(early, late);
  if (lateValid) return late;
  // Valid with the earlier offset, or inside the gap, where the earlier offset moves it past the gap.
  return early;
}
