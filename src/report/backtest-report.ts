import type { Decimal } from "decimal.js";
import type { Fill } from "../model/fill.js";
import type { EquityCurveArrays } from "./equity-curve-arrays.js";
import type { PerformanceMetrics } from "./performance-metrics.js";
import { computeMetrics } from "./performance-metrics.js";
import type { ReportMeta } from "./report-meta.js";
import type { RoundTripTrades } from "./round-trip-trades.js";
import { buildRoundTrips } from "./round-trip-trades.js";

/** What the backtest engine hands over at the end of a run. */
export interface BacktestReportInput {
  readonly meta: ReportMeta;
  /** Every fill, time-ordered. */
  readonly fills: readonly Fill[];
  /** One point per bar-close timestamp. */
  readonly equityCurve: EquityCurveArrays;
  readonly initialCapital: Decimal;
  /** Exact final equity from the ledger. */
  readonly finalEquity: Decimal;
  readonly totalCommissions: Decimal;
  readonly barsWithPosition: number;
  readonly totalBars: number;
}

/** Everything a report shows: the run, its fills, round trips, metrics and equity curve. */
export interface BacktestReport {
  readonly meta: ReportMeta;
  readonly fills: readonly Fill[];
  readonly equityCurve: EquityCurveArrays;
  readonly roundTrips: RoundTripTrades;
  readonly metrics: PerformanceMetrics;
}

/** Builds the round trips and metrics of a finished backtest. */
export function buildBacktestReport(input: BacktestReportInput): BacktestReport {
  const roundTrips = buildRoundTrips(input.fills);
  const metrics = computeMetrics({
    equityCurve: input.equityCurve,
    initialCapital: input.initialCapital,
    finalEquity: input.finalEquity,
    totalCommissions: input.totalCommissions,
    roundTrips,
    barsWithPosition: input.barsWithPosition,
    totalBars: input.totalBars,
  });
  return { meta: input.meta, fills: input.fills, equityCurve: input.equityCurve, roundTrips, metrics };
}
