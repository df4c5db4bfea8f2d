import { Decimal } from "decimal.js";
import { afterEach, describe, expect, it } from "vitest";
import { IdGenerator } from "../core/id-generator.js";
import { ManualClock } from "../core/manual-clock.js";
import type { Fill } from "../model/fill.js";
import type { Order } from "../model/order.js";
import type { OrderEvent } from "../model/order-event.js";
import { Portfolio } from "../portfolio/portfolio.js";
import { StateStore } from "../store/state-store.js";
import type { ExecutionClient, ExecutionReport } from "./execution-client.js";
import { OrderManager } from "./order-manager.js";

/** A venue that records what it is sent (and what the journal said at that moment) and plays reports. */
class ScriptedVenue implements ExecutionClient {
  readonly name = "scripted";
  readonly sent: { order: Order; journalStatus: string | undefined }[] = [];
  private listener: ((report: ExecutionReport) => void) | undefined;
  constructor(private readonly store: StateStore) {}
  setReportListener(listener: (report: ExecutionReport) => void): void {
    this.listener = listener;
  }
  submit(order: Order): void {
    this.sent.push({ order, journalStatus: this.store.intent(order.orderId)?.status });
  }
  readonly cancelled: string[] = [];
  cancel(orderId: string): void {
    this.cancelled.push(orderId);
  }
  play(report: ExecutionReport): void {
    this.listener?.(report);
  }
}

const stores: StateStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function setup(gate?: () => string | undefined) {
  const clock = new ManualClock(1_000);
  const store = StateStore.open(":memory:", { mode: "paper", account: "DU1234567" });
  stores.push(store);
  const venue = new ScriptedVenue(store);
  const portfolio = new Portfolio({ initialCash: new Decimal(10_000) });
  const events: OrderEvent[] = [];
  const unbooked: string[] = [];
  const orders = new OrderManager({
    clock,
    ids: new IdGenerator(clock, "om"),
    execution: venue,
    book: portfolio,
    strategyName: "test",
    onEvent: (event) => events.push(event),
    journal: store,
    ...(gate === undefined ? {} : { gate }),
    onUnbookedFill: (_fill, reason) => unbooked.push(reason),
  });
  const fill = (orderId: string, fillId: string, quantity: number, commission = 1): Fill => ({
    fillId,
    orderId,
    symbol: "IBM",
    side: "BUY",
    quantity: new Decimal(quantity),
    price: new Decimal(100),
    commission: new Decimal(commission),
    time: 2_000,
  });
  const buy = (quantity = 10): string =>
    orders.submit({ symbol: "IBM", side: "BUY", quantity: new Decimal(quantity), type: "MARKET" });
  return { clock, store, venue, portfolio, events, orders, fill, buy, unbooked };
}

describe("OrderManager with a journal", () => {
  it("writes the intent, and its sent step with a local id, before the venue sees the order", () => {
    const { venue, store, buy } = setup();
    const orderId = buy();
    expect(venue.sent).toEqual([expect.objectContaining({ journalStatus: "sent" })]);
    expect(store.intent(orderId)).toMatchObject({ status: "sent", ibOrderId: 1 });
    buy();
    expect(store.lastOrderId()).toBe(2);
  });

  it("denies a request while the gate is shut, sends nothing and writes nothing", () => {
    const { venue, store, events, buy } = setup(() => "reconciliation in progress");
    const orderId = buy();
    expect(venue.sent).toHaveLength(0);
    expect(store.intent(orderId)).toBeUndefined();
    expect(events[0]).toMatchObject({ type: "OrderDenied", reason: "reconciliation in progress" });
  });

  it("journals each step: acknowledged with the permId, filled with the fill stored before it is booked", () => {
    const { venue, store, portfolio, buy, fill } = setup();
    const orderId = buy();
    venue.play({ type: "accepted", orderId, time: 1_500, permId: 77 });
    expect(store.intent(orderId)).toMatchObject({ status: "acknowledged", permId: 77 });
    venue.play({ type: "filled", orderId, fill: fill(orderId, "e.01", 10), brokerOrderId: 1, permId: 77 });
    expect(store.intent(orderId)?.status).toBe("filled");
    expect(store.fill("e.01")).toMatchObject({ commissionReported: true, ibOrderId: 1, permId: 77 });
    expect(portfolio.cash().toString()).toBe("8999");
  });

  it("books a commission that comes after its fill once, in the journal and the ledger", () => {
    const { venue, store, portfolio, buy, fill } = setup();
    const orderId = buy();
    venue.play({ type: "filled", orderId, fill: fill(orderId, "e.01", 10, 0), commissionPending: true });
    expect(store.fill("e.01")?.commissionReported).toBe(false);
    const commission = {
      type: "commission",
      orderId,
      fillId: "e.01",
      commission: new Decimal("1.5"),
    } as const;
    venue.play({ ...commission, time: 2_100 });
    venue.play({ ...commission, time: 2_200 });
    expect(store.fill("e.01")).toMatchObject({ commissionReported: true });
    expect(portfolio.cash().toString()).toBe("8998.5");
  });

  it("books a commission that came before its execution together with the fill", () => {
    const { venue, portfolio, buy, fill } = setup();
    const orderId = buy();
    venue.play({ type: "commission", orderId, fillId: "e.01", commission: new Decimal(2), time: 1_900 });
    venue.play({ type: "filled", orderId, fill: fill(orderId, "e.01", 10, 0), commissionPending: true });
    expect(portfolio.cash().toString()).toBe("8998");
  });

  it("books a replayed execution once, and takes only its commission when that is news", () => {
    const { venue, portfolio, events, buy, fill } = setup();
    const orderId = buy();
    venue.play({ type: "filled", orderId, fill: fill(orderId, "e.01", 4, 0), commissionPending: true });
    venue.play({ type: "filled", orderId, fill: fill(orderId, "e.01", 4, 3) });
    venue.play({ type: "filled", orderId, fill: fill(orderId, "e.01", 4, 3) });
    expect(events.filter((event) => event.type === "OrderFilled")).toHaveLength(1);
    expect(portfolio.positionQuantity("IBM").toString()).toBe("4");
    expect(portfolio.cash().toString()).toBe("9597");
  });

  it("books a fill that arrives after the order was cancelled, keeping the order cancelled", () => {
    const { venue, store, portfolio, events, buy, fill } = setup();
    const orderId = buy();
    venue.play({ type: "cancelled", orderId, reason: "cancelled by us", code: 202, time: 1_800 });
    venue.play({ type: "filled", orderId, fill: fill(orderId, "e.01", 3) });
    expect(events.map((event) => [event.type, event.order.status])).toEqual([
      ["OrderCancelled", "Cancelled"],
      ["OrderFilled", "Cancelled"],
    ]);
    expect(store.intent(orderId)).toMatchObject({ status: "cancelled", endCode: 202 });
    expect(portfolio.positionQuantity("IBM").toString()).toBe("3");
  });

  it("does not book an execution correction twice; it hands it to the caller", () => {
    const { venue, portfolio, unbooked, buy, fill } = setup();
    const orderId = buy();
    venue.play({ type: "filled", orderId, fill: fill(orderId, "0001.0002.01.01", 10) });
    venue.play({ type: "filled", orderId, fill: fill(orderId, "0001.0002.01.02", 10) });
    expect(portfolio.positionQuantity("IBM").toString()).toBe("10");
    expect(unbooked).toEqual(["execution 0001.0002.01.02 corrects 0001.0002.01.01"]);
  });

  it("finishes restored orders: resends one IB never saw, expires another, books a late fill of a third", () => {
    const first = setup();
    const lost = first.buy();
    const stale = first.buy();
    const working = first.buy();
    // A new run on the same journal: the orders come back from it.
    const { store } = first;
    const clock = new ManualClock(5_000);
    const sent: string[] = [];
    const events: OrderEvent[] = [];
    let listener: ((report: ExecutionReport) => void) | undefined;
    const portfolio = new Portfolio({ initialCash: new Decimal(10_000) });
    const orders = new OrderManager({
      clock,
      ids: new IdGenerator(clock, "om2"),
      execution: {
        name: "scripted",
        submit: (order) => sent.push(order.orderId),
        cancel: () => undefined,
        setReportListener: (next) => {
          listener = next;
        },
      },
      book: portfolio,
      strategyName: "test",
      onEvent: (event) => events.push(event),
      journal: store,
    });
    orders.restore(first.orders.openOrders());
    expect(store.markNeverSent(lost)).toBe(true);
    expect(orders.resend(lost)).toBe(true);
    expect(sent).toEqual([lost]);
    expect(store.intent(lost)).toMatchObject({ status: "sent", ibOrderId: 4 });
    orders.expire(stale, "expired: never reached IB");
    expect(store.intent(stale)).toMatchObject({
      status: "cancelled",
      endReason: "expired: never reached IB",
    });
    listener?.({ type: "filled", orderId: working, fill: first.fill(working, "w.01", 10) });
    expect(store.intent(working)?.status).toBe("filled");
    expect(portfolio.positionQuantity("IBM").toString()).toBe("10");
    expect(events.map((event) => event.type)).toEqual(["OrderCancelled", "OrderFilled"]);
  });

  it("leaves the journal to a venue that journals its own sends, and ends an order it refused unsent", () => {
    const clock = new ManualClock(1_000);
    const store = StateStore.open(":memory:", { mode: "paper", account: "DU1234567" });
    stores.push(store);
    const events: OrderEvent[] = [];
    let listener: ((report: ExecutionReport) => void) | undefined;
    const seen: (string | undefined)[] = [];
    const orders = new OrderManager({
      clock,
      ids: new IdGenerator(clock, "ib"),
      execution: {
        name: "journaling",
        journalsSends: true,
        submit: (order) => {
          seen.push(store.intent(order.orderId)?.status);
          listener?.({ type: "rejected", orderId: order.orderId, reason: "not connected", time: 1_001 });
        },
        cancel: () => undefined,
        setReportListener: (next) => {
          listener = next;
        },
      },
      book: new Portfolio({ initialCash: new Decimal(10_000) }),
      strategyName: "test",
      onEvent: (event) => events.push(event),
      journal: store,
    });
    const orderId = orders.submit({ symbol: "IBM", side: "BUY", quantity: new Decimal(1), type: "MARKET" });
    expect(seen).toEqual([undefined]);
    expect(store.intent(orderId)).toBeUndefined();
    expect(events[0]).toMatchObject({ type: "OrderRejected", reason: "not connected" });
  });
});
