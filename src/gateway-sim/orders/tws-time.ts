import { newYorkLocalToUtcMs } from "../../data/new-york-time.js";

// Time texts of the order and account messages. The simulator's TWS runs on UTC (its connection time says
// so, protocol/connection-time.ts), so local times are UTC times.

const DAY_MS = 86_400_000;

function parts(epochMs: number): { date: string; time: string } {
  const iso = new Date(epochMs).toISOString(); // 2024-01-02T15:04:05.678Z
  return { date: `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`, time: iso.slice(11, 19) };
}

/** EXECUTION_DATA time: `yyyyMMdd  HH:mm:ss` with two spaces, as real TWS sends it (ibkr-facts.md §5.3). */
export function formatExecutionTime(epochMs: number): string {
  const { date, time } = parts(epochMs);
  return `${date}  ${time}`;
}

/** COMPLETED_ORDER completedTime: `yyyyMMdd HH:mm:ss <zone>` (real capture: `20230306 12:28:30 America/Los_Angeles`). */
export function formatCompletedTime(epochMs: number): string {
  const { date, time } = parts(epochMs);
  return `${date} ${time} UTC`;
}

/** ACCT_UPDATE_TIME: `HH:mm`. */
export function formatAccountUpdateTime(epochMs: number): string {
  return parts(epochMs).time.slice(0, 5);
}

/** Midnight (UTC, the simulator's TWS time zone) that starts the day containing `epochMs`. */
export function startOfDayMs(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS) * DAY_MS;
}

const UTC_FORM = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2})(?::(\d{2}))?$/;
const ZONED_FORM = /^(\d{4})(\d{2})(\d{2}) +(\d{2}):(\d{2})(?::(\d{2}))?(?: +(\S+))?$/;
const UTC_ZONES = new Set(["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Z"]);
const NEW_YORK_ZONES = new Set(["US/Eastern", "America/New_York", "EST", "EDT", "EST5EDT"]);

/**
 * The instant of a reqExecutions filter time: `yyyymmdd-hh:mm:ss` in UTC, or `yyyyMMdd HH:mm:ss [zone]`
 * (IB's EClient.reqExecutions comment) with zone UTC/GMT (the default, the simulator's local time) or
 * New York. Undefined for empty text and for texts or zones it cannot read.
 */
export function parseExecutionFilterTime(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const utc = UTC_FORM.exec(trimmed);
  const zoned = utc === null ? ZONED_FORM.exec(trimmed) : null;
  const match = utc ?? zoned;
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((index) =>
    Number(match[index] ?? 0),
  ) as [number, number, number, number, number, number];
  const zone = zoned?.[7] ?? "UTC";
  if (NEW_YORK_ZONES.has(zone)) return newYorkLocalToUtcMs(year, month, day, hour, minute, second);
  if (!UTC_ZONES.has(zone)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}
