import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  EDT_OFFSET_MS,
  EST_OFFSET_MS,
  newYorkDateOf,
  newYorkDayNumber,
  newYorkLocalToUtcMs,
  newYorkMidnightUtcMs,
  newYorkOffsetMs,
} from "./new-york-time.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

const intlFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  hourCycle: "h23",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
  second: "numeric",
  weekday: "short",
});

interface IntlLocal {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
  offsetMs: number;
}

/** New York wall-clock fields of an instant according to Intl (the reference implementation). */
function intlLocal(utcMs: number): IntlLocal {
  const parts = new Map(intlFormat.formatToParts(new Date(utcMs)).map((part) => [part.type, part.value]));
  const field = (name: Intl.DateTimeFormatPartTypes): number => Number(parts.get(name));
  const local = {
    year: field("year"),
    month: field("month"),
    day: field("day"),
    hour: field("hour"),
    minute: field("minute"),
    second: field("second"),
    weekday: WEEKDAYS.indexOf(parts.get("weekday") ?? ""),
  };
  const localMs = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return { ...local, offsetMs: localMs - Math.floor(utcMs / 1000) * 1000 };
}

const from1990 = Date.UTC(1990, 0, 1);
const to2035 = Date.UTC(2035, 11, 31, 23, 59, 59);

describe("newYorkOffsetMs", () => {
  it("agrees with Intl at random instants from 1990 to 2035", () => {
    fc.assert(
      fc.property(fc.integer({ min: from1990, max: to2035 }), (utcMs) => {
        expect(newYorkOffsetMs(utcMs)).toBe(intlLocal(utcMs).offsetMs);
      }),
      { seed: 20_240_102, numRuns: 20_000 },
    );
  });

  it("switches at the same second as Intl on every transition from 1955 to 2035, including 1974 and 1975", () => {
    let checked = 0;
    for (let year = 1955; year <= 2035; year++) {
      let previousOffset = intlLocal(Date.UTC(year, 0, 1, 12)).offsetMs;
      for (let dayMs = Date.UTC(year, 0, 2, 12); dayMs < Date.UTC(year + 1, 0, 1); dayMs += DAY_MS) {
        const offset = intlLocal(dayMs).offsetMs;
        if (offset === previousOffset) continue;
        previousOffset = offset;
        // The switch happened in the last 24 hours: compare every hour boundary and the second before it.
        for (let hourMs = dayMs - DAY_MS; hourMs <= dayMs; hourMs += HOUR_MS) {
          expect(newYorkOffsetMs(hourMs), new Date(hourMs).toISOString()).toBe(intlLocal(hourMs).offsetMs);
          expect(newYorkOffsetMs(hourMs - 1000)).toBe(intlLocal(hourMs - 1000).offsetMs);
        }
        checked++;
      }
    }
    expect(checked).toBe(2 * (2035 - 1955 + 1));
  });

  it("is EST in winter and EDT in summer, and NaN for a non-finite instant", () => {
    expect(newYorkOffsetMs(Date.UTC(2024, 0, 2, 14, 30))).toBe(EST_OFFSET_MS);
    expect(newYorkOffsetMs(Date.UTC(2024, 6, 1, 13, 30))).toBe(EDT_OFFSET_MS);
    expect(newYorkOffsetMs(Number.NaN)).toBeNaN();
  });
});

describe("newYorkDateOf", () => {
  it("gives the same date and weekday as Intl at random instants from 1990 to 2035", () => {
    fc.assert(
      fc.property(fc.integer({ min: from1990, max: to2035 }), (utcMs) => {
        const { year, month, day, weekday } = intlLocal(utcMs);
        expect(newYorkDateOf(utcMs)).toEqual({ year, month, day, weekday });
      }),
      { seed: 7, numRuns: 10_000 },
    );
  });

  it("puts 03:00 UTC in the previous New York day", () => {
    expect(newYorkDateOf(Date.UTC(2024, 0, 3, 3))).toEqual({ year: 2024, month: 1, day: 2, weekday: 2 });
  });
});

describe("newYorkLocalToUtcMs", () => {
  it("inverts Intl's wall-clock time for random instants (the repeated fall-back hour resolves to EDT)", () => {
    fc.assert(
      fc.property(fc.integer({ min: from1990 / 1000, max: to2035 / 1000 }), (utcSeconds) => {
        const utcMs = utcSeconds * 1000;
        const local = intlLocal(utcMs);
        const result = newYorkLocalToUtcMs(
          local.year,
          local.month,
          local.day,
          local.hour,
          local.minute,
          local.second,
        );
        const repeated = result === utcMs - HOUR_MS && newYorkOffsetMs(result) === EDT_OFFSET_MS;
        expect(result === utcMs || repeated).toBe(true);
      }),
      { seed: 99, numRuns: 10_000 },
    );
  });

  it("moves a time skipped by spring-forward one hour later", () => {
    expect(newYorkLocalToUtcMs(2024, 3, 10, 2, 30, 0)).toBe(Date.UTC(2024, 2, 10, 7, 30));
    expect(newYorkLocalToUtcMs(2024, 3, 10, 3, 0, 0)).toBe(Date.UTC(2024, 2, 10, 7, 0));
  });

  it("reads the repeated fall-back hour as its first (EDT) occurrence", () => {
    expect(newYorkLocalToUtcMs(2024, 11, 3, 1, 30, 0)).toBe(Date.UTC(2024, 10, 3, 5, 30));
    expect(newYorkLocalToUtcMs(2024, 11, 3, 2, 0, 0)).toBe(Date.UTC(2024, 10, 3, 7, 0));
  });

  it("gives the regular session open in winter and in summer", () => {
    expect(newYorkLocalToUtcMs(2024, 1, 2, 9, 30, 0)).toBe(Date.UTC(2024, 0, 2, 14, 30));
    expect(newYorkLocalToUtcMs(2024, 7, 1, 9, 30, 0)).toBe(Date.UTC(2024, 6, 1, 13, 30));
  });
});

describe("newYorkDayNumber and newYorkMidnightUtcMs", () => {
  it("round-trip: a day's midnight belongs to that day and one millisecond earlier to the day before", () => {
    fc.assert(
      fc.property(fc.integer({ min: from1990, max: to2035 }), (utcMs) => {
        const day = newYorkDayNumber(utcMs);
        const midnight = newYorkMidnightUtcMs(day);
        expect(newYorkDayNumber(midnight)).toBe(day);
        expect(newYorkDayNumber(midnight - 1)).toBe(day - 1);
        expect(midnight).toBeLessThanOrEqual(utcMs);
        expect(intlLocal(midnight)).toMatchObject({ hour: 0, minute: 0, second: 0 });
      }),
      { seed: 3, numRuns: 2000 },
    );
  });

  it("makes the spring-forward day 23 hours long and the fall-back day 25", () => {
    const spring = newYorkDayNumber(Date.UTC(2024, 2, 10, 12));
    const fall = newYorkDayNumber(Date.UTC(2024, 10, 3, 12));
    expect(newYorkMidnightUtcMs(spring + 1) - newYorkMidnightUtcMs(spring)).toBe(23 * HOUR_MS);
    expect(newYorkMidnightUtcMs(fall + 1) - newYorkMidnightUtcMs(fall)).toBe(25 * HOUR_MS);
  });
});
