/**
 * Seeded synthetic one-minute bars for tests, demos and benchmarks: a geometric random walk per symbol
 * over the US regular sessions only (weekends and NYSE holidays skipped), with intraday highs and lows
 * from four sub-steps per minute, an overnight gap at each session open, a U-shaped intraday volume
 * profile, and prices rounded to cents. The same options always give identical bars.
 */
import { UsageError } from "../core/errors.js";
import { Rng, deriveSeed } from "../core/rng.js";
import type { Bar } from "../model/bar.js";
import { newYorkDayNumber } from "./new-york-time.js";
import { sessionOfDayNumber } from "./trading-session.js";

/** Options of {@link generateSyntheticBars}. */
export interface SyntheticBarOptions {
  /** Symbols to generate, each with its own random stream derived from `seed`. */
  readonly symbols: readonly string[];
  readonly seed: number;
  /** Bars start at the first session minute at or after this instant (UTC epoch ms). */
  readonly startMs: number;
  /** Bars per symbol. */
  readonly count: number;
  /** First open price of every symbol; default 100. */
  readonly startPrice?: number;
  /** Annualized volatility of log returns (252 sessions of 390 minutes); default 0.2. */
  readonly annualVolatility?: number;
  /** Annualized drift of prices; default 0. */
  readonly annualDrift?: number;
  /** Mean volume per bar; default 10,000. */
  readonly meanVolume?: number;
}

const MINUTE_MS = 60_000;
const MINUTES_PER_SESSION = 390;
const MINUTES_PER_YEAR = 252 * MINUTES_PER_SESSION;
const SUB_STEPS = 4;
/** The overnight gap has the variance of this many session minutes. */
const OVERNIGHT_VARIANCE_MINUTES = 78;

/** Rounds to cents, never below one cent (rounding is monotonic, so OHLC order survives it). */
function roundToCents(price: number): number {
  return Math.max(0.01, Math.round(price * 100) / 100);
}

/** One symbol's random walk state: its random stream and last price. */
class SymbolWalk {
  readonly symbol: string;
  price: number;
  private readonly rng: Rng;

  constructor(symbol: string, seed: number, startPrice: number) {
    this.symbol = symbol;
    this.rng = new Rng(deriveSeed(seed, symbol));
    this.price = startPrice;
  }

  uniform(): number {
    return this.rng.next();
  }

  normal(): number {
    return this.rng.normal();
  }
}

/**
 * `exp(x)` by its Taylor series to x⁵: one-minute sub-step log returns are ~1e-4, where this is exact
 * to double precision and much cheaper than `Math.exp`; even a sub-step of 0.1 (six sigma at the
 * maximum annual volatility of 10) errs by under 2e-9.
 */
function growthFactor(x: number): number {
  return 1 + x * (1 + (x / 2) * (1 + (x / 3) * (1 + (x / 4) * (1 + x / 5))));
}

function checkOptions(options: SyntheticBarOptions): void {
  const { symbols, seed, startMs, count } = options;
  const problems: string[] = [];
  if (symbols.length === 0) problems.push("symbols is empty");
  if (new Set(symbols).size !== symbols.length) problems.push(`symbols repeat: ${symbols.join(",")}`);
  if (!Number.isInteger(seed)) problems.push(`seed ${seed} is not an integer`);
  if (!Number.isFinite(startMs)) problems.push(`startMs ${startMs} is not a finite time`);
  if (!Number.isInteger(count) || count < 0) problems.push(`count ${count} is not a whole number >= 0`);
  const { startPrice = 100, annualVolatility = 0.2, annualDrift = 0, meanVolume = 10_000 } = options;
  if (!(startPrice > 0 && Number.isFinite(startPrice))) problems.push(`startPrice ${startPrice} is not > 0`);
  if (!(annualVolatility >= 0 && annualVolatility <= 10)) {
    problems.push(`annualVolatility ${annualVolatility} is not in [0, 10]`);
  }
  if (!(Math.abs(annualDrift) <= 10)) problems.push(`annualDrift ${annualDrift} is not in [-10, 10]`);
  if (!(meanVolume >= 0 && Number.isFinite(meanVolume)))
    problems.push(`meanVolume ${meanVolume} is not >= 0`);
  if (problems.length > 0) throw new UsageError(`bad synthetic bar options: ${problems.join("; ")}`);
}

function* generate(options: SyntheticBarOptions): Generator<Bar, void, undefined> {
  const { symbols, seed, startMs, count } = options;
  const { startPrice = 100, annualVolatility = 0.2, annualDrift = 0, meanVolume = 10_000 } = options;
  const walks = symbols.map((symbol) => new SymbolWalk(symbol, seed, startPrice));
  const minuteSigma = annualVolatility / Math.sqrt(MINUTES_PER_YEAR);
  const subSigma = minuteSigma / Math.sqrt(SUB_STEPS);
  const subDrift = (annualDrift / MINUTES_PER_YEAR - (minuteSigma * minuteSigma) / 2) / SUB_STEPS;
  const gapSigma = minuteSigma * Math.sqrt(OVERNIGHT_VARIANCE_MINUTES);
  const gapDrift = (-gapSigma * gapSigma) / 2;
  let produced = 0;
  for (let dayNumber = newYorkDayNumber(startMs); produced < count; dayNumber++) {
    const session = sessionOfDayNumber(dayNumber);
    if (session === undefined) continue;
    const { openMs, closeMs } = session;
    let time = openMs;
    if (startMs > time) time += Math.ceil((startMs - time) / MINUTE_MS) * MINUTE_MS;
    for (; time < closeMs && produced < count; time += MINUTE_MS) {
      const minuteOfSession = (time - openMs) / MINUTE_MS;
      const fromMiddle = (minuteOfSession - MINUTES_PER_SESSION / 2) / (MINUTES_PER_SESSION / 2);
      // U-shaped profile averaging 1 over the session: busy at the open and the close.
      const volumeScale = meanVolume * (0.6 + 1.2 * fromMiddle * fromMiddle);
      const gapToday = time === openMs && produced > 0;
      for (const walk of walks) {
        let price = walk.price;
        if (gapToday) price *= Math.exp(gapDrift + gapSigma * walk.normal());
        const open = price;
        let high = price;
        let low = price;
        for (let step = 0; step < SUB_STEPS; step++) {
          price *= growthFactor(subDrift + subSigma * walk.normal());
          if (price > high) high = price;
          if (price < low) low = price;
        }
        walk.price = price;
        // Same field order as makeBar, so every bar shares one hidden class; not frozen (too slow here).
        yield {
          symbol: walk.symbol,
          openTime: time,
          closeTime: time + MINUTE_MS,
          open: roundToCents(open),
          high: roundToCents(high),
          low: roundToCents(low),
          close: roundToCents(price),
          volume: Math.round(volumeScale * (0.5 + walk.uniform())),
        };
      }
      produced++;
    }
  }
}

/**
 * Generates `count` one-minute bars per symbol over regular sessions from `startMs`, interleaved in
 * time order (every symbol's 09:30 bar, then every symbol's 09:31 bar, …); deterministic for a seed.
 */
export function generateSyntheticBars(options: SyntheticBarOptions): Generator<Bar, void, undefined> {
  checkOptions(options);
  return generate(options);
}
