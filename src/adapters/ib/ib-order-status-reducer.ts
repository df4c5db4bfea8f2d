import { Decimal } from "decimal.js";
import type { Contract, Order as IbOrder, OrderState } from "@stoqey/ib";
import type { Logger } from "pino";
import type { Scheduler } from "../../core/scheduler.js";
import { classifyIbCode } from "./ib-error-codes.js";
import type { IbOrderConnection } from "./ib-order-queries.js";
import type { IbOrderTracking, TrackedOrder } from "./ib-order-tracking.js";

/**
 * Codes addressed to an order that are about a cancel request, not the order: the order goes on.
 * 161 "Cancel attempted when order is not in a cancellable state", 10147 not found, 10148 cannot be
 * cancelled (ibkr-facts.md §4), 135 the older "Can't find order with ID".
 */
const CANCEL_REFUSALS: ReadonlySet<number> = new Set([135, 161, 10147, 10148]);

/** Statuses that show IB has the order and is working it (or did). */
const ACKNOWLEDGING: ReadonlySet<string> = new Set(["PreSubmitted", "Submitted", "PendingCancel", "Filled"]);

/** Everything IbOrderStatusReducer needs; times in milliseconds of the scheduler's clock. */
export interface IbOrderStatusReducerOptions {
  readonly connection: IbOrderConnection;
  readonly orders: IbOrderTracking;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** How long a bare Cancelled/Inactive status waits for the error code that explains it. */
  readonly statusGraceMs: number;
  /** Told the filled shares an IB status reports (which may run ahead of the executions). */
  readonly noteBrokerFilled: (tracked: TrackedOrder, filled: Decimal) => void;
}

/**
 * Folds IB's openOrder and orderStatus messages and the error codes addressed to an order into that
 * tracked order: acknowledged, filled as far as IB says, or ended with the reason IB gave.
 */
export class IbOrderStatusReducer {
  private readonly options: IbOrderStatusReducerOptions;

  constructor(options: IbOrderStatusReducerOptions) {
    this.options = options;
  }

  onOpenOrder(ibOrderId: number, contract: Contract, order: IbOrder, state: OrderState): void {
    const tracked = this.options.orders.ours(order.orderRef, order.account);
    if (tracked === undefined) return;
    const clientId = this.sessionClientId();
    // reqAllOpenOrders also lists other clients' orders, whose ids may equal ours.
    if (
      ibOrderId !== tracked.ibOrderId ||
      (order.clientId !== undefined && clientId !== undefined && order.clientId !== clientId)
    ) {
      return;
    }
    if (order.permId !== undefined && order.permId > 0) tracked.permId ??= order.permId;
    if (state.warningText !== undefined && state.warningText !== "") tracked.warningText = state.warningText;
    tracked.symbol ??= contract.symbol;
    if (tracked.quantity === undefined && order.totalQuantity !== undefined) {
      tracked.quantity = new Decimal(order.totalQuantity);
    }
    this.onStatus(tracked, state.status, undefined, undefined);
  }

  onOrderStatus(
    ibOrderId: number,
    status: string,
    filled: number,
    remaining: number,
    permId: number | undefined,
    clientId: number | undefined,
  ): void {
    const tracked = this.options.orders.byIbOrder(ibOrderId);
    if (tracked === undefined) {
      this.options.logger.debug(
        { event: "order.status_ignored", ibOrderId, status },
        "not an order we follow (another client's, or one of ours ended and forgotten)",
      );
      return;
    }
    const ourClientId = this.sessionClientId();
    if (clientId !== undefined && ourClientId !== undefined && clientId !== ourClientId) return;
    if (permId !== undefined && permId > 0) {
      if (tracked.permId !== undefined && tracked.permId !== permId) return;
      tracked.permId = permId;
    }
    this.onStatus(tracked, status, filled, remaining);
  }

  onOrderError(tracked: TrackedOrder, code: number, message: string): void {
    const { orders, scheduler, logger } = this.options;
    const fields = { orderId: tracked.orderId, ibOrderId: tracked.ibOrderId, code };
    if (code === 202) {
      orders.end(tracked, {
        type: "cancelled",
        orderId: tracked.orderId,
        reason: message,
        code,
        time: scheduler.nowMs(),
      });
      return;
    }
    if (CANCEL_REFUSALS.has(code)) {
      logger.warn({ event: "order.cancel_refused", ...fields }, message);
      return;
    }
    if (classifyIbCode(code, message) === "info") {
      // 399 and the 2xxx order warnings: the order goes on.
      logger.warn({ event: "order.warning", ...fields }, message);
      return;
    }
    orders.end(tracked, {
      type: "rejected",
      orderId: tracked.orderId,
      reason: message,
      code,
      time: scheduler.nowMs(),
    });
  }

  private sessionClientId(): number | undefined {
    const state = this.options.connection.state;
    return state.status === "ready" ? state.session.clientId : undefined;
  }

  private onStatus(
    tracked: TrackedOrder,
    status: string,
    filled: number | undefined,
    remaining: number | undefined,
  ): void {
    this.options.logger.debug(
      {
        event: "order.status",
        orderId: tracked.orderId,
        ibOrderId: tracked.ibOrderId,
        status,
        filled,
        remaining,
      },
      "IB order status",
    );
    if (ACKNOWLEDGING.has(status)) this.options.orders.accept(tracked);
    if (filled !== undefined && filled > 0) this.options.noteBrokerFilled(tracked, new Decimal(filled));
    else if (status === "Filled" && tracked.quantity !== undefined)
      this.options.noteBrokerFilled(tracked, tracked.quantity);
    if (status === "Cancelled" || status === "ApiCancelled" || status === "Inactive") {
      this.onFinalStatus(tracked, status, remaining);
    }
  }

  /**
   * A status that ends the order. The error that explains it can come just before or just after it
   * (gateway-sim and TWS send Inactive, then 201), so a bare one waits out a short grace first.
   */
  private onFinalStatus(tracked: TrackedOrder, status: string, remaining: number | undefined): void {
    if (tracked.ended) return;
    const nothingLeft =
      remaining !== undefined
        ? remaining <= 0
        : tracked.quantity !== undefined && tracked.filled.greaterThanOrEqualTo(tracked.quantity);
    if (status !== "Inactive" && nothingLeft) return;
    tracked.finalStatus = status;
    tracked.cancelAckTimer?.();
    tracked.cancelAckTimer = undefined;
    tracked.cancelGraceTimer ??= this.options.scheduler.setTimer(this.options.statusGraceMs, () => {
      tracked.cancelGraceTimer = undefined;
      this.endWithoutCode(tracked);
    });
    // A filled order kept for late duplicates is not forgotten while the grace runs.
    this.options.orders.retireIfSettled(tracked);
  }

  private endWithoutCode(tracked: TrackedOrder): void {
    const time = this.options.scheduler.nowMs();
    if (tracked.finalStatus === "Inactive") {
      this.options.orders.end(tracked, {
        type: "rejected",
        orderId: tracked.orderId,
        reason:
          tracked.warningText === ""
            ? "IB set the order Inactive (rejected or held) without an error code"
            : tracked.warningText,
        time,
      });
      return;
    }
    this.options.orders.end(tracked, {
      type: "cancelled",
      orderId: tracked.orderId,
      reason: tracked.cancelRequested
        ? "cancelled at our request"
        : `IB reports the order ${tracked.finalStatus ?? "Cancelled"} without a cancel request from us (expired at the close, or cancelled in TWS)`,
      time,
    });
  }
}
