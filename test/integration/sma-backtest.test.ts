import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { BacktestRunner, type BacktestResult } from "../../src/app/backtest-runner.js";
import { createFeeModel } from "../../src/portfolio/create-fee-model.js";
import type { FeeModel } from "../../src/portfolio/fee-model.js";
import { buildRoundTrips } from "../../src/report/round-trip-trades.js";
import { StrategyRegistry } from "../../src/strategy/strategy-registry.js";
import { barsFromCloses } from "../kit/bars.js";

// fast 2 / slow 3 on these closes: the averages cross up on the close of bar 6 (11) and down on the
// close of bar 9 (9); each market order fills at the next bar's open, which is the previous close.
const CLOSES = "10 10 10 9 8 9 11 12 11 9 8";

async function backtest(
  params: Record<string, string>,
  feeModel: FeeModel,
  slippageBps = 0,
  closes = CLOSES,
): Promise<BacktestResult> {
  const strategy = await new StrategyRegistry().load("sma", params, { symbols: ["SPY"] });
  return new BacktestRunner().run({
    bars: barsFromCloses(closes),
    strategy,
    initialCapital: new Decimal(10_000),
    feeModel,
    slippageBps,
  });
}

describe("SMA crossover backtest", () => {
  it("buys at the open after the golden cross and sells at the open after the death cross", async () => {
    const result = await backtest({ fast: "2", slow: "3", quantity: "10" }, createFeeModel("none"));
    expect(
      result.fills.map((fill) => [fill.side, fill.quantity.toString(), fill.price.toString(), fill.time]),
    ).toEqual([
      ["BUY", "10", "11", barsFromCloses(CLOSES)[7]?.openTime],
      ["SELL", "10", "9", barsFromCloses(CLOSES)[10]?.openTime],
    ]);
    expect(result.portfolio.equity().toString()).toBe("9980");
    expect(result.portfolio.realizedPnl().toString()).toBe("-20");
  });

  it("charges IBKR Pro Fixed: the 1% cap on the small sell and SEC fee plus FINRA TAF on the sell only", async () => {
    const result = await backtest({ fast: "2", slow: "3", quantity: "10" }, createFeeModel("fixed"));
    // buy 10 @ 11: 10 x 0.005 = 0.05 -> minimum 1.00 (below the 1% cap of 1.10)
    // sell 10 @ 9: minimum 1.00 is above 1% of 90 = 0.90, so 0.90; + SEC 90 x 0.0000278 = 0.002502
    //              + TAF 10 x 0.000166 = 0.00166 -> 0.904162
    expect(result.fills.map((fill) => fill.commission.toString())).toEqual(["1", "0.904162"]);
    expect(result.portfolio.cash().toString()).toBe("9978.095838");
    const trips = buildRoundTrips(result.fills);
    expect(trips.closed).toHaveLength(1);
    expect(trips.closed[0]?.netPnl.toString()).toBe("-21.904162");
  });

  it("applies slippage against the order on market fills", async () => {
    const result = await backtest({ fast: "2", slow: "3", quantity: "10" }, createFeeModel("none"), 10);
    expect(result.fills.map((fill) => fill.price.toString())).toEqual(["11.011", "8.991"]);
    expect(result.portfolio.equity().toFixed(2)).toBe("9979.80");
  });

  it("goes short on the death cross when direction is long-short", async () => {
    const result = await backtest(
      { fast: "2", slow: "3", quantity: "10", direction: "long-short" },
      createFeeModel("none"),
    );
    expect(result.fills.map((fill) => [fill.side, fill.quantity.toString(), fill.price.toString()])).toEqual([
      ["BUY", "10", "11"],
      ["SELL", "20", "9"],
    ]);
    expect(result.portfolio.positionQuantity("SPY").toString()).toBe("-10");
    // short 10 from 9, last close 8: unrealized +10, realized -20
    expect(result.portfolio.equity().toString()).toBe("9990");
  });

  it("sizes by a fraction of equity, rounding down to whole shares", async () => {
    const result = await backtest({ fast: "2", slow: "3", fraction: "0.5" }, createFeeModel("none"));
    // equity 10,000 at the close of 11: 5,000 / 11 = 454.5 -> 454 shares
    expect(result.fills[0]?.quantity.toString()).toBe("454");
  });

  it("rejects a buy the cash cannot pay for and trades nothing", async () => {
    const result = await backtest({ fast: "2", slow: "3", quantity: "1000" }, createFeeModel("fixed"));
    expect(result.fills).toHaveLength(0);
    expect(result.ordersRejected).toBe(1);
    expect(result.portfolio.cash().toString()).toBe("10000");
  });

  it("gives the same result twice for the same bars", async () => {
    const first = await backtest({ fast: "2", slow: "3", quantity: "10" }, createFeeModel("tiered"));
    const second = await backtest({ fast: "2", slow: "3", quantity: "10" }, createFeeModel("tiered"));
    expect(second.portfolio.equity().toString()).toBe(first.portfolio.equity().toString());
    expect(second.fills.map((fill) => fill.commission.toString())).toEqual(
      first.fills.map((fill) => fill.commission.toString()),
    );
  });

  it("records one equity point per bar and counts exposure while a position is open", async () => {
    const result = await backtest({ fast: "2", slow: "3", quantity: "10" }, createFeeModel("none"));
    expect(result.equityCurve.length).toBe(11);
    // long from the open of bar 7 to the open of bar 10: bars 7, 8, 9 end with a position
    expect(result.stats.timestampsWithPosition).toBe(3);
  });
});

describe("buy-and-hold baseline", () => {
  it("splits equity evenly across symbols and holds both to the end", async () => {
    const strategy = await new StrategyRegistry().load("buy-and-hold", {}, { symbols: ["AAA", "BBB"] });
    const bars = [
      ...barsFromCloses("10 10 12", { symbol: "AAA" }),
      ...barsFromCloses("20 20 25", { symbol: "BBB" }),
    ].sort((a, b) => a.closeTime - b.closeTime || a.symbol.localeCompare(b.symbol));
    const result = new BacktestRunner().run({
      bars,
      strategy,
      initialCapital: new Decimal(10_000),
      feeModel: createFeeModel("none"),
      slippageBps: 0,
    });
    // 10,000 x 0.95 / 2 = 4,750 per symbol: 475 AAA at 10 and 237 BBB at 20, both fill at the second bar's open
    expect(
      result.fills.map((fill) => [fill.symbol, fill.quantity.toString(), fill.price.toString()]),
    ).toEqual([
      ["AAA", "475", "10"],
      ["BBB", "237", "20"],
    ]);
    expect(result.ordersRejected).toBe(0);
    // cash 10,000 - 4,750 - 4,740 = 510; AAA 475 x 12 = 5,700; BBB 237 x 25 = 5,925
    expect(result.portfolio.equity().toString()).toBe("12135");
  });
});
