import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import type { RiskConfig } from "../config/config.js";
import { IdGenerator } from "../core/id-generator.js";
import { ManualClock } from "../core/manual-clock.js";
import type { OrderRequest } from "../model/order.js";
import { Portfolio } from "../portfolio/portfolio.js";
import type { RiskRule } from "./risk-decision.js";
import { RiskChecks } from "./risk-checks.js";
import { RiskGate, type OrderDeniedEvent } from "./risk-gate.js";

const ZERO = new Decimal(0);
const LIMITS: RiskConfig = {
  maxPositionNotional: ZERO,
  maxOrderNotional: new Decimal(25_000),
  maxOrdersPerMinute: 2,
  maxDailyLoss: ZERO,
  tradingState: "active",
};

function aGate(limits: RiskConfig = LIMITS): {
  gate: RiskGate;
  forwarded: OrderRequest[];
  forwardedIds: string[];
  denials: { event: OrderDeniedEvent; rule: RiskRule }[];
  clock: ManualClock;
} {
  const clock = new ManualClock(1_709_650_800_000);
  const ids = new IdGenerator(clock, "o");
  const portfolio = new Portfolio({ initialCash: new Decimal(100_000) });
  portfolio.markPrice("AAPL", 100);
  const forwarded: OrderRequest[] = [];
  const forwardedIds: string[] = [];
  const denials: { event: OrderDeniedEvent; rule: RiskRule }[] = [];
  const gate = new RiskGate({
    checks: new RiskChecks(limits),
    portfolio,
    clock,
    ids,
    strategyName: "sma-crossover",
    forward: (request) => {
      forwarded.push(request);
      const orderId = ids.next();
      forwardedIds.push(orderId);
      return orderId;
    },
    onDenied: (event, rule) => denials.push({ event, rule }),
  });
  return { gate, forwarded, forwardedIds, denials, clock };
}

const buy = (quantity: number): OrderRequest => ({
  symbol: "AAPL",
  side: "BUY",
  quantity: new Decimal(quantity),
  type: "MARKET",
  reason: "golden cross",
});

describe("RiskGate", () => {
  it("forwards an allowed request and returns the order manager's id", () => {
    const { gate, forwarded, forwardedIds, denials } = aGate();

    const orderId = gate.submit(buy(10));

    expect(forwarded).toEqual([buy(10)]);
    expect(forwardedIds).toEqual([orderId]);
    expect(denials).toEqual([]);
  });

  it("never forwards a denied request and reports it as OrderDenied with the reason and rule", () => {
    const { gate, forwarded, denials, clock } = aGate();

    const orderId = gate.submit(buy(300));

    expect(forwarded).toEqual([]);
    expect(denials).toHaveLength(1);
    const { event, rule } = denials[0]!;
    expect(rule).toBe("order-notional");
    expect(event).toMatchObject({
      type: "OrderDenied",
      reason: "order notional 30,000.00 USD exceeds RISK_MAX_ORDER_NOTIONAL 25,000 USD (BUY 300 AAPL at 100)",
      time: clock.nowMs(),
      order: {
        orderId,
        status: "Rejected",
        intent: { intentId: orderId, strategy: "sma-crossover", symbol: "AAPL", timeInForce: "DAY" },
      },
    });
    expect(event.order.filledQuantity.isZero()).toBe(true);
  });

  it("counts forwarded orders, not denied ones, towards the orders-per-minute limit", () => {
    const { gate, forwarded, denials } = aGate();

    gate.submit(buy(300));
    gate.submit(buy(1));
    gate.submit(buy(1));
    gate.submit(buy(1));

    expect(forwarded).toHaveLength(2);
    expect(denials.map((denial) => denial.rule)).toEqual(["order-notional", "order-rate"]);
  });

  it("gives a denied order an id distinct from every forwarded one", () => {
    const { gate } = aGate();

    const ids = [gate.submit(buy(1)), gate.submit(buy(300)), gate.submit(buy(1))];

    expect(new Set(ids).size).toBe(3);
  });
});
