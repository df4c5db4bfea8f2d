import type { Decimal } from "decimal.js";
import type { Clock } from "../core/clock.js";
import type { IdGenerator } from "../core/id-generator.js";
import type { Fill } from "../model/fill.js";
import type { Order, OrderIntent, OrderRequest, OrderStatus } from "../model/order.js";
import { TERMINAL_ORDER_STATUSES } from "../model/order.js";
import type { OrderEvent } from "../model/order-event.js";
import type { ExecutionClient, ExecutionReport } from "./execution-client.js";
import { newOrder } from "./new-order.js";

/** Where fills are booked (the portfolio ledger). Returns false for a fill it has already booked. */
export interface FillBook {
  applyFill(fill: Fill): boolean;
}

/** A ledger that can also take a commission reported after its fill was booked. */
export interface LateCommissionBook extends FillBook {
  applyLateCommission(fillId: string, symbol: string, commission: Decimal): boolean;
}

/** How an intent ended, as the journal stores it. */
export type JournalOutcome =
  | { readonly status: "filled" }
  | { readonly status: "cancelled"; readonly code?: number; readonly reason?: string }
  | { readonly status: "rejected"; readonly code?: number; readonly reason: string };

/**
 * The durable record the order manager writes through (the StateStore satisfies it): the intent before the
 * order is sent, every step after, and every fill before it reaches the ledger.
 */
export interface OrderJournal {
  recordIntent(intent: OrderIntent): void;
  reserveOrderId(candidate: number): number;
  markSent(intentId: string, ibOrderId: number, atMs: number): boolean;
  markAcknowledged(intentId: string, permId: number, atMs: number): boolean;
  markTerminal(intentId: string, outcome: JournalOutcome, atMs: number): boolean;
  recordFill(
    fill: Fill,
    ids: { readonly ibOrderId?: number; readonly permId?: number; readonly commissionReported?: boolean },
  ): boolean;
  fill(execId: string): StoredFillView | undefined;
  recordCommission(execId: string, commission: Decimal): boolean;
  /** Runs `steps` (calls of this journal) as one durable write. */
  atomically<T>(what: string, steps: () => T): T;
  /** An intent by id with its journal status (written, sent, acknowledged, filled, cancelled, rejected). */
  intent(intentId: string): { readonly intent: OrderIntent; readonly status: string } | undefined;
}

/** What the order manager reads back of a journaled fill. */
export interface StoredFillView {
  /** The fill as stored: its commission is IB's once `commissionReported`. */
  readonly fill: Fill;
  readonly commissionReported: boolean;
  /** The execution this one corrects, when it is a correction. */
  readonly corrects?: string;
}

const JOURNAL_STATUSES: Readonly<Record<string, OrderStatus>> = {
  acknowledged: "Accepted",
  filled: "Filled",
  cancelled: "Cancelled",
  rejected: "Rejected",
};

/** Finished orders kept in memory for late reports (a fill after a cancel); older ones are read back. */
const FINISHED_ORDERS_KEPT = 1_000;

/** Collaborators of the order manager. */
export interface OrderManagerOptions {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly execution: ExecutionClient;
  readonly book: FillBook | LateCommissionBook;
  readonly strategyName: string;
  /** Receives every order event, in order, after the journal and the ledger have been updated. */
  readonly onEvent: (event: OrderEvent) => void;
  /** Durable state; absent in backtests, where nothing outlives the run. */
  readonly journal?: OrderJournal;
  /**
   * Why no order may be sent right now (disconnected, reconciling, stopping), or undefined when one may. A
   * request made while the gate is shut is denied (OrderDenied), never queued: a stale signal is not resent.
   */
  readonly gate?: () => string | undefined;
  /** Called after a commission reported after its fill was booked in the ledger. */
  readonly onLateCommission?: (fillId: string, commission: Decimal) => void;
  /** Called with a fill the ledger could not take as is (an execution correction); the caller reconciles. */
  readonly onUnbookedFill?: (fill: Fill, reason: string) => void;
}

/**
 * Turns strategy requests into orders with our own ids, writes each intent to the journal before it is
 * sent, sends it to the execution client and runs each order's lifecycle from the venue's reports: a fill
 * is journaled, then booked once (keyed by its execution id), then its event goes out. The same manager
 * sits in front of the simulator and of IB.
 */
export class OrderManager {
  private readonly open = new Map<string, Order>();
  /** Recently finished orders, oldest first (a Map keeps insertion order). */
  private readonly finished = new Map<string, Order>();
  private readonly fills: Fill[] = [];

  constructor(private readonly options: OrderManagerOptions) {
    options.execution.setReportListener((report) => {
      this.onReport(report);
    });
  }

  /**
   * Stamps `request` into an intent and order, writes the intent to the journal and sends it — or, when the
   * gate is shut, denies it with an OrderDenied event. Returns the order id either way.
   */
  submit(request: OrderRequest): string {
    const { options } = this;
    const orderId = options.ids.next();
    const nowMs = options.clock.nowMs();
    const shut = options.gate?.();
    if (shut !== undefined) {
      const denied = newOrder(request, {
        orderId,
        strategy: options.strategyName,
        nowMs,
        status: "Rejected",
      });
      options.onEvent({ type: "OrderDenied", order: denied, reason: shut, time: nowMs });
      return orderId;
    }
    const order = newOrder(request, {
      orderId,
      strategy: options.strategyName,
      nowMs,
      status: "PendingSubmit",
    });
    this.open.set(orderId, order);
    this.send(order, true);
    return orderId;
  }

  /** Requests cancellation of a working order; the outcome arrives as an event. */
  cancel(orderId: string): void {
    const order = this.open.get(orderId);
    if (order === undefined) return;
    this.replace(order, { status: "PendingCancel", updatedAt: this.options.clock.nowMs() });
    this.options.execution.cancel(orderId);
  }

  /**
   * Takes back orders a previous run left unresolved (from the journal), with the fills already booked for
   * them, so that reconciliation and the venue's reports can finish them. Emits nothing.
   */
  restore(orders: readonly Order[]): void {
    for (const order of orders) {
      if (!TERMINAL_ORDER_STATUSES.has(order.status)) this.open.set(order.orderId, order);
    }
  }

  /**
   * Sends a restored order again: reconciliation found that the venue never saw it (the previous run died
   * before it left the process), and the journal has put it back to written.
   */
  resend(orderId: string): boolean {
    const order = this.open.get(orderId);
    if (order === undefined) return false;
    this.send(order, false);
    return true;
  }

  /** Ends an open order that will never be sent or can no longer be found, as cancelled with `reason`. */
  expire(orderId: string, reason: string): void {
    this.onReport({ type: "cancelled", orderId, reason, time: this.options.clock.nowMs() });
  }

  /** Feeds a report found by reconciliation (a missed fill, an end) through the same path as the venue's. */
  applyReport(report: ExecutionReport): void {
    this.onReport(report);
  }

  /** Orders not yet filled, cancelled or rejected. */
  openOrders(): readonly Order[] {
    return [...this.open.values()];
  }

  /** A working order by id, or one of the last 1,000 finished ones. */
  order(orderId: string): Order | undefined {
    return this.open.get(orderId) ?? this.finished.get(orderId);
  }

  /** Every fill booked by this manager so far (restored ones excluded), in the order they happened. */
  bookedFills(): readonly Fill[] {
    return this.fills;
  }

  /** An order the journal knows but memory does not (it ended in an earlier run): for late fills. */
  private fromJournal(orderId: string): Order | undefined {
    const stored = this.options.journal?.intent(orderId);
    if (stored === undefined) return undefined;
    const status = JOURNAL_STATUSES[stored.status] ?? "PendingSubmit";
    return newOrder(stored.intent, {
      orderId,
      strategy: stored.intent.strategy,
      nowMs: stored.intent.createdAt,
      status,
    });
  }

  /**
   * Journals and sends `order`. A venue that journals its own sends (IB) writes the intent together with its
   * IB order id in one step just before the wire; for the others (the simulator) the intent and a local id
   * from the same never-reused sequence are written here, so "sent" means the same for every venue.
   */
  private send(order: Order, isNew: boolean): void {
    const { journal, execution, clock } = this.options;
    if (journal !== undefined && execution.journalsSends !== true) {
      journal.atomically("an intent", () => {
        if (isNew) journal.recordIntent(order.intent);
        journal.markSent(order.orderId, journal.reserveOrderId(1), clock.nowMs());
      });
    }
    execution.submit(order);
  }

  /** Writes an order's end, unless the journal never got its intent (refused before it was sent). */
  private journalEnd(orderId: string, outcome: JournalOutcome, atMs: number): void {
    const { journal } = this.options;
    if (journal?.intent(orderId) === undefined) return;
    journal.markTerminal(orderId, outcome, atMs);
  }

  private replace(order: Order, changes: Partial<Order>): Order {
    const next: Order = Object.freeze({ ...order, ...changes });
    if (TERMINAL_ORDER_STATUSES.has(next.status)) {
      this.open.delete(order.orderId);
      this.finished.delete(order.orderId);
      this.finished.set(order.orderId, next);
      if (this.finished.size > FINISHED_ORDERS_KEPT) {
        const oldest = this.finished.keys().next();
        if (oldest.done !== true) this.finished.delete(oldest.value);
      }
    } else {
      this.open.set(order.orderId, next);
    }
    return next;
  }

  private onReport(report: ExecutionReport): void {
    if (report.type === "commission") {
      this.onCommission(report.fillId, report.commission);
      return;
    }
    const order =
      this.open.get(report.orderId) ?? this.finished.get(report.orderId) ?? this.fromJournal(report.orderId);
    if (order === undefined) return;
    if (report.type === "filled") {
      this.onFill(order, report);
      return;
    }
    // An order ends once: a late status for a finished order changes nothing.
    if (TERMINAL_ORDER_STATUSES.has(order.status)) return;
    const { journal } = this.options;
    switch (report.type) {
      case "accepted": {
        if (report.permId !== undefined) journal?.markAcknowledged(order.orderId, report.permId, report.time);
        if (order.status !== "PendingSubmit") return;
        const next = this.replace(order, { status: "Accepted", updatedAt: report.time });
        this.options.onEvent({ type: "OrderAccepted", order: next, time: report.time });
        return;
      }
      case "cancelled": {
        this.journalEnd(
          order.orderId,
          {
            status: "cancelled",
            reason: report.reason,
            ...(report.code === undefined ? {} : { code: report.code }),
          },
          report.time,
        );
        const next = this.replace(order, { status: "Cancelled", updatedAt: report.time });
        this.options.onEvent({
          type: "OrderCancelled",
          order: next,
          reason: report.reason,
          time: report.time,
        });
        return;
      }
      case "rejected": {
        this.journalEnd(
          order.orderId,
          {
            status: "rejected",
            reason: report.reason,
            ...(report.code === undefined ? {} : { code: report.code }),
          },
          report.time,
        );
        const next = this.replace(order, { status: "Rejected", updatedAt: report.time });
        this.options.onEvent({
          type: "OrderRejected",
          order: next,
          reason: report.reason,
          ...(report.code === undefined ? {} : { code: report.code }),
          time: report.time,
        });
        return;
      }
    }
  }

  private onFill(order: Order, report: Extract<ExecutionReport, { type: "filled" }>): void {
    const { journal, book } = this.options;
    let fill = report.fill;
    const complete = order.filledQuantity.plus(fill.quantity).greaterThanOrEqualTo(order.intent.quantity);
    if (journal !== undefined) {
      const commissionReported = report.commissionPending !== true;
      // The fill and, when it completes the order, the order's end are one durable write.
      const journaled = journal.atomically("a fill", () => {
        const stored = journal.recordFill(fill, {
          ...(report.brokerOrderId === undefined ? {} : { ibOrderId: report.brokerOrderId }),
          ...(report.permId === undefined ? {} : { permId: report.permId }),
          commissionReported,
        });
        if (!stored) return undefined;
        const view = journal.fill(fill.fillId);
        if (view?.corrects === undefined && complete && !TERMINAL_ORDER_STATUSES.has(order.status)) {
          journal.markTerminal(order.orderId, { status: "filled" }, fill.time);
        }
        return view ?? null;
      });
      if (journaled === undefined) {
        // A replayed execution: at most its commission is news.
        if (commissionReported) this.onCommission(fill.fillId, fill.commission);
        return;
      }
      if (journaled?.corrects !== undefined) {
        this.options.onUnbookedFill?.(fill, `execution ${fill.fillId} corrects ${journaled.corrects}`);
        return;
      }
      // A commission report that came before its execution was kept by the journal: book it with the fill.
      if (journaled !== null) fill = journaled.fill;
    }
    // The ledger is the one record of booked fills: a replayed execution changes nothing and emits nothing.
    if (!book.applyFill(fill)) return;
    this.fills.push(fill);
    const filledQuantity = order.filledQuantity.plus(fill.quantity);
    const averageFillPrice = order.filledQuantity.isZero()
      ? fill.price
      : order.averageFillPrice
          .times(order.filledQuantity)
          .plus(fill.price.times(fill.quantity))
          .dividedBy(filledQuantity);
    const status = statusAfterFill(order.status, complete);
    const next = this.replace(order, {
      status,
      filledQuantity,
      averageFillPrice,
      commission: order.commission.plus(fill.commission),
      updatedAt: fill.time,
    });
    this.options.onEvent({ type: "OrderFilled", order: next, fill, time: fill.time });
  }

  private onCommission(fillId: string, commission: Decimal): void {
    const { journal, book } = this.options;
    let symbol = this.fills.find((candidate) => candidate.fillId === fillId)?.symbol;
    if (journal !== undefined) {
      const stored = journal.fill(fillId);
      if (stored?.commissionReported === true) return;
      journal.recordCommission(fillId, commission);
      // Without its execution the journal keeps the commission, and books it when the execution arrives.
      if (stored === undefined) return;
      symbol = stored.fill.symbol;
    }
    if (symbol === undefined || !("applyLateCommission" in book)) return;
    if (book.applyLateCommission(fillId, symbol, commission)) {
      this.options.onLateCommission?.(fillId, commission);
    }
  }
}

/** An order's status after a fill: Filled once complete; a finished order keeps its end; else partly filled. */
function statusAfterFill(status: OrderStatus, complete: boolean): OrderStatus {
  if (TERMINAL_ORDER_STATUSES.has(status)) return status;
  if (complete) return "Filled";
  if (status === "PendingCancel") return status;
  return "PartiallyFilled";
}
