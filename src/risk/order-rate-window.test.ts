import { describe, expect, it } from "vitest";
import { OrderRateWindow } from "./order-rate-window.js";

describe("OrderRateWindow", () => {
  it("counts an order until exactly 60 s after it was sent", () => {
    const window = new OrderRateWindow();
    window.record(1_000);

    expect(window.countAt(60_999)).toBe(1);
    expect(window.countAt(61_000)).toBe(0);
  });

  it("slides: older orders leave the window one by one", () => {
    const window = new OrderRateWindow();
    window.record(0);
    window.record(30_000);
    window.record(45_000);

    expect(window.countAt(59_999)).toBe(3);
    expect(window.countAt(60_000)).toBe(2);
    expect(window.countAt(90_000)).toBe(1);
    expect(window.countAt(105_000)).toBe(0);
  });
});
