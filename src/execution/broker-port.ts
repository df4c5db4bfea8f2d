import type { Decimal } from "decimal.js";
import type { Fill } from "../model/fill.js";
import type { OrderSide } from "../model/order.js";

/** Where an order is at the broker, reduced from IB's statuses (ibkr-facts.md §5.1). */
export type BrokerOrderState = "pending" | "working" | "pending-cancel" | "filled" | "cancelled" | "inactive";

/** An order as the broker reports it now: ours (orderRef = our intent id) or foreign (anything else). */
export interface BrokerOrder {
  /** IB's order id (0 for manual TWS orders that were never bound). */
  readonly brokerOrderId: number;
  readonly permId: number;
  /** Our intent id when the order is ours; undefined or another text when it is not. */
  readonly orderRef: string | undefined;
  readonly clientId: number;
  readonly account: string;
  readonly symbol: string;
  readonly conId: number;
  readonly side: OrderSide;
  readonly quantity: Decimal;
  readonly filledQuantity: Decimal;
  readonly state: BrokerOrderState;
  /** IB's status text as sent (Submitted, PreSubmitted, Cancelled, …). */
  readonly brokerStatus: string;
}

/** An execution as the broker reports it, with its order's ids. `fill.orderId` is the orderRef ("" if none). */
export interface BrokerExecution {
  readonly fill: Fill;
  readonly account: string;
  readonly brokerOrderId: number;
  readonly permId: number;
  /** True when IB's commission report for this execId came with it (fill.commission is then IB's). */
  readonly commissionReported: boolean;
}

/** A position in the account as the broker reports it. */
export interface BrokerPosition {
  readonly account: string;
  readonly symbol: string;
  readonly conId: number;
  /** Signed: negative is short. */
  readonly quantity: Decimal;
  /** IB's average cost per share (includes commissions). */
  readonly averageCost: Decimal;
}

/**
 * One-shot questions to the broker, asked by reconciliation (at start, after every reconnect, after an
 * acknowledgement timeout). Each rejects with a GatewayError when the connection is not ready or the
 * broker does not answer in time.
 */
export interface BrokerQueries {
  /** Every open order in the connected accounts, ours and foreign (IB: reqAllOpenOrders). */
  openOrders(): Promise<readonly BrokerOrder[]>;
  /** Orders that ended (filled, cancelled, rejected) that IB still reports (IB: reqCompletedOrders, API only). */
  completedOrders(): Promise<readonly BrokerOrder[]>;
  /** Executions of `account` at or after `sinceMs` (all of today's when undefined), with commissions. */
  executions(account: string, sinceMs: number | undefined): Promise<readonly BrokerExecution[]>;
  /** Positions of every connected account (IB: reqPositions, then cancelPositions). */
  positions(): Promise<readonly BrokerPosition[]>;
}
