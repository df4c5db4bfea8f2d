import type { Decimal } from "decimal.js";

export type OrderSide = "BUY" | "SELL";
export type OrderType = "MARKET" | "LIMIT" | "STOP";
export type TimeInForce = "DAY" | "GTC";

/** What a strategy asks for. The engine stamps it into an OrderIntent. */
export interface OrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: Decimal;
  readonly type: OrderType;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly timeInForce?: TimeInForce;
  /** Free text kept with the order, e.g. "golden cross". */
  readonly reason?: string;
}

/** A strategy's request, stamped with our own id and time; written to the store before anything is sent. */
export interface OrderIntent {
  readonly intentId: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: Decimal;
  readonly type: OrderType;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly timeInForce: TimeInForce;
  readonly createdAt: number;
  readonly reason?: string;
}

export type OrderStatus =
  "PendingSubmit" | "Accepted" | "PartiallyFilled" | "Filled" | "PendingCancel" | "Cancelled" | "Rejected";

/** Statuses after which an order can never change again. */
export const TERMINAL_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set(["Filled", "Cancelled", "Rejected"]);

/** An order's state at one moment: a snapshot, replaced (never mutated) on every event. */
export interface Order {
  /** Our own id; equals the intent id and becomes IB's `orderRef`. */
  readonly orderId: string;
  readonly intent: OrderIntent;
  readonly status: OrderStatus;
  readonly filledQuantity: Decimal;
  /** Volume-weighted fill price; zero until the first fill. */
  readonly averageFillPrice: Decimal;
  readonly commission: Decimal;
  readonly updatedAt: number;
}
