import { describe, expect, it } from "vitest";
import { parseTimeframe } from "../model/timeframe.js";
import { regularSessionRanges, warmupStartMs } from "./live-session-ranges.js";

/** New York 09:30 and 16:00 on 2024-01-02 (Tuesday) … 2024-01-08 (Monday), EST (UTC−5). */
function open(day: number): number {
  return Date.UTC(2024, 0, day, 14, 30);
}
function close(day: number): number {
  return Date.UTC(2024, 0, day, 21, 0);
}

describe("regularSessionRanges", () => {
  it("keeps only the session parts of a gap over a night", () => {
    expect(regularSessionRanges(close(2) - 600_000, open(3) + 5000)).toEqual([
      { fromMs: close(2) - 600_000, toMs: close(2) },
      { fromMs: open(3), toMs: open(3) + 5000 },
    ]);
  });

  it("is empty for a gap over a weekend, or an empty gap", () => {
    expect(regularSessionRanges(close(5), open(8))).toEqual([]);
    expect(regularSessionRanges(open(3) + 5000, open(3) + 5000)).toEqual([]);
  });
});

describe("warmupStartMs", () => {
  it("reaches back within today's session when it holds enough bars", () => {
    expect(warmupStartMs(open(3) + 60 * 60_000, parseTimeframe("1m"), 50)).toBe(open(3));
  });

  it("walks back over the weekend to earlier sessions", () => {
    // Monday 10:30: one 1h bar today, seven a day (the last one 15:30–16:00) on Friday and Thursday.
    expect(warmupStartMs(open(8) + 60 * 60_000, parseTimeframe("1h"), 8)).toBe(open(5));
    expect(warmupStartMs(open(8) + 60 * 60_000, parseTimeframe("1h"), 9)).toBe(open(4));
  });

  it("asks for nothing when no bars are wanted", () => {
    expect(warmupStartMs(open(3), parseTimeframe("1m"), 0)).toBe(open(3));
  });
});
