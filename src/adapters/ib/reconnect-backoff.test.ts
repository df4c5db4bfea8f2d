import { describe, expect, it } from "vitest";
import { Rng } from "../../core/rng.js";
import { reconnectDelayMs } from "./reconnect-backoff.js";

describe("reconnectDelayMs", () => {
  const settings = { initialDelayMs: 1_000, maxDelayMs: 60_000 };

  it("doubles per attempt, each delay between half and all of the exponential value", () => {
    const rng = new Rng(7);
    for (let attempt = 1; attempt <= 6; attempt++) {
      const base = 1_000 * 2 ** (attempt - 1);
      const delay = reconnectDelayMs(attempt, settings, rng);
      expect(delay).toBeGreaterThanOrEqual(base / 2);
      expect(delay).toBeLessThanOrEqual(base);
    }
  });

  it("never exceeds the cap, however many attempts failed", () => {
    const rng = new Rng(3);
    for (let attempt = 1; attempt <= 200; attempt++) {
      expect(reconnectDelayMs(attempt, settings, rng)).toBeLessThanOrEqual(60_000);
    }
  });

  it("spreads the delays of daemons that retry together (jitter)", () => {
    const delays = new Set([1, 2, 3, 4, 5].map((seed) => reconnectDelayMs(5, settings, new Rng(seed))));
    expect(delays.size).toBeGreaterThan(3);
  });
});
