import { describe, expect, it } from "vitest";
import { BAR_SIZES, barSpanOf, parseBarSize } from "./bar-size.js";

describe("parseBarSize", () => {
  it("reads every IB bar size in its own spelling", () => {
    expect(BAR_SIZES.map((size) => parseBarSize(size))).toEqual([...BAR_SIZES]);
  });

  it("tolerates case, spacing, plural slips and TWS's short forms", () => {
    expect(parseBarSize(" 1  MIN ")).toBe("1 min");
    expect(parseBarSize("1 sec")).toBe("1 secs");
    expect(parseBarSize("2 min")).toBe("2 mins");
    expect(parseBarSize("1 hours")).toBe("1 hour");
    expect(parseBarSize("1W")).toBe("1 week");
    expect(parseBarSize("1M")).toBe("1 month");
    expect(parseBarSize("1 D")).toBe("1 day");
  });

  it("rejects sizes IB does not offer", () => {
    expect(parseBarSize("7 mins")).toBeUndefined();
    expect(parseBarSize("2 days")).toBeUndefined();
    expect(parseBarSize("fast")).toBeUndefined();
  });
});

describe("barSpanOf", () => {
  it("gives intraday sizes in seconds and longer sizes as session groups", () => {
    expect(barSpanOf("1 secs")).toEqual({ kind: "seconds", seconds: 1 });
    expect(barSpanOf("20 mins")).toEqual({ kind: "seconds", seconds: 1200 });
    expect(barSpanOf("8 hours")).toEqual({ kind: "seconds", seconds: 28_800 });
    expect(barSpanOf("1 week")).toEqual({ kind: "week" });
  });

  it("cuts every intraday size evenly into a day, so buckets align to New York clock time", () => {
    for (const size of BAR_SIZES) {
      const span = barSpanOf(size);
      if (span.kind === "seconds") expect(86_400 % span.seconds).toBe(0);
    }
  });
});
