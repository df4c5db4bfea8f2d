import { newYorkLocalToUtcMs } from "../../data/new-york-time.js";

/** A wall-clock time: month 1–12. */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const UTC_NAMES = new Set(["UTC", "GMT", "ETC/UTC", "ETC/GMT", "Z"]);
const NEW_YORK_NAMES = new Set(["AMERICA/NEW_YORK", "US/EASTERN", "EST5EDT"]);

/**
 * The UTC instant of a wall-clock time in a time zone TWS accepts in endDateTime: UTC/GMT, New York (by
 * the daemon's own DST rules), or any other IANA id the runtime's Intl knows (e.g. `Europe/London`, `EST`).
 * Undefined for an unknown zone — TWS refuses those, famously `EDT` (ibkr-facts.md §3.1 end-date error).
 */
export function zonedWallTimeToUtcMs(zone: string, time: WallTime): number | undefined {
  const { year, month, day, hour, minute, second } = time;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const upper = zone.trim().toUpperCase();
  if (UTC_NAMES.has(upper)) return asUtc;
  if (NEW_YORK_NAMES.has(upper)) return newYorkLocalToUtcMs(year, month, day, hour, minute, second);
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone.trim(),
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch {
    return undefined;
  }
  // Two passes: the offset at the first guess, then at the corrected instant (right across DST changes).
  const first = asUtc - offsetMs(format, asUtc);
  return asUtc - offsetMs(format, first);
}

/** The zone's UTC offset at an instant, from how Intl writes that instant in the zone. */
function offsetMs(format: Intl.DateTimeFormat, utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(utcMs)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return wall - Math.floor(utcMs / 1000) * 1000;
}
