import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { IdGenerator } from "../core/id-generator.js";
import { ManualClock } from "../core/manual-clock.js";
import type { Fill } from "../model/fill.js";
import type { Order } from "../model/order.js";
import type { OrderEvent } from "../model/order-event.js";
import { Portfolio } from "../portfolio/portfolio.js";
import type { ExecutionClient, ExecutionReport } from "./execution-client.js";
import { OrderManager } from "./order-manager.js";

/** A venue that records what it is sent and lets the test play the venue's reports. */
class ScriptedVenue implements ExecutionClient {
  readonly name = "scripted";
  readonly sent: Order[] = [];
  readonly cancelled: string[] = [];
  private listener: ((report: ExecutionReport) => void) | undefined;
  setReportListener(listener: (report: ExecutionReport) => void): void {
    this.listener = listener;
  }
  submit(order: Order): void {
    this.sent.push(order);
  }
  cancel(orderId: string): void {
    this.cancelled.push(orderId);
  }
  play(report: ExecutionReport): void {
    this.listener?.(report);
  }
}

function setup() {
  const clock = new ManualClock(1_000);
  const venue = new ScriptedVenue();
  const portfolio = new Portfolio({ initialCash: new Decimal(10_000) });
  const events: OrderEvent[] = [];
  const orders = new OrderManager({
    clock,
    ids: new IdGenerator(clock, "om"),
    execution: venue,
    book: portfolio,
    strategyName: "test",
    onEvent: (event) => events.push(event),
  });
  const orderId = orders.submit({ symbol: "IBM", side: "BUY", quantity: new Decimal(10), type: "MARKET" });
  const fill = (fillId: string, quantity: number, price: number): Fill => ({
    fillId,
    orderId,
    symbol: "IBM",
    side: "BUY",
    quantity: new Decimal(quantity),
    price: new Decimal(price),
    commission: new Decimal(1),
    time: 2_000,
  });
  return { venue, portfolio, events, orders, orderId, fill };
}

describe("OrderManager", () => {
  it("stamps the request with our id, the strategy and the time, and sends it once", () => {
    const { venue, orderId } = setup();
    expect(venue.sent).toHaveLength(1);
    expect(venue.sent[0]?.orderId).toBe(orderId);
    expect(venue.sent[0]?.intent).toMatchObject({ strategy: "test", createdAt: 1_000, timeInForce: "DAY" });
    expect(venue.sent[0]?.status).toBe("PendingSubmit");
  });

  it("books partial fills and reports the order filled when the quantity is complete", () => {
    const { venue, events, orderId, fill, portfolio } = setup();
    venue.play({ type: "accepted", orderId, time: 1_500 });
    venue.play({ type: "filled", orderId, fill: fill("e1", 4, 100) });
    venue.play({ type: "filled", orderId, fill: fill("e2", 6, 105) });
    expect(events.map((event) => [event.type, event.order.status])).toEqual([
      ["OrderAccepted", "Accepted"],
      ["OrderFilled", "PartiallyFilled"],
      ["OrderFilled", "Filled"],
    ]);
    const last = events[2];
    expect(last?.order.averageFillPrice.toString()).toBe("103");
    expect(last?.order.commission.toString()).toBe("2");
    expect(portfolio.positionQuantity("IBM").toString()).toBe("10");
  });

  it("ignores a duplicated execution so a fill is booked exactly once", () => {
    const { venue, events, orderId, fill, portfolio, orders } = setup();
    venue.play({ type: "filled", orderId, fill: fill("e1", 4, 100) });
    venue.play({ type: "filled", orderId, fill: fill("e1", 4, 100) });
    expect(events).toHaveLength(1);
    expect(orders.bookedFills()).toHaveLength(1);
    expect(portfolio.positionQuantity("IBM").toString()).toBe("4");
  });

  it("still books a fill that arrives while a cancel is pending", () => {
    const { venue, events, orderId, fill, orders } = setup();
    orders.cancel(orderId);
    expect(venue.cancelled).toEqual([orderId]);
    venue.play({ type: "filled", orderId, fill: fill("e1", 10, 100) });
    expect(events.map((event) => event.type)).toEqual(["OrderFilled"]);
    expect(orders.openOrders()).toHaveLength(0);
  });

  it("turns a venue rejection into an OrderRejected event with the venue's code", () => {
    const { venue, events, orderId } = setup();
    venue.play({ type: "rejected", orderId, reason: "no trading permissions", code: 201, time: 1_200 });
    expect(events[0]).toMatchObject({ type: "OrderRejected", code: 201, reason: "no trading permissions" });
    expect(events[0]?.order.status).toBe("Rejected");
  });

  it("ignores reports about orders it does not know", () => {
    const { venue, events } = setup();
    venue.play({ type: "accepted", orderId: "someone-else", time: 1 });
    expect(events).toHaveLength(0);
  });
});
