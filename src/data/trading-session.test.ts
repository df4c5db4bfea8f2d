import { describe, expect, it } from "vitest";
import { InvariantError } from "../core/errors.js";
import { isTradingDay, nextSessionOpen, sessionOf } from "./trading-session.js";

/** Every NYSE weekday closure of a year as "MM-DD", found by walking the calendar. */
function closedWeekdays(year: number): string[] {
  const closed: string[] = [];
  for (let ms = Date.UTC(year, 0, 1); ms < Date.UTC(year + 1, 0, 1); ms += 86_400_000) {
    const date = new Date(ms);
    const weekday = date.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    if (!isTradingDay(year, date.getUTCMonth() + 1, date.getUTCDate())) {
      closed.push(date.toISOString().slice(5, 10));
    }
  }
  return closed;
}

describe("isTradingDay", () => {
  it("closes on exactly NYSE's published 2024 holidays", () => {
    expect(closedWeekdays(2024)).toEqual([
      "01-01",
      "01-15",
      "02-19",
      "03-29",
      "05-27",
      "06-19",
      "07-04",
      "09-02",
      "11-28",
      "12-25",
    ]);
  });

  it("closes on exactly NYSE's 2025 holidays plus the Carter day of mourning", () => {
    expect(closedWeekdays(2025)).toEqual([
      "01-01",
      "01-09",
      "01-20",
      "02-17",
      "04-18",
      "05-26",
      "06-19",
      "07-04",
      "09-01",
      "11-27",
      "12-25",
    ]);
  });

  it("moves Sunday holidays to Monday and Saturday holidays to Friday", () => {
    expect(closedWeekdays(2022)).toEqual([
      "01-17",
      "02-21",
      "04-15",
      "05-30",
      "06-20",
      "07-04",
      "09-05",
      "11-24",
      "12-26",
    ]);
    expect(isTradingDay(2020, 7, 3)).toBe(false);
    expect(isTradingDay(2023, 1, 2)).toBe(false);
  });

  it("keeps the Friday before a Saturday New Year's Day open", () => {
    expect(isTradingDay(2021, 12, 31)).toBe(true);
    expect(isTradingDay(2010, 12, 31)).toBe(true);
  });

  it("observes Juneteenth only from 2022 and Martin Luther King Day only from 1998", () => {
    expect(isTradingDay(2021, 6, 18)).toBe(true);
    expect(isTradingDay(2023, 6, 19)).toBe(false);
    expect(isTradingDay(1997, 1, 20)).toBe(true);
    expect(isTradingDay(1998, 1, 19)).toBe(false);
  });

  it("finds Good Friday from the Easter computus", () => {
    expect([isTradingDay(2000, 4, 21), isTradingDay(2019, 4, 19), isTradingDay(2038, 4, 23)]).toEqual([
      false,
      false,
      false,
    ]);
    expect(isTradingDay(2024, 3, 28)).toBe(true);
  });

  it("closes on weekends and on unscheduled closures such as September 11-14, 2001", () => {
    expect(isTradingDay(2024, 1, 6)).toBe(false);
    expect(isTradingDay(2024, 1, 7)).toBe(false);
    expect([11, 12, 13, 14, 17].map((day) => isTradingDay(2001, 9, day))).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(isTradingDay(2012, 10, 29)).toBe(false);
  });
});

describe("sessionOf", () => {
  it("gives 09:30-16:00 New York as UTC, in winter and in summer", () => {
    expect(sessionOf(Date.UTC(2024, 0, 2, 12))).toEqual({
      openMs: Date.UTC(2024, 0, 2, 14, 30),
      closeMs: Date.UTC(2024, 0, 2, 21),
    });
    expect(sessionOf(Date.UTC(2024, 6, 1, 19))).toEqual({
      openMs: Date.UTC(2024, 6, 1, 13, 30),
      closeMs: Date.UTC(2024, 6, 1, 20),
    });
  });

  it("uses the New York calendar day, so 02:00 UTC belongs to the previous day's session", () => {
    expect(sessionOf(Date.UTC(2024, 0, 3, 2))?.openMs).toBe(Date.UTC(2024, 0, 2, 14, 30));
  });

  it("is undefined on weekends and holidays", () => {
    expect(sessionOf(Date.UTC(2024, 0, 6, 15))).toBeUndefined();
    expect(sessionOf(Date.UTC(2024, 11, 25, 15))).toBeUndefined();
  });

  it("reports the full 16:00 close on an early-close day (early closes are not modelled)", () => {
    expect(sessionOf(Date.UTC(2024, 10, 29, 15))?.closeMs).toBe(Date.UTC(2024, 10, 29, 21));
  });
});

describe("nextSessionOpen", () => {
  it("skips the weekend and Good Friday", () => {
    expect(nextSessionOpen(Date.UTC(2024, 2, 28, 21))).toBe(Date.UTC(2024, 3, 1, 13, 30));
  });

  it("returns today's open before it and the instant itself exactly at it", () => {
    expect(nextSessionOpen(Date.UTC(2024, 0, 2, 5))).toBe(Date.UTC(2024, 0, 2, 14, 30));
    expect(nextSessionOpen(Date.UTC(2024, 0, 2, 14, 30))).toBe(Date.UTC(2024, 0, 2, 14, 30));
  });

  it("returns the next day's open during a session", () => {
    expect(nextSessionOpen(Date.UTC(2024, 0, 2, 15))).toBe(Date.UTC(2024, 0, 3, 14, 30));
  });

  it("crosses the spring-forward weekend to a 13:30 UTC open", () => {
    expect(nextSessionOpen(Date.UTC(2024, 2, 8, 22))).toBe(Date.UTC(2024, 2, 11, 13, 30));
  });

  it("rejects a non-finite instant", () => {
    expect(() => nextSessionOpen(Number.NaN)).toThrow(InvariantError);
  });
});
