import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataIntegrityError } from "../core/errors.js";
import { civilFromDays, daysFromCivil } from "./civil-calendar.js";
import { newYorkLocalToUtcMs } from "./new-york-time.js";
import { TradingHours, type ContractHours } from "./trading-hours.js";
import { zonedDayNumber, zonedTimeToUtcMs } from "./zoned-time.js";

const HOUR_MS = 3_600_000;
const utc = (text: string): number => Date.parse(text);

function aContract(fields: Partial<ContractHours> = {}): ContractHours {
  return {
    symbol: "AAPL",
    conId: 265598,
    currency: "USD",
    timeZoneId: "US/Eastern",
    tradingHours: "20240102:0400-20240102:2000;20240103:0400-20240103:2000",
    liquidHours: "20240102:0930-20240102:1600;20240103:0930-20240103:1600",
    ...fields,
  };
}

function parseError(fields: Partial<ContractHours>): DataIntegrityError {
  try {
    TradingHours.parse(aContract(fields));
  } catch (error) {
    if (error instanceof DataIntegrityError) return error;
    throw error;
  }
  throw new Error("expected a DataIntegrityError");
}

describe("TradingHours.parse", () => {
  it("reads a regular New York day from liquidHours by default", () => {
    const hours = TradingHours.parse(aContract());
    expect(hours.sessionContaining(utc("2024-01-02T15:00:00Z"))).toEqual({
      openMs: utc("2024-01-02T14:30:00Z"),
      closeMs: utc("2024-01-02T21:00:00Z"),
    });
    expect(hours.timeZone).toBe("US/Eastern");
  });

  it("reads tradingHours when asked for them", () => {
    const hours = TradingHours.parse(aContract(), "tradingHours");
    expect(hours.isOpen(utc("2024-01-02T09:00:00Z"))).toBe(true);
    expect(TradingHours.parse(aContract()).isOpen(utc("2024-01-02T09:00:00Z"))).toBe(false);
  });

  it("opens at the open inclusive and closes at the close exclusive", () => {
    const hours = TradingHours.parse(aContract());
    expect(hours.isOpen(utc("2024-01-02T14:29:59.999Z"))).toBe(false);
    expect(hours.isOpen(utc("2024-01-02T14:30:00Z"))).toBe(true);
    expect(hours.isOpen(utc("2024-01-02T20:59:59.999Z"))).toBe(true);
    expect(hours.isOpen(utc("2024-01-02T21:00:00Z"))).toBe(false);
  });

  it("has no session on a CLOSED day and finds the next open after it", () => {
    const hours = TradingHours.parse(
      aContract({
        currency: "EUR",
        liquidHours:
          "20240105:0930-20240105:1600;20240106:CLOSED;20240107:CLOSED;20240108:0930-20240108:1600",
      }),
    );
    expect(hours.isOpen(utc("2024-01-06T17:00:00Z"))).toBe(false);
    expect(hours.nextOpen(utc("2024-01-05T21:00:00Z"))).toBe(utc("2024-01-08T14:30:00Z"));
  });

  it("reads an overnight session as one interval across midnight", () => {
    const hours = TradingHours.parse(
      aContract({ timeZoneId: "US/Central", liquidHours: "20240102:1700-20240103:1600;20240103:CLOSED" }),
    );
    expect(hours.sessionContaining(utc("2024-01-03T06:00:00Z"))).toEqual({
      openMs: utc("2024-01-02T23:00:00Z"),
      closeMs: utc("2024-01-03T22:00:00Z"),
    });
  });

  it("reads two sessions on one day, as separate parts or comma-separated", () => {
    const separate = "20240102:0930-20240102:1200;20240102:1300-20240102:1600";
    const commas = "20240102:0930-20240102:1200,20240102:1300-20240102:1600";
    for (const liquidHours of [separate, commas]) {
      const hours = TradingHours.parse(aContract({ liquidHours }));
      expect(hours.isOpen(utc("2024-01-02T17:30:00Z"))).toBe(false);
      expect(hours.nextOpen(utc("2024-01-02T17:30:00Z"))).toBe(utc("2024-01-02T18:00:00Z"));
      expect(hours.sessions).toHaveLength(2);
    }
  });

  it("reads the old form without end dates, where an early close means the session opened the day before", () => {
    const hours = TradingHours.parse(
      aContract({ currency: "EUR", timeZoneId: "US/Central", liquidHours: "20130114:1700-1515,1530-1615" }),
    );
    expect(hours.sessions).toEqual([
      { openMs: utc("2013-01-13T23:00:00Z"), closeMs: utc("2013-01-14T21:15:00Z") },
      { openMs: utc("2013-01-14T21:30:00Z"), closeMs: utc("2013-01-14T22:15:00Z") },
    ]);
  });

  it("joins touching and overlapping sessions", () => {
    const hours = TradingHours.parse(
      aContract({
        liquidHours: "20240102:0930-20240102:1200;20240102:1200-20240102:1600;20240102:1500-20240102:1700",
      }),
    );
    expect(hours.sessions).toEqual([
      { openMs: utc("2024-01-02T14:30:00Z"), closeMs: utc("2024-01-02T22:00:00Z") },
    ]);
  });

  it("follows New York's March 2024 change to daylight saving time", () => {
    const hours = TradingHours.parse(
      aContract({
        liquidHours:
          "20240308:0930-20240308:1600;20240309:CLOSED;20240310:CLOSED;20240311:0930-20240311:1600",
      }),
    );
    expect(hours.sessions.map((session) => new Date(session.openMs).toISOString())).toEqual([
      "2024-03-08T14:30:00.000Z",
      "2024-03-11T13:30:00.000Z",
    ]);
  });

  it("follows New York's November 2024 change back to standard time", () => {
    const hours = TradingHours.parse(
      aContract({
        liquidHours:
          "20241101:0930-20241101:1600;20241102:CLOSED;20241103:CLOSED;20241104:0930-20241104:1600",
      }),
    );
    expect(hours.sessions.map((session) => new Date(session.closeMs).toISOString())).toEqual([
      "2024-11-01T20:00:00.000Z",
      "2024-11-04T21:00:00.000Z",
    ]);
  });

  it("gives an overnight session spanning the November change its extra hour", () => {
    const hours = TradingHours.parse(
      aContract({ currency: "EUR", timeZoneId: "US/Central", tradingHours: "20241102:1700-20241103:1700" }),
      "tradingHours",
    );
    const [session] = hours.sessions;
    expect(session!.closeMs - session!.openMs).toBe(25 * HOUR_MS);
  });

  it("reads IB's legacy EST zone id as New York with daylight saving", () => {
    const hours = TradingHours.parse(
      aContract({ timeZoneId: "EST (Eastern Standard Time)", liquidHours: "20240701:0930-20240701:1600" }),
    );
    expect(hours.sessions[0]?.openMs).toBe(utc("2024-07-01T13:30:00Z"));
  });

  it("names the contract, the field and the bad part of malformed text", () => {
    const error = parseError({ liquidHours: "20240102:0930-20240102:1600;20240103:0930-2024010:1600" });
    expect(error.message).toBe(
      'AAPL (conId 265598) liquidHours: cannot read "20240103:0930-2024010:1600": "0930-2024010:1600" is not HHmm-yyyyMMdd:HHmm',
    );
    expect(error.code).toBe("DATA_INVALID");
  });

  it.each([
    ["a part without a date", "0930-1600", "expected yyyyMMdd:HHmm-yyyyMMdd:HHmm or yyyyMMdd:CLOSED"],
    ["an impossible date", "20240230:CLOSED", "no such date 20240230"],
    ["an impossible hour", "20240102:0930-20240102:2460", "hours run 0000-2400"],
    ["a session ending before it starts", "20240102:1600-20240102:0930", "the session ends before it starts"],
  ])("refuses %s", (_name, liquidHours, why) => {
    expect(parseError({ liquidHours }).message).toContain(why);
  });

  it("refuses a time zone Intl does not know", () => {
    expect(parseError({ timeZoneId: "Mars/Olympus" }).message).toBe(
      'AAPL (conId 265598) liquidHours: unknown timeZoneId "Mars/Olympus" (not an IANA zone)',
    );
  });

  it("falls back to the NYSE regular session when a US stock's text is empty", () => {
    const hours = TradingHours.parse(aContract({ liquidHours: "", timeZoneId: "" }));
    expect(hours.fallback).toBe("nyseRegular");
    expect(hours.isOpen(utc("2024-07-03T14:00:00Z"))).toBe(true);
    expect(hours.isOpen(utc("2024-07-04T14:00:00Z"))).toBe(false); // Independence Day
    expect(hours.nextOpen(utc("2024-07-03T20:00:00Z"))).toBe(utc("2024-07-05T13:30:00Z"));
  });

  it("refuses empty text for a contract without a fallback calendar", () => {
    expect(parseError({ currency: "EUR", liquidHours: "" }).message).toBe(
      "AAPL (conId 265598) liquidHours is empty and EUR contracts have no fallback calendar",
    );
  });

  it("answers from the NYSE calendar for a US stock outside the listed days", () => {
    const hours = TradingHours.parse(aContract());
    expect(hours.covers(utc("2024-01-04T15:00:00Z"))).toBe(false);
    expect(hours.isOpen(utc("2024-01-04T15:00:00Z"))).toBe(true);
    expect(hours.nextOpen(utc("2024-01-03T21:00:00Z"))).toBe(utc("2024-01-04T14:30:00Z"));
    expect(hours.nextOpen(utc("2023-12-29T21:00:00Z"))).toBe(utc("2024-01-02T14:30:00Z"));
  });

  it("counts other contracts as closed with no next open past the listed days", () => {
    const hours = TradingHours.parse(aContract({ currency: "EUR" }));
    expect(hours.isOpen(utc("2024-01-04T15:00:00Z"))).toBe(false);
    expect(hours.nextOpen(utc("2024-01-03T21:00:00Z"))).toBeUndefined();
    expect([hours.coveredFromMs, hours.coveredUntilMs]).toEqual([
      utc("2024-01-02T05:00:00Z"),
      utc("2024-01-04T05:00:00Z"),
    ]);
  });
});

describe("zone arithmetic", () => {
  it("agrees with the New York rules for every quarter hour of 2024, DST gaps and repeats included", () => {
    const first = daysFromCivil(2024, 1, 1);
    for (let dayNumber = first; dayNumber < first + 366; dayNumber++) {
      const { year, month, day } = civilFromDays(dayNumber);
      for (let minute = 0; minute < 1440; minute += 15) {
        const expected = newYorkLocalToUtcMs(year, month, day, Math.floor(minute / 60), minute % 60, 0);
        expect(zonedTimeToUtcMs("America/New_York", dayNumber, minute)).toBe(expected);
      }
    }
  });

  it("finds the local day of an instant", () => {
    expect(zonedDayNumber("America/New_York", utc("2024-01-03T04:59:59Z"))).toBe(daysFromCivil(2024, 1, 2));
    expect(zonedDayNumber("Asia/Tokyo", utc("2024-01-02T15:00:00Z"))).toBe(daysFromCivil(2024, 1, 3));
  });
});

function compactDate(dayNumber: number): string {
  const { year, month, day } = civilFromDays(dayNumber);
  return `${year}${String(month).padStart(2, "0")}${String(day).padStart(2, "0")}`;
}

/** A New York wall-clock time as IB text and, through new-york-time.ts (not Intl), as an instant. */
function wallPoint(day: number, minute: number): { text: string; utcMs: number } {
  const dayNumber = day + Math.floor(minute / 1440);
  const minuteOfDay = minute % 1440;
  const { year, month, day: dayOfMonth } = civilFromDays(dayNumber);
  const hour = Math.floor(minuteOfDay / 60);
  const text = `${compactDate(dayNumber)}:${String(hour).padStart(2, "0")}${String(minuteOfDay % 60).padStart(2, "0")}`;
  return { text, utcMs: newYorkLocalToUtcMs(year, month, dayOfMonth, hour, minuteOfDay % 60, 0) };
}

describe("TradingHours properties", () => {
  // First days near both 2024 DST changes and elsewhere; sessions up to ~33 h, so some run overnight.
  const scenario = fc
    .constantFrom(
      daysFromCivil(2024, 3, 6),
      daysFromCivil(2024, 10, 30),
      daysFromCivil(2024, 6, 10),
      daysFromCivil(2024, 12, 28),
    )
    .chain((first) =>
      fc.record({
        first: fc.constant(first),
        sessions: fc.array(
          fc.record({
            day: fc.integer({ min: first, max: first + 9 }),
            startMinute: fc.integer({ min: 0, max: 1439 }),
            lengthMinutes: fc.integer({ min: 1, max: 2000 }),
          }),
          { maxLength: 12 },
        ),
        probeMinutes: fc.array(fc.integer({ min: -1440, max: 12 * 1440 }), { maxLength: 20 }),
        useCommas: fc.boolean(),
      }),
    );

  it("isOpen and nextOpen agree with a brute-force scan of the listed intervals", () => {
    fc.assert(
      fc.property(scenario, ({ first, sessions, probeMinutes, useCommas }) => {
        const intervals: { openMs: number; closeMs: number }[] = [];
        const rangesByDay = new Map<number, string[]>();
        for (const session of sessions) {
          const open = wallPoint(session.day, session.startMinute);
          const close = wallPoint(session.day, session.startMinute + session.lengthMinutes);
          if (close.utcMs <= open.utcMs) continue; // both ends in or around a spring-forward gap
          intervals.push({ openMs: open.utcMs, closeMs: close.utcMs });
          rangesByDay.set(session.day, [
            ...(rangesByDay.get(session.day) ?? []),
            `${open.text}-${close.text}`,
          ]);
        }
        const days = [...rangesByDay.entries()].sort(([a], [b]) => a - b);
        const parts = days.flatMap(([day, ranges]) =>
          // "yyyyMMdd:" is 9 characters: the comma form names the day once.
          useCommas ? [`${compactDate(day)}:${ranges.join(",").slice(9)}`] : ranges,
        );
        const liquidHours = [`${compactDate(first)}:CLOSED`, ...parts].join(";");
        const hours = TradingHours.parse(aContract({ currency: "EUR", liquidHours }));

        // A real open is one no other interval runs into (such intervals join the earlier session).
        const realOpens = intervals
          .map(({ openMs }) => openMs)
          .filter((openMs) => !intervals.some((other) => other.openMs < openMs && other.closeMs >= openMs));
        const firstMidnightMs = wallPoint(first, 0).utcMs;
        const probes = [
          ...probeMinutes.map((minute) => firstMidnightMs + minute * 60_000),
          ...intervals.flatMap(({ openMs, closeMs }) => [openMs - 1, openMs, closeMs - 1, closeMs]),
        ];
        for (const timeMs of probes) {
          const open = intervals.some(({ openMs, closeMs }) => timeMs >= openMs && timeMs < closeMs);
          expect(hours.isOpen(timeMs)).toBe(open);
          const later = realOpens.filter((openMs) => openMs >= timeMs);
          expect(hours.nextOpen(timeMs)).toBe(later.length === 0 ? undefined : Math.min(...later));
        }
      }),
      { seed: 20_240_310, numRuns: 400 },
    );
  });
});
