import type { Decimal } from "decimal.js";
import type { Fill } from "./fill.js";
import type { Order } from "./order.js";

/** What happened to an order, past tense. Outcomes reach the strategy and portfolio only as these. */
export type OrderEvent =
  | { readonly type: "OrderAccepted"; readonly order: Order; readonly time: number }
  | { readonly type: "OrderFilled"; readonly order: Order; readonly fill: Fill; readonly time: number }
  | { readonly type: "OrderCancelled"; readonly order: Order; readonly reason: string; readonly time: number }
  | {
      readonly type: "OrderRejected";
      readonly order: Order;
      readonly reason: string;
      /** The venue's code (IB error code) when there is one. */
      readonly code?: number;
      readonly time: number;
    }
  | {
      readonly type: "OrderDenied";
      readonly order: Order;
      readonly reason: string;
      readonly time: number;
    };

export type OrderEventType = OrderEvent["type"];

/** Quantity still open on an order. */
export function remainingQuantity(order: Order): Decimal {
  return order.intent.quantity.minus(order.filledQuantity);
}
