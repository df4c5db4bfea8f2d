import { describe, expect, it } from "vitest";
import { newYorkLocalToUtcMs } from "../../data/new-york-time.js";
import { formatBarDate, formatTwsDateTime } from "./historical-bar-dates.js";

const OPEN = newYorkLocalToUtcMs(2024, 3, 5, 9, 30, 0);

describe("formatBarDate", () => {
  it("writes intraday bars as yyyyMMdd HH:mm:ss in TWS's zone for formatDate 1", () => {
    expect(formatBarDate(OPEN, "1 min", 1)).toBe("20240305 14:30:00 UTC");
  });

  it("writes epoch seconds for formatDate 2", () => {
    expect(formatBarDate(OPEN, "5 secs", 2)).toBe(String(OPEN / 1000));
  });

  it("writes MMdd HH:mm:ss zone for formatDate 3", () => {
    expect(formatBarDate(OPEN, "1 hour", 3)).toBe("0305 14:30:00 UTC");
  });

  it.each([1, 2, 3])(
    "always writes day, week and month bars as the trading day yyyyMMdd (formatDate %i)",
    (format) => {
      expect(formatBarDate(OPEN, "1 day", format)).toBe("20240305");
      expect(formatBarDate(OPEN, "1 week", format)).toBe("20240305");
      expect(formatBarDate(OPEN, "1 month", format)).toBe("20240305");
    },
  );
});

describe("formatTwsDateTime", () => {
  it("pads every part", () => {
    expect(formatTwsDateTime(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe("20240102 03:04:05 UTC");
  });
});
