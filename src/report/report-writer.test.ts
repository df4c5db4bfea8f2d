import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import { afterEach, describe, expect, it } from "vitest";
import type { Fill } from "../model/fill.js";
import type { BacktestReport } from "./backtest-report.js";
import { buildBacktestReport } from "./backtest-report.js";
import type { EquityCurveArrays } from "./equity-curve-arrays.js";
import { writeBacktestReport } from "./report-writer.js";

const DAY_MS = 86_400_000;
const START = Date.UTC(2024, 0, 2, 21, 0);

const FILLS: readonly Fill[] = [
  {
    fillId: "e1",
    orderId: "o1",
    symbol: "SPY",
    side: "BUY",
    quantity: new Decimal("10"),
    price: new Decimal("470.1234"),
    commission: new Decimal("1.005"),
    time: START,
  },
  {
    fillId: "e2",
    orderId: "o2",
    symbol: "SPY",
    side: "SELL",
    quantity: new Decimal("10"),
    price: new Decimal("480.5"),
    commission: new Decimal("1.0123"),
    time: START + 2 * DAY_MS,
  },
];

const outputDirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "backtest-report-"));
  outputDirs.push(dir);
  return dir;
}

function report(equityCurve: EquityCurveArrays, fills: readonly Fill[] = FILLS): BacktestReport {
  return buildBacktestReport({
    meta: {
      strategy: "sma-cross",
      params: { fast: 10, slow: 30 },
      symbols: ["SPY"],
      timeframe: "1d",
      feeModel: "tiered",
    },
    fills,
    equityCurve,
    initialCapital: new Decimal("100000"),
    finalEquity: new Decimal("100101.7527"),
    totalCommissions: new Decimal("2.0173"),
    barsWithPosition: 2,
    totalBars: 3,
  });
}

const SMALL_CURVE: EquityCurveArrays = {
  timesMs: Float64Array.from([START, START + DAY_MS, START + 2 * DAY_MS]),
  equity: Float64Array.from([100000, 99950, 100101.7527]),
};

afterEach(() => {
  for (const dir of outputDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("writeBacktestReport", () => {
  it("creates the directory and returns the paths of the four files it wrote", () => {
    const dir = join(tempDir(), "nested", "run-1");

    const paths = writeBacktestReport(dir, report(SMALL_CURVE));

    expect(paths).toEqual(
      ["fills.csv", "trades.csv", "summary.json", "equity.html"].map((name) => join(dir, name)),
    );
    for (const path of paths) expect(statSync(path).size).toBeGreaterThan(0);
  });

  it("writes fills and closed trades as CSV with ISO UTC times and exact decimal strings", () => {
    const dir = tempDir();

    writeBacktestReport(dir, report(SMALL_CURVE));

    expect(readFileSync(join(dir, "fills.csv"), "utf8")).toBe(
      [
        "time,symbol,side,quantity,price,commission",
        "2024-01-02T21:00:00.000Z,SPY,BUY,10,470.1234,1.005",
        "2024-01-04T21:00:00.000Z,SPY,SELL,10,480.5,1.0123",
        "",
      ].join("\n"),
    );
    expect(readFileSync(join(dir, "trades.csv"), "utf8")).toBe(
      [
        "symbol,direction,entry_time,exit_time,quantity,entry_price,exit_price,gross_pnl,commissions,net_pnl",
        "SPY,LONG,2024-01-02T21:00:00.000Z,2024-01-04T21:00:00.000Z,10,470.1234,480.5,103.766,2.0173,101.7487",
        "",
      ].join("\n"),
    );
  });

  it("writes summary.json with Decimals as strings, times as ISO strings and undefined values as null", () => {
    const dir = tempDir();

    writeBacktestReport(dir, report(SMALL_CURVE));

    const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as {
      strategy: string;
      params: unknown;
      metrics: { maxDrawdown: number } & Record<string, unknown>;
      openTrips: unknown[];
    };
    expect(summary.strategy).toBe("sma-cross");
    expect(summary.params).toEqual({ fast: 10, slow: 30 });
    expect(summary.metrics).toMatchObject({
      startEquity: "100000",
      endEquity: "100101.7527",
      commissions: "2.0173",
      averageTradePnl: "101.7487",
      trades: 1,
      profitFactor: null,
      periodStart: "2024-01-02T21:00:00.000Z",
      maxDrawdownEnd: "2024-01-03T21:00:00.000Z",
    });
    expect(summary.metrics.maxDrawdown).toBeCloseTo(0.0005, 12);
    expect(summary.openTrips).toEqual([]);
  });

  it("writes a standalone HTML page with an inline SVG chart, the title and the summary, and no network references", () => {
    const dir = tempDir();

    writeBacktestReport(dir, report(SMALL_CURVE));

    const html = readFileSync(join(dir, "equity.html"), "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("<svg");
    expect(html).toContain("sma-cross — SPY — 1d");
    expect(html).toContain("Date (UTC)");
    expect(html).toContain("2024-01-02");
    expect(html).toContain("<td>Total return</td>");
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|src=/i);
  });

  it("caps the plotted points so a million-point curve still gives a small HTML file", () => {
    const length = 1_000_000;
    const timesMs = new Float64Array(length).map((_, i) => START + i * 60_000);
    const equity = new Float64Array(length).map((_, i) => 100_000 + 5000 * Math.sin(i / 20_000) + (i % 97));
    const dir = tempDir();

    writeBacktestReport(dir, report({ timesMs, equity }, []), { maxChartPoints: 2000 });

    const html = readFileSync(join(dir, "equity.html"), "utf8");
    const polylines = [
      ...html.matchAll(/<(?:polyline|polygon) class="(equity|drawdown)"[^>]* points="([^"]*)"/g),
    ];
    expect(polylines.map((match) => match[1])).toEqual(["equity", "drawdown"]);
    for (const match of polylines) {
      expect(match[2]!.split(" ").length).toBeLessThanOrEqual(2002); // the drawdown polygon adds two baseline corners
    }
    expect(html.length).toBeLessThan(200_000);
  });

  it("streams many fills to CSV without losing or reordering rows", () => {
    const fills: Fill[] = [];
    for (let i = 0; i < 20_000; i++) {
      fills.push({ ...FILLS[i % 2]!, fillId: `e${i}`, time: START + i * 1000 });
    }
    const dir = tempDir();

    writeBacktestReport(dir, report(SMALL_CURVE, fills));

    const lines = readFileSync(join(dir, "fills.csv"), "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(20_001);
    expect(lines[20_000]).toBe(`${new Date(START + 19_999_000).toISOString()},SPY,SELL,10,480.5,1.0123`);
    expect(readFileSync(join(dir, "trades.csv"), "utf8").trimEnd().split("\n")).toHaveLength(10_001);
  });
});
