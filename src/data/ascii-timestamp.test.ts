import { describe, expect, it } from "vitest";
import { AsciiTimestampParser, type NaiveTimeZone } from "./ascii-timestamp.js";

function parse(date: string, time?: string, timeZone: NaiveTimeZone = "UTC"): number {
  const parser = new AsciiTimestampParser(timeZone);
  const bytes = Buffer.from(`${date},${time ?? ""}`, "latin1");
  const timeStart = time === undefined ? -1 : date.length + 1;
  return parser.parse(bytes, 0, date.length, timeStart, time === undefined ? -1 : bytes.length);
}

describe("AsciiTimestampParser", () => {
  it("reads date-only fields as midnight in the zone", () => {
    expect(parse("2024-01-02")).toBe(Date.UTC(2024, 0, 2));
    expect(parse("20240102")).toBe(Date.UTC(2024, 0, 2));
    expect(parse("2024-01-02", undefined, "America/New_York")).toBe(Date.UTC(2024, 0, 2, 5));
    expect(parse("2024-07-01", undefined, "America/New_York")).toBe(Date.UTC(2024, 6, 1, 4));
  });

  it("reads ISO date-times with Z, with offsets, and naive ones in the zone", () => {
    expect(parse("2024-01-02T09:30:00Z")).toBe(Date.UTC(2024, 0, 2, 9, 30));
    expect(parse("2024-01-02T09:30:00-05:00")).toBe(Date.UTC(2024, 0, 2, 14, 30));
    expect(parse("2024-01-02T09:30+0100")).toBe(Date.UTC(2024, 0, 2, 8, 30));
    expect(parse("2024-01-02T09:30:00+01")).toBe(Date.UTC(2024, 0, 2, 8, 30));
    expect(parse("2024-01-02T09:30:00")).toBe(Date.UTC(2024, 0, 2, 9, 30));
    expect(parse("2024-01-02T09:30:00", undefined, "America/New_York")).toBe(Date.UTC(2024, 0, 2, 14, 30));
    expect(parse("2024-01-02T09:30:00Z", undefined, "America/New_York")).toBe(Date.UTC(2024, 0, 2, 9, 30));
    expect(parse("2024-01-02T09:30:00.250Z")).toBe(Date.UTC(2024, 0, 2, 9, 30, 0, 250));
  });

  it("reads space-separated date-times with or without seconds", () => {
    expect(parse("2024-01-02 09:30")).toBe(Date.UTC(2024, 0, 2, 9, 30));
    expect(parse("2024-07-01 09:30:15", undefined, "America/New_York")).toBe(
      Date.UTC(2024, 6, 1, 13, 30, 15),
    );
  });

  it("reads epoch seconds (10 digits) and milliseconds (13 digits)", () => {
    expect(parse("1704205800")).toBe(Date.UTC(2024, 0, 2, 14, 30));
    expect(parse("1704205800123")).toBe(Date.UTC(2024, 0, 2, 14, 30, 0, 123));
    expect(parse("1704205800", undefined, "America/New_York")).toBe(Date.UTC(2024, 0, 2, 14, 30));
  });

  it("combines a separate time field with a date-only field", () => {
    expect(parse("2006-01-02", "09:05:00")).toBe(Date.UTC(2006, 0, 2, 9, 5));
    expect(parse("20060102", "9:05")).toBe(Date.UTC(2006, 0, 2, 9, 5));
    expect(parse("2024-07-01", "09:30:00", "America/New_York")).toBe(Date.UTC(2024, 6, 1, 13, 30));
  });

  it("resolves naive New York times on DST transition days", () => {
    expect(parse("2024-03-10 01:59", undefined, "America/New_York")).toBe(Date.UTC(2024, 2, 10, 6, 59));
    expect(parse("2024-03-10 03:00", undefined, "America/New_York")).toBe(Date.UTC(2024, 2, 10, 7));
    expect(parse("2024-11-03 01:30", undefined, "America/New_York")).toBe(Date.UTC(2024, 10, 3, 5, 30));
    expect(parse("2024-11-03 09:30", undefined, "America/New_York")).toBe(Date.UTC(2024, 10, 3, 14, 30));
  });

  it("reports whether the timestamp had a time of day", () => {
    const parser = new AsciiTimestampParser("UTC");
    const bytes = Buffer.from("2024-01-02T09:30Z,2024-01-02", "latin1");
    parser.parse(bytes, 0, 17, -1, -1);
    expect(parser.hadTimeOfDay).toBe(true);
    parser.parse(bytes, 18, 28, -1, -1);
    expect(parser.hadTimeOfDay).toBe(false);
  });

  it("returns NaN for impossible or malformed dates and times", () => {
    for (const text of [
      "",
      "2024-13-01",
      "2024-02-30",
      "2023-02-29",
      "20241301",
      "2024/01/02",
      "2024-01-02T24:00",
      "2024-01-02T09:60",
      "2024-01-02T09:30:61",
      "2024-01-02T09",
      "2024-01-02T09:30:00X",
      "2024-01-02T09:30:00+25:00",
      "2024-01-02X09:30",
      "170420580",
      "17042058001",
      "abc",
    ]) {
      expect(parse(text), text).toBeNaN();
    }
    expect(parse("2024-01-02T09:30", "09:30")).toBeNaN();
    expect(parse("1704205800", "09:30")).toBeNaN();
    expect(parse("2024-01-02", "9.30")).toBeNaN();
  });
});
