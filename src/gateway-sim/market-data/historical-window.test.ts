import { describe, expect, it } from "vitest";
import { newYorkLocalToUtcMs } from "../../data/new-york-time.js";
import { historicalWindow, monthsBefore } from "./historical-window.js";

function newYork(month: number, day: number, hour: number, minute = 0): number {
  return newYorkLocalToUtcMs(2024, month, day, hour, minute, 0);
}

describe("historicalWindow", () => {
  it("reaches back N seconds for S", () => {
    const end = newYork(3, 5, 10);
    expect(historicalWindow({ amount: 60, unit: "S" }, end)).toEqual({
      fromMs: end - 60_000,
      endMs: end,
      reportedStartMs: end - 60_000,
    });
  });

  it("makes 1 D the latest session that has opened by the end", () => {
    expect(historicalWindow({ amount: 1, unit: "D" }, newYork(3, 5, 16)).fromMs).toBe(newYork(3, 5, 9, 30));
    expect(historicalWindow({ amount: 1, unit: "D" }, newYork(3, 5, 9)).fromMs).toBe(newYork(3, 4, 9, 30));
  });

  it("counts D in trading sessions but reports the start as the end less N calendar days", () => {
    // Monday 2024-03-04 16:00: five sessions back is Tuesday 2024-02-27 (no holiday in between).
    const end = newYork(3, 4, 16);
    const window = historicalWindow({ amount: 5, unit: "D" }, end);
    expect(window.fromMs).toBe(newYorkLocalToUtcMs(2024, 2, 27, 9, 30, 0));
    expect(window.reportedStartMs).toBe(end - 5 * 86_400_000);
  });

  it("skips exchange holidays when counting sessions", () => {
    // Tuesday 2024-01-16 after Martin Luther King Jr. Day: two sessions are the 16th and Friday the 12th.
    const end = newYorkLocalToUtcMs(2024, 1, 16, 16, 0, 0);
    expect(historicalWindow({ amount: 2, unit: "D" }, end).fromMs).toBe(
      newYorkLocalToUtcMs(2024, 1, 12, 9, 30, 0),
    );
  });

  it("reaches back calendar weeks, months and years", () => {
    const end = Date.UTC(2024, 2, 5, 21, 0, 0);
    expect(historicalWindow({ amount: 2, unit: "W" }, end).fromMs).toBe(Date.UTC(2024, 1, 20, 21, 0, 0));
    expect(historicalWindow({ amount: 1, unit: "M" }, end).fromMs).toBe(Date.UTC(2024, 1, 5, 21, 0, 0));
    expect(historicalWindow({ amount: 1, unit: "Y" }, end).fromMs).toBe(Date.UTC(2023, 2, 5, 21, 0, 0));
  });
});

describe("monthsBefore", () => {
  it("clamps the day to the shorter month and keeps the time of day", () => {
    expect(monthsBefore(Date.UTC(2024, 2, 31, 21, 0, 0), 1)).toBe(Date.UTC(2024, 1, 29, 21, 0, 0));
    expect(monthsBefore(Date.UTC(2024, 2, 31, 21, 0, 0), 13)).toBe(Date.UTC(2023, 1, 28, 21, 0, 0));
  });

  it("crosses year ends", () => {
    expect(monthsBefore(Date.UTC(2024, 0, 15), 6)).toBe(Date.UTC(2023, 6, 15));
  });
});
