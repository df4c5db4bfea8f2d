import { describe, expect, it } from "vitest";
import { deriveSeed, Rng } from "./rng.js";

describe("Rng", () => {
  it("repeats the same sequence for the same seed", () => {
    const first = new Rng(7);
    const second = new Rng(7);
    const a = Array.from({ length: 5 }, () => first.next());
    const b = Array.from({ length: 5 }, () => second.next());
    expect(a).toEqual(b);
  });

  it("gives different sequences for different seeds", () => {
    expect(new Rng(1).next()).not.toBe(new Rng(2).next());
  });

  it("stays within [0, 1) and has a mean near one half", () => {
    const rng = new Rng(42);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const value = rng.next();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      sum += value;
    }
    expect(sum / 10_000).toBeCloseTo(0.5, 1);
  });

  it("derives distinct stable seeds per label", () => {
    expect(deriveSeed(1, "SPY")).toBe(deriveSeed(1, "SPY"));
    expect(deriveSeed(1, "SPY")).not.toBe(deriveSeed(1, "AAPL"));
  });
});
