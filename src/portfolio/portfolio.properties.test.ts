import { Decimal } from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Fill } from "../model/fill.js";
import type { OrderSide } from "../model/order.js";
import { Portfolio } from "./portfolio.js";

const SYMBOLS = ["AAA", "BBB", "CCC"] as const;
const SEED = { seed: 42 } as const;

interface FillSpec {
  readonly symbol: string;
  readonly side: OrderSide;
  /** Hundredths of a share. */
  readonly quantityHundredths: number;
  readonly priceCents: number;
  readonly commissionCents: number;
}

interface MarkSpec {
  readonly symbol: string;
  readonly priceCents: number;
}

const fillSpec = (minPriceCents: number, maxPriceCents: number): fc.Arbitrary<FillSpec> =>
  fc.record({
    symbol: fc.constantFrom(...SYMBOLS),
    side: fc.constantFrom<OrderSide>("BUY", "SELL"),
    quantityHundredths: fc.integer({ min: 1, max: 1_000_000 }),
    priceCents: fc.integer({ min: minPriceCents, max: maxPriceCents }),
    commissionCents: fc.integer({ min: 0, max: 1_000 }),
  });

const markSpec: fc.Arbitrary<MarkSpec> = fc.record({
  symbol: fc.constantFrom(...SYMBOLS),
  priceCents: fc.integer({ min: 5_000, max: 15_000 }),
});

function toFill(spec: FillSpec, index: number): Fill {
  return {
    fillId: `f-${index}`,
    orderId: `o-${index}`,
    symbol: spec.symbol,
    side: spec.side,
    quantity: new Decimal(spec.quantityHundredths).div(100),
    price: new Decimal(spec.priceCents).div(100),
    commission: new Decimal(spec.commissionCents).div(100),
    time: index,
  };
}

describe("Portfolio properties", () => {
  it("balances: cash + market value = initial cash + realized + unrealized − commissions, exactly", () => {
    fc.assert(
      fc.property(fc.array(fillSpec(1, 100_000), { minLength: 1, maxLength: 40 }), (specs) => {
        const initialCash = new Decimal("1000000");
        const portfolio = new Portfolio({ initialCash });
        const lastFillPrice = new Map<string, Decimal>();
        specs.forEach((spec, index) => {
          const fill = toFill(spec, index);
          portfolio.applyFill(fill);
          lastFillPrice.set(fill.symbol, fill.price);
        });
        for (const [symbol, price] of lastFillPrice) portfolio.markPrice(symbol, price.toNumber());

        let marketValue = new Decimal(0);
        for (const [symbol, price] of lastFillPrice) {
          marketValue = marketValue.plus(portfolio.positionQuantity(symbol).times(price));
        }
        const left = portfolio.cash().plus(marketValue);
        const right = initialCash
          .plus(portfolio.realizedPnl())
          .plus(portfolio.unrealizedPnl())
          .minus(portfolio.totalCommissions());

        expect(left.toString()).toBe(right.toString());
        expect(portfolio.equity().toString()).toBe(left.toString());
      }),
      SEED,
    );
  });

  it("loses exactly the two commissions on a round trip at an unchanged price", () => {
    const roundTrip = fc.record({
      symbol: fc.constantFrom(...SYMBOLS),
      buyFirst: fc.boolean(),
      quantityHundredths: fc.integer({ min: 1, max: 1_000_000 }),
      priceCents: fc.integer({ min: 1, max: 100_000 }),
      firstCommissionCents: fc.integer({ min: 0, max: 1_000 }),
      secondCommissionCents: fc.integer({ min: 0, max: 1_000 }),
    });
    fc.assert(
      fc.property(fc.array(fillSpec(1, 100_000), { maxLength: 20 }), roundTrip, (history, trip) => {
        const portfolio = new Portfolio({ initialCash: new Decimal("1000000") });
        history.forEach((spec, index) => portfolio.applyFill(toFill(spec, index)));
        const price = new Decimal(trip.priceCents).div(100);
        portfolio.markPrice(trip.symbol, price.toNumber());
        const before = portfolio.equity();
        const [firstSide, secondSide]: [OrderSide, OrderSide] = trip.buyFirst
          ? ["BUY", "SELL"]
          : ["SELL", "BUY"];
        const leg = (side: OrderSide, commissionCents: number): FillSpec => ({
          symbol: trip.symbol,
          side,
          quantityHundredths: trip.quantityHundredths,
          priceCents: trip.priceCents,
          commissionCents,
        });

        portfolio.applyFill(toFill(leg(firstSide, trip.firstCommissionCents), history.length));
        portfolio.applyFill(toFill(leg(secondSide, trip.secondCommissionCents), history.length + 1));

        const commissions = new Decimal(trip.firstCommissionCents + trip.secondCommissionCents).div(100);
        expect(portfolio.equity().toString()).toBe(before.minus(commissions).toString());
      }),
      SEED,
    );
  });

  it("keeps equityEstimate within 1e-6 relative of the exact equity through fills and marks", () => {
    const step = fc.oneof(
      fillSpec(5_000, 15_000).map((spec) => ({ kind: "fill" as const, spec })),
      markSpec.map((spec) => ({ kind: "mark" as const, spec })),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const portfolio = new Portfolio({ initialCash: new Decimal("10000000") });
        steps.forEach((item, index) => {
          if (item.kind === "fill") portfolio.applyFill(toFill(item.spec, index));
          else portfolio.markPrice(item.spec.symbol, item.spec.priceCents / 100);

          const exact = portfolio.equity().toNumber();
          expect(Math.abs(portfolio.equityEstimate() - exact)).toBeLessThanOrEqual(1e-6 * Math.abs(exact));
        });
      }),
      SEED,
    );
  });

  it("keeps equityEstimate from drifting over a million marks", () => {
    const portfolio = new Portfolio({ initialCash: new Decimal("100000") });
    portfolio.applyFill(
      toFill(
        { symbol: "AAA", side: "BUY", quantityHundredths: 33_333, priceCents: 10_001, commissionCents: 0 },
        0,
      ),
    );
    portfolio.applyFill(
      toFill(
        { symbol: "BBB", side: "SELL", quantityHundredths: 77_777, priceCents: 4_999, commissionCents: 0 },
        1,
      ),
    );

    for (let i = 0; i < 1_000_000; i++) {
      portfolio.markPrice("AAA", 100 + (i % 97) * 0.013);
      portfolio.markPrice("BBB", 50 - (i % 89) * 0.007);
    }

    const exact = portfolio.equity().toNumber();
    expect(Math.abs(portfolio.equityEstimate() - exact)).toBeLessThanOrEqual(1e-6 * Math.abs(exact));
  });
});
