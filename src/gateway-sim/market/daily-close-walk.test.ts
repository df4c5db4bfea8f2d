import { describe, expect, it } from "vitest";
import { DailyCloseWalk } from "./daily-close-walk.js";

describe("DailyCloseWalk", () => {
  it("closes exactly at the start price on the anchor day", () => {
    expect(Math.exp(new DailyCloseWalk(7, "AAPL", 243, 0.28).logClose(0))).toBeCloseTo(243, 9);
  });

  it("gives the same closes whichever order the days are asked in", () => {
    const forwards = new DailyCloseWalk(7, "AAPL", 243, 0.28);
    const backwards = new DailyCloseWalk(7, "AAPL", 243, 0.28);
    const indices = [-300, -1, 1, 250];
    const early = indices.map((index) => forwards.logClose(index));
    const late = [...indices].reverse().map((index) => backwards.logClose(index));
    expect(late.reverse()).toEqual(early);
  });

  it("moves about the instrument's daily volatility from one close to the next", () => {
    const walk = new DailyCloseWalk(7, "SPY", 585, 0.16);
    let sumOfSquares = 0;
    const days = 5_000;
    for (let index = 1; index <= days; index++) {
      sumOfSquares += (walk.logClose(index) - walk.logClose(index - 1)) ** 2;
    }
    expect(Math.sqrt(sumOfSquares / days) * Math.sqrt(252)).toBeCloseTo(0.16, 2);
  });

  it("keeps more than a century of closes within a factor of three of the start price", () => {
    const walk = new DailyCloseWalk(7, "SPY", 585, 0.16);
    const logStart = Math.log(585);
    let widest = 0;
    for (let index = -11_400; index <= 18_800; index++) {
      widest = Math.max(widest, Math.abs(walk.logClose(index) - logStart));
    }
    expect(Math.exp(widest)).toBeLessThan(3);
  });

  it("follows a different path for another seed or symbol", () => {
    const base = new DailyCloseWalk(7, "AAPL", 243, 0.28).logClose(10);
    expect(new DailyCloseWalk(8, "AAPL", 243, 0.28).logClose(10)).not.toBe(base);
    expect(new DailyCloseWalk(7, "MSFT", 243, 0.28).logClose(10)).not.toBe(base);
  });
});
