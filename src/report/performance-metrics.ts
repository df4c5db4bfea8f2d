import { Decimal } from "decimal.js";
import { InvariantError } from "../core/errors.js";
import { computeDailySharpe } from "./daily-sharpe.js";
import type { EquityCurveArrays } from "./equity-curve-arrays.js";
import { assertEquityCurve } from "./equity-curve-arrays.js";
import { computeMaxDrawdown } from "./max-drawdown.js";
import type { RoundTripTrades } from "./round-trip-trades.js";

const YEAR_MS = 365.25 * 86_400_000;

/** What the metrics are computed from: the engine's ledger totals, its equity curve and the round trips. */
export interface PerformanceInput {
  readonly equityCurve: EquityCurveArrays;
  readonly initialCapital: Decimal;
  /** Exact final equity from the ledger. */
  readonly finalEquity: Decimal;
  readonly totalCommissions: Decimal;
  readonly roundTrips: RoundTripTrades;
  /** Bars during which any position was held. */
  readonly barsWithPosition: number;
  readonly totalBars: number;
}

/** Summary statistics of one backtest; fractions are plain numbers (0.1 = 10%), undefined where not defined. */
export interface PerformanceMetrics {
  readonly startEquity: Decimal;
  readonly endEquity: Decimal;
  /** End equity minus start equity. */
  readonly netPnl: Decimal;
  /** End / start − 1; undefined when start equity is not positive. */
  readonly totalReturn: number | undefined;
  /** Compound annual growth over `years`; −1 after a total loss; undefined when years <= 0 or start <= 0. */
  readonly cagr: number | undefined;
  /** Deepest peak-to-trough fall of the equity curve, as a positive fraction of the peak. */
  readonly maxDrawdown: number;
  readonly maxDrawdownStart: number | undefined;
  readonly maxDrawdownEnd: number | undefined;
  /** Annualized daily Sharpe ratio (risk-free 0). */
  readonly sharpe: number | undefined;
  /** Number of closed round trips. */
  readonly trades: number;
  /** Round trips still open at the end (not counted in `trades`). */
  readonly openTrades: number;
  /** Closed round trips with positive net P&L. */
  readonly wins: number;
  readonly winRate: number | undefined;
  /** Mean net P&L per closed round trip. */
  readonly averageTradePnl: Decimal | undefined;
  /** Net profit of winners over net loss of losers; undefined without a losing trade. */
  readonly profitFactor: number | undefined;
  readonly commissions: Decimal;
  /** Fraction of bars with a position; undefined when there were no bars. */
  readonly exposure: number | undefined;
  readonly periodStart: number | undefined;
  readonly periodEnd: number | undefined;
  /** (periodEnd − periodStart) in years of 365.25 days; 0 for an empty or one-point curve. */
  readonly years: number;
}

/** Computes the summary statistics of a backtest from its ledger totals, equity curve and round trips. */
export function computeMetrics(input: PerformanceInput): PerformanceMetrics {
  const { equityCurve, initialCapital, finalEquity, roundTrips, barsWithPosition, totalBars } = input;
  assertEquityCurve(equityCurve);
  if (!Number.isInteger(totalBars) || !Number.isInteger(barsWithPosition) || barsWithPosition < 0) {
    throw new InvariantError(
      `bar counts must be non-negative integers, got ${barsWithPosition}/${totalBars}`,
    );
  }
  if (barsWithPosition > totalBars) {
    throw new InvariantError(`barsWithPosition (${barsWithPosition}) exceeds totalBars (${totalBars})`);
  }

  const pointCount = equityCurve.timesMs.length;
  const periodStart = equityCurve.timesMs[0];
  const periodEnd = equityCurve.timesMs[pointCount - 1];
  const years =
    periodStart === undefined || periodEnd === undefined ? 0 : (periodEnd - periodStart) / YEAR_MS;

  const growth = initialCapital.gt(0) ? finalEquity.div(initialCapital) : undefined;
  const totalReturn = growth?.minus(1).toNumber();
  let cagr: number | undefined;
  if (growth !== undefined && years > 0) {
    cagr = growth.lte(0) ? -1 : Math.pow(growth.toNumber(), 1 / years) - 1;
  }

  const drawdown = computeMaxDrawdown(equityCurve);
  const closed = roundTrips.closed;
  let wins = 0;
  let winnings = new Decimal(0);
  let losses = new Decimal(0);
  let netTotal = new Decimal(0);
  for (const trip of closed) {
    netTotal = netTotal.plus(trip.netPnl);
    if (trip.netPnl.gt(0)) {
      wins += 1;
      winnings = winnings.plus(trip.netPnl);
    } else if (trip.netPnl.lt(0)) {
      losses = losses.minus(trip.netPnl);
    }
  }

  return {
    startEquity: initialCapital,
    endEquity: finalEquity,
    netPnl: finalEquity.minus(initialCapital),
    totalReturn,
    cagr,
    maxDrawdown: drawdown.fraction,
    maxDrawdownStart: drawdown.peakTime,
    maxDrawdownEnd: drawdown.troughTime,
    sharpe: computeDailySharpe(equityCurve),
    trades: closed.length,
    openTrades: roundTrips.open.length,
    wins,
    winRate: closed.length === 0 ? undefined : wins / closed.length,
    averageTradePnl: closed.length === 0 ? undefined : netTotal.div(closed.length),
    profitFactor: losses.isZero() ? undefined : winnings.div(losses).toNumber(),
    commissions: input.totalCommissions,
    exposure: totalBars === 0 ? undefined : barsWithPosition / totalBars,
    periodStart,
    periodEnd,
    years,
  };
}
