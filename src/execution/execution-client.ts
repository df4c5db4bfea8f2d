import type { Decimal } from "decimal.js";
import type { Fill } from "../model/fill.js";
import type { Order } from "../model/order.js";

/**
 * What a venue (the simulator or IB) reports about an order; the order manager turns these into events.
 * `orderId` is always our own id (IB's orderRef).
 */
export type ExecutionReport =
  | {
      readonly type: "accepted";
      readonly orderId: string;
      readonly time: number;
      /** IB's permId, when the venue is IB. */
      readonly permId?: number;
    }
  | {
      readonly type: "filled";
      readonly orderId: string;
      /** `fill.commission` is IB's when `commissionPending` is false, else zero until a "commission" report. */
      readonly fill: Fill;
      readonly commissionPending?: boolean;
      readonly brokerOrderId?: number;
      readonly permId?: number;
    }
  | {
      /** IB's commission for a fill already reported with `commissionPending: true`. */
      readonly type: "commission";
      readonly orderId: string;
      readonly fillId: string;
      readonly commission: Decimal;
      readonly time: number;
    }
  | {
      readonly type: "cancelled";
      readonly orderId: string;
      readonly reason: string;
      readonly code?: number;
      readonly time: number;
    }
  | {
      readonly type: "rejected";
      readonly orderId: string;
      readonly reason: string;
      readonly code?: number;
      readonly time: number;
    };

/** The execution port: the order manager sends orders here and hears back through the report listener. */
export interface ExecutionClient {
  readonly name: string;
  /**
   * True when the client writes the journal's "sent" step itself, with the venue's order id, just before the
   * order goes on the wire (IB). Otherwise the order manager writes it with a local id before `submit`.
   */
  readonly journalsSends?: boolean;
  /** Sends a new order. The outcome arrives as reports, possibly synchronously. */
  submit(order: Order): void;
  /** Asks to cancel a working order. */
  cancel(orderId: string): void;
  /** Where reports go; set once by the order manager. */
  setReportListener(listener: (report: ExecutionReport) => void): void;
}
