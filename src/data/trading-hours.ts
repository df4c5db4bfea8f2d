/**
 * A contract's sessions from IB's contract details: `tradingHours` (every hour IB accepts orders) or
 * `liquidHours` (the regular session), read in the contract's `timeZoneId` and turned into epoch-ms
 * intervals, open inclusive and close exclusive.
 *
 * IB's text is `;`-separated days (ibkr-facts §2.2, `gateway-sim/market/contract-details.ts`):
 *
 * - `20240102:0930-20240102:1600` — a session; the end carries its own date, so an overnight session reads
 *   `20240102:1800-20240103:1700`. A day can hold several sessions, as more `;` parts or `,`-separated.
 * - `20240106:CLOSED` — no session starts that day.
 * - The pre-2018 form without end dates, `20130114:1700-1515,1530-1615`: an end at or before its start means
 *   the session opened the day before (CME's Sunday 17:00 open for Monday, cbilson/ib-re-actor#8).
 *
 * Zone conversion goes through `Intl` (no tz tables of our own): a wall time skipped by spring-forward is
 * moved later by the gap and a repeated fall-back time resolves to its first occurrence, as in
 * `new-york-time.ts`.
 *
 * IB lists only some days (about a week from the request). For a USD stock, times outside the listed days,
 * and a contract whose text is empty (the simulator may send it so), fall back to the NYSE regular session
 * of `trading-session.ts` (09:30–16:00 New York on NYSE trading days, no early closes) — for `tradingHours`
 * too, which keeps orders and signals to the regular session when IB told us nothing. Other contracts count
 * as closed outside the listed days; refresh their details daily (`QualifiedContract.fetchedAtMs`).
 */
import { DataIntegrityError } from "../core/errors.js";
import type { QualifiedContract } from "../model/qualified-contract.js";
import { daysFromCivil, daysInMonth } from "./civil-calendar.js";
import { nextSessionOpen, sessionOf, type TradingSession } from "./trading-session.js";
import { isKnownTimeZone, zonedTimeToUtcMs } from "./zoned-time.js";

/** Which hours of the contract details to read: `liquidHours` (regular session) or `tradingHours`. */
export type HoursField = "liquidHours" | "tradingHours";

/** The contract-detail fields TradingHours reads. */
export type ContractHours = Pick<
  QualifiedContract,
  "symbol" | "conId" | "currency" | "timeZoneId" | "tradingHours" | "liquidHours"
>;

/**
 * IB's legacy zone ids that `Intl` reads differently from IB: ICU's `EST` is a fixed UTC−5 (Panama), while
 * IB quotes US sessions in New York wall time with daylight saving.
 */
const IB_ZONE_ALIASES: Readonly<Record<string, string>> = { EST: "America/New_York" };

function resolveTimeZone(contract: ContractHours, label: string): string {
  // Old TWS builds wrote ids like "EST (Eastern Standard Time)"; the id is the first word.
  const id = contract.timeZoneId.trim().split(/\s+/)[0] ?? "";
  if (id === "") {
    if (contract.currency === "USD") return "America/New_York";
    throw new DataIntegrityError(`${label}: the contract details carry no timeZoneId; refresh them`);
  }
  const zone = IB_ZONE_ALIASES[id] ?? id;
  if (!isKnownTimeZone(zone)) {
    throw new DataIntegrityError(`${label}: unknown timeZoneId "${contract.timeZoneId}" (not an IANA zone)`);
  }
  return zone;
}

const CLOSED_PART = /^(\d{8}):CLOSED$/i;
const DAY_PART = /^(\d{8}):(.+)$/;
const RANGE = /^(?:(\d{8}):)?(\d{4})-(?:(\d{8}):)?(\d{4})$/;

/** `yyyyMMdd` as a day number, or undefined for an impossible date. */
function dayNumberOf(text: string): number | undefined {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(4, 6));
  const day = Number(text.slice(6, 8));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

/** `HHmm` as minutes since midnight (`2400` allowed), or undefined. */
function minuteOf(text: string): number | undefined {
  const hour = Number(text.slice(0, 2));
  const minute = Number(text.slice(2, 4));
  if (hour > 24 || minute > 59 || (hour === 24 && minute > 0)) return undefined;
  return hour * 60 + minute;
}

interface ParsedHours {
  readonly sessions: readonly TradingSession[];
  readonly firstDay: number;
  readonly lastDay: number;
}

function parseHoursText(text: string, timeZone: string, label: string): ParsedHours {
  const raw: TradingSession[] = [];
  let firstDay = Number.POSITIVE_INFINITY;
  let lastDay = Number.NEGATIVE_INFINITY;
  const fail = (part: string, why: string): never => {
    throw new DataIntegrityError(`${label}: cannot read "${part}": ${why}`);
  };
  for (const untrimmed of text.split(";")) {
    const part = untrimmed.trim();
    if (part === "") continue;
    const closed = CLOSED_PART.exec(part);
    const match = closed ?? DAY_PART.exec(part);
    if (match === null) return fail(part, "expected yyyyMMdd:HHmm-yyyyMMdd:HHmm or yyyyMMdd:CLOSED");
    const dateText = match[1] ?? "";
    const day = dayNumberOf(dateText);
    if (day === undefined) return fail(part, `no such date ${dateText}`);
    firstDay = Math.min(firstDay, day);
    lastDay = Math.max(lastDay, day);
    if (closed !== null) continue;
    for (const range of (match[2] ?? "").split(",")) {
      const parts = RANGE.exec(range.trim());
      if (parts === null) return fail(part, `"${range}" is not HHmm-yyyyMMdd:HHmm`);
      const [, startDateText, startText = "", endDateText, endText = ""] = parts;
      const startMinute = minuteOf(startText);
      const endMinute = minuteOf(endText);
      if (startMinute === undefined || endMinute === undefined) return fail(part, "hours run 0000-2400");
      let startDay = startDateText === undefined ? day : dayNumberOf(startDateText);
      let endDay = endDateText === undefined ? startDay : dayNumberOf(endDateText);
      if (startDay === undefined || endDay === undefined) return fail(part, "no such date");
      if (startDateText === undefined && endDateText === undefined && endMinute <= startMinute) {
        // Old form: the day names the session's close, which opened the evening before.
        startDay -= 1;
        endDay = day;
      }
      const openMs = zonedTimeToUtcMs(timeZone, startDay, startMinute);
      const closeMs = zonedTimeToUtcMs(timeZone, endDay, endMinute);
      if (closeMs <= openMs) return fail(part, "the session ends before it starts");
      raw.push({ openMs, closeMs });
    }
  }
  return { sessions: mergeSessions(raw), firstDay, lastDay };
}

/** Sorted, with overlapping and touching sessions joined into one. */
function mergeSessions(raw: TradingSession[]): readonly TradingSession[] {
  raw.sort((a, b) => a.openMs - b.openMs);
  const merged: TradingSession[] = [];
  for (const session of raw) {
    const last = merged[merged.length - 1];
    if (last !== undefined && session.openMs <= last.closeMs) {
      merged[merged.length - 1] = { openMs: last.openMs, closeMs: Math.max(last.closeMs, session.closeMs) };
    } else {
      merged.push(session);
    }
  }
  return Object.freeze(merged.map((session) => Object.freeze(session)));
}

/** Index of the first session opening after `timeMs` (at or after it when `inclusive`); the length if none. */
function firstOpenFrom(sessions: readonly TradingSession[], timeMs: number, inclusive: boolean): number {
  let low = 0;
  let high = sessions.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const openMs = sessions[mid]?.openMs ?? Number.POSITIVE_INFINITY;
    if (openMs < timeMs || (!inclusive && openMs === timeMs)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** A contract's sessions: answers whether it trades at an instant and when it next opens. */
export class TradingHours {
  private constructor(
    /** Names the contract and field in messages, e.g. `AAPL (conId 265598) liquidHours`. */
    readonly label: string,
    /** The IANA zone the text was read in. */
    readonly timeZone: string,
    /** The listed sessions, merged and in time order (empty when IB listed none). */
    readonly sessions: readonly TradingSession[],
    /** Start of the listed days (midnight of the first day, or an earlier overnight open). */
    readonly coveredFromMs: number,
    /** End of the listed days (midnight after the last day, or a later close); equals coveredFromMs when none. */
    readonly coveredUntilMs: number,
    /** What answers outside the listed days: the NYSE regular session, or nothing (closed). */
    readonly fallback: "nyseRegular" | "none",
  ) {}

  /**
   * Reads `liquidHours` (default; the regular session, for signals) or `tradingHours` of a contract.
   * Throws a DataIntegrityError naming the contract, field and bad part for text it cannot read.
   */
  static parse(contract: ContractHours, field: HoursField = "liquidHours"): TradingHours {
    const label = `${contract.symbol} (conId ${contract.conId}) ${field}`;
    // QualifiedContract is always a stock (secType STK), so USD means a US-listed stock here.
    const fallback = contract.currency === "USD" ? "nyseRegular" : "none";
    const text = contract[field].trim();
    if (text === "") {
      if (fallback === "none") {
        throw new DataIntegrityError(
          `${label} is empty and ${contract.currency} contracts have no fallback calendar`,
        );
      }
      return new TradingHours(label, "America/New_York", [], 0, 0, fallback);
    }
    const timeZone = resolveTimeZone(contract, label);
    const { sessions, firstDay, lastDay } = parseHoursText(text, timeZone, label);
    if (!Number.isFinite(firstDay)) {
      throw new DataIntegrityError(`${label}: "${text.slice(0, 40)}" lists no days`);
    }
    const coveredFromMs = Math.min(zonedTimeToUtcMs(timeZone, firstDay, 0), sessions[0]?.openMs ?? Infinity);
    const coveredUntilMs = Math.max(
      zonedTimeToUtcMs(timeZone, lastDay + 1, 0),
      sessions[sessions.length - 1]?.closeMs ?? -Infinity,
    );
    return new TradingHours(label, timeZone, sessions, coveredFromMs, coveredUntilMs, fallback);
  }

  /** True when `timeMs` lies in the listed days (outside them the fallback, if any, answers). */
  covers(timeMs: number): boolean {
    return timeMs >= this.coveredFromMs && timeMs < this.coveredUntilMs;
  }

  /** True when the contract trades at `timeMs`. */
  isOpen(timeMs: number): boolean {
    return this.sessionContaining(timeMs) !== undefined;
  }

  /** The session containing `timeMs` (open inclusive, close exclusive), or undefined when closed. */
  sessionContaining(timeMs: number): TradingSession | undefined {
    if (this.covers(timeMs)) {
      const session = this.sessions[firstOpenFrom(this.sessions, timeMs, false) - 1];
      return session !== undefined && timeMs < session.closeMs ? session : undefined;
    }
    if (this.fallback === "none" || !Number.isFinite(timeMs)) return undefined;
    const session = sessionOf(timeMs);
    return session !== undefined && timeMs >= session.openMs && timeMs < session.closeMs
      ? session
      : undefined;
  }

  /** The first session open at or after `timeMs`; undefined when none is known (past the listed days). */
  nextOpen(timeMs: number): number | undefined {
    if (!Number.isFinite(timeMs)) return undefined;
    const hasFallback = this.fallback === "nyseRegular";
    if (hasFallback && timeMs < this.coveredFromMs) {
      const openMs = nextSessionOpen(timeMs);
      if (openMs < this.coveredFromMs) return openMs;
    }
    if (timeMs < this.coveredUntilMs) {
      const after = this.sessions[firstOpenFrom(this.sessions, timeMs, true)];
      if (after !== undefined) return after.openMs;
    }
    return hasFallback ? nextSessionOpen(Math.max(timeMs, this.coveredUntilMs)) : undefined;
  }
}
