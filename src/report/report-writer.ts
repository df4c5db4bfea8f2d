import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BacktestReport } from "./backtest-report.js";
import { DEFAULT_MAX_CHART_POINTS } from "./equity-chart-svg.js";
import { renderEquityReportHtml } from "./equity-report-html.js";
import { ioError } from "./io-error.js";
import type { RoundTrip } from "./round-trip-trades.js";
import type { Fill } from "../model/fill.js";
import { buildSummaryJson, decimalString } from "./summary-json.js";
import { writeCsvFile } from "./write-csv-file.js";

/** Options of the report writer. */
export interface ReportWriterOptions {
  /** Cap on plotted points per chart series (default 2000). */
  readonly maxChartPoints?: number;
}

const FILL_HEADER = ["time", "symbol", "side", "quantity", "price", "commission"] as const;
const TRADE_HEADER = [
  "symbol",
  "direction",
  "entry_time",
  "exit_time",
  "quantity",
  "entry_price",
  "exit_price",
  "gross_pnl",
  "commissions",
  "net_pnl",
] as const;

/**
 * Creates `dir` (recursively) and writes `fills.csv`, `trades.csv` (closed round trips), `summary.json` and a
 * standalone `equity.html`; returns the written paths in that order.
 */
export function writeBacktestReport(
  dir: string,
  report: BacktestReport,
  options: ReportWriterOptions = {},
): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw ioError("create directory", dir, error);
  }
  const fillsPath = join(dir, "fills.csv");
  const tradesPath = join(dir, "trades.csv");
  const summaryPath = join(dir, "summary.json");
  const htmlPath = join(dir, "equity.html");

  writeCsvFile(fillsPath, FILL_HEADER, fillRows(report.fills));
  writeCsvFile(tradesPath, TRADE_HEADER, tradeRows(report.roundTrips.closed));
  writeTextFile(summaryPath, `${JSON.stringify(buildSummaryJson(report), null, 2)}\n`);
  writeTextFile(htmlPath, renderEquityReportHtml(report, options.maxChartPoints ?? DEFAULT_MAX_CHART_POINTS));
  return [fillsPath, tradesPath, summaryPath, htmlPath];
}

function* fillRows(fills: readonly Fill[]): Generator<readonly string[]> {
  for (const fill of fills) {
    yield [
      new Date(fill.time).toISOString(),
      fill.symbol,
      fill.side,
      decimalString(fill.quantity),
      decimalString(fill.price),
      decimalString(fill.commission),
    ];
  }
}

function* tradeRows(trips: readonly RoundTrip[]): Generator<readonly string[]> {
  for (const trip of trips) {
    yield [
      trip.symbol,
      trip.direction,
      new Date(trip.entryTime).toISOString(),
      new Date(trip.exitTime).toISOString(),
      decimalString(trip.quantity),
      decimalString(trip.averageEntryPrice),
      decimalString(trip.averageExitPrice),
      decimalString(trip.grossPnl),
      decimalString(trip.commissions),
      decimalString(trip.netPnl),
    ];
  }
}

function writeTextFile(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw ioError("write", path, error);
  }
}
