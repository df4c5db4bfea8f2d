import { describe, expect, it } from "vitest";
import { parseSymbol } from "./instrument.js";
import { parseTimeframe, TIMEFRAME_LABELS } from "./timeframe.js";

describe("parseTimeframe", () => {
  it.each([
    ["1m", 60],
    ["5m", 300],
    ["15m", 900],
    ["30m", 1800],
    ["1h", 3600],
    ["2h", 7200],
    ["4h", 14_400],
    ["1d", 86_400],
    ["1w", 604_800],
  ])("parses %s as %i seconds", (label, seconds) => {
    expect(parseTimeframe(label).seconds).toBe(seconds);
  });

  it("accepts spelled-out aliases of a supported size", () => {
    expect(parseTimeframe("60min").label).toBe("1h");
    expect(parseTimeframe("1 day").label).toBe("1d");
  });

  it("rejects an unsupported size and lists the supported ones", () => {
    expect(() => parseTimeframe("7m")).toThrow(
      `bad timeframe "7m": use one of ${TIMEFRAME_LABELS.join(" ")}`,
    );
  });
});

describe("parseSymbol", () => {
  it("upper-cases and accepts share-class suffixes", () => {
    expect(parseSymbol(" spy ")).toBe("SPY");
    expect(parseSymbol("BRK.B")).toBe("BRK.B");
  });

  it.each(["", "1ABC", "TOOLONGSYM", "SP Y", "$SPY"])("rejects %j", (text) => {
    expect(() => parseSymbol(text)).toThrow(/bad symbol/);
  });
});
