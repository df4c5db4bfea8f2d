import {
  type CommissionReport,
  type Contract,
  type Execution,
  type IBApi,
  type Order,
  OrderAction,
  type OrderState,
  OrderType,
  SecType,
  TimeInForce,
} from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import {
  ACCOUNT,
  drain,
  EventRecorder,
  FIRST_ORDER_ID,
  OrderSimHarness,
  type RecordedEvent,
} from "./orders-test-kit.js";

const AAPL: Contract = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const EXEC_ID = /^0000e0d5\.[0-9a-f]{8}\.[0-9a-f]{2,}\.01$/;

function order(action: OrderAction, type: OrderType, quantity: number, extra: Partial<Order> = {}): Order {
  return { action, orderType: type, totalQuantity: quantity, transmit: true, ...extra };
}

function openOrderStates(events: readonly RecordedEvent[]): string[] {
  return events
    .filter((event) => event.name === "openOrder")
    .map((event) => (event.args[3] as OrderState).status);
}

function statuses(events: readonly RecordedEvent[]): string[] {
  return events.filter((event) => event.name === "orderStatus").map((event) => event.args[1] as string);
}

/** The first 5-second step after `fromMs` (up to `limitMs` later) at which `hit` holds for the model's quote. */
function firstStepWhere(
  sim: OrderSimHarness,
  symbol: string,
  hit: (quote: ReturnType<OrderSimHarness["quote"]>) => boolean,
  limitMs = 6 * 3_600_000,
): number {
  const first = Math.floor(sim.nowMs() / 5_000) * 5_000 + 5_000;
  for (let time = first; time <= sim.nowMs() + limitMs; time += 5_000) {
    if (hit(sim.quote(symbol, time))) return time;
  }
  throw new Error(`the model never got there for ${symbol}`);
}

describe.each([176, 193])("gateway-sim orders with @stoqey/ib at server version %i", (serverVersion) => {
  let sim: OrderSimHarness;

  afterEach(async () => {
    await sim.close();
  });

  async function start(
    options: Parameters<typeof OrderSimHarness.start>[0] extends infer O ? Partial<O> : never = {},
  ) {
    sim = await OrderSimHarness.start({ serverVersion, ...options });
    const { api, nextValidId } = await sim.connect("client 1", 1);
    return { api, nextValidId, events: new EventRecorder(api) };
  }

  it("fills a market buy at the model's ask with TWS's messages in TWS's order", async () => {
    const { api, nextValidId, events } = await start();
    expect(nextValidId).toBe(FIRST_ORDER_ID);
    const ask = sim.quote("AAPL").ask;

    api.placeOrder(nextValidId, AAPL, order(OrderAction.BUY, OrderType.MKT, 100, { orderRef: "intent-1" }));
    await events.untilCount("commissionReport");
    await drain(api);

    expect(events.names()).toEqual([
      "openOrder",
      "orderStatus",
      "execDetails",
      "openOrder",
      "orderStatus",
      "openOrder",
      "commissionReport",
    ]);
    expect(openOrderStates(events.events)).toEqual(["PreSubmitted", "Filled", "Filled"]);
    const [accepted] = events.named("openOrder");
    const permId = (accepted?.args[2] as Order).permId;
    expect(events.named("orderStatus").map((event) => event.args.slice(0, 9))).toEqual([
      [FIRST_ORDER_ID, "PreSubmitted", 0, 100, 0, permId, 0, 0, 1],
      [FIRST_ORDER_ID, "Filled", 100, 0, ask, permId, 0, ask, 1],
    ]);
    const [reqId, contract, execution] = events.named("execDetails")[0]?.args as [
      number,
      Contract,
      Execution,
    ];
    expect(reqId).toBe(-1);
    expect(contract).toMatchObject({ conId: 265598, symbol: "AAPL", secType: "STK", exchange: "ISLAND" });
    expect(execution).toMatchObject({
      orderId: FIRST_ORDER_ID,
      side: "BOT",
      shares: 100,
      price: ask,
      cumQty: 100,
      avgPrice: ask,
      permId,
      clientId: 1,
      acctNumber: ACCOUNT,
      orderRef: "intent-1",
      time: "20240102  15:04:05",
    });
    expect(execution.execId).toMatch(EXEC_ID);
    const report = events.named("commissionReport")[0]?.args[0] as CommissionReport;
    expect(report).toMatchObject({ execId: execution.execId, commission: 1, currency: "USD" });
    expect(report.realizedPNL).toBeUndefined();
    const withCommission = events.named("openOrder")[2]?.args[3] as OrderState;
    expect(withCommission).toMatchObject({ commission: 1, commissionCurrency: "USD" });
  });

  it("reports the realized P&L of a sale that closes a position in its commission report", async () => {
    const { api, nextValidId, events } = await start();
    api.placeOrder(nextValidId, AAPL, order(OrderAction.BUY, OrderType.MKT, 100));
    await events.untilCount("commissionReport");
    const buyPrice = sim.quote("AAPL").ask;
    sim.advanceBy(60_000);
    const sellPrice = sim.quote("AAPL").bid;

    api.placeOrder(nextValidId + 1, AAPL, order(OrderAction.SELL, OrderType.MKT, 100));
    await events.untilCount("commissionReport", 2);

    const sale = events.named("execDetails")[1]?.args[2] as Execution;
    expect(sale).toMatchObject({ side: "SLD", price: sellPrice, shares: 100 });
    const report = events.named("commissionReport")[1]?.args[0] as CommissionReport;
    expect(report.execId).toBe(sale.execId);
    const buyCommission = (events.named("commissionReport")[0]?.args[0] as CommissionReport).commission ?? 0;
    const expected = (sellPrice - buyPrice) * 100 - buyCommission - (report.commission ?? 0);
    expect(report.realizedPNL).toBeCloseTo(expected, 6);
  });

  it("rests a limit buy as Submitted and fills it at the ask once the ask falls to the limit", async () => {
    const { api, nextValidId, events } = await start();
    // The limit is the lowest ask of the next two hours, so the order rests first and then fills.
    let limit = Number.POSITIVE_INFINITY;
    for (let time = sim.nowMs() + 5_000; time < sim.nowMs() + 7_200_000; time += 5_000) {
      limit = Math.min(limit, sim.quote("AAPL", time).ask);
    }
    expect(limit).toBeLessThan(sim.quote("AAPL").ask);
    const crossing = firstStepWhere(sim, "AAPL", (quote) => quote.ask <= limit);
    expect(crossing - 5_000).toBeGreaterThan(sim.nowMs());

    api.placeOrder(
      nextValidId,
      AAPL,
      order(OrderAction.BUY, OrderType.LMT, 100, { lmtPrice: limit, tif: TimeInForce.GTC }),
    );
    await events.untilCount("orderStatus", 2);
    expect(statuses(events.events)).toEqual(["PreSubmitted", "Submitted"]);
    expect((events.named("openOrder")[1]?.args[2] as Order).lmtPrice).toBe(limit);

    sim.advanceTo(crossing - 5_000);
    await drain(api);
    expect(events.named("execDetails")).toEqual([]);

    sim.advanceTo(crossing);
    await events.untilCount("commissionReport");
    const execution = events.named("execDetails")[0]?.args[2] as Execution;
    expect(execution.price).toBe(sim.quote("AAPL", crossing).ask);
    expect(execution.price).toBeLessThanOrEqual(limit);
    expect(execution.lastLiquidity).toBe(1); // a resting order added liquidity
    expect(statuses(events.events)).toEqual(["PreSubmitted", "Submitted", "Filled"]);
  });

  it("triggers a sell stop on the last price and fills it at the bid", async () => {
    const { api, nextValidId, events } = await start();
    api.placeOrder(nextValidId, AAPL, order(OrderAction.BUY, OrderType.MKT, 10));
    await events.untilCount("commissionReport");
    const stop = Math.round((sim.quote("AAPL").last - 0.1) * 100) / 100;
    const trigger = firstStepWhere(sim, "AAPL", (quote) => quote.last <= stop);

    api.placeOrder(nextValidId + 1, AAPL, order(OrderAction.SELL, OrderType.STP, 10, { auxPrice: stop }));
    await events.untilCount("orderStatus", 3);
    expect(statuses(events.events).at(-1)).toBe("PreSubmitted"); // a stop waits untriggered (§5.1)

    sim.advanceTo(trigger);
    await events.untilCount("commissionReport", 2);
    const execution = events.named("execDetails")[1]?.args[2] as Execution;
    expect(execution).toMatchObject({ side: "SLD", price: sim.quote("AAPL", trigger).bid });
  });

  it("cancels a working order: PendingCancel, Cancelled and error 202", async () => {
    const { api, nextValidId, events } = await start();
    const farBelow = Math.round(sim.quote("AAPL").bid * 50) / 100;
    api.placeOrder(nextValidId, AAPL, order(OrderAction.BUY, OrderType.LMT, 100, { lmtPrice: farBelow }));
    await events.untilCount("orderStatus", 2);
    events.clear();

    api.cancelOrder(nextValidId);
    await events.untilCount("error");
    expect(events.names()).toEqual(["orderStatus", "orderStatus", "error"]);
    expect(statuses(events.events)).toEqual(["PendingCancel", "Cancelled"]);
    const [error, code, reqId] = events.named("error")[0]?.args as [Error, number, number];
    expect([code, reqId, error.message]).toEqual([202, nextValidId, "Order Canceled - reason:"]);

    events.clear();
    api.cancelOrder(nextValidId);
    api.cancelOrder(nextValidId + 50);
    await events.untilCount("error", 2);
    expect(events.named("error").map((event) => [event.args[1], (event.args[0] as Error).message])).toEqual([
      [10148, `OrderId ${nextValidId} that needs to be cancelled cannot be cancelled, state: Cancelled.`],
      [10147, `OrderId ${nextValidId + 50} that needs to be cancelled is not found.`],
    ]);
  });

  it("refuses a reused order id with 103 and hands out the next unused id", async () => {
    const { api, nextValidId, events } = await start();
    api.placeOrder(nextValidId + 5, AAPL, order(OrderAction.BUY, OrderType.MKT, 1));
    await events.untilCount("commissionReport");

    api.placeOrder(nextValidId + 5, AAPL, order(OrderAction.BUY, OrderType.MKT, 1));
    api.placeOrder(nextValidId + 2, AAPL, order(OrderAction.BUY, OrderType.MKT, 1));
    await events.untilCount("error", 2);
    expect(events.named("error").map((event) => [event.args[2], event.args[1]])).toEqual([
      [nextValidId + 5, 104], // the id of a filled order: "Can't modify a filled order"
      [nextValidId + 2, 103],
    ]);
    expect((events.named("error")[1]?.args[0] as Error).message).toBe("Duplicate order id");

    api.reqIds();
    await events.untilCount("nextValidId");
    expect(events.named("nextValidId")[0]?.args[0]).toBe(nextValidId + 6);
  });

  it("answers an unknown contract with 200, an unsupported order type with 321 and a zero size with 434", async () => {
    const { api, nextValidId, events } = await start();
    api.placeOrder(nextValidId, { ...AAPL, symbol: "NOSUCH" }, order(OrderAction.BUY, OrderType.MKT, 1));
    api.placeOrder(nextValidId + 1, AAPL, order(OrderAction.BUY, OrderType.TRAIL, 1, { trailingPercent: 1 }));
    api.placeOrder(nextValidId + 2, AAPL, order(OrderAction.BUY, OrderType.MKT, 0));
    await events.untilCount("error", 3);
    await drain(api);
    expect(events.named("error").map((event) => [event.args[2], event.args[1]])).toEqual([
      [nextValidId, 200],
      [nextValidId + 1, 321],
      [nextValidId + 2, 434],
    ]);
    expect((events.named("error")[0]?.args[0] as Error).message).toBe(
      "No security definition has been found for the request",
    );
    expect(events.named("openOrder")).toEqual([]);
  });

  it("rejects an order the account cannot pay for: Inactive, then error 201", async () => {
    const { api, nextValidId, events } = await start();
    api.placeOrder(nextValidId, { ...AAPL, symbol: "SPY" }, order(OrderAction.BUY, OrderType.MKT, 10_000));
    await events.untilCount("error");
    expect(events.names()).toEqual(["openOrder", "orderStatus", "error"]);
    expect(openOrderStates(events.events)).toEqual(["Inactive"]);
    expect(statuses(events.events)).toEqual(["Inactive"]);
    const [error, code] = events.named("error")[0]?.args as [Error, number];
    expect(code).toBe(201);
    expect(error.message).toMatch(
      /^Order rejected - reason:YOUR ORDER IS NOT ACCEPTED\. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE \[1000000\.00 USD\] MUST EXCEED THE INITIAL MARGIN \[\d+\.\d\d USD\]$/,
    );
    expect(sim.book.ledger(ACCOUNT).cash.toNumber()).toBe(1_000_000);
  });

  it("keeps a market DAY order PreSubmitted while the market is closed and fills it at the next open", async () => {
    const afterClose = Date.UTC(2024, 0, 2, 22, 0); // Tuesday 17:00 New York
    const nextOpen = Date.UTC(2024, 0, 3, 14, 30); // Wednesday 09:30 New York
    const { api, nextValidId, events } = await start({ startMs: afterClose });
    api.placeOrder(nextValidId, AAPL, order(OrderAction.BUY, OrderType.MKT, 100));
    await events.untilCount("orderStatus");

    sim.advanceTo(nextOpen - 1_000);
    await drain(api);
    expect(statuses(events.events)).toEqual(["PreSubmitted"]);

    sim.advanceTo(nextOpen);
    await events.untilCount("commissionReport");
    const execution = events.named("execDetails")[0]?.args[2] as Execution;
    expect(execution).toMatchObject({ price: sim.quote("AAPL", nextOpen).ask, time: "20240103  14:30:00" });
  });

  it("expires an unfilled DAY limit order at the close", async () => {
    const { api, nextValidId, events } = await start();
    const farBelow = Math.round(sim.quote("AAPL").bid * 50) / 100;
    api.placeOrder(nextValidId, AAPL, order(OrderAction.BUY, OrderType.LMT, 100, { lmtPrice: farBelow }));
    await events.untilCount("orderStatus", 2);
    sim.advanceTo(Date.UTC(2024, 0, 2, 21, 0));
    await events.untilCount("orderStatus", 3);
    expect(statuses(events.events)).toEqual(["PreSubmitted", "Submitted", "Cancelled"]);
  });

  it("fills in two executions with partial fills on, each with its own execId and commission report", async () => {
    const { api, nextValidId, events } = await start({ orders: { partialFills: true } });
    api.placeOrder(nextValidId, AAPL, order(OrderAction.BUY, OrderType.MKT, 100));
    await events.untilCount("commissionReport");
    expect(statuses(events.events)).toEqual(["PreSubmitted", "Submitted"]);
    expect(events.named("orderStatus")[1]?.args.slice(2, 4)).toEqual([50, 50]);

    sim.advanceBy(5_000);
    await events.untilCount("commissionReport", 2);
    const executions = events.named("execDetails").map((event) => event.args[2] as Execution);
    expect(executions.map((execution) => [execution.shares, execution.cumQty])).toEqual([
      [50, 50],
      [50, 100],
    ]);
    expect(new Set(executions.map((execution) => execution.execId)).size).toBe(2);
    const reports = events.named("commissionReport").map((event) => event.args[0] as CommissionReport);
    expect(reports.map((report) => report.execId)).toEqual(executions.map((execution) => execution.execId));
    expect(statuses(events.events).at(-1)).toBe("Filled");
  });

  it("waits the configured simulated fill delay before executing", async () => {
    const { api, nextValidId, events } = await start({ orders: { fillDelayMs: 2_000 } });
    const placedAt = sim.nowMs();
    api.placeOrder(nextValidId, AAPL, order(OrderAction.BUY, OrderType.MKT, 100));
    await events.untilCount("orderStatus");
    await drain(api);
    expect(events.named("execDetails")).toEqual([]);

    sim.advanceTo(placedAt + 2_000);
    await events.untilCount("commissionReport");
    expect((events.named("execDetails")[0]?.args[2] as Execution).price).toBe(
      sim.quote("AAPL", placedAt + 2_000).ask,
    );
  });

  it("modifies a working limit order placed again with its id, and refuses a change of side with 105", async () => {
    const { api, nextValidId, events } = await start();
    const farBelow = Math.round(sim.quote("AAPL").bid * 50) / 100;
    const lmt = order(OrderAction.BUY, OrderType.LMT, 100, { lmtPrice: farBelow });
    api.placeOrder(nextValidId, AAPL, lmt);
    await events.untilCount("orderStatus", 2);

    api.placeOrder(nextValidId, AAPL, { ...lmt, lmtPrice: farBelow + 1, totalQuantity: 200 });
    await events.untilCount("orderStatus", 3);
    const modified = events.named("openOrder").at(-1)?.args[2] as Order;
    expect([modified.lmtPrice, modified.totalQuantity]).toEqual([farBelow + 1, 200]);
    expect(statuses(events.events).at(-1)).toBe("Submitted");

    api.placeOrder(nextValidId, AAPL, { ...lmt, action: OrderAction.SELL });
    await events.untilCount("error");
    expect(events.named("error")[0]?.args[1]).toBe(105);
  });

  it("holds an untransmitted order as Inactive and works it once transmitted", async () => {
    const { api, nextValidId, events } = await start();
    const mkt = order(OrderAction.BUY, OrderType.MKT, 10, { transmit: false });
    api.placeOrder(nextValidId, AAPL, mkt);
    await events.untilCount("orderStatus");
    await drain(api);
    expect(statuses(events.events)).toEqual(["Inactive"]);

    api.placeOrder(nextValidId, AAPL, { ...mkt, transmit: true });
    await events.untilCount("commissionReport");
    expect(statuses(events.events)).toEqual(["Inactive", "PreSubmitted", "Filled"]);
  });
});

/** Places `count` market orders from `api` and waits until all their commission reports have arrived. */
export async function placeMarketOrders(
  api: IBApi,
  events: EventRecorder,
  firstId: number,
  orders: readonly { contract: Contract; action: OrderAction; quantity: number }[],
): Promise<void> {
  const before = events.named("commissionReport").length;
  orders.forEach((item, index) => {
    api.placeOrder(firstId + index, item.contract, order(item.action, OrderType.MKT, item.quantity));
  });
  await events.untilCount("commissionReport", before + orders.length);
}
