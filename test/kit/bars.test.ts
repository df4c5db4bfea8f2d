import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { aBar, aCsvFile, barsFromCloses, SESSION_OPEN_2024_01_02 } from "./bars.js";

describe("test kit bars", () => {
  it("builds a default SPY one-minute bar at the 2024-01-02 open", () => {
    expect(aBar()).toEqual({
      symbol: "SPY",
      openTime: Date.UTC(2024, 0, 2, 14, 30),
      closeTime: Date.UTC(2024, 0, 2, 14, 31),
      open: 100,
      high: 100,
      low: 100,
      close: 100,
      volume: 1000,
    });
  });

  it("moves closeTime with an overridden openTime unless closeTime is overridden too", () => {
    expect(aBar({ openTime: 0 }).closeTime).toBe(60_000);
    expect(aBar({ openTime: 0, closeTime: 5 }).closeTime).toBe(5);
  });

  it("builds consecutive bars from closes, each opening at the previous close", () => {
    const bars = barsFromCloses("100 102 101", { symbol: "QQQ", barSeconds: 300 });
    expect(bars.map((bar) => [bar.symbol, bar.openTime, bar.open, bar.high, bar.low, bar.close])).toEqual([
      ["QQQ", SESSION_OPEN_2024_01_02, 100, 100, 100, 100],
      ["QQQ", SESSION_OPEN_2024_01_02 + 300_000, 100, 102, 100, 102],
      ["QQQ", SESSION_OPEN_2024_01_02 + 600_000, 102, 102, 101, 101],
    ]);
  });

  it("writes a CSV file with a default header", () => {
    expect(readFileSync(aCsvFile(["2024-01-02,1,1,1,1,0"]), "utf8")).toBe(
      "Date,Open,High,Low,Close,Volume\n2024-01-02,1,1,1,1,0\n",
    );
  });
});
