import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { InvariantError } from "../core/errors.js";
import type { EquityCurveArrays } from "./equity-curve-arrays.js";
import { computeMetrics } from "./performance-metrics.js";
import type { PerformanceInput } from "./performance-metrics.js";
import type { RoundTrip } from "./round-trip-trades.js";

const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;

function curve(points: readonly (readonly [number, number])[]): EquityCurveArrays {
  return {
    timesMs: Float64Array.from(points.map(([time]) => time)),
    equity: Float64Array.from(points.map(([, value]) => value)),
  };
}

function trip(netPnl: string): RoundTrip {
  return {
    symbol: "SPY",
    direction: "LONG",
    entryTime: 0,
    exitTime: 1,
    quantity: new Decimal(1),
    averageEntryPrice: new Decimal(100),
    averageExitPrice: new Decimal(100).plus(netPnl),
    grossPnl: new Decimal(netPnl),
    commissions: new Decimal(0),
    netPnl: new Decimal(netPnl),
  };
}

function input(overrides: Partial<PerformanceInput> = {}): PerformanceInput {
  return {
    equityCurve: curve([
      [0, 100],
      [DAY_MS, 121],
    ]),
    initialCapital: new Decimal(100),
    finalEquity: new Decimal(121),
    totalCommissions: new Decimal("3.5"),
    roundTrips: { closed: [], open: [] },
    barsWithPosition: 0,
    totalBars: 2,
    ...overrides,
  };
}

describe("computeMetrics", () => {
  it("finds the deepest peak-to-trough fall and when it started and ended", () => {
    const equityCurve = curve([
      [10, 100],
      [20, 120],
      [30, 90],
      [40, 130],
      [50, 104],
      [60, 140],
    ]);

    const metrics = computeMetrics(input({ equityCurve }));

    expect(metrics.maxDrawdown).toBeCloseTo(0.25, 12); // 120 → 90 beats 130 → 104 (20%)
    expect(metrics.maxDrawdownStart).toBe(20);
    expect(metrics.maxDrawdownEnd).toBe(30);
  });

  it("reports no drawdown for a curve that never falls", () => {
    const metrics = computeMetrics(input());

    expect(metrics.maxDrawdown).toBe(0);
    expect(metrics.maxDrawdownStart).toBeUndefined();
    expect(metrics.maxDrawdownEnd).toBeUndefined();
  });

  it("computes total return and net P&L exactly from the ledger's start and end equity", () => {
    const metrics = computeMetrics(input());

    expect(metrics.totalReturn).toBeCloseTo(0.21, 12);
    expect(metrics.netPnl.toFixed()).toBe("21");
    expect(metrics.startEquity.toFixed()).toBe("100");
    expect(metrics.endEquity.toFixed()).toBe("121");
    expect(metrics.commissions.toFixed()).toBe("3.5");
  });

  it("computes a 10% CAGR for 100 growing to 121 over exactly two years", () => {
    const equityCurve = curve([
      [0, 100],
      [2 * YEAR_MS, 121],
    ]);

    const metrics = computeMetrics(input({ equityCurve }));

    expect(metrics.years).toBe(2);
    expect(metrics.periodStart).toBe(0);
    expect(metrics.periodEnd).toBe(2 * YEAR_MS);
    expect(metrics.cagr).toBeCloseTo(0.1, 12);
  });

  it("leaves CAGR undefined when the period has no length", () => {
    const metrics = computeMetrics(input({ equityCurve: curve([[5, 100]]) }));

    expect(metrics.years).toBe(0);
    expect(metrics.cagr).toBeUndefined();
  });

  it("annualizes the Sharpe ratio of returns between each UTC day's last point", () => {
    // Day closes 100, 110, 99, 108.9: daily returns +10%, −10%, +10%; mean 1/30, sample variance 1/75.
    const equityCurve = curve([
      [0.25 * DAY_MS, 97],
      [0.9 * DAY_MS, 100],
      [1.5 * DAY_MS, 104],
      [1.99 * DAY_MS, 110],
      [2.5 * DAY_MS, 99],
      [3.2 * DAY_MS, 120],
      [3.7 * DAY_MS, 108.9],
    ]);

    const metrics = computeMetrics(input({ equityCurve }));

    expect(metrics.sharpe).toBeCloseTo((1 / 30 / Math.sqrt(1 / 75)) * Math.sqrt(252), 9);
  });

  it("leaves Sharpe undefined with fewer than two daily returns or with zero variance", () => {
    const oneReturn = curve([
      [0, 100],
      [DAY_MS, 101],
    ]);
    const flat = curve([
      [0, 100],
      [DAY_MS, 100],
      [2 * DAY_MS, 100],
    ]);

    expect(computeMetrics(input({ equityCurve: oneReturn })).sharpe).toBeUndefined();
    expect(computeMetrics(input({ equityCurve: flat })).sharpe).toBeUndefined();
  });

  it("counts wins, win rate, average trade P&L and profit factor over closed trips only", () => {
    const roundTrips = {
      closed: [trip("10"), trip("-5"), trip("3"), trip("0")],
      open: [],
    };

    const metrics = computeMetrics(input({ roundTrips }));

    expect(metrics.trades).toBe(4);
    expect(metrics.wins).toBe(2);
    expect(metrics.winRate).toBe(0.5);
    expect(metrics.averageTradePnl?.toFixed()).toBe("2");
    expect(metrics.profitFactor).toBeCloseTo(2.6, 12);
  });

  it("leaves win rate and average trade P&L undefined when no trade closed", () => {
    const metrics = computeMetrics(input());

    expect(metrics.trades).toBe(0);
    expect(metrics.winRate).toBeUndefined();
    expect(metrics.averageTradePnl).toBeUndefined();
    expect(metrics.profitFactor).toBeUndefined();
  });

  it("measures exposure as the fraction of bars with a position", () => {
    const metrics = computeMetrics(input({ barsWithPosition: 30, totalBars: 120 }));

    expect(metrics.exposure).toBe(0.25);
  });

  it("rejects an equity curve whose arrays differ in length", () => {
    const equityCurve = { timesMs: new Float64Array(2), equity: new Float64Array(3) };

    expect(() => computeMetrics(input({ equityCurve }))).toThrow(InvariantError);
  });
});
