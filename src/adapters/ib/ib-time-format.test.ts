import { describe, expect, it } from "vitest";
import { formatIbEndDateTime, parseIbBarTime } from "./ib-time-format.js";

describe("IB time formats", () => {
  it("formats an end time in UTC with IB's dash form", () => {
    expect(formatIbEndDateTime(Date.UTC(2024, 0, 2, 21, 0, 5))).toBe("20240102-21:00:05");
  });

  it("reads intraday bar times as epoch seconds of the bar start", () => {
    expect(parseIbBarTime("1704205800", 60)).toEqual({
      openTime: 1_704_205_800_000,
      closeTime: 1_704_205_860_000,
    });
  });

  it("reads a day bar as that day's regular session", () => {
    expect(parseIbBarTime("20240102", 86_400)).toEqual({
      openTime: Date.UTC(2024, 0, 2, 14, 30),
      closeTime: Date.UTC(2024, 0, 2, 21, 0),
    });
  });

  it("rejects text TWS would not send", () => {
    expect(parseIbBarTime("2024-01-02", 60)).toBeUndefined();
    expect(parseIbBarTime("finished", 60)).toBeUndefined();
  });
});
