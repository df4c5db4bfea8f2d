import { describe, expect, it } from "vitest";
import {
  formatAccountUpdateTime,
  formatCompletedTime,
  formatExecutionTime,
  parseExecutionFilterTime,
  startOfDayMs,
} from "./tws-time.js";

const AT = Date.UTC(2024, 0, 2, 15, 4, 5, 678);

describe("TWS time texts", () => {
  it("formats execution times with two spaces between date and time, as real TWS does", () => {
    expect(formatExecutionTime(AT)).toBe("20240102  15:04:05");
  });

  it("formats completed-order times with their zone and account update times as HH:mm", () => {
    expect(formatCompletedTime(AT)).toBe("20240102 15:04:05 UTC");
    expect(formatAccountUpdateTime(AT)).toBe("15:04");
  });

  it("starts the day at midnight of the simulator's time zone (UTC)", () => {
    expect(startOfDayMs(AT)).toBe(Date.UTC(2024, 0, 2));
  });

  it.each([
    ["20240102-15:04:05", Date.UTC(2024, 0, 2, 15, 4, 5)],
    ["20240102-15:04", Date.UTC(2024, 0, 2, 15, 4, 0)],
    ["20240102 15:04:05", Date.UTC(2024, 0, 2, 15, 4, 5)],
    ["20240102 15:04:05 UTC", Date.UTC(2024, 0, 2, 15, 4, 5)],
    ["20240102 10:04:05 US/Eastern", Date.UTC(2024, 0, 2, 15, 4, 5)],
    ["20240702 11:04:05 America/New_York", Date.UTC(2024, 6, 2, 15, 4, 5)],
  ])("reads the execution filter time %s", (text, expected) => {
    expect(parseExecutionFilterTime(text)).toBe(expected);
  });

  it.each(["", "  ", "yesterday", "20240102 15:04:05 Europe/Paris"])("reads %j as no time", (text) => {
    expect(parseExecutionFilterTime(text)).toBeUndefined();
  });
});
