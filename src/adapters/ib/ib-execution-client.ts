import { Decimal } from "decimal.js";
import {
  EventName,
  type CommissionReport,
  type Contract,
  type Execution,
  type IBApi,
  type Order as IbOrder,
  type OrderState,
} from "@stoqey/ib";
import type { Logger } from "pino";
import { maskAccountId } from "../../core/account-id.js";
import { GatewayError, InvariantError } from "../../core/errors.js";
import type { CancelTimer, Scheduler } from "../../core/scheduler.js";
import type { BrokerExecution, BrokerOrder, BrokerQueries } from "../../execution/broker-port.js";
import type { ExecutionClient, ExecutionReport } from "../../execution/execution-client.js";
import type { Fill } from "../../model/fill.js";
import type { Order } from "../../model/order.js";
import type { QualifiedContract } from "../../model/qualified-contract.js";
import { classifyIbCode } from "./ib-error-codes.js";
import { fillOfExecution, ibContractOf, ibOrderOf, parseIbExecutionTime } from "./ib-order-mapping.js";
import { commissionOf, type IbOrderConnection } from "./ib-order-queries.js";

/** Where IB order ids are reserved and sends recorded before anything leaves (the StateStore). */
export interface OrderSendJournal {
  /** max(candidate, last id ever used + 1), persisted as used. */
  reserveOrderId(candidate: number): number;
  /** Records that intent `intentId` goes out as IB order `ibOrderId`; false for a repeat. */
  markSent(intentId: string, ibOrderId: number, atMs: number): boolean;
}

/** Everything an IbExecutionClient needs; times in milliseconds of the scheduler's clock. */
export interface IbExecutionClientOptions {
  readonly connection: IbOrderConnection;
  /** The full account id orders go to (masked in every log line). */
  readonly account: string;
  /** The qualified contract of a symbol; throws when the symbol is unknown. */
  readonly contractOf: (symbol: string) => QualifiedContract;
  readonly journal: OrderSendJournal;
  /** Used to look an order up when IB stays silent about it, and to fetch executions IB did not push. */
  readonly queries: BrokerQueries;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** An order not acknowledged within this long is looked up at IB (never resent). */
  readonly ackTimeoutMs: number;
  /** How long a fill waits for its commission report before it is reported without it; default 2,000. */
  readonly commissionWaitMs?: number;
  /** TWS's login time zone, for execution times sent without a zone; default America/New_York. */
  readonly executionTimeZone?: string;
  /** How long a bare Cancelled/Inactive status waits for the error code that explains it; default 250. */
  readonly statusGraceMs?: number;
  /** How long after IB reports more filled shares than we saw executions we ask for them; default 2,000. */
  readonly missingExecutionsGraceMs?: number;
}

/** Default timings of the execution client. */
export const EXECUTION_CLIENT_DEFAULTS = {
  commissionWaitMs: 2_000,
  executionTimeZone: "America/New_York",
  statusGraceMs: 250,
  missingExecutionsGraceMs: 2_000,
} as const;

/** Execution lookups reach this far before the send time: this host's clock and TWS's may disagree. */
const EXECUTION_LOOKBACK_MS = 10 * 60_000;

/** Commission reports kept for executions not seen (yet); older ones are forgotten first. */
const MAX_EARLY_COMMISSIONS = 512;

/**
 * Codes addressed to an order that are about a cancel request, not the order: the order goes on.
 * 161 "Cancel attempted when order is not in a cancellable state", 10147 not found, 10148 cannot be
 * cancelled (ibkr-facts.md §4), 135 the older "Can't find order with ID".
 */
const CANCEL_REFUSALS: ReadonlySet<number> = new Set([135, 161, 10147, 10148]);

/** Statuses that show IB has the order and is working it (or did). */
const ACKNOWLEDGING: ReadonlySet<string> = new Set(["PreSubmitted", "Submitted", "PendingCancel", "Filled"]);

/** One of our orders as this client follows it. */
interface TrackedOrder {
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

/** An execution seen once: waiting for its commission, reported without it, or done. */
interface SeenExecution {
  readonly order: TrackedOrder;
  readonly fill: Fill;
  readonly brokerOrderId: number;
  readonly permId: number | undefined;
  phase: "holding" | "commission-pending" | "done";
  cancelHold: CancelTimer | undefined;
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
  private readonly commissionWaitMs: number;
  private readonly executionTimeZone: string;
  private readonly statusGraceMs: number;
  private readonly missingExecutionsGraceMs: number;
  private readonly byOrderId = new Map<string, TrackedOrder>();
  private readonly byIbOrderId = new Map<number, TrackedOrder>();
  private readonly executions = new Map<string, SeenExecution>();
  /** execIds without their last segment: a second execId with the same base is a correction (§5.3). */
  private readonly executionBases = new Set<string>();
  private readonly earlyCommissions = new Map<string, Decimal>();
  private readonly stopListening: (() => void)[] = [];
  private lastIbOrderId = 0;
  private listener: (report: ExecutionReport) => void = () => undefined;
  private disposed = false;

  constructor(options: IbExecutionClientOptions) {
    this.options = options;
    this.commissionWaitMs = options.commissionWaitMs ?? EXECUTION_CLIENT_DEFAULTS.commissionWaitMs;
    this.executionTimeZone = options.executionTimeZone ?? EXECUTION_CLIENT_DEFAULTS.executionTimeZone;
    this.statusGraceMs = options.statusGraceMs ?? EXECUTION_CLIENT_DEFAULTS.statusGraceMs;
    this.missingExecutionsGraceMs =
      options.missingExecutionsGraceMs ?? EXECUTION_CLIENT_DEFAULTS.missingExecutionsGraceMs;
    this.listen(options.connection.events);
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
    if (this.byOrderId.has(order.orderId)) {
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
      ibOrderId = this.options.journal.reserveOrderId(
        Math.max(ready.session.nextValidOrderId, this.lastIbOrderId + 1),
      );
      if (!this.options.journal.markSent(order.orderId, ibOrderId, sentAtMs)) {
        throw new InvariantError(`the journal holds intent ${order.orderId} as sent already`);
      }
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
    tracked.cancelAckTimer = this.options.scheduler.setTimer(this.options.ackTimeoutMs, () => {
      tracked.cancelAckTimer = undefined;
      this.onAckTimeout(tracked);
    });
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
    const tracked = this.byOrderId.get(orderId);
    if (tracked === undefined) {
      this.options.logger.warn(
        { event: "order.cancel_unknown", orderId },
        "no such order here; nothing sent",
      );
      return;
    }
    if (tracked.ended || this.isFullyFilled(tracked)) {
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
    const known = this.byOrderId.get(orderId);
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
    for (const stop of this.stopListening.splice(0)) stop();
    for (const tracked of this.byOrderId.values()) {
      tracked.stopErrors();
      tracked.cancelAckTimer?.();
      tracked.cancelGraceTimer?.();
      tracked.cancelMissingCheck?.();
    }
    for (const seen of this.executions.values()) seen.cancelHold?.();
    this.byOrderId.clear();
    this.byIbOrderId.clear();
    this.executions.clear();
  }

  private listen(events: IBApi): void {
    const onOpenOrder = (ibOrderId: number, contract: Contract, order: IbOrder, state: OrderState): void => {
      this.onOpenOrder(ibOrderId, contract, order, state);
    };
    const onOrderStatus = (
      ibOrderId: number,
      status: string,
      filled: number,
      remaining: number,
      _avgFillPrice: number,
      permId?: number,
      _parentId?: number,
      _lastFillPrice?: number,
      clientId?: number,
    ): void => {
      this.onOrderStatus(ibOrderId, status, filled, remaining, permId, clientId);
    };
    const onExecution = (reqId: number, contract: Contract, execution: Execution): void => {
      // Answers to reqExecutions (reqId ≥ 0) belong to whoever asked; live fills come with −1.
      if (reqId === -1) this.onExecution(contract, execution);
    };
    const onCommission = (report: CommissionReport): void => {
      this.onCommission(report);
    };
    events.on(EventName.openOrder, onOpenOrder);
    events.on(EventName.orderStatus, onOrderStatus);
    events.on(EventName.execDetails, onExecution);
    events.on(EventName.commissionReport, onCommission);
    this.stopListening.push(() => {
      events.off(EventName.openOrder, onOpenOrder);
      events.off(EventName.orderStatus, onOrderStatus);
      events.off(EventName.execDetails, onExecution);
      events.off(EventName.commissionReport, onCommission);
    });
  }

  private startTracking(orderId: string, ibOrderId: number, details: TrackedOrderDetails): TrackedOrder {
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
    tracked.stopErrors = this.options.connection.onRequestError(ibOrderId, (code, message) => {
      this.onOrderError(tracked, code, message);
    });
    return tracked;
  }

  /** Our tracked order for an orderRef in our account; undefined for anything foreign. */
  private ours(orderRef: string | undefined, account: string | undefined): TrackedOrder | undefined {
    if (orderRef === undefined || orderRef === "") return undefined;
    const tracked = this.byOrderId.get(orderRef);
    if (tracked === undefined) return undefined;
    if (account !== undefined && account !== "" && account !== this.options.account) return undefined;
    return tracked;
  }

  private sessionClientId(): number | undefined {
    const state = this.options.connection.state;
    return state.status === "ready" ? state.session.clientId : undefined;
  }

  private onOpenOrder(ibOrderId: number, contract: Contract, order: IbOrder, state: OrderState): void {
    const tracked = this.ours(order.orderRef, order.account);
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

  private onOrderStatus(
    ibOrderId: number,
    status: string,
    filled: number,
    remaining: number,
    permId: number | undefined,
    clientId: number | undefined,
  ): void {
    const tracked = this.byIbOrderId.get(ibOrderId);
    if (tracked === undefined) return;
    const ourClientId = this.sessionClientId();
    if (clientId !== undefined && ourClientId !== undefined && clientId !== ourClientId) return;
    if (permId !== undefined && permId > 0) {
      if (tracked.permId !== undefined && tracked.permId !== permId) return;
      tracked.permId = permId;
    }
    this.onStatus(tracked, status, filled, remaining);
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
    if (ACKNOWLEDGING.has(status)) this.accept(tracked);
    if (filled !== undefined && filled > 0) this.noteBrokerFilled(tracked, new Decimal(filled));
    else if (status === "Filled" && tracked.quantity !== undefined)
      this.noteBrokerFilled(tracked, tracked.quantity);
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
    tracked.cancelGraceTimer ??= this.options.scheduler.setTimer(this.statusGraceMs, () => {
      tracked.cancelGraceTimer = undefined;
      this.endWithoutCode(tracked);
    });
  }

  private endWithoutCode(tracked: TrackedOrder): void {
    const time = this.options.scheduler.nowMs();
    if (tracked.finalStatus === "Inactive") {
      this.end(tracked, {
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
    this.end(tracked, {
      type: "cancelled",
      orderId: tracked.orderId,
      reason: tracked.cancelRequested
        ? "cancelled at our request"
        : `IB reports the order ${tracked.finalStatus ?? "Cancelled"} without a cancel request from us (expired at the close, or cancelled in TWS)`,
      time,
    });
  }

  private onOrderError(tracked: TrackedOrder, code: number, message: string): void {
    const fields = { orderId: tracked.orderId, ibOrderId: tracked.ibOrderId, code };
    if (code === 202) {
      this.end(tracked, {
        type: "cancelled",
        orderId: tracked.orderId,
        reason: message,
        code,
        time: this.options.scheduler.nowMs(),
      });
      return;
    }
    if (CANCEL_REFUSALS.has(code)) {
      this.options.logger.warn({ event: "order.cancel_refused", ...fields }, message);
      return;
    }
    if (classifyIbCode(code, message) === "info") {
      // 399 and the 2xxx order warnings: the order goes on.
      this.options.logger.warn({ event: "order.warning", ...fields }, message);
      return;
    }
    this.end(tracked, {
      type: "rejected",
      orderId: tracked.orderId,
      reason: message,
      code,
      time: this.options.scheduler.nowMs(),
    });
  }

  private accept(tracked: TrackedOrder, permId?: number): void {
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
    this.emit({
      type: "accepted",
      orderId: tracked.orderId,
      time: this.options.scheduler.nowMs(),
      ...(tracked.permId === undefined ? {} : { permId: tracked.permId }),
    });
  }

  /** Sends a cancelled or rejected report once; fills waiting for their commission go out first. */
  private end(
    tracked: TrackedOrder,
    report: Extract<ExecutionReport, { type: "cancelled" | "rejected" }>,
  ): void {
    if (tracked.ended) return;
    tracked.cancelGraceTimer?.();
    tracked.cancelGraceTimer = undefined;
    tracked.cancelAckTimer?.();
    tracked.cancelAckTimer = undefined;
    if (this.isFullyFilled(tracked)) return;
    tracked.ended = true;
    for (const seen of this.executions.values()) {
      if (seen.order === tracked && seen.phase === "holding") this.releaseWithoutCommission(seen);
    }
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
    this.emit(report);
  }

  private onExecution(contract: Contract, execution: Execution): void {
    const tracked = this.ours(execution.orderRef, execution.acctNumber);
    if (tracked === undefined) return;
    const timeMs = this.executionTimeOf(execution);
    const fill = fillOfExecution(execution, tracked.symbol ?? contract.symbol ?? "", timeMs);
    if (fill === undefined) {
      this.options.logger.warn(
        { event: "order.execution_unreadable", orderId: tracked.orderId, execId: execution.execId },
        "IB sent an execution without id, size or price; skipped (reconciliation reads it again)",
      );
      return;
    }
    this.takeExecution(
      tracked,
      fill,
      execution.orderId ?? tracked.ibOrderId,
      execution.permId ?? tracked.permId,
      undefined,
    );
  }

  private executionTimeOf(execution: Execution): number {
    const parsed =
      execution.time === undefined ? undefined : parseIbExecutionTime(execution.time, this.executionTimeZone);
    if (parsed !== undefined) return parsed;
    this.options.logger.warn(
      { event: "order.execution_time_unreadable", execId: execution.execId, time: execution.time },
      "IB sent an execution time we cannot read; using the time it arrived",
    );
    return this.options.scheduler.nowMs();
  }

  /** A new execution of `tracked`, once per execId; held for its commission unless it is known. */
  private takeExecution(
    tracked: TrackedOrder,
    fill: Fill,
    brokerOrderId: number,
    permId: number | undefined,
    commission: Decimal | undefined,
  ): void {
    const execId = fill.fillId;
    if (this.executions.has(execId)) {
      this.options.logger.debug(
        { event: "order.execution_duplicate", orderId: tracked.orderId, execId },
        "seen",
      );
      return;
    }
    const base = execId.slice(0, Math.max(0, execId.lastIndexOf(".")));
    const seen: SeenExecution = {
      order: tracked,
      fill,
      brokerOrderId,
      permId,
      phase: "done",
      cancelHold: undefined,
    };
    this.executions.set(execId, seen);
    if (base !== "" && this.executionBases.has(base)) {
      // A correction replaces an execution already counted (ibkr-facts.md §5.3); booking it as another fill
      // would count the shares twice. Reconciliation of positions shows any difference.
      this.options.logger.error(
        { event: "order.execution_corrected", orderId: tracked.orderId, execId },
        "IB corrected an execution; the correction is not booked: check the fill in TWS",
      );
      return;
    }
    if (base !== "") this.executionBases.add(base);
    tracked.filled = tracked.filled.plus(fill.quantity);
    this.accept(tracked, permId);
    const known = commission ?? this.takeEarlyCommission(execId);
    if (known !== undefined) {
      this.reportFill(seen, known, false);
      return;
    }
    seen.phase = "holding";
    seen.cancelHold = this.options.scheduler.setTimer(this.commissionWaitMs, () => {
      seen.cancelHold = undefined;
      if (seen.phase === "holding") this.releaseWithoutCommission(seen);
    });
  }

  private releaseWithoutCommission(seen: SeenExecution): void {
    seen.cancelHold?.();
    seen.cancelHold = undefined;
    this.reportFill(seen, new Decimal(0), true);
  }

  private reportFill(seen: SeenExecution, commission: Decimal, commissionPending: boolean): void {
    seen.cancelHold?.();
    seen.cancelHold = undefined;
    seen.phase = commissionPending ? "commission-pending" : "done";
    const fill: Fill = Object.freeze({ ...seen.fill, commission });
    this.options.logger.info(
      {
        event: "order.filled",
        orderId: fill.orderId,
        ibOrderId: seen.brokerOrderId,
        execId: fill.fillId,
        symbol: fill.symbol,
        side: fill.side,
        quantity: fill.quantity.toString(),
        price: fill.price.toString(),
        commission: commission.toString(),
        commissionPending,
      },
      "fill",
    );
    this.emit({
      type: "filled",
      orderId: seen.order.orderId,
      fill,
      ...(commissionPending ? { commissionPending: true } : {}),
      brokerOrderId: seen.brokerOrderId,
      ...(seen.permId === undefined ? {} : { permId: seen.permId }),
    });
  }

  private onCommission(report: CommissionReport): void {
    const { execId } = report;
    if (execId === undefined) return;
    const commission = commissionOf(report);
    if (commission === undefined) return;
    const seen = this.executions.get(execId);
    if (seen === undefined) {
      this.earlyCommissions.set(execId, commission);
      if (this.earlyCommissions.size > MAX_EARLY_COMMISSIONS) {
        const oldest = this.earlyCommissions.keys().next();
        if (oldest.done !== true) this.earlyCommissions.delete(oldest.value);
      }
      return;
    }
    if (seen.phase === "holding") {
      this.reportFill(seen, commission, false);
      return;
    }
    if (seen.phase !== "commission-pending") return;
    seen.phase = "done";
    this.options.logger.info(
      { event: "order.commission", orderId: seen.order.orderId, execId, commission: commission.toString() },
      "commission of an earlier fill",
    );
    this.emit({
      type: "commission",
      orderId: seen.order.orderId,
      fillId: execId,
      commission,
      time: this.options.scheduler.nowMs(),
    });
  }

  private takeEarlyCommission(execId: string): Decimal | undefined {
    const commission = this.earlyCommissions.get(execId);
    this.earlyCommissions.delete(execId);
    return commission;
  }

  /** IB says more shares filled than we saw executions for: ask for them after a grace (orderStatus may lead). */
  private noteBrokerFilled(tracked: TrackedOrder, filled: Decimal): void {
    if (filled.greaterThan(tracked.brokerFilled)) tracked.brokerFilled = filled;
    if (!tracked.filled.lessThan(tracked.brokerFilled) || tracked.cancelMissingCheck !== undefined) return;
    tracked.cancelMissingCheck = this.options.scheduler.setTimer(this.missingExecutionsGraceMs, () => {
      tracked.cancelMissingCheck = undefined;
      if (tracked.filled.lessThan(tracked.brokerFilled)) void this.fetchMissingExecutions(tracked);
    });
  }

  private async fetchMissingExecutions(tracked: TrackedOrder): Promise<void> {
    this.options.logger.warn(
      {
        event: "order.executions_missing",
        orderId: tracked.orderId,
        ibOrderId: tracked.ibOrderId,
        brokerFilled: tracked.brokerFilled.toString(),
        seenFilled: tracked.filled.toString(),
      },
      "IB reports more filled shares than executions arrived; asking IB for the executions",
    );
    let executions: readonly BrokerExecution[];
    try {
      executions = await this.options.queries.executions(this.options.account, this.lookbackOf(tracked));
    } catch (error) {
      this.lookupFailed(tracked, error);
      return;
    }
    if (this.disposed) return;
    this.applyExecutions(tracked, executions);
  }

  private lookbackOf(tracked: TrackedOrder): number | undefined {
    return tracked.sentAtMs === undefined ? undefined : tracked.sentAtMs - EXECUTION_LOOKBACK_MS;
  }

  private applyExecutions(tracked: TrackedOrder, executions: readonly BrokerExecution[]): void {
    for (const execution of executions) {
      if (execution.fill.orderId !== tracked.orderId || execution.account !== this.options.account) continue;
      this.takeExecution(
        tracked,
        Object.freeze({ ...execution.fill, symbol: tracked.symbol ?? execution.fill.symbol }),
        execution.brokerOrderId,
        execution.permId > 0 ? execution.permId : tracked.permId,
        execution.commissionReported ? execution.fill.commission : undefined,
      );
    }
  }

  private onAckTimeout(tracked: TrackedOrder): void {
    if (tracked.accepted || tracked.ended || this.disposed) return;
    this.options.logger.warn(
      {
        event: "order.ack_timeout",
        orderId: tracked.orderId,
        ibOrderId: tracked.ibOrderId,
        ackTimeoutMs: this.options.ackTimeoutMs,
      },
      "IB has not acknowledged the order; looking it up (it is never sent again)",
    );
    void this.lookUp(tracked);
  }

  /** Finds an unacknowledged order at IB by orderRef and reports what IB says about it. */
  private async lookUp(tracked: TrackedOrder): Promise<void> {
    const { queries, account } = this.options;
    let open: readonly BrokerOrder[];
    let completed: readonly BrokerOrder[];
    let executions: readonly BrokerExecution[];
    try {
      [open, completed] = await Promise.all([queries.openOrders(), queries.completedOrders()]);
      executions = await queries.executions(account, this.lookbackOf(tracked));
    } catch (error) {
      this.lookupFailed(tracked, error);
      return;
    }
    if (this.disposed) return;
    const mine = (order: BrokerOrder): boolean =>
      order.orderRef === tracked.orderId && order.account === account;
    const atIb = open.find(mine) ?? completed.find(mine);
    const fills = executions.filter(
      (execution) => execution.fill.orderId === tracked.orderId && execution.account === account,
    );
    const fields = { orderId: tracked.orderId, ibOrderId: tracked.ibOrderId };
    if (atIb === undefined && fills.length === 0) {
      if (tracked.accepted || tracked.ended) return;
      this.options.logger.error(
        { event: "order.unconfirmed", ...fields },
        `IB has no order with orderRef ${tracked.orderId} (IB order id ${tracked.ibOrderId}) and no execution of it: it probably never reached IB. It stays open and is NOT sent again; check the order in TWS (Orders and Trades) before placing it by hand — reconciliation resolves it after the next reconnect or restart`,
      );
      return;
    }
    this.options.logger.info(
      { event: "order.found", ...fields, brokerStatus: atIb?.brokerStatus, executions: fills.length },
      "found the unacknowledged order at IB",
    );
    if (atIb !== undefined && atIb.permId > 0) tracked.permId ??= atIb.permId;
    const state = atIb?.state;
    if (state === "working" || state === "pending-cancel" || state === "filled" || fills.length > 0) {
      this.accept(tracked);
    }
    this.applyExecutions(tracked, fills);
    if (state === "cancelled") {
      this.end(tracked, {
        type: "cancelled",
        orderId: tracked.orderId,
        reason: `IB reports the order ${atIb?.brokerStatus ?? "Cancelled"}`,
        time: this.options.scheduler.nowMs(),
      });
    } else if (state === "inactive" && completed.some(mine)) {
      this.end(tracked, {
        type: "rejected",
        orderId: tracked.orderId,
        reason: `IB reports the order ${atIb?.brokerStatus ?? "Inactive"}`,
        time: this.options.scheduler.nowMs(),
      });
    }
  }

  private lookupFailed(tracked: TrackedOrder, error: unknown): void {
    this.options.logger.warn(
      {
        event: "order.lookup_failed",
        orderId: tracked.orderId,
        ibOrderId: tracked.ibOrderId,
        ...(error instanceof GatewayError ? { code: error.code } : {}),
      },
      `could not look the order up at IB (${messageOf(error)}); reconciliation looks again after the next reconnect`,
    );
  }

  private isFullyFilled(tracked: TrackedOrder): boolean {
    return tracked.quantity !== undefined && tracked.filled.greaterThanOrEqualTo(tracked.quantity);
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
