import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nextSessionOpen } from "../../data/trading-session.js";
import { BUILT_IN_INSTRUMENTS } from "./instrument-universe.js";
import type { BarSize } from "./bar-size.js";
import type { MarketBar } from "./market-bar.js";
import { MarketModel } from "./market-model.js";

const FAST_CHECK = { seed: 20_250_324, numRuns: 60 } as const;
const SYMBOLS = BUILT_IN_INSTRUMENTS.map((instrument) => instrument.symbol);
const FIRST_MS = Date.UTC(1985, 0, 1);
const LAST_MS = Date.UTC(2098, 11, 1);

const model = new MarketModel({ seed: 3 });

/** Any instant from 1985 to 2098; properties move it to the next session open. */
const anyInstant = fc.integer({ min: FIRST_MS, max: LAST_MS });

function isValidTradesBar(bar: MarketBar): boolean {
  return (
    bar.low > 0 &&
    bar.high >= Math.max(bar.open, bar.close) &&
    bar.low <= Math.min(bar.open, bar.close) &&
    bar.wap >= bar.low &&
    bar.wap <= bar.high &&
    bar.volume > 0 &&
    bar.count > 0
  );
}

describe("MarketModel properties", () => {
  it("makes every 5-second bar of any session from 1985 to 2098 a valid bar with cent prices", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SYMBOLS),
        anyInstant,
        fc.integer({ min: 0, max: 4_679 }),
        (symbol, at, index) => {
          const bar = model.fiveSecondBar(symbol, nextSessionOpen(at) + index * 5_000);
          expect(bar).toBeDefined();
          if (bar === undefined) return;
          expect(isValidTradesBar(bar)).toBe(true);
          for (const price of [bar.open, bar.high, bar.low, bar.close]) {
            expect(Math.round(price * 100) / 100).toBe(price);
          }
        },
      ),
      FAST_CHECK,
    );
  });

  it("makes every daily bar from 1985 to 2098 valid", () => {
    fc.assert(
      fc.property(fc.constantFrom(...SYMBOLS), anyInstant, (symbol, at) => {
        const openMs = nextSessionOpen(at);
        const bars = model.bars(symbol, { fromMs: openMs, toMs: openMs + 86_400_000, barSize: "1 day" });
        expect(bars).toHaveLength(1);
        expect(bars.every(isValidTradesBar)).toBe(true);
      }),
      FAST_CHECK,
    );
  });

  it("builds a 5-, 15-, 30-second or 1-, 5-, 30-minute bar for each bucket in the window, folded from its 5-second bars", () => {
    const sizes: readonly (readonly [BarSize, number])[] = [
      ["5 secs", 5],
      ["15 secs", 15],
      ["30 secs", 30],
      ["1 min", 60],
      ["5 mins", 300],
      ["30 mins", 1800],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...SYMBOLS),
        anyInstant,
        fc.constantFrom(...sizes),
        fc.integer({ min: 0, max: 23_000 }),
        fc.integer({ min: 1, max: 3_600 }),
        (symbol, at, [barSize, barSeconds], startSecond, lengthSeconds) => {
          const fromMs = nextSessionOpen(at) + startSecond * 1000;
          const toMs = fromMs + lengthSeconds * 1000;
          const bars = model.bars(symbol, { fromMs, toMs, barSize });
          const bucketMs = barSeconds * 1000;
          const expectedStarts: number[] = [];
          for (
            let startMs = Math.ceil(fromMs / bucketMs) * bucketMs;
            startMs + 5_000 <= toMs;
            startMs += bucketMs
          ) {
            if (model.fiveSecondBar(symbol, startMs) !== undefined) expectedStarts.push(startMs);
          }
          expect(bars.map((bar) => bar.timeMs)).toEqual(expectedStarts);
          for (const bar of bars) {
            const parts: MarketBar[] = [];
            const bucketEndMs = Math.min(toMs, bar.timeMs + bucketMs);
            for (let timeMs = bar.timeMs; timeMs + 5_000 <= bucketEndMs; timeMs += 5_000) {
              const part = model.fiveSecondBar(symbol, timeMs);
              if (part !== undefined) parts.push(part);
            }
            const volume = parts.reduce((sum, part) => sum + part.volume, 0);
            expect(bar).toEqual({
              timeMs: bar.timeMs,
              open: parts[0]?.open,
              high: Math.max(...parts.map((part) => part.high)),
              low: Math.min(...parts.map((part) => part.low)),
              close: parts[parts.length - 1]?.close,
              volume,
              wap:
                parts.reduce((sum, part) => sum + Math.round(part.wap * part.volume * 100), 0) /
                (100 * volume),
              count: parts.reduce((sum, part) => sum + part.count, 0),
            });
          }
        },
      ),
      { ...FAST_CHECK, numRuns: 40 },
    );
  });
});
