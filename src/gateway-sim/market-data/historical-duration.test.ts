import { describe, expect, it } from "vitest";
import { barSeconds, exceedsMaxDuration, parseDuration } from "./historical-duration.js";

describe("parseDuration", () => {
  it.each([
    ["60 S", { amount: 60, unit: "S" }],
    ["1 D", { amount: 1, unit: "D" }],
    ["52 W", { amount: 52, unit: "W" }],
    ["12 M", { amount: 12, unit: "M" }],
    ["68 Y", { amount: 68, unit: "Y" }],
  ])("reads %j", (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each(["", "1D", "0 D", "-1 D", "1.5 D", "1 d", "1 H", "1  D", "D 1"])("refuses %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("exceedsMaxDuration (IB's Max Duration Per Bar Size table)", () => {
  it("allows 2000 S of 1-second bars and refuses 2001 S or any day", () => {
    expect(exceedsMaxDuration({ amount: 2000, unit: "S" }, "1 secs")).toBe(false);
    expect(exceedsMaxDuration({ amount: 2001, unit: "S" }, "1 secs")).toBe(true);
    expect(exceedsMaxDuration({ amount: 1, unit: "D" }, "1 secs")).toBe(true);
  });

  it.each([
    ["S", 86_400],
    ["D", 365],
    ["W", 52],
    ["M", 12],
    ["Y", 68],
  ] as const)("allows %s up to %i for 5-second to monthly bars", (unit, max) => {
    for (const barSize of ["5 secs", "1 min", "1 hour", "1 day", "1 month"] as const) {
      expect(exceedsMaxDuration({ amount: max, unit }, barSize)).toBe(false);
      expect(exceedsMaxDuration({ amount: max + 1, unit }, barSize)).toBe(true);
    }
  });
});

describe("barSeconds", () => {
  it("gives the length the pacing rules compare with 30 s", () => {
    expect(barSeconds("30 secs")).toBe(30);
    expect(barSeconds("1 min")).toBe(60);
    expect(barSeconds("1 day")).toBe(86_400);
  });
});
