import { type Contract, type Execution, type Order, OrderAction, OrderType, SecType } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { MarketModel } from "../../../src/gateway-sim/market/market-model.js";
import { SIM_START_MS } from "./gateway-sim-harness.js";
import { drain, EventRecorder, FIRST_ORDER_ID, MARKET_SEED, OrderSimHarness } from "./orders-test-kit.js";

const IBM: Contract = { symbol: "IBM", secType: SecType.STK, exchange: "SMART", currency: "USD" };

describe.each([176, 193])("gateway-sim orders across a reconnect at server version %i", (serverVersion) => {
  let sim: OrderSimHarness;

  afterEach(async () => {
    await sim.close();
  });

  /** Client 7 places one order and disconnects; returns the order's permId. */
  async function placeAndLeave(order: Order, startMs?: number): Promise<number> {
    sim = await OrderSimHarness.start({ serverVersion, ...(startMs === undefined ? {} : { startMs }) });
    const { api, nextValidId } = await sim.connect("first session", 7);
    const events = new EventRecorder(api);
    api.placeOrder(nextValidId, IBM, order);
    await events.untilCount("orderStatus");
    await drain(api);
    const permId = (events.named("openOrder")[0]?.args[2] as Order).permId ?? 0;
    const gone = sim.gateway.clientDisconnected(7);
    api.disconnect();
    await gone;
    return permId;
  }

  /** A GTC limit buy of 10 IBM far below the market: it works and never fills in these tests. */
  async function leaveAWorkingOrder(): Promise<number> {
    const limit =
      Math.round(new MarketModel({ seed: MARKET_SEED }).quote("IBM", SIM_START_MS).bid * 50) / 100;
    return placeAndLeave({
      action: OrderAction.BUY,
      orderType: OrderType.LMT,
      lmtPrice: limit,
      totalQuantity: 10,
      tif: "GTC",
      transmit: true,
    });
  }

  it("re-sends the client's open order as orderStatus right after it reconnects with the same client id", async () => {
    const permId = await leaveAWorkingOrder();
    const { api, events, nextValidId } = await sim.connectRecorded("second session", 7);

    // No request needed: the status follows the start-up messages, and the next id is past the one used.
    await events.untilCount("orderStatus");
    expect(events.names()).toEqual(["nextValidId", "orderStatus"]);
    expect(nextValidId).toBe(FIRST_ORDER_ID + 1);
    expect(events.named("orderStatus")[0]?.args.slice(0, 6)).toEqual([
      FIRST_ORDER_ID,
      "Submitted",
      0,
      10,
      0,
      permId,
    ]);

    events.clear();
    api.reqOpenOrders();
    await events.untilCount("openOrderEnd");
    expect(events.names()).toEqual(["openOrder", "orderStatus", "openOrderEnd"]);
    expect((events.named("openOrder")[0]?.args[2] as Order).permId).toBe(permId);
  });

  it("re-sends nothing to another client id, which owns no open order", async () => {
    await leaveAWorkingOrder();
    const { api, events } = await sim.connectRecorded("other client", 8);
    await drain(api);
    expect(events.names()).toEqual(["nextValidId"]);
  });

  it("tells a client that reconnects after placing orders a nextValidId above every id it used", async () => {
    sim = await OrderSimHarness.start({ serverVersion });
    const first = await sim.connect("first session", 7);
    const events = new EventRecorder(first.api);
    const market = { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1, transmit: true };
    first.api.placeOrder(first.nextValidId, IBM, market);
    first.api.placeOrder(first.nextValidId + 5, IBM, market); // ids may skip; the next is above the highest
    await events.untilCount("commissionReport", 2);
    const gone = sim.gateway.clientDisconnected(7);
    first.api.disconnect();
    await gone;

    const { nextValidId } = await sim.connect("second session", 7);
    expect(nextValidId).toBe(FIRST_ORDER_ID + 6);
  });

  it("lets the reconnected client cancel the order it placed before", async () => {
    await leaveAWorkingOrder();
    const { api, events } = await sim.connectRecorded("second session", 7);
    api.cancelOrder(FIRST_ORDER_ID);
    await events.untilCount("error");
    expect(events.named("orderStatus").map((event) => event.args[1])).toEqual([
      "Submitted",
      "PendingCancel",
      "Cancelled",
    ]);
    expect(events.named("error")[0]?.args[1]).toBe(202);
  });

  it("finds a fill made while the client was away in reqExecutions, and re-sends nothing", async () => {
    const afterClose = Date.UTC(2024, 0, 2, 22, 0);
    const nextOpen = Date.UTC(2024, 0, 3, 14, 30);
    await placeAndLeave(
      { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 10, transmit: true },
      afterClose,
    );
    sim.advanceTo(nextOpen); // the market order fills at the open while client 7 is disconnected

    const other = await sim.connect("other client", 8);
    const otherEvents = new EventRecorder(other.api);
    other.api.reqOpenOrders();
    await otherEvents.untilCount("openOrderEnd");
    expect(otherEvents.names()).toEqual(["openOrderEnd"]);

    const { api, events } = await sim.connectRecorded("second session", 7);
    api.reqExecutions(3, { clientId: "7" }); // @stoqey/ib types the filter's client id as text
    await events.untilCount("execDetailsEnd");
    const execution = events.named("execDetails")[0]?.args[2] as Execution;
    expect(execution).toMatchObject({ orderId: FIRST_ORDER_ID, clientId: 7, shares: 10, side: "BOT" });
    expect(execution.price).toBe(sim.quote("IBM", nextOpen).ask);
    await drain(api);
    expect(events.named("orderStatus")).toEqual([]); // nothing open any more, so nothing re-sent
  });
});
