import { describe, expect, it } from "vitest";
import { parseEndDateTime } from "./historical-end-time.js";

const NOW = Date.UTC(2024, 2, 5, 15, 0, 0);

describe("parseEndDateTime", () => {
  it("reads an empty end as now", () => {
    expect(parseEndDateTime("", NOW)).toBe(NOW);
  });

  it("reads a time without a zone in the simulated TWS's zone, UTC", () => {
    expect(parseEndDateTime("20240305 16:00:00", NOW)).toBe(Date.UTC(2024, 2, 5, 16, 0, 0));
  });

  it("reads yyyyMMdd-HH:mm:ss as UTC", () => {
    expect(parseEndDateTime("20240305-21:00:00", NOW)).toBe(Date.UTC(2024, 2, 5, 21, 0, 0));
  });

  it.each([
    ["20240305 16:00:00 US/Eastern", Date.UTC(2024, 2, 5, 21, 0, 0)],
    ["20240705 16:00:00 America/New_York", Date.UTC(2024, 6, 5, 20, 0, 0)],
    ["20240305 16:00:00 UTC", Date.UTC(2024, 2, 5, 16, 0, 0)],
    ["20240305 16:00:00 GMT", Date.UTC(2024, 2, 5, 16, 0, 0)],
    ["20240705 16:00:00 Europe/London", Date.UTC(2024, 6, 5, 15, 0, 0)],
    ["20240305 16:00:00 Asia/Tokyo", Date.UTC(2024, 2, 5, 7, 0, 0)],
  ])("reads %j", (text, expected) => {
    expect(parseEndDateTime(text, NOW)).toBe(expected);
  });

  it.each([
    "2024-03-05 16:00:00",
    "20240305",
    "20240305 25:00:00",
    "20240230 10:00:00",
    "20240305 16:00:00 EDT",
    "20240305 16:00:00 Mars/Olympus",
    "20240305-16:00:00 UTC",
  ])("refuses %j, as TWS does", (text) => {
    expect(parseEndDateTime(text, NOW)).toBeUndefined();
  });
});
