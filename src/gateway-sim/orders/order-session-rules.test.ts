import { describe, expect, it } from "vitest";
import { dayOrderExpiry, isMarketOpen } from "./order-session-rules.js";

// 2024-01-02 (Tuesday) is an NYSE trading day: regular session 14:30–21:00 UTC.
const TUESDAY_OPEN = Date.UTC(2024, 0, 2, 14, 30);
const TUESDAY_CLOSE = Date.UTC(2024, 0, 2, 21, 0);
const WEDNESDAY_CLOSE = Date.UTC(2024, 0, 3, 21, 0);

describe("order session rules", () => {
  it("counts the market open from the open (inclusive) to the close (exclusive)", () => {
    expect(isMarketOpen(TUESDAY_OPEN - 1)).toBe(false);
    expect(isMarketOpen(TUESDAY_OPEN)).toBe(true);
    expect(isMarketOpen(TUESDAY_CLOSE - 1)).toBe(true);
    expect(isMarketOpen(TUESDAY_CLOSE)).toBe(false);
  });

  it("expires a DAY order at the close of the session it works in", () => {
    expect(dayOrderExpiry(Date.UTC(2024, 0, 2, 9))).toBe(TUESDAY_CLOSE); // before the open
    expect(dayOrderExpiry(Date.UTC(2024, 0, 2, 16))).toBe(TUESDAY_CLOSE); // during the session
    expect(dayOrderExpiry(Date.UTC(2024, 0, 2, 22))).toBe(WEDNESDAY_CLOSE); // after the close
  });

  it("carries a DAY order placed on a weekend to Monday's close", () => {
    expect(dayOrderExpiry(Date.UTC(2024, 0, 6, 12))).toBe(Date.UTC(2024, 0, 8, 21, 0));
  });
});
