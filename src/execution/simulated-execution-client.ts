import { Decimal } from "decimal.js";
import type { Clock } from "../core/clock.js";
import { InvariantError } from "../core/errors.js";
import { newYorkDayNumber } from "../data/new-york-time.js";
import type { Bar } from "../model/bar.js";
import type { Order } from "../model/order.js";
import { remainingQuantity } from "../model/order-event.js";
import type { FeeModel } from "../portfolio/fee-model.js";
import type { PortfolioView } from "../portfolio/portfolio-view.js";
import type { ExecutionClient, ExecutionReport } from "./execution-client.js";

/** Options of the simulated venue. */
export interface SimulatedExecutionOptions {
  readonly clock: Clock;
  readonly feeModel: FeeModel;
  readonly portfolio: PortfolioView;
  /** Adverse slippage on market and stop fills, in basis points of the fill price. */
  readonly slippageBps: number;
}

interface WorkingOrder {
  readonly order: Order;
  /** New York day number of the first bar the order could trade on; DAY orders expire after it. */
  sessionDay: number | undefined;
}

const BASIS_POINTS = new Decimal(10_000);

/**
 * A venue inside the process: market orders fill at the next bar's open, limit and stop orders when a
 * bar trades through their price, with slippage and the configured IB fee model. Buys need the cash.
 */
export class SimulatedExecutionClient implements ExecutionClient {
  readonly name = "simulated";
  private listener: ((report: ExecutionReport) => void) | undefined;
  private readonly working = new Map<string, WorkingOrder[]>();
  private readonly buyPriceFactor: Decimal;
  private readonly sellPriceFactor: Decimal;
  private readonly slippageFree: boolean;
  private fillCounter = 0;

  constructor(private readonly options: SimulatedExecutionOptions) {
    const slippage = new Decimal(options.slippageBps).dividedBy(BASIS_POINTS);
    this.slippageFree = slippage.isZero();
    this.buyPriceFactor = slippage.plus(1);
    this.sellPriceFactor = new Decimal(1).minus(slippage);
  }

  setReportListener(listener: (report: ExecutionReport) => void): void {
    this.listener = listener;
  }

  private report(report: ExecutionReport): void {
    if (this.listener === undefined) throw new InvariantError("simulated venue has no report listener");
    this.listener(report);
  }

  submit(order: Order): void {
    const { intent } = order;
    const time = this.options.clock.nowMs();
    const problem = validateOrder(order);
    if (problem !== undefined) {
      this.report({ type: "rejected", orderId: order.orderId, reason: problem, time });
      return;
    }
    const list = this.working.get(intent.symbol) ?? [];
    list.push({ order, sessionDay: undefined });
    this.working.set(intent.symbol, list);
    this.report({ type: "accepted", orderId: order.orderId, time });
  }

  cancel(orderId: string): void {
    for (const [symbol, list] of this.working) {
      const index = list.findIndex((entry) => entry.order.orderId === orderId);
      if (index >= 0) {
        list.splice(index, 1);
        if (list.length === 0) this.working.delete(symbol);
        this.report({
          type: "cancelled",
          orderId,
          reason: "cancelled on request",
          time: this.options.clock.nowMs(),
        });
        return;
      }
    }
  }

  /** Number of orders still working. */
  get workingOrderCount(): number {
    let count = 0;
    for (const list of this.working.values()) count += list.length;
    return count;
  }

  /** Matches the working orders of `bar.symbol` against the bar. Call before the strategy sees the bar. */
  onBar(bar: Bar): void {
    const list = this.working.get(bar.symbol);
    if (list === undefined) return;
    const remaining: WorkingOrder[] = [];
    for (const entry of list) {
      if (entry.order.intent.createdAt > bar.openTime) {
        remaining.push(entry);
        continue;
      }
      if (entry.order.intent.timeInForce === "DAY") {
        // The midpoint keeps daily bars stamped at UTC midnight on their own New York date.
        const today = newYorkDayNumber((bar.openTime + bar.closeTime) / 2);
        entry.sessionDay ??= today;
        if (today !== entry.sessionDay) {
          this.report({
            type: "cancelled",
            orderId: entry.order.orderId,
            reason: "day order expired at the end of its session",
            time: bar.openTime,
          });
          continue;
        }
      }
      const price = this.matchPrice(entry.order, bar);
      if (price === undefined) remaining.push(entry);
      else this.fill(entry.order, price, bar.openTime);
    }
    if (remaining.length === 0) this.working.delete(bar.symbol);
    else this.working.set(bar.symbol, remaining);
  }

  /** The price `order` fills at on `bar`, or undefined when the bar does not reach it. */
  private matchPrice(order: Order, bar: Bar): Decimal | undefined {
    const { intent } = order;
    const buying = intent.side === "BUY";
    switch (intent.type) {
      case "MARKET":
        return this.slipped(new Decimal(bar.open), buying);
      case "LIMIT": {
        const limit = intent.limitPrice ?? 0;
        if (buying && bar.low <= limit) return new Decimal(Math.min(bar.open, limit));
        if (!buying && bar.high >= limit) return new Decimal(Math.max(bar.open, limit));
        return undefined;
      }
      case "STOP": {
        const stop = intent.stopPrice ?? 0;
        if (buying && bar.high >= stop) return this.slipped(new Decimal(Math.max(bar.open, stop)), true);
        if (!buying && bar.low <= stop) return this.slipped(new Decimal(Math.min(bar.open, stop)), false);
        return undefined;
      }
    }
  }

  private slipped(price: Decimal, buying: boolean): Decimal {
    if (this.slippageFree) return price;
    return price.times(buying ? this.buyPriceFactor : this.sellPriceFactor);
  }

  private fill(order: Order, price: Decimal, time: number): void {
    const { intent } = order;
    const quantity = remainingQuantity(order);
    const trade = { symbol: intent.symbol, side: intent.side, quantity, price, time };
    const fees = this.options.feeModel.preview(trade);
    if (intent.side === "BUY") {
      const cash = this.options.portfolio.cash();
      const cost = quantity.times(price).plus(fees.total);
      if (cost.greaterThan(cash)) {
        this.report({
          type: "rejected",
          orderId: order.orderId,
          reason: `insufficient cash: buying ${quantity.toString()} ${intent.symbol} at ${price.toString()} needs ${cost.toFixed(2)} USD, cash is ${cash.toFixed(2)} USD`,
          time,
        });
        return;
      }
    }
    this.options.feeModel.record(trade);
    this.fillCounter += 1;
    this.report({
      type: "filled",
      orderId: order.orderId,
      fill: {
        fillId: `sim-${this.fillCounter}`,
        orderId: order.orderId,
        symbol: intent.symbol,
        side: intent.side,
        quantity,
        price,
        commission: fees.total,
        time,
      },
    });
  }
}

/** Why an order cannot be accepted by any venue, or undefined when it is well-formed. */
export function validateOrder(order: Order): string | undefined {
  const { intent } = order;
  if (!intent.quantity.isFinite() || intent.quantity.lte(0) || !intent.quantity.isInteger()) {
    return `quantity ${intent.quantity.toString()} must be a positive whole number of shares`;
  }
  if (intent.type === "LIMIT" && !(intent.limitPrice !== undefined && intent.limitPrice > 0)) {
    return "limit order needs a positive limitPrice";
  }
  if (intent.type === "STOP" && !(intent.stopPrice !== undefined && intent.stopPrice > 0)) {
    return "stop order needs a positive stopPrice";
  }
  return undefined;
}
