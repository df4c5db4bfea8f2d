import type { Clock } from "../core/clock.js";
import type { IdGenerator } from "../core/id-generator.js";
import type { Order, OrderRequest } from "../model/order.js";
import type { OrderEvent } from "../model/order-event.js";
import type { PortfolioView } from "../portfolio/portfolio-view.js";
import { newOrder } from "../execution/new-order.js";
import type { RiskRule } from "./risk-decision.js";
import type { RiskChecks } from "./risk-checks.js";

/** The event a denied request produces. */
export type OrderDeniedEvent = Extract<OrderEvent, { type: "OrderDenied" }>;

/** Collaborators of the risk gate. */
export interface RiskGateOptions {
  readonly checks: RiskChecks;
  readonly portfolio: PortfolioView;
  readonly clock: Clock;
  /** The order manager's id generator, so a denied order's id never collides with a sent one. */
  readonly ids: IdGenerator;
  readonly strategyName: string;
  /** Where an allowed request goes (the order manager's `submit`); returns the order id. */
  readonly forward: (request: OrderRequest) => string;
  /** Receives the OrderDenied event of every denied request, with the rule that denied it. */
  readonly onDenied: (event: OrderDeniedEvent, rule: RiskRule) => void;
}

/**
 * Sits in front of the order manager with the same `submit(request): string` shape: an allowed request
 * is forwarded and counted for the rate limit; a denied one never reaches the order manager and comes
 * back as an OrderDenied event for an order (status Rejected) with its own id.
 */
export class RiskGate {
  constructor(private readonly options: RiskGateOptions) {}

  /** Checks `request` and forwards it, or denies it; returns the order id either way. */
  submit(request: OrderRequest): string {
    const { checks, portfolio, clock } = this.options;
    const decision = checks.check(request, portfolio, clock);
    if (decision.allowed) {
      const orderId = this.options.forward(request);
      checks.recordSubmitted(clock.nowMs());
      return orderId;
    }
    const order = this.deniedOrder(request);
    const event: OrderDeniedEvent = Object.freeze({
      type: "OrderDenied",
      order,
      reason: decision.reason,
      time: order.updatedAt,
    });
    this.options.onDenied(event, decision.rule);
    return order.orderId;
  }

  private deniedOrder(request: OrderRequest): Order {
    return newOrder(request, {
      orderId: this.options.ids.next(),
      strategy: this.options.strategyName,
      nowMs: this.options.clock.nowMs(),
      status: "Rejected",
    });
  }
}
