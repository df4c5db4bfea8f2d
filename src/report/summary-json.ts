import type { Decimal } from "decimal.js";
import type { BacktestReport } from "./backtest-report.js";

/** A JSON value. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/**
 * The machine-readable summary of a report: run description, metrics and open trips; Decimals as exact strings,
 * times as ISO-8601 UTC strings, undefined values as null.
 */
export function buildSummaryJson(report: BacktestReport): JsonObject {
  const { meta, metrics } = report;
  return {
    strategy: meta.strategy,
    params: toJsonValue(meta.params),
    symbols: [...meta.symbols],
    timeframe: meta.timeframe,
    feeModel: meta.feeModel,
    metrics: {
      startEquity: decimalString(metrics.startEquity),
      endEquity: decimalString(metrics.endEquity),
      netPnl: decimalString(metrics.netPnl),
      totalReturn: numberOrNull(metrics.totalReturn),
      cagr: numberOrNull(metrics.cagr),
      maxDrawdown: numberOrNull(metrics.maxDrawdown),
      maxDrawdownStart: isoOrNull(metrics.maxDrawdownStart),
      maxDrawdownEnd: isoOrNull(metrics.maxDrawdownEnd),
      sharpe: numberOrNull(metrics.sharpe),
      trades: metrics.trades,
      openTrades: metrics.openTrades,
      wins: metrics.wins,
      winRate: numberOrNull(metrics.winRate),
      averageTradePnl: metrics.averageTradePnl === undefined ? null : decimalString(metrics.averageTradePnl),
      profitFactor: numberOrNull(metrics.profitFactor),
      commissions: decimalString(metrics.commissions),
      exposure: numberOrNull(metrics.exposure),
      periodStart: isoOrNull(metrics.periodStart),
      periodEnd: isoOrNull(metrics.periodEnd),
      years: numberOrNull(metrics.years),
    },
    openTrips: report.roundTrips.open.map((trip) => ({
      symbol: trip.symbol,
      direction: trip.direction,
      entryTime: new Date(trip.entryTime).toISOString(),
      lastFillTime: new Date(trip.lastFillTime).toISOString(),
      quantity: decimalString(trip.quantity),
      openQuantity: decimalString(trip.openQuantity),
      averageEntryPrice: decimalString(trip.averageEntryPrice),
      averageExitPrice: trip.averageExitPrice === undefined ? null : decimalString(trip.averageExitPrice),
      realizedGrossPnl: decimalString(trip.realizedGrossPnl),
      commissions: decimalString(trip.commissions),
      realizedNetPnl: decimalString(trip.realizedNetPnl),
    })),
  };
}

/** A Decimal in plain (never exponential) notation, exactly as held. */
export function decimalString(value: Decimal): string {
  return value.toFixed();
}

function numberOrNull(value: number | undefined): number | null {
  return value === undefined || !Number.isFinite(value) ? null : value;
}

function isoOrNull(timeMs: number | undefined): string | null {
  return timeMs === undefined ? null : new Date(timeMs).toISOString();
}

function toJsonValue(value: unknown): JsonValue {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}
