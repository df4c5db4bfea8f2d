import { Rng, deriveSeed } from "../../core/rng.js";
import type { SimInstrument } from "./sim-instrument.js";

/** Synthetic instruments take conIds above this base, clear of IB's (below 1e9 so far) and within a 32-bit int as official clients read it. */
export const SYNTHETIC_CON_ID_BASE = 2_000_000_000;

/** The largest number of synthetic instruments: `SIM999` is the last six-character symbol. */
export const MAX_SYNTHETIC_INSTRUMENTS = 999;

/** Builds `count` synthetic US stocks `SIM001`, `SIM002`, … whose conId, price, volatility, volume and listing depend only on their number. */
export function syntheticInstruments(count: number): readonly SimInstrument[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_SYNTHETIC_INSTRUMENTS) {
    throw new RangeError(
      `synthetic instrument count ${count} is not a whole number in 0…${MAX_SYNTHETIC_INSTRUMENTS}`,
    );
  }
  const instruments: SimInstrument[] = [];
  for (let number = 1; number <= count; number++) {
    const symbol = `SIM${String(number).padStart(3, "0")}`;
    const rng = new Rng(deriveSeed(0, symbol));
    instruments.push(
      Object.freeze({
        symbol,
        conId: SYNTHETIC_CON_ID_BASE + number,
        secType: "STK" as const,
        currency: "USD" as const,
        primaryExchange: number % 2 === 0 ? ("NYSE" as const) : ("NASDAQ" as const),
        longName: `SIMULATED INSTRUMENT ${number}`,
        industry: "Simulated",
        category: "Simulated",
        subcategory: "Simulated",
        stockType: "COMMON" as const,
        // Log-uniform prices 10…500, volatilities 15…60 %, volumes 0.5…20 million shares a day.
        startPrice: Math.round(10 * 50 ** rng.next() * 100) / 100,
        annualVolatility: Math.round((0.15 + 0.45 * rng.next()) * 100) / 100,
        averageDailyVolume: Math.round(500_000 * 40 ** rng.next()),
      }),
    );
  }
  return Object.freeze(instruments);
}
