import type { Clock } from "../core/clock.js";
import type { IdGenerator } from "../core/id-generator.js";
import type { Fill } from "../model/fill.js";
import type { Order, OrderRequest, OrderStatus } from "../model/order.js";
import { TERMINAL_ORDER_STATUSES } from "../model/order.js";
import type { OrderEvent } from "../model/order-event.js";
import type { ExecutionClient, ExecutionReport } from "./execution-client.js";
import { newOrder } from "./new-order.js";

/** Where fills are booked (the portfolio ledger). Returns false for a fill it has already booked. */
export interface FillBook {
  applyFill(fill: Fill): boolean;
}

/** Collaborators of the order manager. */
export interface OrderManagerOptions {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly execution: ExecutionClient;
  readonly book: FillBook;
  readonly strategyName: string;
  /** Receives every order event, in order, after the ledger has been updated. */
  readonly onEvent: (event: OrderEvent) => void;
}

/**
 * Turns strategy requests into orders with our own ids, sends them to the execution client and runs
 * each order's lifecycle from the venue's reports: fills are booked once (keyed by fill id), then events
 * go out. The same manager sits in front of the simulator and of IB.
 */
export class OrderManager {
  private readonly open = new Map<string, Order>();
  private readonly fills: Fill[] = [];
  private lastOrder: Order | undefined;

  constructor(private readonly options: OrderManagerOptions) {
    options.execution.setReportListener((report) => {
      this.onReport(report);
    });
  }

  /** Stamps `request` into an intent and order, and sends it. Returns the order id. */
  submit(request: OrderRequest): string {
    const orderId = this.options.ids.next();
    const order = newOrder(request, {
      orderId,
      strategy: this.options.strategyName,
      nowMs: this.options.clock.nowMs(),
      status: "PendingSubmit",
    });
    this.open.set(orderId, order);
    this.options.execution.submit(order);
    return orderId;
  }

  /** Requests cancellation of a working order; the outcome arrives as an event. */
  cancel(orderId: string): void {
    const order = this.open.get(orderId);
    if (order === undefined) return;
    this.replace(order, { status: "PendingCancel", updatedAt: this.options.clock.nowMs() });
    this.options.execution.cancel(orderId);
  }

  /** Orders not yet filled, cancelled or rejected. */
  openOrders(): readonly Order[] {
    return [...this.open.values()];
  }

  /** A working order by id, or the most recently finished one. */
  order(orderId: string): Order | undefined {
    return this.open.get(orderId) ?? (this.lastOrder?.orderId === orderId ? this.lastOrder : undefined);
  }

  /** Every fill booked so far, in the order they happened. */
  bookedFills(): readonly Fill[] {
    return this.fills;
  }

  private replace(order: Order, changes: Partial<Order>): Order {
    const next: Order = Object.freeze({ ...order, ...changes });
    if (TERMINAL_ORDER_STATUSES.has(next.status)) {
      this.open.delete(order.orderId);
      this.lastOrder = next;
    } else {
      this.open.set(order.orderId, next);
    }
    return next;
  }

  private onReport(report: ExecutionReport): void {
    const order = this.open.get(report.orderId);
    if (order === undefined) return;
    switch (report.type) {
      case "accepted": {
        if (order.status !== "PendingSubmit") return;
        const next = this.replace(order, { status: "Accepted", updatedAt: report.time });
        this.options.onEvent({ type: "OrderAccepted", order: next, time: report.time });
        return;
      }
      case "filled":
        this.onFill(order, report.fill);
        return;
      case "cancelled": {
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

  private onFill(order: Order, fill: Fill): void {
    // The ledger is the one record of booked fills: a replayed execution changes nothing and emits nothing.
    if (!this.options.book.applyFill(fill)) return;
    this.fills.push(fill);
    const filledQuantity = order.filledQuantity.plus(fill.quantity);
    const averageFillPrice = order.filledQuantity.isZero()
      ? fill.price
      : order.averageFillPrice
          .times(order.filledQuantity)
          .plus(fill.price.times(fill.quantity))
          .dividedBy(filledQuantity);
    const status: OrderStatus = filledQuantity.greaterThanOrEqualTo(order.intent.quantity)
      ? "Filled"
      : "PartiallyFilled";
    const next = this.replace(order, {
      status,
      filledQuantity,
      averageFillPrice,
      commission: order.commission.plus(fill.commission),
      updatedAt: fill.time,
    });
    this.options.onEvent({ type: "OrderFilled", order: next, fill, time: fill.time });
  }
}
