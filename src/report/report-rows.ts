import type { PerformanceMetrics } from "./performance-metrics.js";
import type { ReportMeta } from "./report-meta.js";
import {
  formatMoney,
  formatNumber,
  formatParams,
  formatPercent,
  formatUtcMinute,
  NOT_AVAILABLE,
} from "./report-format.js";

/** One labelled, already formatted value of the summary. */
export interface ReportRow {
  readonly label: string;
  readonly value: string;
}

/** A titled group of summary rows. */
export interface ReportSection {
  readonly title: string;
  readonly rows: readonly ReportRow[];
}

/** Formats the run description and the metrics into the labelled sections shown by the table and the HTML page. */
export function buildReportSections(metrics: PerformanceMetrics, meta: ReportMeta): readonly ReportSection[] {
  const drawdownPeriod =
    metrics.maxDrawdownStart === undefined
      ? NOT_AVAILABLE
      : `${formatUtcMinute(metrics.maxDrawdownStart)} → ${formatUtcMinute(metrics.maxDrawdownEnd)}`;
  return [
    {
      title: "Run",
      rows: [
        { label: "Strategy", value: meta.strategy },
        { label: "Parameters", value: formatParams(meta.params) },
        { label: "Symbols", value: meta.symbols.length === 0 ? "none" : meta.symbols.join(", ") },
        { label: "Timeframe", value: meta.timeframe },
        { label: "Fee model", value: meta.feeModel },
        { label: "Period start (UTC)", value: formatUtcMinute(metrics.periodStart) },
        { label: "Period end (UTC)", value: formatUtcMinute(metrics.periodEnd) },
        { label: "Years", value: formatNumber(metrics.years) },
      ],
    },
    {
      title: "Returns",
      rows: [
        { label: "Start equity", value: formatMoney(metrics.startEquity) },
        { label: "End equity", value: formatMoney(metrics.endEquity) },
        { label: "Net P&L", value: formatMoney(metrics.netPnl) },
        { label: "Total return", value: formatPercent(metrics.totalReturn) },
        { label: "CAGR", value: formatPercent(metrics.cagr) },
        { label: "Max drawdown", value: formatPercent(metrics.maxDrawdown) },
        { label: "Drawdown peak → trough", value: drawdownPeriod },
        { label: "Sharpe (daily, annualized)", value: formatNumber(metrics.sharpe) },
      ],
    },
    {
      title: "Trades",
      rows: [
        { label: "Closed trades", value: String(metrics.trades) },
        { label: "Open at end", value: String(metrics.openTrades) },
        { label: "Win rate", value: formatPercent(metrics.winRate) },
        { label: "Average trade P&L", value: formatMoney(metrics.averageTradePnl) },
        { label: "Profit factor", value: formatNumber(metrics.profitFactor) },
        { label: "Commissions", value: formatMoney(metrics.commissions) },
        { label: "Exposure", value: formatPercent(metrics.exposure) },
      ],
    },
  ];
}
