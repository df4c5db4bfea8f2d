import { Decimal } from "decimal.js";
import type { Order, OrderIntent, OrderRequest, OrderStatus } from "../model/order.js";

const ZERO = new Decimal(0);

/**
 * Stamps a strategy's request into an intent with our own id and time, and the first snapshot of its order
 * (nothing filled yet) — the one way every order comes to exist, whether it is sent or denied.
 */
export function newOrder(
  request: OrderRequest,
  stamp: {
    readonly orderId: string;
    readonly strategy: string;
    readonly nowMs: number;
    readonly status: OrderStatus;
  },
): Order {
  const intent: OrderIntent = Object.freeze({
    intentId: stamp.orderId,
    strategy: stamp.strategy,
    symbol: request.symbol,
    side: request.side,
    quantity: request.quantity,
    type: request.type,
    ...(request.limitPrice === undefined ? {} : { limitPrice: request.limitPrice }),
    ...(request.stopPrice === undefined ? {} : { stopPrice: request.stopPrice }),
    timeInForce: request.timeInForce ?? "DAY",
    createdAt: stamp.nowMs,
    ...(request.reason === undefined ? {} : { reason: request.reason }),
  });
  return Object.freeze({
    orderId: stamp.orderId,
    intent,
    status: stamp.status,
    filledQuantity: ZERO,
    averageFillPrice: ZERO,
    commission: ZERO,
    updatedAt: stamp.nowMs,
  });
}
