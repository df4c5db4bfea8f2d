/**
 * IB's daily cycle: the nightly server reset and the Gateway/TWS auto-restart. Around both, no new orders go
 * out, and a lost connection (1100, 2110), a broken farm (2103, 2105, 2157), a dead stream (10182), a
 * dropped socket or a stalled feed is expected: logged at info, not raised as an alarm.
 *
 * Each reset window and the restart time is widened by a margin on both sides into a quiet period, half-open
 * `[start − margin, end + margin)`; the same periods gate orders and explain outages. Windows are wall-clock
 * times in their own zone, computed through `Intl` for each day, so they follow daylight saving; a window
 * whose end is at or before its start runs past midnight. A start skipped by spring-forward moves later by
 * the gap; a repeated fall-back time resolves to its first occurrence.
 *
 * The default North American reset, 23:45–00:45 America/New_York, was not read from an IB page (ibkr-facts §4
 * and §7 say only that IB resets daily and publishes the times on its system status page); it is the window
 * QuantConnect's IBAutomater uses for that page. IB also resets on Friday nights for longer (IBAutomater:
 * 23:00–03:00 New York); a window can be limited to start days, e.g. `23:00-03:00 America/New_York Fri`.
 */
import { ConfigError, InvariantError } from "../core/errors.js";
import { DAY_MS, weekdayOfDays } from "./civil-calendar.js";
import { isKnownTimeZone, zonedTimeToUtcMs } from "./zoned-time.js";

const MINUTE_MS = 60_000;

/** The longest margin allowed around a window, in minutes. */
export const MAX_QUIET_MINUTES = 120;

/** Default value of `IB_RESET_WINDOW`. */
export const DEFAULT_RESET_WINDOW = "23:45-00:45 America/New_York";

/** A daily window IB's servers are reset in: wall-clock `HH:MM` times in an IANA zone. */
export interface ResetWindow {
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
  /** Days the window starts on (0 = Sunday … 6 = Saturday, in its zone); every day when absent. */
  readonly days?: readonly number[] | undefined;
}

/** The daily restart time configured in TWS / IB Gateway ("Auto restart"), in the zone TWS runs in. */
export interface GatewayRestart {
  /** `HH:MM`. */
  readonly time: string;
  readonly timeZone: string;
  /** Margin around the restart; defaults to the guard's `quietMarginMinutes`. */
  readonly marginMinutes?: number | undefined;
}

/** How a DailyCycleGuard is set up (from `IB_RESET_WINDOW`, `GATEWAY_RESTART_TIME`, `ORDER_QUIET_MINUTES`). */
export interface DailyCycleOptions {
  readonly resetWindows: readonly ResetWindow[];
  readonly gatewayRestart?: GatewayRestart | undefined;
  /** Minutes on both sides of each window (and the restart) without new orders, 0–120. */
  readonly quietMarginMinutes: number;
}

/** A yes, or a no with a one-line reason. */
export type GateDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/** A span of the daily cycle in which orders wait and outages are expected. */
export interface QuietPeriod {
  readonly fromMs: number;
  readonly toMs: number;
  readonly reason: string;
}

/** Something that looks like an outage: a dropped API socket, an IB code, or a feed without bars. */
export type OutageSignal =
  | { readonly kind: "disconnected" }
  | { readonly kind: "feedStalled"; readonly symbol: string }
  | { readonly kind: "ibCode"; readonly code: number };

/** How to report an outage signal: `info` when the daily cycle explains it, `alarm` otherwise. */
export interface OutageClassification {
  readonly level: "info" | "alarm";
  readonly reason: string;
}

/**
 * Tells how to report an outage signal at a time (DailyCycleGuard.classifyOutage as a function): what the IB
 * adapter and the live feeds take, so they need not know the daily cycle.
 */
export type OutageClassifier = (signal: OutageSignal, timeMs: number) => OutageClassification | undefined;

/**
 * IB codes that report lost connectivity or a broken farm, or connectivity back with the data lost (1101:
 * the feeds resubscribe and backfill) (ibkr-facts §4).
 */
export const OUTAGE_IB_CODES: ReadonlySet<number> = new Set([1100, 1101, 2103, 2105, 2110, 2157, 10182]);

const allowed: GateDecision = Object.freeze({ allowed: true });
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
const CLOCK_TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const WINDOW = /^(\S+)-(\S+)\s+(\S+)(?:\s+(\S+))?$/;

function minuteOfClock(text: string): number | undefined {
  const match = CLOCK_TIME.exec(text);
  return match === null ? undefined : Number(match[1]) * 60 + Number(match[2]);
}

function weekdayIndex(name: string): number | undefined {
  const index = WEEKDAYS.findIndex((day) => day.toLowerCase() === name.toLowerCase());
  return index < 0 ? undefined : index;
}

/** `Fri`, `Sat-Thu` (wrapping), or `Sat+Sun` as weekday numbers; undefined when unreadable. */
function parseDays(text: string): number[] | undefined {
  const days = new Set<number>();
  for (const item of text.split("+")) {
    const [from = "", to = from, extra] = item.split("-");
    const first = weekdayIndex(from);
    const last = weekdayIndex(to);
    if (first === undefined || last === undefined || extra !== undefined) return undefined;
    for (let day = first; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === last) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

/**
 * One reset window, `HH:MM-HH:MM <IANA zone> [days]` (e.g. `23:45-00:45 America/New_York`, or
 * `23:00-03:00 America/New_York Fri`); throws a one-line ConfigError naming `key` and the fix.
 */
export function parseResetWindow(text: string, key = "IB_RESET_WINDOW"): ResetWindow {
  const bad = (why: string): ConfigError =>
    new ConfigError(
      `${key}: "${text.trim()}" ${why}; write HH:MM-HH:MM <IANA zone> [days], e.g. "${DEFAULT_RESET_WINDOW}"`,
    );
  const match = WINDOW.exec(text.trim());
  if (match === null) throw bad("is not a window");
  const [, start = "", end = "", timeZone = "", daysText] = match;
  const startMinute = minuteOfClock(start);
  const endMinute = minuteOfClock(end);
  if (startMinute === undefined || endMinute === undefined) throw bad("needs times from 00:00 to 23:59");
  if (startMinute === endMinute) throw bad("starts and ends at the same time");
  if (!isKnownTimeZone(timeZone)) throw bad(`names an unknown time zone "${timeZone}"`);
  if (daysText === undefined) return { start, end, timeZone };
  const days = parseDays(daysText);
  if (days === undefined) throw bad(`has unreadable days "${daysText}" (use Fri, Sat-Thu or Sat+Sun)`);
  return { start, end, timeZone, days };
}

/** A comma-separated list of reset windows; empty or `none` for none. Errors as in parseResetWindow. */
export function parseResetWindows(text: string, key = "IB_RESET_WINDOW"): ResetWindow[] {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.toLowerCase() === "none") return [];
  return trimmed.split(",").map((part) => parseResetWindow(part, key));
}

/** `HH:MM` in `timeZone` (TWS's zone, `IBKR_TIMEZONE`), or undefined for an empty text (no auto-restart). */
export function parseGatewayRestartTime(
  text: string,
  timeZone: string,
  key = "GATEWAY_RESTART_TIME",
): GatewayRestart | undefined {
  const time = text.trim();
  if (time === "") return undefined;
  if (minuteOfClock(time) === undefined) {
    throw new ConfigError(
      `${key}: "${time}" is not a time; write HH:MM as set in TWS / Gateway "Auto restart", e.g. 23:50, or leave it empty`,
    );
  }
  if (!isKnownTimeZone(timeZone)) {
    throw new ConfigError(`${key}: unknown time zone "${timeZone}"; set IBKR_TIMEZONE to an IANA zone`);
  }
  return { time, timeZone };
}

/** One compiled daily event: its quiet period on a day number of its zone, if it happens that day. */
interface DailyEvent {
  readonly reason: string;
  periodOn(dayNumber: number): readonly [number, number] | undefined;
}

function checkMargin(minutes: number, what: string): number {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_QUIET_MINUTES) {
    throw new ConfigError(
      `${what} must be a whole number of minutes from 0 to ${MAX_QUIET_MINUTES}, got ${minutes}`,
    );
  }
  return minutes * MINUTE_MS;
}

function resetEvent(window: ResetWindow, marginMs: number): DailyEvent {
  const text = `${window.start}-${window.end} ${window.timeZone}`;
  const days = window.days === undefined ? "" : ` ${window.days.map((day) => WEEKDAYS[day]).join("+")}`;
  // Re-parse so windows built in code get the same checks as configured ones.
  const { start, end, timeZone } = parseResetWindow(text + days);
  const startMinute = minuteOfClock(start) ?? 0;
  const endMinute = minuteOfClock(end) ?? 0;
  const onDays = window.days === undefined ? undefined : new Set(window.days);
  return {
    reason: `IB's daily reset ${text}${days} (±${marginMs / MINUTE_MS} min)`,
    periodOn(dayNumber) {
      if (onDays !== undefined && !onDays.has(weekdayOfDays(dayNumber))) return undefined;
      const endDay = endMinute <= startMinute ? dayNumber + 1 : dayNumber;
      return [
        zonedTimeToUtcMs(timeZone, dayNumber, startMinute) - marginMs,
        zonedTimeToUtcMs(timeZone, endDay, endMinute) + marginMs,
      ];
    },
  };
}

function restartEvent(restart: GatewayRestart, marginMs: number): DailyEvent {
  const checked = parseGatewayRestartTime(restart.time, restart.timeZone);
  if (checked === undefined) throw new ConfigError("GATEWAY_RESTART_TIME: the restart time is empty");
  const minute = minuteOfClock(checked.time) ?? 0;
  return {
    reason: `the Gateway restart at ${checked.time} ${checked.timeZone} (±${marginMs / MINUTE_MS} min)`,
    periodOn(dayNumber) {
      const atMs = zonedTimeToUtcMs(checked.timeZone, dayNumber, minute);
      return [atMs - marginMs, atMs + marginMs];
    },
  };
}

/** Decides, from the wall clock times of IB's daily cycle, when new orders wait and which outages are expected. */
export class DailyCycleGuard {
  private readonly events: readonly DailyEvent[];
  private cachedDay = Number.NaN;
  private cachedPeriods: readonly QuietPeriod[] = [];

  constructor(options: DailyCycleOptions) {
    const quietMs = checkMargin(options.quietMarginMinutes, "ORDER_QUIET_MINUTES (quietMarginMinutes)");
    const events = options.resetWindows.map((window) => resetEvent(window, quietMs));
    const restart = options.gatewayRestart;
    if (restart !== undefined) {
      const marginMs =
        restart.marginMinutes === undefined
          ? quietMs
          : checkMargin(restart.marginMinutes, "gatewayRestart.marginMinutes");
      events.push(restartEvent(restart, marginMs));
    }
    this.events = events;
  }

  /** The quiet period containing `timeMs` (overlapping periods joined), or undefined. */
  quietPeriodAt(timeMs: number): QuietPeriod | undefined {
    if (!Number.isFinite(timeMs))
      throw new InvariantError(`DailyCycleGuard needs a finite time, got ${timeMs}`);
    return this.periodsAround(timeMs).find((period) => timeMs >= period.fromMs && timeMs < period.toMs);
  }

  /** Whether a new order may go out at `timeMs`; the reason says which window blocks it and until when. */
  ordersAllowed(timeMs: number): GateDecision {
    const period = this.quietPeriodAt(timeMs);
    if (period === undefined) return allowed;
    return {
      allowed: false,
      reason: `no new orders until ${new Date(period.toMs).toISOString()}: ${period.reason}`,
    };
  }

  /** Why an outage at `timeMs` is expected (inside a quiet period), or undefined when it is not. */
  expectedOutage(timeMs: number): string | undefined {
    return this.quietPeriodAt(timeMs)?.reason;
  }

  /**
   * Info, with the quiet period's reason, for an outage signal the daily cycle explains; alarm for one it does
   * not; undefined for a signal that is no outage (an IB code outside OUTAGE_IB_CODES, such as 1102
   * "restored"). A bound function, so it can be handed on as an OutageClassifier.
   */
  readonly classifyOutage: OutageClassifier = (signal, timeMs) => {
    if (signal.kind === "ibCode" && !OUTAGE_IB_CODES.has(signal.code)) return undefined;
    const expected = this.expectedOutage(timeMs);
    if (expected !== undefined) return { level: "info", reason: expected };
    return { level: "alarm", reason: "outside IB's daily reset and Gateway restart windows" };
  };

  /** The joined quiet periods near `timeMs`, cached per UTC day. */
  private periodsAround(timeMs: number): readonly QuietPeriod[] {
    const utcDay = Math.floor(timeMs / DAY_MS);
    if (utcDay === this.cachedDay) return this.cachedPeriods;
    const raw: QuietPeriod[] = [];
    // A zone's day is within one of the UTC day; a period (window under a day plus two margins of at most
    // two hours) reaches at most two days past the day it starts on.
    for (const event of this.events) {
      for (let dayNumber = utcDay - 3; dayNumber <= utcDay + 2; dayNumber++) {
        const period = event.periodOn(dayNumber);
        if (period !== undefined) raw.push({ fromMs: period[0], toMs: period[1], reason: event.reason });
      }
    }
    raw.sort((a, b) => a.fromMs - b.fromMs);
    const joined: QuietPeriod[] = [];
    for (const period of raw) {
      const last = joined[joined.length - 1];
      if (last !== undefined && period.fromMs <= last.toMs) {
        const reason = last.reason.includes(period.reason)
          ? last.reason
          : `${last.reason} and ${period.reason}`;
        joined[joined.length - 1] = { fromMs: last.fromMs, toMs: Math.max(last.toMs, period.toMs), reason };
      } else {
        joined.push(period);
      }
    }
    this.cachedDay = utcDay;
    this.cachedPeriods = joined;
    return joined;
  }
}
