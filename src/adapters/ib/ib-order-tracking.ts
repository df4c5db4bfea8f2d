import { Decimal } from "decimal.js";
import type { Logger } from "pino";
import type { CancelTimer, Scheduler } from "../../core/scheduler.js";
import type { ExecutionReport } from "../../execution/execution-client.js";

/** One of our orders as the execution client follows it; its parts update it in place. */
export interface TrackedOrder {
  readonly orderId: string;
  readonly ibOrderId: number;
  symbol: string | undefined;
  quantity: Decimal | undefined;
  sentAtMs: number | undefined;
  permId: number | undefined;
  accepted: boolean;
  /** A cancelled or rejected report went out: nothing else ends it again. */
  ended: boolean;
  cancelRequested: boolean;
  /** Sum of the executions seen (reported or waiting for their commission). */
  filled: Decimal;
  /** The most filled shares any IB status reported. */
  brokerFilled: Decimal;
  /** A Cancelled/ApiCancelled/Inactive status waiting out the grace for its error code. */
  finalStatus: string | undefined;
  warningText: string;
  cancelAckTimer: CancelTimer | undefined;
  cancelGraceTimer: CancelTimer | undefined;
  cancelMissingCheck: CancelTimer | undefined;
  stopErrors: () => void;
}

/** What the adoption of an order found at IB may already say about it. */
export interface TrackedOrderDetails {
  readonly symbol?: string;
  readonly quantity?: Decimal;
  readonly permId?: number;
  /** When it was sent (bounds execution lookups). */
  readonly sentAtMs?: number;
  /** Set when the order is already known to be working at IB (no second "accepted"). */
  readonly accepted?: boolean;
}

/** A report that ends an order. */
export type OrderEndReport = Extract<ExecutionReport, { type: "cancelled" | "rejected" }>;

/** Everything IbOrderTracking needs. */
export interface IbOrderTrackingOptions {
  /** The full account id our orders go to. */
  readonly account: string;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly emit: (report: ExecutionReport) => void;
  /** Reports the order's fills still waiting for their commission, so they go out before its end. */
  readonly releaseHeldFills: (tracked: TrackedOrder) => void;
}

/** True once the executions seen cover the whole order. */
export function isFullyFilled(tracked: TrackedOrder): boolean {
  return tracked.quantity !== undefined && tracked.filled.greaterThanOrEqualTo(tracked.quantity);
}

/**
 * The orders the execution client follows, by our order id and IB's, and the two reports every order
 * gets at most once: accepted, and its end (cancelled or rejected).
 */
export class IbOrderTracking {
  private readonly options: IbOrderTrackingOptions;
  private readonly byOrderId = new Map<string, TrackedOrder>();
  private readonly byIbOrderId = new Map<number, TrackedOrder>();

  constructor(options: IbOrderTrackingOptions) {
    this.options = options;
  }

  /** Starts following an order; the caller wires its error handler into `stopErrors`. */
  start(orderId: string, ibOrderId: number, details: TrackedOrderDetails): TrackedOrder {
    const tracked: TrackedOrder = {
      orderId,
      ibOrderId,
      symbol: details.symbol,
      quantity: details.quantity,
      sentAtMs: details.sentAtMs,
      permId: details.permId,
      accepted: false,
      ended: false,
      cancelRequested: false,
      filled: new Decimal(0),
      brokerFilled: new Decimal(0),
      finalStatus: undefined,
      warningText: "",
      cancelAckTimer: undefined,
      cancelGraceTimer: undefined,
      cancelMissingCheck: undefined,
      stopErrors: () => undefined,
    };
    this.byOrderId.set(orderId, tracked);
    this.byIbOrderId.set(ibOrderId, tracked);
    return tracked;
  }

  byOrder(orderId: string): TrackedOrder | undefined {
    return this.byOrderId.get(orderId);
  }

  byIbOrder(ibOrderId: number): TrackedOrder | undefined {
    return this.byIbOrderId.get(ibOrderId);
  }

  /** Our tracked order for an orderRef in our account; undefined for anything foreign. */
  ours(orderRef: string | undefined, account: string | undefined): TrackedOrder | undefined {
    if (orderRef === undefined || orderRef === "") return undefined;
    const tracked = this.byOrderId.get(orderRef);
    if (tracked === undefined) return undefined;
    if (account !== undefined && account !== "" && account !== this.options.account) return undefined;
    return tracked;
  }

  accept(tracked: TrackedOrder, permId?: number): void {
    if (permId !== undefined && permId > 0) tracked.permId ??= permId;
    tracked.cancelAckTimer?.();
    tracked.cancelAckTimer = undefined;
    if (tracked.accepted || tracked.ended) return;
    tracked.accepted = true;
    this.options.logger.info(
      {
        event: "order.accepted",
        orderId: tracked.orderId,
        ibOrderId: tracked.ibOrderId,
        permId: tracked.permId,
      },
      "IB accepted the order",
    );
    this.options.emit({
      type: "accepted",
      orderId: tracked.orderId,
      time: this.options.scheduler.nowMs(),
      ...(tracked.permId === undefined ? {} : { permId: tracked.permId }),
    });
  }

  /** Sends a cancelled or rejected report once; fills waiting for their commission go out first. */
  end(tracked: TrackedOrder, report: OrderEndReport): void {
    if (tracked.ended) return;
    tracked.cancelGraceTimer?.();
    tracked.cancelGraceTimer = undefined;
    tracked.cancelAckTimer?.();
    tracked.cancelAckTimer = undefined;
    if (isFullyFilled(tracked)) return;
    tracked.ended = true;
    this.options.releaseHeldFills(tracked);
    const fields = {
      orderId: tracked.orderId,
      ibOrderId: tracked.ibOrderId,
      ...(report.code === undefined ? {} : { code: report.code }),
      reason: report.reason,
    };
    if (report.type === "rejected") {
      this.options.logger.warn({ event: "order.rejected", ...fields }, "IB rejected the order");
    } else {
      this.options.logger.info({ event: "order.cancelled", ...fields }, "the order is cancelled");
    }
    this.options.emit(report);
  }

  /** Stops every order's error handler and timers and forgets the orders. */
  dispose(): void {
    for (const tracked of this.byOrderId.values()) {
      tracked.stopErrors();
      tracked.cancelAckTimer?.();
      tracked.cancelGraceTimer?.();
      tracked.cancelMissingCheck?.();
    }
    this.byOrderId.clear();
    this.byIbOrderId.clear();
  }
}
