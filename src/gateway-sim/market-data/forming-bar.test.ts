import { describe, expect, it } from "vitest";
import { newYorkLocalToUtcMs } from "../../data/new-york-time.js";
import { MarketModel } from "../market/market-model.js";
import { formingBar } from "./forming-bar.js";

const model = new MarketModel({ seed: 42 });

function newYork(hour: number, minute: number, second = 0): number {
  return newYorkLocalToUtcMs(2024, 3, 5, hour, minute, second);
}

describe("formingBar", () => {
  it("is the minute bar so far, folded from the 5-second bars that have ended", () => {
    const bar = formingBar(model, "AAPL", "1 min", "TRADES", newYork(10, 0, 20));
    const expected = model.bars("AAPL", {
      fromMs: newYork(10, 0),
      toMs: newYork(10, 0, 20),
      barSize: "1 min",
    });
    expect(expected).toHaveLength(1);
    expect(bar).toEqual(expected[0]);
  });

  it("is the day bar so far for daily bars", () => {
    const bar = formingBar(model, "MSFT", "1 day", "MIDPOINT", newYork(11, 0));
    const [expected] = model.bars("MSFT", {
      fromMs: newYork(9, 30),
      toMs: newYork(11, 0),
      barSize: "1 day",
      whatToShow: "MIDPOINT",
    });
    expect(bar).toEqual(expected);
    expect(bar?.timeMs).toBe(newYork(9, 30));
  });

  it("is the hour bar cut at the open", () => {
    expect(formingBar(model, "AAPL", "1 hour", "TRADES", newYork(9, 45))?.timeMs).toBe(newYork(9, 30));
    expect(formingBar(model, "AAPL", "1 hour", "TRADES", newYork(10, 45))?.timeMs).toBe(newYork(10, 0));
  });

  it("is undefined outside the session", () => {
    expect(formingBar(model, "AAPL", "1 min", "TRADES", newYork(9, 30))).toBeUndefined();
    expect(formingBar(model, "AAPL", "1 min", "TRADES", newYork(16, 0, 5))).toBeUndefined();
  });
});
