import type { Contract, IBApi, Order as IbOrder } from "@stoqey/ib";
import { maskAccountId } from "../../core/account-id.js";
import type { ExecutionClient, ExecutionReport } from "../../execution/execution-client.js";
import type { Order } from "../../model/order.js";
import { EXECUTION_CLIENT_DEFAULTS, type IbExecutionClientOptions } from "./ib-execution-client-options.js";
import { IbFillTracker } from "./ib-fill-tracker.js";
import { listenToOrderEvents } from "./ib-order-events.js";
import { IbOrderLookup } from "./ib-order-lookup.js";
import { ibContractOf, ibOrderOf } from "./ib-order-mapping.js";
import type { IbOrderConnection } from "./ib-order-queries.js";
import { IbOrderStatusReducer } from "./ib-order-status-reducer.js";
import {
  IbOrderTracking,
  isFullyFilled,
  type TrackedOrder,
  type TrackedOrderDetails,
} from "./ib-order-tracking.js";

export {
  EXECUTION_CLIENT_DEFAULTS,
  type IbExecutionClientOptions,
  type OrderSendJournal,
} from "./ib-execution-client-options.js";
export type { TrackedOrderDetails } from "./ib-order-tracking.js";

/**
 * The execution port against TWS / IB Gateway. Sends an order only while the connection is ready (the
 * library would queue it and replay it after a reconnect, ibkr-facts.md §6.2), with an IB order id the
 * journal reserved and recorded as sent first. Follows our orders (matched by orderRef and IB order id,
 * foreign ones ignored) through the raw openOrder, orderStatus, execDetails and commissionReport events
 * and the errors addressed to their ids: fills come from executions only, once per execId, with IB's
 * commission when it arrives in time; statuses and error codes end an order exactly once. An order IB
 * stays silent about is looked up, never sent again.
 */
export class IbExecutionClient implements ExecutionClient {
  readonly name = "ibkr";
  /** Writes the journal's "sent" step itself, with IB's order id, just before placeOrder. */
  readonly journalsSends = true;
  private readonly options: IbExecutionClientOptions;
  private readonly orders: IbOrderTracking;
  private readonly fills: IbFillTracker;
  private readonly lookup: IbOrderLookup;
  private readonly statuses: IbOrderStatusReducer;
  private readonly stopListening: () => void;
  private lastIbOrderId = 0;
  private listener: (report: ExecutionReport) => void = () => undefined;
  private disposed = false;

  constructor(options: IbExecutionClientOptions) {
    this.options = options;
    const shared = {
      account: options.account,
      scheduler: options.scheduler,
      logger: options.logger,
      emit: (report: ExecutionReport): void => {
        this.emit(report);
      },
    };
    const defaults = EXECUTION_CLIENT_DEFAULTS;
    // The parts call each other both ways (an order's end releases its held fills; a fill accepts its
    // order), so the back references are closures that run only after the constructor.
    this.orders = new IbOrderTracking({
      ...shared,
      releaseHeldFills: (tracked) => {
        this.fills.releaseHeld(tracked);
      },
    });
    this.fills = new IbFillTracker({
      ...shared,
      orders: this.orders,
      commissionWaitMs: options.commissionWaitMs ?? defaults.commissionWaitMs,
      executionTimeZone: options.executionTimeZone ?? defaults.executionTimeZone,
    });
    this.lookup = new IbOrderLookup({
      ...shared,
      queries: options.queries,
      orders: this.orders,
      fills: this.fills,
      ackTimeoutMs: options.ackTimeoutMs,
      missingExecutionsGraceMs: options.missingExecutionsGraceMs ?? defaults.missingExecutionsGraceMs,
      isDisposed: () => this.disposed,
    });
    this.statuses = new IbOrderStatusReducer({
      ...shared,
      connection: options.connection,
      orders: this.orders,
      statusGraceMs: options.statusGraceMs ?? defaults.statusGraceMs,
      noteBrokerFilled: (tracked, filled) => {
        this.lookup.noteBrokerFilled(tracked, filled);
      },
    });
    this.stopListening = listenToOrderEvents(options.connection.events, {
      statuses: this.statuses,
      fills: this.fills,
    });
  }

  setReportListener(listener: (report: ExecutionReport) => void): void {
    this.listener = listener;
  }

  /**
   * Sends `order` to IB, or reports it rejected without sending when not connected or when it cannot be
   * expressed (unknown symbol, fractional shares) or recorded in the journal.
   */
  submit(order: Order): void {
    const { intent } = order;
    if (this.orders.byOrder(order.orderId) !== undefined) {
      this.options.logger.error(
        { event: "order.duplicate_submit", orderId: order.orderId },
        "this order was sent already; it is never sent twice",
      );
      return;
    }
    let ready: ReturnType<IbOrderConnection["requireReady"]>;
    try {
      ready = this.options.connection.requireReady();
    } catch {
      this.rejectUnsent(
        order.orderId,
        `not connected to ${this.options.connection.where}; the order was not sent`,
      );
      return;
    }
    let contract: Contract;
    let ibOrder: IbOrder;
    try {
      contract = ibContractOf(this.options.contractOf(intent.symbol));
      ibOrder = ibOrderOf(intent, this.options.account);
    } catch (error) {
      this.rejectUnsent(order.orderId, `${messageOf(error)}; the order was not sent`);
      return;
    }
    const sentAtMs = this.options.scheduler.nowMs();
    let ibOrderId: number;
    try {
      ibOrderId = this.options.journal.sendIntent(
        intent,
        Math.max(ready.session.nextValidOrderId, this.lastIbOrderId + 1),
        sentAtMs,
      );
    } catch (error) {
      this.rejectUnsent(
        order.orderId,
        `could not record the order before sending it (${messageOf(error)}); the order was not sent`,
      );
      return;
    }
    this.lastIbOrderId = Math.max(this.lastIbOrderId, ibOrderId);
    const tracked = this.startTracking(order.orderId, ibOrderId, {
      symbol: intent.symbol,
      quantity: intent.quantity,
      sentAtMs,
    });
    this.lookup.armAckTimeout(tracked);
    this.options.logger.info(
      {
        event: "order.sent",
        orderId: order.orderId,
        ibOrderId,
        symbol: intent.symbol,
        side: intent.side,
        quantity: intent.quantity.toString(),
        orderType: intent.type,
        ...(intent.limitPrice === undefined ? {} : { limitPrice: intent.limitPrice }),
        ...(intent.stopPrice === undefined ? {} : { stopPrice: intent.stopPrice }),
        timeInForce: intent.timeInForce,
        account: maskAccountId(this.options.account),
      },
      "order sent to IB",
    );
    try {
      ready.api.placeOrder(ibOrderId, contract, ibOrder);
    } catch (error) {
      // Recorded as sent: the acknowledgement timeout looks it up; it is never sent again.
      this.options.logger.error(
        { event: "order.send_failed", orderId: order.orderId, ibOrderId, error: messageOf(error) },
        "the library refused the order; it is looked up at IB when the acknowledgement times out",
      );
    }
  }

  /** Asks IB to cancel one of our orders; the outcome comes as reports (fills may still arrive first). */
  cancel(orderId: string): void {
    const tracked = this.orders.byOrder(orderId);
    if (tracked === undefined) {
      this.options.logger.warn(
        { event: "order.cancel_unknown", orderId },
        "no such order here; nothing sent",
      );
      return;
    }
    if (tracked.ended || isFullyFilled(tracked)) {
      this.options.logger.info(
        { event: "order.cancel_ignored", orderId, ibOrderId: tracked.ibOrderId },
        "the order has ended already; no cancel sent",
      );
      return;
    }
    let api: IBApi;
    try {
      api = this.options.connection.requireReady().api;
    } catch {
      this.options.logger.warn(
        { event: "order.cancel_not_sent", orderId, ibOrderId: tracked.ibOrderId },
        `not connected to ${this.options.connection.where}; the cancel was not sent: cancel again once reconnected`,
      );
      return;
    }
    tracked.cancelRequested = true;
    this.options.logger.info(
      { event: "order.cancel_sent", orderId, ibOrderId: tracked.ibOrderId },
      "cancel sent to IB",
    );
    api.cancelOrder(tracked.ibOrderId, "");
  }

  /**
   * Follows an order found at IB (reconciliation after a restart): its updates are reported from now on.
   * Tracking an order twice under the same ids changes nothing.
   */
  track(orderId: string, ibOrderId: number, details: TrackedOrderDetails = {}): void {
    const known = this.orders.byOrder(orderId);
    if (known !== undefined) {
      if (known.ibOrderId !== ibOrderId) {
        this.options.logger.warn(
          { event: "order.track_conflict", orderId, ibOrderId, trackedIbOrderId: known.ibOrderId },
          "already tracked under another IB order id; kept the first",
        );
      }
      return;
    }
    const tracked = this.startTracking(orderId, ibOrderId, details);
    tracked.accepted = details.accepted ?? false;
    this.lastIbOrderId = Math.max(this.lastIbOrderId, ibOrderId);
    this.options.logger.info(
      { event: "order.tracked", orderId, ibOrderId },
      "following an order found at IB",
    );
  }

  /** Stops listening and cancels every timer; tracked orders are forgotten. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopListening();
    this.orders.dispose();
    this.fills.dispose();
  }

  private startTracking(orderId: string, ibOrderId: number, details: TrackedOrderDetails): TrackedOrder {
    const tracked = this.orders.start(orderId, ibOrderId, details);
    tracked.stopErrors = this.options.connection.onRequestError(ibOrderId, (code, message) => {
      this.statuses.onOrderError(tracked, code, message);
    });
    return tracked;
  }

  private rejectUnsent(orderId: string, reason: string): void {
    this.options.logger.warn({ event: "order.not_sent", orderId }, reason);
    this.emit({ type: "rejected", orderId, reason, time: this.options.scheduler.nowMs() });
  }

  private emit(report: ExecutionReport): void {
    if (this.disposed) return;
    try {
      this.listener(report);
    } catch (error) {
      // A throw here would unwind into the library's socket handler and stop its decoding.
      this.options.logger.error(
        { event: "order.report_failed", orderId: report.orderId, type: report.type, error: messageOf(error) },
        "the report listener threw",
      );
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
