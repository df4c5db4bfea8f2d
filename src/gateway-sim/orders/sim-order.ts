import type { Decimal } from "decimal.js";
import type { SimInstrument } from "../market/sim-instrument.js";

/** The order types the simulator fills. */
export type SimOrderType = "MKT" | "LMT" | "STP";

/** The times in force the simulator honours. */
export type SimTimeInForce = "DAY" | "GTC";

/** IB order statuses the simulator uses (ibkr-facts.md §5.1). */
export type SimOrderStatus =
  "PreSubmitted" | "Submitted" | "PendingCancel" | "Cancelled" | "Filled" | "Inactive";

/** Statuses of an order that can still fill or be cancelled ("active" in IB's OrderStatus.java). */
const ACTIVE: ReadonlySet<SimOrderStatus> = new Set(["PreSubmitted", "Submitted", "PendingCancel"]);

/**
 * One order the simulator holds, from acceptance to its final status. Mutable, and owned by the
 * AccountBook; the engine changes it as the order works and fills.
 */
export interface SimOrder {
  readonly permId: number;
  readonly orderId: number;
  readonly clientId: number;
  readonly account: string;
  readonly instrument: SimInstrument;
  /** Routing exchange as requested, e.g. SMART. */
  readonly exchange: string;
  readonly action: "BUY" | "SELL";
  readonly orderType: SimOrderType;
  readonly tif: SimTimeInForce;
  readonly orderRef: string;
  readonly outsideRth: boolean;
  readonly placedAtMs: number;
  totalQuantity: Decimal;
  lmtPrice: number | undefined;
  auxPrice: number | undefined;
  /** False while the order is only staged in TWS (Order.transmit = false). */
  transmitted: boolean;
  status: SimOrderStatus;
  filled: Decimal;
  /** Sum of price × shares over the executions, for the average fill price. */
  filledValue: Decimal;
  lastFillPrice: number;
  /** Commission charged over all executions so far. */
  commission: Decimal;
  /** A STP order whose stop was touched and now works as a market order. */
  triggered: boolean;
  /** No execution before this simulated time (fillDelayMs). */
  fillableFromMs: number;
  /** When a DAY order is cancelled unless filled: the close of the session it works in. */
  readonly expiresAtMs: number | undefined;
  /** The rejection text of an Inactive order, shown as the order state's warning text. */
  warningText: string;
  completedAtMs: number | undefined;
  completedStatus: string;
}

/** True while an order can still fill or be cancelled. */
export function isActive(order: SimOrder): boolean {
  return ACTIVE.has(order.status);
}

/** True for an order TWS lists as open (active, or staged/held as Inactive without a final status). */
export function isOpen(order: SimOrder): boolean {
  return isActive(order) || (order.status === "Inactive" && !order.transmitted);
}

/** Shares still to fill. */
export function remainingQuantity(order: SimOrder): Decimal {
  return order.totalQuantity.minus(order.filled);
}

/** Average price of the executions so far; 0 before the first. */
export function averageFillPrice(order: SimOrder): number {
  return order.filled.isZero() ? 0 : order.filledValue.dividedBy(order.filled).toNumber();
}
