/**
 * Daily closes: an Ornstein–Uhlenbeck walk in log price that sits exactly at the start price on the anchor
 * day (trading-day index 0) and runs forward and backward from it with two seeded streams, extended lazily.
 * The pull towards the start price (half-life two years) keeps a century of history at realistic levels; day
 * to day it is indistinguishable from a random walk. A stationary OU process has the same law in reverse
 * time, so the backward walk is the same process.
 */
import { deriveSeed, Rng } from "../../core/rng.js";

/** Trading days per year, to turn annual volatility into daily volatility. */
export const TRADING_DAYS_PER_YEAR = 252;

/** Half-life in trading days of a price's pull back towards its start price (about two years). */
const HALF_LIFE_DAYS = 504;
const PERSISTENCE = 2 ** (-1 / HALF_LIFE_DAYS);

/** One instrument's seeded daily log closes, anchored at its start price on the anchor day. */
export class DailyCloseWalk {
  private readonly logStartPrice: number;
  private readonly dailySigma: number;
  /** Deviations log(close / startPrice) at index 0, 1, 2, … */
  private readonly forward: number[] = [0];
  /** Deviations at index 0, −1, −2, … */
  private readonly backward: number[] = [0];
  private readonly forwardStream: Rng;
  private readonly backwardStream: Rng;

  constructor(seed: number, symbol: string, startPrice: number, annualVolatility: number) {
    this.logStartPrice = Math.log(startPrice);
    this.dailySigma = annualVolatility / Math.sqrt(TRADING_DAYS_PER_YEAR);
    this.forwardStream = new Rng(deriveSeed(seed, `${symbol}/daily/forward`));
    this.backwardStream = new Rng(deriveSeed(seed, `${symbol}/daily/backward`));
  }

  /** Standard deviation of a close-to-close log return. */
  get dailyVolatility(): number {
    return this.dailySigma;
  }

  /** The log close of an anchor-relative trading-day index. */
  logClose(index: number): number {
    const steps = index >= 0 ? this.forward : this.backward;
    const stream = index >= 0 ? this.forwardStream : this.backwardStream;
    const wanted = Math.abs(index);
    while (steps.length <= wanted) {
      const previous = steps[steps.length - 1] ?? 0;
      steps.push(PERSISTENCE * previous + this.dailySigma * stream.normal());
    }
    return this.logStartPrice + (steps[wanted] ?? 0);
  }
}
