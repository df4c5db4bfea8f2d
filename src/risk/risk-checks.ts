import type { Decimal } from "decimal.js";
import type { RiskConfig } from "../config/config.js";
import type { Clock } from "../core/clock.js";
import type { PortfolioView } from "../portfolio/portfolio-view.js";
import { formatMoney, groupThousands } from "../report/report-format.js";
import { DailyLossTracker, type DayStartEquity } from "./daily-loss-tracker.js";
import { OrderRateWindow } from "./order-rate-window.js";
import { referencePrice } from "./reference-price.js";
import { ALLOWED, denied, type OrderTerms, type RiskDecision } from "./risk-decision.js";
import { TradingStateSwitch } from "./trading-state-switch.js";

/**
 * The pre-trade checks every order passes before it is sent, in backtest, sim and live alike: trading
 * state, order notional, position notional per symbol, orders per minute and the daily loss limit.
 *
 * A daily-loss breach switches the trading state to reducing-only. A new New York day does not switch
 * it back: re-activating is a human decision (through the TradingStateSwitch), and while the day's loss
 * still exceeds the limit the next check trips it again.
 */
export class RiskChecks {
  private readonly rateWindow = new OrderRateWindow();
  private readonly dailyLoss = new DailyLossTracker();
  private dailyLossReason: string | undefined;

  constructor(
    private readonly limits: RiskConfig,
    /** The run-time trading state; starts from `limits.tradingState` unless one is passed in. */
    readonly tradingState: TradingStateSwitch = new TradingStateSwitch(limits.tradingState),
  ) {}

  /** Judges `order` against the portfolio now; the first failing rule denies it. */
  check(order: OrderTerms, portfolio: PortfolioView, clock: Clock): RiskDecision {
    const nowMs = clock.nowMs();
    this.watchDailyLoss(portfolio, nowMs);
    const position = portfolio.positionQuantity(order.symbol);
    const stateDecision = this.checkTradingState(order, position);
    if (!stateDecision.allowed) return stateDecision;

    const price = referencePrice(order, portfolio.lastPrice(order.symbol));
    const { maxOrderNotional, maxPositionNotional, maxOrdersPerMinute } = this.limits;
    if (maxOrderNotional.greaterThan(0)) {
      if (price === undefined) return denied("order-notional", noPrice(order, "RISK_MAX_ORDER_NOTIONAL"));
      const notional = order.quantity.abs().times(price);
      if (notional.greaterThan(maxOrderNotional)) {
        return denied(
          "order-notional",
          `order notional ${usd(notional)} exceeds RISK_MAX_ORDER_NOTIONAL ${limit(maxOrderNotional)} ` +
            `(${describe(order)} at ${price.toString()})`,
        );
      }
    }

    const after = position.plus(signedQuantity(order));
    if (maxPositionNotional.greaterThan(0) && after.abs().greaterThan(position.abs())) {
      if (price === undefined) {
        return denied("position-limit", noPrice(order, "RISK_MAX_POSITION_NOTIONAL"));
      }
      const notional = after.abs().times(price);
      if (notional.greaterThan(maxPositionNotional)) {
        return denied(
          "position-limit",
          `position notional ${usd(notional)} exceeds RISK_MAX_POSITION_NOTIONAL ${limit(maxPositionNotional)} ` +
            `(${describe(order)} takes ${order.symbol} from ${position.toString()} to ${after.toString()} ` +
            `at ${price.toString()})`,
        );
      }
    }

    if (maxOrdersPerMinute > 0) {
      const sent = this.rateWindow.countAt(nowMs);
      if (sent >= maxOrdersPerMinute) {
        return denied(
          "order-rate",
          `${sent} orders sent in the last 60 s; one more exceeds RISK_MAX_ORDERS_PER_MINUTE ${maxOrdersPerMinute}`,
        );
      }
    }
    return ALLOWED;
  }

  /** Counts an order sent at `atMs` towards the orders-per-minute window (every order counts, whatever its symbol). */
  recordSubmitted(atMs: number): void {
    this.rateWindow.record(atMs);
  }

  /**
   * Takes the day's starting equity and enforces the daily loss limit without an order; call it on every
   * bar so a breach switches to reducing-only (and shows in status) even when no order is checked.
   */
  observeEquity(portfolio: PortfolioView, clock: Clock): void {
    this.watchDailyLoss(portfolio, clock.nowMs());
  }

  /** The equity the current New York day started from, for status; undefined before the first check. */
  dayStart(): DayStartEquity | undefined {
    return this.dailyLoss.dayStart();
  }

  private watchDailyLoss(portfolio: PortfolioView, nowMs: number): void {
    const loss = this.dailyLoss.observe(nowMs, portfolio.equity());
    const { maxDailyLoss } = this.limits;
    if (!maxDailyLoss.greaterThan(0) || !loss.greaterThan(maxDailyLoss)) return;
    // Only an active state is weakened to reducing-only: an operator's reducing-only or halt stands as set.
    if (this.tradingState.state() !== "active") return;
    const reason = `daily loss ${usd(loss)} exceeds RISK_MAX_DAILY_LOSS ${limit(maxDailyLoss)}`;
    this.dailyLossReason = reason;
    this.tradingState.set("reducing-only", reason);
  }

  private checkTradingState(order: OrderTerms, position: Decimal): RiskDecision {
    const state = this.tradingState.state();
    const why = this.tradingState.reason();
    if (state === "halted") {
      return denied("trading-state", `trading state is halted (${why}): ${describe(order)} is not sent`);
    }
    if (state === "active") return ALLOWED;
    const problem = reducingOnlyProblem(order, position);
    if (problem === undefined) return ALLOWED;
    const rule = why === this.dailyLossReason ? "daily-loss" : "trading-state";
    return denied(rule, `trading state is reducing-only (${why}): ${describe(order)} ${problem}`);
  }
}

/** Why `order` does not shrink `position` without crossing zero, or undefined when it does. */
function reducingOnlyProblem(order: OrderTerms, position: Decimal): string | undefined {
  const held = position.abs();
  if (!order.quantity.greaterThan(0)) return `has no positive quantity`;
  const shrinks = order.side === "SELL" ? position.greaterThan(0) : position.lessThan(0);
  if (!shrinks) return `would open or increase the ${order.symbol} position (now ${position.toString()})`;
  if (order.quantity.greaterThan(held)) {
    return `would reverse the ${order.symbol} position through zero (now ${position.toString()})`;
  }
  return undefined;
}

function signedQuantity(order: OrderTerms): Decimal {
  return order.side === "BUY" ? order.quantity : order.quantity.negated();
}

function describe(order: OrderTerms): string {
  return `${order.side} ${order.quantity.toString()} ${order.symbol}`;
}

function noPrice(order: OrderTerms, key: string): string {
  return `no price known for ${order.symbol} to value ${describe(order)} (${order.type}) against ${key}`;
}

/** A computed amount: 2 decimals, `30,150.00 USD`. */
function usd(amount: Decimal): string {
  return `${formatMoney(amount)} USD`;
}

/** A configured limit as the user wrote it: `25,000 USD`. */
function limit(amount: Decimal): string {
  return `${groupThousands(amount.toFixed())} USD`;
}
