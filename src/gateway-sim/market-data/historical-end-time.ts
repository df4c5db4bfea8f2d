import { daysInMonth } from "../../data/civil-calendar.js";
import { SIM_TWS_TIME_ZONE } from "./historical-bar-dates.js";
import { zonedWallTimeToUtcMs, type WallTime } from "./zoned-time.js";

// `yyyyMMdd HH:mm:ss` with an optional ` zone`, or `yyyyMMdd-HH:mm:ss` in UTC (ibkr-facts.md §3.1, §2.5).
const SPACED = /^(\d{4})(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: +(\S+))?$/;
const DASHED = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})$/;

/**
 * The instant a request's endDateTime names: `""` is now; a time without a zone is in TWS's own zone
 * (the simulator's is UTC, as its connection time says); undefined when TWS would refuse the text.
 */
export function parseEndDateTime(text: string, nowMs: number): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return nowMs;
  const spaced = SPACED.exec(trimmed);
  const dashed = spaced === null ? DASHED.exec(trimmed) : null;
  const match = spaced ?? dashed;
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined ||
    second === undefined
  ) {
    return undefined;
  }
  const time: WallTime = { year, month, day, hour, minute, second };
  if (!isValidWallTime(time)) return undefined;
  const zone = dashed !== null ? "UTC" : (match[7] ?? SIM_TWS_TIME_ZONE);
  return zonedWallTimeToUtcMs(zone, time);
}

function isValidWallTime(time: WallTime): boolean {
  const { year, month, day, hour, minute, second } = time;
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour < 24 &&
    minute < 60 &&
    second < 60
  );
}
