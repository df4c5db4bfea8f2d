import { Decimal } from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RiskConfig } from "../config/config.js";
import { ManualClock } from "../core/manual-clock.js";
import type { OrderSide, OrderType } from "../model/order.js";
import { Portfolio } from "../portfolio/portfolio.js";
import type { OrderTerms } from "./risk-decision.js";
import { RiskChecks } from "./risk-checks.js";

const SEED = { seed: 20_240_305 } as const;
const SYMBOLS = ["AAA", "BBB"] as const;

interface OrderSpec {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  /** Hundredths of a share. */
  readonly quantityHundredths: number;
  readonly priceCents: number;
  readonly advanceMs: number;
}

const orderSpec: fc.Arbitrary<OrderSpec> = fc.record({
  symbol: fc.constantFrom(...SYMBOLS),
  side: fc.constantFrom<OrderSide>("BUY", "SELL"),
  type: fc.constantFrom<OrderType>("MARKET", "LIMIT", "STOP"),
  quantityHundredths: fc.integer({ min: 1, max: 200_000 }),
  priceCents: fc.integer({ min: 1, max: 50_000 }),
  advanceMs: fc.integer({ min: 0, max: 3_600_000 }),
});

const limitsSpec: fc.Arbitrary<RiskConfig> = fc.record({
  maxPositionNotional: fc.constantFrom(0, 1_000, 100_000).map((amount) => new Decimal(amount)),
  maxOrderNotional: fc.constantFrom(0, 1_000, 100_000).map((amount) => new Decimal(amount)),
  maxOrdersPerMinute: fc.constantFrom(0, 2, 50),
  maxDailyLoss: fc.constantFrom(0, 100, 10_000).map((amount) => new Decimal(amount)),
  tradingState: fc.constant("reducing-only" as const),
});

function toOrder(spec: OrderSpec): OrderTerms {
  const price = spec.priceCents / 100;
  return {
    symbol: spec.symbol,
    side: spec.side,
    type: spec.type,
    quantity: new Decimal(spec.quantityHundredths).div(100),
    ...(spec.type === "LIMIT" ? { limitPrice: price } : {}),
    ...(spec.type === "STOP" ? { stopPrice: price } : {}),
  };
}

describe("RiskChecks properties", () => {
  it("in reducing-only, no allowed order ever increases |position| or crosses through zero", () => {
    fc.assert(
      fc.property(
        limitsSpec,
        fc.tuple(fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: -100_000, max: 100_000 })),
        fc.array(orderSpec, { minLength: 1, maxLength: 40 }),
        (limits, startHundredths, specs) => {
          const portfolio = new Portfolio({ initialCash: new Decimal(1_000_000) });
          SYMBOLS.forEach((symbol, index) => {
            const hundredths = startHundredths[index] ?? 0;
            if (hundredths !== 0) {
              portfolio.applyFill({
                fillId: `start-${symbol}`,
                orderId: `start-${symbol}`,
                symbol,
                side: hundredths > 0 ? "BUY" : "SELL",
                quantity: new Decimal(Math.abs(hundredths)).div(100),
                price: new Decimal(100),
                commission: new Decimal(0),
                time: 0,
              });
            }
            portfolio.markPrice(symbol, 100);
          });
          const checks = new RiskChecks(limits);
          const clock = new ManualClock(1_709_650_800_000);

          specs.forEach((spec, index) => {
            clock.advanceMs(spec.advanceMs);
            const order = toOrder(spec);
            const before = portfolio.positionQuantity(order.symbol);
            if (!checks.check(order, portfolio, clock).allowed) return;

            checks.recordSubmitted(clock.nowMs());
            portfolio.applyFill({
              fillId: `fill-${index}`,
              orderId: `order-${index}`,
              symbol: order.symbol,
              side: order.side,
              quantity: order.quantity,
              price: new Decimal(spec.priceCents).div(100),
              commission: new Decimal(0),
              time: clock.nowMs(),
            });
            portfolio.markPrice(order.symbol, spec.priceCents / 100);
            const after = portfolio.positionQuantity(order.symbol);
            expect(after.abs().lessThanOrEqualTo(before.abs())).toBe(true);
            expect(after.isZero() || after.isNegative() === before.isNegative()).toBe(true);
          });
          expect(checks.tradingState.state()).toBe("reducing-only");
        },
      ),
      { ...SEED, numRuns: 300 },
    );
  });
});
