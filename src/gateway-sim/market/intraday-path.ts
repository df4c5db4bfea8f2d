/**
 * A session's 5-second path. The open is a Brownian-bridge point between the previous close and the close
 * (20 % of the day's variance falls overnight); the session is a Brownian bridge in log price from the open
 * to the close on the 5-second grid, with U-shaped intraday variance and volume; each bar's high and low are
 * drawn from the exact distribution of a Brownian bridge's maximum and minimum between its endpoints; a bar
 * opens at the previous bar's close. Prices are whole cents, volumes whole shares, and each bar's turnover is
 * round(typical price × volume) in cents, so WAPs fold exactly.
 */
import { deriveSeed, Rng } from "../../core/rng.js";
import { spreadCentsForOpen } from "./quote-spread.js";

/** Length of the model's price step and of a real-time bar. */
export const FIVE_SECONDS_MS = 5_000;

/** 5-second bars in a 09:30–16:00 regular session. */
export const BARS_PER_SESSION = 4_680;

/** Share of a day's return variance that falls overnight, between the previous close and the open. */
const OVERNIGHT_VARIANCE_SHARE = 0.2;

/** Mean shares per trade, for the trade count. */
const MEAN_TRADE_SIZE = 100;

/** Weights summing to 1 with the U shape of intraday activity: about 3× busier at the open and close than at midday. */
function uShapedWeights(count: number): Float64Array {
  const weights = new Float64Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const fromMiddle = (2 * (i + 0.5)) / count - 1;
    weights[i] = 1 + 2 * fromMiddle * fromMiddle;
    total += weights[i] ?? 0;
  }
  for (let i = 0; i < count; i++) weights[i] = (weights[i] ?? 0) / total;
  return weights;
}

const ACTIVITY = uShapedWeights(BARS_PER_SESSION);
const STEP_SCALE = ACTIVITY.map((weight) => Math.sqrt(weight));
/** Share of the day's intraday variance elapsed at each 5-second grid point (0 at the open, 1 at the close). */
const ELAPSED_VARIANCE = new Float64Array(BARS_PER_SESSION + 1);
for (let i = 0; i < BARS_PER_SESSION; i++) {
  ELAPSED_VARIANCE[i + 1] = (ELAPSED_VARIANCE[i] ?? 0) + (ACTIVITY[i] ?? 0);
}
ELAPSED_VARIANCE[BARS_PER_SESSION] = 1;

/** Scratch for the unconditioned walk; generation is synchronous, so one buffer serves every path. */
const walkScratch = new Float64Array(BARS_PER_SESSION + 1);

/** Rounds a price in cents to whole cents, never below one cent (monotonic, so OHLC order survives it). */
function roundCents(price: number): number {
  return Math.max(1, Math.round(price));
}

/** Rounds a log price (of dollars) to whole cents, never below one cent. */
export function centsOfLogPrice(logPrice: number): number {
  return roundCents(Math.exp(logPrice) * 100);
}

/**
 * `exp(x)` by its Taylor series to x⁵, for the small log moves within one 5-second step (|x| ~1e-4; even at
 * 1e-2 the error is below 2e-15), where it matches `Math.exp` to double precision at a fraction of the cost.
 */
function growth(x: number): number {
  return 1 + x * (1 + (x / 2) * (1 + (x / 3) * (1 + (x / 4) * (1 + x / 5))));
}

/** What a day's path depends on: the pure function's arguments. */
export interface IntradayPathInputs {
  readonly seed: number;
  readonly symbol: string;
  /** New York calendar day (days since 1970-01-01). */
  readonly dayNumber: number;
  readonly previousLogClose: number;
  readonly logClose: number;
  /** Standard deviation of a close-to-close log return. */
  readonly dailyVolatility: number;
  readonly averageDailyVolume: number;
}

/** A session's totals, in cents and shares; `turnover` is Σ price × shares in cents, an exact integer. */
export interface DaySummary {
  readonly openCents: number;
  readonly highCents: number;
  readonly lowCents: number;
  readonly closeCents: number;
  readonly volume: number;
  readonly turnover: number;
  readonly count: number;
  readonly spreadCents: number;
}

/** One instrument's regular session as 4,680 five-second TRADES bars, a pure function of its inputs. */
export class IntradayPath {
  /** Grid prices in cents: bar i opens at points[i] and closes at points[i + 1]. */
  readonly points = new Int32Array(BARS_PER_SESSION + 1);
  readonly highs = new Int32Array(BARS_PER_SESSION);
  readonly lows = new Int32Array(BARS_PER_SESSION);
  readonly volumes = new Int32Array(BARS_PER_SESSION);
  readonly counts = new Int32Array(BARS_PER_SESSION);
  /** Σ price × shares per bar in cents: round(typical price × volume), so WAPs aggregate exactly. */
  readonly turnovers = new Float64Array(BARS_PER_SESSION);
  /** Session high in cents after i bars (the open when i = 0). */
  readonly runningHighs = new Int32Array(BARS_PER_SESSION + 1);
  readonly runningLows = new Int32Array(BARS_PER_SESSION + 1);
  readonly cumulativeVolumes = new Float64Array(BARS_PER_SESSION + 1);
  private totals: DaySummary = {
    openCents: 0,
    highCents: 0,
    lowCents: 0,
    closeCents: 0,
    volume: 0,
    turnover: 0,
    count: 0,
    spreadCents: 1,
  };

  /** The session's totals. */
  get summary(): DaySummary {
    return this.totals;
  }

  /** Fills this path for a day, replacing what it held. */
  generate(inputs: IntradayPathInputs): this {
    const { seed, symbol, dayNumber, previousLogClose, logClose, dailyVolatility, averageDailyVolume } =
      inputs;
    const stream = new Rng(deriveSeed(seed, `${symbol}/${dayNumber}`));
    const share = OVERNIGHT_VARIANCE_SHARE;
    const logOpen =
      previousLogClose +
      share * (logClose - previousLogClose) +
      dailyVolatility * Math.sqrt(share * (1 - share)) * stream.normal();
    // Day-to-day volume varies by a lognormal factor (about ±30 %) with mean 1.
    const dayVolumeScale = averageDailyVolume * Math.exp(0.3 * stream.normal() - 0.045);
    const intradayVariance = dailyVolatility * dailyVolatility * (1 - share);
    const intradaySigma = Math.sqrt(intradayVariance);

    const walk = walkScratch;
    walk[0] = 0;
    for (let i = 0; i < BARS_PER_SESSION; i++) {
      walk[i + 1] = (walk[i] ?? 0) + intradaySigma * (STEP_SCALE[i] ?? 0) * stream.normal();
    }
    // Condition the walk to end at the close: x(τ) = open + W(τ) + τ·(close − open − W(1)).
    const correction = logClose - logOpen - (walk[BARS_PER_SESSION] ?? 0);
    const { points, highs, lows, volumes, counts, turnovers } = this;
    const { runningHighs, runningLows, cumulativeVolumes } = this;
    const openCents = centsOfLogPrice(logOpen);
    let from = logOpen;
    // Unrounded price in cents at `from`; prices nearby are reached by growth() instead of Math.exp.
    let fromPrice = Math.exp(logOpen) * 100;
    let fromCents = openCents;
    points[0] = openCents;
    runningHighs[0] = openCents;
    runningLows[0] = openCents;
    cumulativeVolumes[0] = 0;
    let dayHigh = openCents;
    let dayLow = openCents;
    let dayVolume = 0;
    let dayTurnover = 0;
    let dayCount = 0;
    for (let i = 0; i < BARS_PER_SESSION; i++) {
      const last = i + 1 === BARS_PER_SESSION;
      const to = last ? logClose : logOpen + (walk[i + 1] ?? 0) + (ELAPSED_VARIANCE[i + 1] ?? 0) * correction;
      const jump = to - from;
      // The close is rounded from the exact exponential, so it always equals the daily walk's close.
      const toPrice = last ? Math.exp(to) * 100 : fromPrice * growth(jump);
      const toCents = roundCents(toPrice);
      // Maximum and minimum of a Brownian bridge from `from` to `to` with variance v: (a + b ± √((b − a)² − 2v ln U)) / 2.
      const twiceVariance = 2 * intradayVariance * (ACTIVITY[i] ?? 0);
      const highReach = Math.sqrt(jump * jump - twiceVariance * Math.log(stream.positiveUniform()));
      const lowReach = Math.sqrt(jump * jump - twiceVariance * Math.log(stream.positiveUniform()));
      const high = Math.max(fromCents, toCents, roundCents(fromPrice * growth((jump + highReach) / 2)));
      const low = Math.min(fromCents, toCents, roundCents(fromPrice * growth((jump - lowReach) / 2)));
      const volume = Math.max(1, Math.round(dayVolumeScale * (ACTIVITY[i] ?? 0) * (0.5 + stream.next())));
      const count = Math.max(1, Math.round(volume / (MEAN_TRADE_SIZE * (0.6 + 0.8 * stream.next()))));
      const turnover = Math.round(((fromCents + high + low + toCents) * volume) / 4);
      points[i + 1] = toCents;
      highs[i] = high;
      lows[i] = low;
      volumes[i] = volume;
      counts[i] = count;
      turnovers[i] = turnover;
      if (high > dayHigh) dayHigh = high;
      if (low < dayLow) dayLow = low;
      dayVolume += volume;
      dayTurnover += turnover;
      dayCount += count;
      runningHighs[i + 1] = dayHigh;
      runningLows[i + 1] = dayLow;
      cumulativeVolumes[i + 1] = dayVolume;
      from = to;
      fromPrice = toPrice;
      fromCents = toCents;
    }
    this.totals = Object.freeze({
      openCents,
      highCents: dayHigh,
      lowCents: dayLow,
      closeCents: fromCents,
      volume: dayVolume,
      turnover: dayTurnover,
      count: dayCount,
      spreadCents: spreadCentsForOpen(openCents),
    });
    return this;
  }
}
