import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { IdGenerator } from "../core/id-generator.js";
import { ManualClock } from "../core/manual-clock.js";
import type { OrderRequest } from "../model/order.js";
import type { OrderEvent } from "../model/order-event.js";
import { createFeeModel } from "../portfolio/create-fee-model.js";
import { Portfolio } from "../portfolio/portfolio.js";
import { aBar, SESSION_OPEN_2024_01_02 } from "../../test/kit/bars.js";
import { OrderManager } from "./order-manager.js";
import { SimulatedExecutionClient } from "./simulated-execution-client.js";

const MINUTE = 60_000;

function setup(cash = 100_000) {
  const clock = new ManualClock(SESSION_OPEN_2024_01_02);
  const portfolio = new Portfolio({ initialCash: new Decimal(cash) });
  const venue = new SimulatedExecutionClient({
    clock,
    feeModel: createFeeModel("none"),
    portfolio,
    slippageBps: 0,
  });
  const events: OrderEvent[] = [];
  const orders = new OrderManager({
    clock,
    ids: new IdGenerator(clock, "t"),
    execution: venue,
    book: portfolio,
    strategyName: "test",
    onEvent: (event) => events.push(event),
  });
  const submit = (request: Partial<OrderRequest>): string =>
    orders.submit({ symbol: "SPY", side: "BUY", quantity: new Decimal(10), type: "MARKET", ...request });
  const barAt = (minute: number, prices: { open: number; high: number; low: number; close: number }) =>
    aBar({
      openTime: SESSION_OPEN_2024_01_02 + minute * MINUTE,
      closeTime: SESSION_OPEN_2024_01_02 + (minute + 1) * MINUTE,
      ...prices,
    });
  return { clock, portfolio, venue, orders, events, submit, barAt };
}

describe("SimulatedExecutionClient", () => {
  it("accepts an order at once and fills a market order at the next bar's open", () => {
    const { venue, events, submit, barAt } = setup();
    submit({});
    expect(events.map((event) => event.type)).toEqual(["OrderAccepted"]);
    venue.onBar(barAt(0, { open: 100.5, high: 101, low: 100, close: 100.8 }));
    const filled = events[1];
    expect(filled?.type).toBe("OrderFilled");
    if (filled?.type === "OrderFilled") expect(filled.fill.price.toString()).toBe("100.5");
  });

  it("does not fill an order on a bar that opened before the order was placed", () => {
    const { clock, venue, events, submit, barAt } = setup();
    clock.setMs(SESSION_OPEN_2024_01_02 + 1 * MINUTE);
    submit({});
    venue.onBar(barAt(0, { open: 100, high: 100, low: 100, close: 100 }));
    expect(events.map((event) => event.type)).toEqual(["OrderAccepted"]);
  });

  it("fills a buy limit only when a bar trades down through it, at the better of open and limit", () => {
    const { venue, events, submit, barAt } = setup();
    submit({ type: "LIMIT", limitPrice: 99 });
    venue.onBar(barAt(0, { open: 100, high: 101, low: 99.5, close: 100 }));
    expect(events.map((event) => event.type)).toEqual(["OrderAccepted"]);
    venue.onBar(barAt(1, { open: 98.5, high: 99.2, low: 98, close: 99 }));
    const filled = events[1];
    if (filled?.type !== "OrderFilled") throw new Error("expected a fill");
    expect(filled.fill.price.toString()).toBe("98.5");
  });

  it("fills a sell limit at the limit when the bar trades up through it", () => {
    const { venue, events, submit, barAt } = setup();
    submit({ side: "SELL", type: "LIMIT", limitPrice: 101 });
    venue.onBar(barAt(0, { open: 100, high: 101.5, low: 99.5, close: 100 }));
    const filled = events[1];
    if (filled?.type !== "OrderFilled") throw new Error("expected a fill");
    expect(filled.fill.price.toString()).toBe("101");
  });

  it("triggers a sell stop when the bar trades down to it and fills at the stop or a gap open", () => {
    const { venue, events, submit, barAt } = setup();
    submit({ side: "SELL", type: "STOP", stopPrice: 95 });
    venue.onBar(barAt(0, { open: 100, high: 100, low: 96, close: 97 }));
    expect(events).toHaveLength(1);
    venue.onBar(barAt(1, { open: 94, high: 94.5, low: 93, close: 94 }));
    const filled = events[1];
    if (filled?.type !== "OrderFilled") throw new Error("expected a fill");
    expect(filled.fill.price.toString()).toBe("94");
  });

  it("rejects a limit order without a limit price", () => {
    const { events, submit } = setup();
    submit({ type: "LIMIT" });
    expect(events[0]?.type).toBe("OrderRejected");
    if (events[0]?.type === "OrderRejected")
      expect(events[0].reason).toMatch(/limit order needs a positive limitPrice/);
  });

  it("rejects a fractional quantity", () => {
    const { events, submit } = setup();
    submit({ quantity: new Decimal("1.5") });
    expect(events[0]?.type).toBe("OrderRejected");
  });

  it("rejects a buy that costs more than the cash, naming both amounts", () => {
    const { venue, events, submit, barAt, portfolio } = setup(500);
    submit({});
    venue.onBar(barAt(0, { open: 100, high: 100, low: 100, close: 100 }));
    const rejected = events[1];
    if (rejected?.type !== "OrderRejected") throw new Error("expected a rejection");
    expect(rejected.reason).toBe(
      "insufficient cash: buying 10 SPY at 100 needs 1000.00 USD, cash is 500.00 USD",
    );
    expect(portfolio.cash().toString()).toBe("500");
  });

  it("expires a day order that did not fill in its session", () => {
    const { venue, events, submit, barAt } = setup();
    submit({ type: "LIMIT", limitPrice: 50 });
    venue.onBar(barAt(0, { open: 100, high: 100, low: 99, close: 100 }));
    venue.onBar(barAt(24 * 60, { open: 100, high: 100, low: 99, close: 100 }));
    expect(events.map((event) => event.type)).toEqual(["OrderAccepted", "OrderCancelled"]);
    expect(venue.workingOrderCount).toBe(0);
  });

  it("keeps a good-till-cancelled order across sessions", () => {
    const { venue, events, submit, barAt } = setup();
    submit({ type: "LIMIT", limitPrice: 50, timeInForce: "GTC" });
    venue.onBar(barAt(24 * 60, { open: 100, high: 100, low: 99, close: 100 }));
    venue.onBar(barAt(48 * 60, { open: 49, high: 51, low: 48, close: 50 }));
    expect(events.map((event) => event.type)).toEqual(["OrderAccepted", "OrderFilled"]);
  });

  it("cancels a working order on request", () => {
    const { venue, events, submit, orders } = setup();
    const orderId = submit({ type: "LIMIT", limitPrice: 50 });
    orders.cancel(orderId);
    expect(events.map((event) => event.type)).toEqual(["OrderAccepted", "OrderCancelled"]);
    expect(venue.workingOrderCount).toBe(0);
    expect(orders.openOrders()).toHaveLength(0);
  });
});
