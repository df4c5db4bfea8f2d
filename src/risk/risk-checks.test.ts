import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import type { RiskConfig } from "../config/config.js";
import { ManualClock } from "../core/manual-clock.js";
import { newYorkLocalToUtcMs } from "../data/new-york-time.js";
import type { OrderSide } from "../model/order.js";
import { Portfolio } from "../portfolio/portfolio.js";
import type { OrderTerms } from "./risk-decision.js";
import { RiskChecks } from "./risk-checks.js";
import type { TradingStateChange } from "./trading-state-switch.js";

const ZERO = new Decimal(0);
const NO_LIMITS: RiskConfig = {
  maxPositionNotional: ZERO,
  maxOrderNotional: ZERO,
  maxOrdersPerMinute: 0,
  maxDailyLoss: ZERO,
  tradingState: "active",
};
/** Tuesday 2024-03-05 10:00 in New York. */
const TUESDAY_10AM = newYorkLocalToUtcMs(2024, 3, 5, 10, 0, 0);

function limits(overrides: Partial<RiskConfig>): RiskConfig {
  return { ...NO_LIMITS, ...overrides };
}

/** A portfolio with 100,000 USD initial cash holding `quantity` AAPL (negative = short), marked at `price`. */
function holding(quantity: number, price: number): Portfolio {
  const portfolio = new Portfolio({ initialCash: new Decimal(100_000) });
  if (quantity !== 0) {
    portfolio.applyFill({
      fillId: "opening",
      orderId: "opening",
      symbol: "AAPL",
      side: quantity > 0 ? "BUY" : "SELL",
      quantity: new Decimal(Math.abs(quantity)),
      price: new Decimal(price),
      commission: ZERO,
      time: 0,
    });
  }
  portfolio.markPrice("AAPL", price);
  return portfolio;
}

function order(side: OrderSide, quantity: number | string, extra: Partial<OrderTerms> = {}): OrderTerms {
  return { symbol: "AAPL", side, quantity: new Decimal(quantity), type: "MARKET", ...extra };
}

const clockAt = (timeMs = TUESDAY_10AM): ManualClock => new ManualClock(timeMs);

describe("RiskChecks trading state", () => {
  it("allows any order when active and no limit is set", () => {
    const checks = new RiskChecks(NO_LIMITS);

    expect(checks.check(order("BUY", 1_000_000), new Portfolio({ initialCash: ZERO }), clockAt())).toEqual({
      allowed: true,
    });
  });

  it("denies every order when halted, even one that closes a position", () => {
    const checks = new RiskChecks(limits({ tradingState: "halted" }));

    expect(checks.check(order("SELL", 100), holding(100, 50), clockAt())).toEqual({
      allowed: false,
      rule: "trading-state",
      reason: "trading state is halted (RISK_TRADING_STATE is halted): SELL 100 AAPL is not sent",
    });
  });

  it.each([
    { position: 100, side: "SELL", quantity: 100, what: "a sell of the whole long" },
    { position: 100, side: "SELL", quantity: 40, what: "a sell of part of the long" },
    { position: -100, side: "BUY", quantity: 100, what: "a buy of the whole short" },
    { position: -100, side: "BUY", quantity: "0.5", what: "a buy of part of the short" },
  ] as const)("allows $what when reducing-only", ({ position, side, quantity }) => {
    const checks = new RiskChecks(limits({ tradingState: "reducing-only" }));

    expect(checks.check(order(side, quantity), holding(position, 50), clockAt()).allowed).toBe(true);
  });

  it.each([
    { position: 0, side: "BUY", quantity: 1, problem: "would open or increase the AAPL position (now 0)" },
    { position: 0, side: "SELL", quantity: 1, problem: "would open or increase the AAPL position (now 0)" },
    {
      position: 100,
      side: "BUY",
      quantity: 1,
      problem: "would open or increase the AAPL position (now 100)",
    },
    {
      position: -100,
      side: "SELL",
      quantity: 1,
      problem: "would open or increase the AAPL position (now -100)",
    },
    {
      position: 100,
      side: "SELL",
      quantity: 101,
      problem: "would reverse the AAPL position through zero (now 100)",
    },
    {
      position: -100,
      side: "BUY",
      quantity: "100.01",
      problem: "would reverse the AAPL position through zero (now -100)",
    },
  ] as const)("denies $side $quantity with position $position when reducing-only", (example) => {
    const checks = new RiskChecks(limits({ tradingState: "reducing-only" }));

    const decision = checks.check(
      order(example.side, example.quantity),
      holding(example.position, 50),
      clockAt(),
    );

    expect(decision).toEqual({
      allowed: false,
      rule: "trading-state",
      reason:
        `trading state is reducing-only (RISK_TRADING_STATE is reducing-only): ` +
        `${example.side} ${example.quantity} AAPL ${example.problem}`,
    });
  });

  it("follows a run-time switch of the trading state", () => {
    const checks = new RiskChecks(NO_LIMITS);
    checks.tradingState.set("halted", "operator: news pending");

    expect(checks.check(order("BUY", 1), holding(0, 50), clockAt())).toMatchObject({
      allowed: false,
      reason: "trading state is halted (operator: news pending): BUY 1 AAPL is not sent",
    });
  });
});

describe("RiskChecks order notional", () => {
  const maxOrderNotional = new Decimal(25_000);

  it("allows an order whose notional at the last price equals RISK_MAX_ORDER_NOTIONAL", () => {
    const checks = new RiskChecks(limits({ maxOrderNotional }));

    expect(checks.check(order("BUY", 250), holding(0, 100), clockAt()).allowed).toBe(true);
  });

  it("denies an order one cent of notional over RISK_MAX_ORDER_NOTIONAL", () => {
    const checks = new RiskChecks(limits({ maxOrderNotional }));

    expect(checks.check(order("BUY", "250.0001"), holding(0, 100), clockAt())).toEqual({
      allowed: false,
      rule: "order-notional",
      reason:
        "order notional 25,000.01 USD exceeds RISK_MAX_ORDER_NOTIONAL 25,000 USD (BUY 250.0001 AAPL at 100)",
    });
  });

  it("says the notional, the limit and the config key in one line", () => {
    const checks = new RiskChecks(limits({ maxOrderNotional }));

    expect(checks.check(order("BUY", 300), holding(0, 100.5), clockAt())).toMatchObject({
      reason:
        "order notional 30,150.00 USD exceeds RISK_MAX_ORDER_NOTIONAL 25,000 USD (BUY 300 AAPL at 100.5)",
    });
  });

  it("values a LIMIT order at its limit price", () => {
    const checks = new RiskChecks(limits({ maxOrderNotional }));
    const portfolio = holding(0, 100);

    expect(
      checks.check(order("BUY", 125, { type: "LIMIT", limitPrice: 200 }), portfolio, clockAt()).allowed,
    ).toBe(true);
    expect(
      checks.check(order("BUY", 126, { type: "LIMIT", limitPrice: 200 }), portfolio, clockAt()),
    ).toMatchObject({ allowed: false, rule: "order-notional" });
  });

  it("values a STOP order at its stop price", () => {
    const checks = new RiskChecks(limits({ maxOrderNotional }));

    const decision = checks.check(
      order("SELL", 200, { type: "STOP", stopPrice: 125.01 }),
      holding(0, 100),
      clockAt(),
    );

    expect(decision).toMatchObject({ allowed: false, rule: "order-notional" });
  });

  it("also limits an order that closes a position", () => {
    const checks = new RiskChecks(limits({ maxOrderNotional }));

    expect(checks.check(order("SELL", 300), holding(300, 100), clockAt())).toMatchObject({
      allowed: false,
      rule: "order-notional",
    });
  });

  it("denies a MARKET order when no price is known for the symbol, saying so", () => {
    const checks = new RiskChecks(limits({ maxOrderNotional }));

    expect(checks.check(order("BUY", 1), new Portfolio({ initialCash: ZERO }), clockAt())).toEqual({
      allowed: false,
      rule: "order-notional",
      reason: "no price known for AAPL to value BUY 1 AAPL (MARKET) against RISK_MAX_ORDER_NOTIONAL",
    });
  });

  it("needs no price when no notional limit is set", () => {
    const checks = new RiskChecks(NO_LIMITS);

    expect(checks.check(order("BUY", 1), new Portfolio({ initialCash: ZERO }), clockAt()).allowed).toBe(true);
  });
});

describe("RiskChecks position notional", () => {
  const maxPositionNotional = new Decimal(50_000);

  it("allows a buy that takes the position to exactly RISK_MAX_POSITION_NOTIONAL", () => {
    const checks = new RiskChecks(limits({ maxPositionNotional }));

    expect(checks.check(order("BUY", 100), holding(400, 100), clockAt()).allowed).toBe(true);
  });

  it("denies a buy that takes the position past RISK_MAX_POSITION_NOTIONAL", () => {
    const checks = new RiskChecks(limits({ maxPositionNotional }));

    expect(checks.check(order("BUY", 101), holding(400, 100), clockAt())).toEqual({
      allowed: false,
      rule: "position-limit",
      reason:
        "position notional 50,100.00 USD exceeds RISK_MAX_POSITION_NOTIONAL 50,000 USD " +
        "(BUY 101 AAPL takes AAPL from 400 to 501 at 100)",
    });
  });

  it("measures a short position by its absolute size", () => {
    const checks = new RiskChecks(limits({ maxPositionNotional }));
    const portfolio = holding(-400, 100);

    expect(checks.check(order("SELL", 100), portfolio, clockAt()).allowed).toBe(true);
    expect(checks.check(order("SELL", 101), portfolio, clockAt())).toMatchObject({ rule: "position-limit" });
  });

  it("always allows an order that shrinks a position already over the limit", () => {
    const checks = new RiskChecks(limits({ maxPositionNotional }));

    expect(checks.check(order("SELL", 1), holding(600, 100), clockAt()).allowed).toBe(true);
  });

  it("allows a reversal that leaves a smaller position, and denies one that leaves a larger one over the limit", () => {
    const checks = new RiskChecks(limits({ maxPositionNotional }));
    const portfolio = holding(600, 100);

    expect(checks.check(order("SELL", 900), portfolio, clockAt()).allowed).toBe(true);
    expect(checks.check(order("SELL", 1_201), portfolio, clockAt())).toMatchObject({
      rule: "position-limit",
    });
  });

  it("denies an order that grows a position when no price is known, naming the key", () => {
    const checks = new RiskChecks(limits({ maxPositionNotional }));

    expect(checks.check(order("BUY", 1), new Portfolio({ initialCash: ZERO }), clockAt())).toEqual({
      allowed: false,
      rule: "position-limit",
      reason: "no price known for AAPL to value BUY 1 AAPL (MARKET) against RISK_MAX_POSITION_NOTIONAL",
    });
  });
});

describe("RiskChecks orders per minute", () => {
  it("denies the order that would be one more than RISK_MAX_ORDERS_PER_MINUTE in any 60 s", () => {
    const checks = new RiskChecks(limits({ maxOrdersPerMinute: 3 }));
    const clock = clockAt();
    const portfolio = holding(0, 100);
    for (const offsetMs of [0, 10_000, 20_000]) {
      clock.setMs(TUESDAY_10AM + offsetMs);
      expect(checks.check(order("BUY", 1), portfolio, clock).allowed).toBe(true);
      checks.recordSubmitted(clock.nowMs());
    }

    clock.setMs(TUESDAY_10AM + 59_999);

    expect(checks.check(order("BUY", 1), portfolio, clock)).toEqual({
      allowed: false,
      rule: "order-rate",
      reason: "3 orders sent in the last 60 s; one more exceeds RISK_MAX_ORDERS_PER_MINUTE 3",
    });
  });

  it("allows again once the oldest order is 60 s old, and the window keeps sliding", () => {
    const checks = new RiskChecks(limits({ maxOrdersPerMinute: 3 }));
    const clock = clockAt();
    const portfolio = holding(0, 100);
    for (const offsetMs of [0, 10_000, 20_000]) checks.recordSubmitted(TUESDAY_10AM + offsetMs);

    clock.setMs(TUESDAY_10AM + 60_000);
    expect(checks.check(order("BUY", 1), portfolio, clock).allowed).toBe(true);
    checks.recordSubmitted(clock.nowMs());

    clock.setMs(TUESDAY_10AM + 69_999);
    expect(checks.check(order("BUY", 1), portfolio, clock)).toMatchObject({ rule: "order-rate" });
    clock.setMs(TUESDAY_10AM + 70_000);
    expect(checks.check(order("BUY", 1), portfolio, clock).allowed).toBe(true);
  });

  it("counts only orders recorded as sent, not checks", () => {
    const checks = new RiskChecks(limits({ maxOrdersPerMinute: 1 }));
    const portfolio = holding(0, 100);

    for (let index = 0; index < 5; index += 1) {
      expect(checks.check(order("BUY", 1), portfolio, clockAt()).allowed).toBe(true);
    }
  });
});

describe("RiskChecks daily loss", () => {
  const maxDailyLoss = new Decimal(1_000);

  /** Holds 100 AAPL bought at 100, with the day's first check taken at that price. */
  function dayStartedAt100(config: Partial<RiskConfig> = {}): {
    checks: RiskChecks;
    portfolio: Portfolio;
    clock: ManualClock;
  } {
    const checks = new RiskChecks(limits({ maxDailyLoss, ...config }));
    const portfolio = holding(100, 100);
    const clock = clockAt();
    checks.check(order("BUY", 1), portfolio, clock);
    return { checks, portfolio, clock };
  }

  it("allows entries while the day's loss equals RISK_MAX_DAILY_LOSS", () => {
    const { checks, portfolio, clock } = dayStartedAt100();
    portfolio.markPrice("AAPL", 90);

    expect(checks.check(order("BUY", 1), portfolio, clock).allowed).toBe(true);
    expect(checks.tradingState.state()).toBe("active");
  });

  it("switches to reducing-only with the loss, the limit and the key once the loss exceeds the limit", () => {
    const { checks, portfolio, clock } = dayStartedAt100();
    const changes: TradingStateChange[] = [];
    checks.tradingState.onChange((change) => changes.push(change));
    portfolio.markPrice("AAPL", 89.99);
    clock.advanceMs(3_600_000);

    const decision = checks.check(order("BUY", 1), portfolio, clock);

    const reason = "daily loss 1,001.00 USD exceeds RISK_MAX_DAILY_LOSS 1,000 USD";
    expect(changes).toEqual([{ from: "active", to: "reducing-only", reason }]);
    expect(checks.tradingState.reason()).toBe(reason);
    expect(decision).toEqual({
      allowed: false,
      rule: "daily-loss",
      reason: `trading state is reducing-only (${reason}): BUY 1 AAPL would open or increase the AAPL position (now 100)`,
    });
  });

  it("keeps denying entries after a breach, even if the price recovers the same day", () => {
    const { checks, portfolio, clock } = dayStartedAt100();
    portfolio.markPrice("AAPL", 89);
    checks.check(order("BUY", 1), portfolio, clock);
    portfolio.markPrice("AAPL", 100);

    expect(checks.check(order("BUY", 1), portfolio, clock)).toMatchObject({
      allowed: false,
      rule: "daily-loss",
    });
  });

  it("still lets exits through after a breach", () => {
    const { checks, portfolio, clock } = dayStartedAt100();
    portfolio.markPrice("AAPL", 89);

    expect(checks.check(order("SELL", 100), portfolio, clock).allowed).toBe(true);
    expect(checks.tradingState.state()).toBe("reducing-only");
  });

  it("does not re-activate on a new New York day; it takes a new baseline and waits for a human", () => {
    const { checks, portfolio, clock } = dayStartedAt100();
    portfolio.markPrice("AAPL", 89);
    checks.check(order("BUY", 1), portfolio, clock);
    clock.setMs(newYorkLocalToUtcMs(2024, 3, 6, 9, 30, 0));

    expect(checks.check(order("BUY", 1), portfolio, clock)).toMatchObject({
      allowed: false,
      rule: "daily-loss",
    });
    expect(checks.tradingState.state()).toBe("reducing-only");
    expect(checks.dayStart()?.equity.toString()).toBe("98900");

    checks.tradingState.set("active", "operator: reviewed yesterday's loss");
    expect(checks.check(order("BUY", 1), portfolio, clock).allowed).toBe(true);
  });

  it("trips again the same day when a human re-activates while the loss still exceeds the limit", () => {
    const { checks, portfolio, clock } = dayStartedAt100();
    portfolio.markPrice("AAPL", 89);
    checks.check(order("BUY", 1), portfolio, clock);
    checks.tradingState.set("active", "operator");

    expect(checks.check(order("BUY", 1), portfolio, clock)).toMatchObject({
      allowed: false,
      rule: "daily-loss",
    });
  });

  it("starts the day at New York midnight, not UTC midnight", () => {
    const checks = new RiskChecks(limits({ maxDailyLoss }));
    const portfolio = holding(100, 100);
    const clock = clockAt(newYorkLocalToUtcMs(2024, 3, 5, 18, 0, 0));
    checks.check(order("BUY", 1), portfolio, clock);
    portfolio.markPrice("AAPL", 89);
    clock.setMs(newYorkLocalToUtcMs(2024, 3, 5, 23, 59, 0));

    expect(checks.check(order("BUY", 1), portfolio, clock)).toMatchObject({
      allowed: false,
      rule: "daily-loss",
    });
  });

  it("leaves a halted state halted when the loss limit is breached", () => {
    const { checks, portfolio, clock } = dayStartedAt100();
    checks.tradingState.set("halted", "operator");
    portfolio.markPrice("AAPL", 89);

    expect(checks.check(order("SELL", 1), portfolio, clock)).toMatchObject({ rule: "trading-state" });
    expect(checks.tradingState.state()).toBe("halted");
  });

  it("trips on an equity observation without any order", () => {
    const { checks, portfolio, clock } = dayStartedAt100();
    portfolio.markPrice("AAPL", 89);

    checks.observeEquity(portfolio, clock);

    expect(checks.tradingState.state()).toBe("reducing-only");
  });

  it("never trips when RISK_MAX_DAILY_LOSS is 0", () => {
    const { checks, portfolio, clock } = dayStartedAt100({ maxDailyLoss: ZERO });
    portfolio.markPrice("AAPL", 1);

    expect(checks.check(order("BUY", 1), portfolio, clock).allowed).toBe(true);
  });
});
