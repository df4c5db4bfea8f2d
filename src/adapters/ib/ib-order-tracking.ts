import { Decimal } from "decimal.js";
import type { Logger } from "pino";
import type { CancelTimer, Scheduler } from "../../core/scheduler.js";
import type { ExecutionReport } from "../../execution/execution-client.js";

/**
 * Ended and settled orders kept so late duplicates of their messages are still recognised; the oldest
 * beyond this are forgotten with their executions, and their messages are then ignored as not ours.
 */
export const MAX_ENDED_ORDERS = 1_000;

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
  /** Lookups at IB under way for it (their answers may still bring fills). */
  lookupsInFlight: number;
  stopErrors: () => void;
}

/** What IbOrderTracking needs to know from the fill tracker about an order's executions. */
export interface TrackedOrderFills {
  /** True while a fill of `tracked` waits for its commission (held, or reported without it). */
  awaitsCommission(tracked: TrackedOrder): boolean;
  /** Drops everything kept about the executions of `tracked`. */
  forget(tracked: TrackedOrder): void;
}

/** How much IbOrderTracking holds (for tests and diagnostics). */
export interface IbOrderTrackingStats {
  /** Orders followed by our order id, the ended ones still kept included. */
  readonly orders: number;
  /** Orders followed by IB order id. */
  readonly ibOrderIds: number;
  /** Ended, settled orders kept for late duplicates (at most MAX_ENDED_ORDERS). */
  readonly endedOrders: number;
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

/** True once the order has had its last report: cancelled or rejected, or fills covering all of it. */
export function hasEnded(tracked: TrackedOrder): boolean {
  return tracked.ended || isFullyFilled(tracked);
}

/**
 * The orders the execution client follows, by our order id and IB's, and the two reports every order
 * gets at most once: accepted, and its end (cancelled or rejected). An order that has ended and has
 * nothing pending is kept among the last MAX_ENDED_ORDERS ended ones, then forgotten.
 */
export class IbOrderTracking {
  private readonly options: IbOrderTrackingOptions;
  private readonly byOrderId = new Map<string, TrackedOrder>();
  private readonly byIbOrderId = new Map<number, TrackedOrder>();
  /** Ended, settled orders, oldest first. */
  private readonly endedOrders = new Set<TrackedOrder>();
  private fills: TrackedOrderFills | undefined;

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
      lookupsInFlight: 0,
      stopErrors: () => undefined,
    };
    this.byOrderId.set(orderId, tracked);
    this.byIbOrderId.set(ibOrderId, tracked);
    return tracked;
  }

  /** Connects the fill tracker: an order waits for its commissions, and its executions go with it. */
  attachFills(fills: TrackedOrderFills): void {
    this.fills = fills;
  }

  /** True while `tracked` is followed (not forgotten, not disposed). */
  isTracked(tracked: TrackedOrder): boolean {
    return this.byOrderId.get(tracked.orderId) === tracked;
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
        event: "ib.order.accepted",
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
    if (isFullyFilled(tracked)) {
      this.retireIfSettled(tracked);
      return;
    }
    tracked.ended = true;
    this.options.releaseHeldFills(tracked);
    const fields = {
      orderId: tracked.orderId,
      ibOrderId: tracked.ibOrderId,
      ...(report.code === undefined ? {} : { code: report.code }),
      reason: report.reason,
    };
    if (report.type === "rejected") {
      this.options.logger.warn({ event: "ib.order.rejected", ...fields }, "IB rejected the order");
    } else {
      this.options.logger.info({ event: "ib.order.cancelled", ...fields }, "the order is cancelled");
    }
    this.options.emit(report);
    this.retireIfSettled(tracked);
  }

  /**
   * Call whenever something pending for `tracked` may have finished or started. Once it has ended and
   * nothing is pending (no fill waiting for its commission, no timer, no lookup), it joins the ended
   * orders kept; anything new pending takes it out again. The oldest beyond MAX_ENDED_ORDERS are forgotten.
   */
  retireIfSettled(tracked: TrackedOrder): void {
    if (!this.isTracked(tracked)) return;
    if (!this.isSettled(tracked)) {
      this.endedOrders.delete(tracked);
      return;
    }
    if (this.endedOrders.has(tracked)) return;
    this.endedOrders.add(tracked);
    while (this.endedOrders.size > MAX_ENDED_ORDERS) {
      const oldest = this.endedOrders.values().next();
      if (oldest.done === true) break;
      this.forget(oldest.value);
    }
  }

  /** How much is held now (for tests and diagnostics). */
  stats(): IbOrderTrackingStats {
    return {
      orders: this.byOrderId.size,
      ibOrderIds: this.byIbOrderId.size,
      endedOrders: this.endedOrders.size,
    };
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
    this.endedOrders.clear();
  }

  private isSettled(tracked: TrackedOrder): boolean {
    return (
      hasEnded(tracked) &&
      tracked.cancelAckTimer === undefined &&
      tracked.cancelGraceTimer === undefined &&
      tracked.cancelMissingCheck === undefined &&
      tracked.lookupsInFlight === 0 &&
      this.fills?.awaitsCommission(tracked) !== true
    );
  }

  /** Drops an ended order for good: its messages are not ours any more, and IB errors for its id go unheard. */
  private forget(tracked: TrackedOrder): void {
    this.endedOrders.delete(tracked);
    if (this.byOrderId.get(tracked.orderId) === tracked) this.byOrderId.delete(tracked.orderId);
    if (this.byIbOrderId.get(tracked.ibOrderId) === tracked) this.byIbOrderId.delete(tracked.ibOrderId);
    tracked.stopErrors();
    this.fills?.forget(tracked);
    this.options.logger.debug(
      { event: "order.forgotten", orderId: tracked.orderId, ibOrderId: tracked.ibOrderId },
      "ended order forgotten; later messages about it are ignored as not ours",
    );
  }
}
