import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { InvariantError } from "../core/errors.js";
import type { Fill } from "../model/fill.js";
import type { OrderSide } from "../model/order.js";
import { Portfolio } from "./portfolio.js";

let fillCounter = 0;

function fill(
  side: OrderSide,
  quantity: Decimal.Value,
  price: Decimal.Value,
  commission: Decimal.Value = 0,
): Fill {
  fillCounter += 1;
  return {
    fillId: `f-${fillCounter}`,
    orderId: `o-${fillCounter}`,
    symbol: "ABC",
    side,
    quantity: new Decimal(quantity),
    price: new Decimal(price),
    commission: new Decimal(commission),
    time: fillCounter,
  };
}

function newPortfolio(initialCash: Decimal.Value = 10_000): Portfolio {
  return new Portfolio({ initialCash: new Decimal(initialCash) });
}

function expectDecimal(actual: Decimal, expected: Decimal.Value): void {
  expect(actual.toString()).toBe(new Decimal(expected).toString());
}

describe("Portfolio", () => {
  it("books a commission that arrives after its fill exactly once, as if it had come with the fill", () => {
    const late = newPortfolio(10_000);
    const buy = fill("BUY", 10, 100, 0);
    late.applyFill(buy);
    expect(late.applyLateCommission(buy.fillId, "ABC", new Decimal("1.25"))).toBe(true);
    expect(late.applyLateCommission(buy.fillId, "ABC", new Decimal("1.25"))).toBe(false);
    const together = newPortfolio(10_000);
    together.applyFill({ ...buy, commission: new Decimal("1.25") });
    expectDecimal(late.cash(), together.cash().toString());
    expectDecimal(late.totalCommissions("ABC"), "1.25");
    expectDecimal(late.position("ABC")?.commissions ?? new Decimal(-1), "1.25");
    expect(late.equityEstimate()).toBe(together.equityEstimate());
  });

  it("refuses a late commission for a fill it never booked", () => {
    expect(() => newPortfolio().applyLateCommission("nope", "ABC", new Decimal(1))).toThrow(InvariantError);
  });

  it("books a long round trip: realized 200 before commissions, cash up 198 after them", () => {
    const portfolio = newPortfolio(10_000);

    portfolio.applyFill(fill("BUY", 100, 10, 1));
    // 10,000 − 100 × 10 − 1.
    expectDecimal(portfolio.cash(), 8999);
    portfolio.applyFill(fill("SELL", 100, 12, 1));

    // 8,999 + 100 × 12 − 1.
    expectDecimal(portfolio.cash(), 10_198);
    expectDecimal(portfolio.realizedPnl(), 200);
    expectDecimal(portfolio.totalCommissions(), 2);
    expectDecimal(portfolio.equity(), 10_198);
    expect(portfolio.position("ABC")).toBeUndefined();
    expect(portfolio.positions()).toEqual([]);
  });

  it("keeps a closed position's realized P&L and commissions in the symbol totals", () => {
    const portfolio = newPortfolio();
    portfolio.applyFill(fill("BUY", 100, 10, 1));
    portfolio.applyFill(fill("SELL", 100, 12, 1));

    const totals = portfolio.symbolTotals("ABC");

    expectDecimal(totals.realizedPnl, 200);
    expectDecimal(totals.commissions, 2);
    expectDecimal(portfolio.realizedPnl("ABC"), 200);
    expectDecimal(portfolio.totalCommissions("ABC"), 2);
    expect(Object.isFrozen(totals)).toBe(true);
  });

  it("averages the cost when adding and realizes against that average when reducing", () => {
    const portfolio = newPortfolio();
    portfolio.applyFill(fill("BUY", 100, 10));
    portfolio.applyFill(fill("BUY", 100, 12));

    portfolio.applyFill(fill("SELL", 50, 15));

    // Average (1,000 + 1,200) / 200 = 11; realized (15 − 11) × 50 = 200.
    const position = portfolio.position("ABC");
    expectDecimal(position?.quantity ?? new Decimal(NaN), 150);
    expectDecimal(position?.averageCost ?? new Decimal(NaN), 11);
    expectDecimal(portfolio.realizedPnl(), 200);
  });

  it("books a short and its cover, with unrealized P&L marked in between", () => {
    const portfolio = newPortfolio(10_000);

    portfolio.applyFill(fill("SELL", 100, 50, 1));
    portfolio.markPrice("ABC", 45);

    // Cash 10,000 + 5,000 − 1 = 14,999; position −100 @ 50 marked at 45: unrealized (50 − 45) × 100 = 500.
    expectDecimal(portfolio.cash(), 14_999);
    expectDecimal(portfolio.positionQuantity("ABC"), -100);
    expectDecimal(portfolio.position("ABC")?.averageCost ?? new Decimal(NaN), 50);
    expectDecimal(portfolio.unrealizedPnl("ABC"), 500);
    // 14,999 − 100 × 45.
    expectDecimal(portfolio.equity(), 10_499);

    portfolio.applyFill(fill("BUY", 100, 45, 1));

    expectDecimal(portfolio.cash(), 10_498);
    expectDecimal(portfolio.realizedPnl(), 500);
    expectDecimal(portfolio.unrealizedPnl(), 0);
    expectDecimal(portfolio.equity(), 10_498);
  });

  it("flips through zero: realizes the closed part and opens the rest at the fill price", () => {
    const portfolio = newPortfolio(10_000);
    portfolio.applyFill(fill("BUY", 100, 10));

    portfolio.applyFill(fill("SELL", 150, 12));

    // Realized (12 − 10) × 100 = 200; now short 50 @ 12; cash 10,000 − 1,000 + 1,800.
    expectDecimal(portfolio.realizedPnl(), 200);
    expectDecimal(portfolio.positionQuantity("ABC"), -50);
    expectDecimal(portfolio.position("ABC")?.averageCost ?? new Decimal(NaN), 12);
    expectDecimal(portfolio.cash(), 10_800);

    portfolio.applyFill(fill("BUY", 100, 11));

    // Cover 50 at 11: realized (12 − 11) × 50 = 50 more; now long 50 @ 11.
    expectDecimal(portfolio.realizedPnl(), 250);
    expectDecimal(portfolio.positionQuantity("ABC"), 50);
    expectDecimal(portfolio.position("ABC")?.averageCost ?? new Decimal(NaN), 11);
  });

  it("ignores a fill whose id was already booked", () => {
    const portfolio = newPortfolio();
    const buy = fill("BUY", 100, 10, 1);
    const first = portfolio.applyFill(buy);
    const positionsBefore = portfolio.positions();

    const again = portfolio.applyFill(buy);

    expect(first).toBe(true);
    expect(again).toBe(false);
    expectDecimal(portfolio.cash(), 8999);
    expectDecimal(portfolio.positionQuantity("ABC"), 100);
    expect(portfolio.positions()).toBe(positionsBefore);
    expect(portfolio.hasFill(buy.fillId)).toBe(true);
  });

  it("rejects a malformed fill without changing anything or consuming its id", () => {
    const portfolio = newPortfolio();
    const bad = { ...fill("BUY", 0, 10), fillId: "bad" };

    expect(() => portfolio.applyFill(bad)).toThrow(InvariantError);
    expectDecimal(portfolio.cash(), 10_000);
    expect(portfolio.hasFill("bad")).toBe(false);
  });

  it("values a never-marked position at its average cost", () => {
    const portfolio = newPortfolio(10_000);

    portfolio.applyFill(fill("BUY", 100, 10, 1));

    expect(portfolio.lastPrice("ABC")).toBeUndefined();
    expectDecimal(portfolio.equity(), 9999);
    expectDecimal(portfolio.unrealizedPnl(), 0);
    expect(portfolio.equityEstimate()).toBe(9999);
  });

  it("values a marked position at its last price, exactly and as an estimate", () => {
    const portfolio = newPortfolio(10_000);
    portfolio.applyFill(fill("BUY", 100, 10, 1));

    portfolio.markPrice("ABC", 10.5);

    expect(portfolio.lastPrice("ABC")).toBe(10.5);
    expectDecimal(portfolio.equity(), 10_049);
    expectDecimal(portfolio.unrealizedPnl(), 50);
    expect(portfolio.equityEstimate()).toBe(10_049);
  });

  it("remembers the last price of a symbol it holds no position in", () => {
    const portfolio = newPortfolio();

    portfolio.markPrice("XYZ", 3.25);

    expect(portfolio.lastPrice("XYZ")).toBe(3.25);
    expectDecimal(portfolio.equity(), 10_000);
    expect(portfolio.equityEstimate()).toBe(10_000);
  });

  it("rejects a mark that is negative or not a number", () => {
    const portfolio = newPortfolio();

    expect(() => {
      portfolio.markPrice("ABC", -1);
    }).toThrow(InvariantError);
    expect(() => {
      portfolio.markPrice("ABC", Number.NaN);
    }).toThrow(InvariantError);
    expect(() => {
      portfolio.markPrice("ABC", Infinity);
    }).toThrow(InvariantError);
  });

  it("returns the same frozen position snapshot until the next fill", () => {
    const portfolio = newPortfolio();
    portfolio.applyFill(fill("BUY", 100, 10));

    const first = portfolio.position("ABC");
    portfolio.markPrice("ABC", 11);
    const second = portfolio.position("ABC");
    portfolio.applyFill(fill("BUY", 1, 10));
    const third = portfolio.position("ABC");

    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(third).not.toBe(first);
    expect(Object.isFrozen(portfolio.positions())).toBe(true);
  });

  it("reports zero quantity for a symbol it does not hold", () => {
    const portfolio = newPortfolio();

    expect(portfolio.positionQuantity("NONE").isZero()).toBe(true);
    expect(portfolio.position("NONE")).toBeUndefined();
    expectDecimal(portfolio.symbolTotals("NONE").realizedPnl, 0);
  });

  it("lists open positions sorted by symbol", () => {
    const portfolio = newPortfolio();
    portfolio.applyFill({ ...fill("BUY", 1, 10), symbol: "ZZZ" });
    portfolio.applyFill({ ...fill("BUY", 1, 10), symbol: "AAA" });
    portfolio.applyFill({ ...fill("SELL", 2, 10), symbol: "MMM" });

    const symbols = portfolio.positions().map((position) => position.symbol);

    expect(symbols).toEqual(["AAA", "MMM", "ZZZ"]);
    expect(portfolio.openPositionCount()).toBe(3);
  });

  it("keeps exact cost when averaging into a repeating-decimal price", () => {
    const portfolio = newPortfolio(0);
    portfolio.applyFill(fill("BUY", 1, 10));
    portfolio.applyFill(fill("BUY", 2, 11));

    portfolio.applyFill(fill("SELL", 3, 12));

    // Basis 32 for 3 shares (average 10.666…); selling all 3 at 12 realizes exactly 36 − 32 = 4.
    expectDecimal(portfolio.realizedPnl(), 4);
    expectDecimal(portfolio.cash(), 4);
  });
});
