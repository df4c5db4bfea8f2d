import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import type { PerformanceMetrics } from "./performance-metrics.js";
import type { ReportMeta } from "./report-meta.js";
import { formatReportTable } from "./report-table.js";

const META: ReportMeta = {
  strategy: "sma-cross",
  params: { fast: 10, slow: 30 },
  symbols: ["SPY", "QQQ"],
  timeframe: "1d",
  feeModel: "tiered",
};

const METRICS: PerformanceMetrics = {
  startEquity: new Decimal("100000"),
  endEquity: new Decimal("1234567.891"),
  netPnl: new Decimal("1134567.891"),
  totalReturn: 11.34567891,
  cagr: 0.1,
  maxDrawdown: 0.123456,
  maxDrawdownStart: Date.UTC(2020, 1, 19, 21, 0),
  maxDrawdownEnd: Date.UTC(2020, 2, 23, 20, 0),
  sharpe: undefined,
  trades: 42,
  openTrades: 1,
  wins: 21,
  winRate: 0.5,
  averageTradePnl: new Decimal("-12.345"),
  profitFactor: 1.8,
  commissions: new Decimal("1234.5"),
  exposure: 0.632,
  periodStart: Date.UTC(2020, 0, 2, 21, 0),
  periodEnd: Date.UTC(2022, 0, 2, 21, 0),
  years: 2.0013689,
};

function cells(table: string): string[][] {
  return table
    .split("\n")
    .filter((line) => line.startsWith("│"))
    .map((line) =>
      line
        .split("│")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe("formatReportTable", () => {
  it("shows each metric as a label and a formatted value", () => {
    const table = formatReportTable(METRICS, META);

    expect(cells(table)).toEqual(
      expect.arrayContaining([
        ["Strategy", "sma-cross"],
        ["Parameters", "fast=10, slow=30"],
        ["Symbols", "SPY, QQQ"],
        ["Timeframe", "1d"],
        ["Fee model", "tiered"],
        ["Period start (UTC)", "2020-01-02 21:00"],
        ["Years", "2.00"],
        ["Start equity", "100,000.00"],
        ["End equity", "1,234,567.89"],
        ["Total return", "1,134.57%"],
        ["CAGR", "10.00%"],
        ["Max drawdown", "12.35%"],
        ["Drawdown peak → trough", "2020-02-19 21:00 → 2020-03-23 20:00"],
        ["Sharpe (daily, annualized)", "n/a"],
        ["Closed trades", "42"],
        ["Open at end", "1"],
        ["Win rate", "50.00%"],
        ["Average trade P&L", "-12.35"],
        ["Profit factor", "1.80"],
        ["Commissions", "1,234.50"],
        ["Exposure", "63.20%"],
      ]),
    );
  });

  it("aligns every line of the table to the same width", () => {
    const lines = formatReportTable(METRICS, META).trimEnd().split("\n");

    const widths = new Set(lines.map((line) => line.length));
    expect(widths.size).toBe(1);
    expect(lines[0]).toMatch(/^┌─+┬─+┐$/);
    expect(lines.at(-1)).toMatch(/^└─+┴─+┘$/);
  });

  it("shows n/a for every undefined metric", () => {
    const table = formatReportTable(
      { ...METRICS, winRate: undefined, averageTradePnl: undefined, cagr: undefined, exposure: undefined },
      META,
    );

    const rows = new Map(cells(table).map(([label, value]) => [label, value]));
    expect(rows.get("Win rate")).toBe("n/a");
    expect(rows.get("Average trade P&L")).toBe("n/a");
    expect(rows.get("CAGR")).toBe("n/a");
    expect(rows.get("Exposure")).toBe("n/a");
  });
});
