import { describe, expect, it } from "vitest";
import { UsageError } from "../core/errors.js";
import type { Bar } from "../model/bar.js";
import { validateBar } from "./bar-validation.js";
import { newYorkDateOf } from "./new-york-time.js";
import { generateSyntheticBars, type SyntheticBarOptions } from "./synthetic-bar-source.js";
import { sessionOf } from "./trading-session.js";

const OPTIONS: SyntheticBarOptions = {
  symbols: ["SPY", "QQQ"],
  seed: 42,
  startMs: Date.UTC(2024, 2, 27),
  count: 3000,
};

function generate(overrides: Partial<SyntheticBarOptions> = {}): Bar[] {
  return [...generateSyntheticBars({ ...OPTIONS, ...overrides })];
}

describe("generateSyntheticBars", () => {
  it("gives identical bars for the same seed and different ones for another seed", () => {
    expect(generate()).toEqual(generate());
    expect(generate({ seed: 43 }).map((bar) => bar.close)).not.toEqual(generate().map((bar) => bar.close));
  });

  it("gives a symbol the same bars whatever other symbols are generated with it", () => {
    const alone = generate({ symbols: ["QQQ"] });
    const together = generate().filter((bar) => bar.symbol === "QQQ");
    expect(together).toEqual(alone);
  });

  it("generates count bars per symbol, interleaved minute by minute in symbol order", () => {
    const bars = generate();
    expect(bars).toHaveLength(6000);
    expect(bars.slice(0, 4).map((bar) => [bar.symbol, bar.openTime])).toEqual([
      ["SPY", Date.UTC(2024, 2, 27, 13, 30)],
      ["QQQ", Date.UTC(2024, 2, 27, 13, 30)],
      ["SPY", Date.UTC(2024, 2, 27, 13, 31)],
      ["QQQ", Date.UTC(2024, 2, 27, 13, 31)],
    ]);
  });

  it("produces only whole one-minute bars inside regular sessions: no weekend or holiday bars", () => {
    const bars = generate();
    const problems = bars.filter((bar) => {
      const session = sessionOf(bar.openTime);
      const weekday = newYorkDateOf(bar.openTime).weekday;
      return (
        session === undefined ||
        bar.openTime < session.openMs ||
        bar.closeTime > session.closeMs ||
        bar.closeTime - bar.openTime !== 60_000 ||
        (bar.openTime - session.openMs) % 60_000 !== 0 ||
        weekday === 0 ||
        weekday === 6
      );
    });
    expect(problems).toEqual([]);
    // 3000 minutes from Wednesday 2024-03-27 cover Thursday, skip Good Friday and the weekend, resume Monday.
    const days = new Set(bars.map((bar) => new Date(bar.openTime).toISOString().slice(0, 10)));
    expect([...days]).toEqual([
      "2024-03-27",
      "2024-03-28",
      "2024-04-01",
      "2024-04-02",
      "2024-04-03",
      "2024-04-04",
      "2024-04-05",
      "2024-04-08",
    ]);
  });

  it("produces valid bars: positive cent prices, high and low containing open and close, whole volumes", () => {
    const previous = new Map<string, Bar>();
    const problems: string[] = [];
    for (const bar of generate({ annualVolatility: 0.8, count: 20_000 })) {
      const reason = validateBar(bar, previous.get(bar.symbol));
      if (reason !== undefined) problems.push(reason);
      for (const price of [bar.open, bar.high, bar.low, bar.close]) {
        if (!(price > 0) || Math.round(price * 100) / 100 !== price) problems.push(`price ${price}`);
      }
      if (!Number.isInteger(bar.volume)) problems.push(`volume ${bar.volume}`);
      previous.set(bar.symbol, bar);
    }
    expect(problems).toEqual([]);
  });

  it("opens each minute at the previous close within a session and moves the price", () => {
    const bars = generate({ symbols: ["SPY"], count: 390 });
    for (let index = 1; index < bars.length; index++) {
      expect(bars[index]?.open).toBe(bars[index - 1]?.close);
    }
    expect(new Set(bars.map((bar) => bar.close)).size).toBeGreaterThan(20);
    expect(bars.some((bar) => bar.high > Math.max(bar.open, bar.close))).toBe(true);
  });

  it("starts at the first session minute at or after startMs", () => {
    const bars = generate({ symbols: ["SPY"], startMs: Date.UTC(2024, 2, 27, 15, 0, 30), count: 2 });
    expect(bars.map((bar) => bar.openTime)).toEqual([
      Date.UTC(2024, 2, 27, 15, 1),
      Date.UTC(2024, 2, 27, 15, 2),
    ]);
    const afterClose = generate({ symbols: ["SPY"], startMs: Date.UTC(2024, 2, 28, 21), count: 1 });
    expect(afterClose[0]?.openTime).toBe(Date.UTC(2024, 3, 1, 13, 30));
  });

  it("starts at startPrice and averages about meanVolume", () => {
    const bars = generate({ symbols: ["SPY"], startPrice: 50, meanVolume: 2000, count: 3900 });
    expect(bars[0]?.open).toBe(50);
    const meanVolume = bars.reduce((sum, bar) => sum + bar.volume, 0) / bars.length;
    expect(meanVolume).toBeGreaterThan(1800);
    expect(meanVolume).toBeLessThan(2200);
  });

  it("rejects bad options with a UsageError listing every problem", () => {
    expect(() => generateSyntheticBars({ ...OPTIONS, symbols: [], count: -1 })).toThrow(
      new UsageError("bad synthetic bar options: symbols is empty; count -1 is not a whole number >= 0"),
    );
    expect(() => generateSyntheticBars({ ...OPTIONS, startPrice: 0 })).toThrow(UsageError);
  });
});
