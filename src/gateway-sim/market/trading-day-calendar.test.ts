import { describe, expect, it } from "vitest";
import { daysFromCivil } from "../../data/civil-calendar.js";
import {
  ANCHOR_DAY,
  CALENDAR_LAST_DAY,
  latestTradingIndex,
  tradingDayNumber,
  tradingIndexOf,
  tradingIndexRange,
} from "./trading-day-calendar.js";

describe("trading-day calendar", () => {
  it("numbers 2025-01-02 as trading day 0 and counts on over the Carter closure of 2025-01-09", () => {
    expect(tradingIndexOf(ANCHOR_DAY)).toBe(0);
    expect(tradingIndexOf(daysFromCivil(2025, 1, 3))).toBe(1);
    expect(tradingIndexOf(daysFromCivil(2025, 1, 8))).toBe(4);
    expect(tradingIndexOf(daysFromCivil(2025, 1, 9))).toBeUndefined();
    expect(tradingIndexOf(daysFromCivil(2025, 1, 10))).toBe(5);
  });

  it("numbers days before the anchor negatively, skipping New Year's Day", () => {
    expect(tradingIndexOf(daysFromCivil(2024, 12, 31))).toBe(-1);
    expect(tradingIndexOf(daysFromCivil(2025, 1, 1))).toBeUndefined();
  });

  it("maps a weekend day to the Friday before as the latest trading day", () => {
    const friday = tradingIndexOf(daysFromCivil(2025, 3, 28));
    expect(latestTradingIndex(daysFromCivil(2025, 3, 29))).toBe(friday);
    expect(latestTradingIndex(daysFromCivil(2025, 3, 30))).toBe(friday);
  });

  it("round-trips indices and day numbers over the covered span and nothing beyond it", () => {
    const { first, last } = tradingIndexRange();
    expect(tradingIndexOf(tradingDayNumber(first) ?? Number.NaN)).toBe(first);
    expect(tradingIndexOf(tradingDayNumber(last) ?? Number.NaN)).toBe(last);
    expect(tradingDayNumber(last + 1)).toBeUndefined();
    expect(tradingIndexOf(CALENDAR_LAST_DAY + 3)).toBeUndefined();
    expect(latestTradingIndex(daysFromCivil(1979, 12, 31))).toBeUndefined();
  });
});
