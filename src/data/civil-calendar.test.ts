import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  lastWeekdayOfMonth,
  nthWeekdayOfMonth,
  weekdayOfDays,
  yearOfDays,
} from "./civil-calendar.js";

const DAY_MS = 86_400_000;

describe("civil calendar", () => {
  it("numbers days from 1970-01-01 exactly like Date.UTC, for any day from 1600 to 2400", () => {
    fc.assert(
      fc.property(fc.integer({ min: -135_000, max: 157_000 }), (days) => {
        const date = new Date(days * DAY_MS);
        const civil = civilFromDays(days);
        expect(civil).toEqual({
          year: date.getUTCFullYear(),
          month: date.getUTCMonth() + 1,
          day: date.getUTCDate(),
        });
        expect(daysFromCivil(civil.year, civil.month, civil.day)).toBe(days);
        expect(yearOfDays(days)).toBe(civil.year);
        expect(weekdayOfDays(days)).toBe(date.getUTCDay());
      }),
      { seed: 1970, numRuns: 5000 },
    );
  });

  it("knows month lengths, including Gregorian leap years", () => {
    expect([daysInMonth(2024, 2), daysInMonth(2023, 2), daysInMonth(1900, 2), daysInMonth(2000, 2)]).toEqual([
      29, 28, 28, 29,
    ]);
    expect([daysInMonth(2024, 4), daysInMonth(2024, 12)]).toEqual([30, 31]);
  });

  it("finds the n-th and the last weekday of a month", () => {
    expect(civilFromDays(nthWeekdayOfMonth(2024, 3, 0, 2))).toEqual({ year: 2024, month: 3, day: 10 });
    expect(civilFromDays(nthWeekdayOfMonth(2024, 11, 4, 4))).toEqual({ year: 2024, month: 11, day: 28 });
    expect(civilFromDays(lastWeekdayOfMonth(2024, 5, 1))).toEqual({ year: 2024, month: 5, day: 27 });
    expect(civilFromDays(lastWeekdayOfMonth(2024, 10, 0))).toEqual({ year: 2024, month: 10, day: 27 });
  });
});
