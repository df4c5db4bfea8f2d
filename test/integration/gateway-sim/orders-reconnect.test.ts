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

  it("re-sends the client's open order as orderStatus after it reconnects with the same client id", async () => {
    const permId = await leaveAWorkingOrder();
    const { api } = await sim.connect("second session", 7);
    const events = new EventRecorder(api);

    // The first request of the new session (here reqIds, as a daemon sends after connecting) brings the
    // open orders' statuses, then the next id, which is past the id used before the disconnect.
    api.reqIds();
    await events.untilCount("nextValidId");
    expect(events.names()).toEqual(["orderStatus", "nextValidId"]);
    expect(events.named("orderStatus")[0]?.args.slice(0, 6)).toEqual([
      FIRST_ORDER_ID,
      "Submitted",
      0,
      10,
      0,
      permId,
    ]);
    expect(events.named("nextValidId")[0]?.args[0]).toBe(FIRST_ORDER_ID + 1);

    events.clear();
    api.reqOpenOrders();
    await events.untilCount("openOrderEnd");
    expect(events.names()).toEqual(["openOrder", "orderStatus", "openOrderEnd"]);
    expect((events.named("openOrder")[0]?.args[2] as Order).permId).toBe(permId);
  });

  it("lets the reconnected client cancel the order it placed before", async () => {
    await leaveAWorkingOrder();
    const { api } = await sim.connect("second session", 7);
    const events = new EventRecorder(api);
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

    const { api } = await sim.connect("second session", 7);
    const events = new EventRecorder(api);
    api.reqExecutions(3, { clientId: "7" }); // @stoqey/ib types the filter's client id as text
    await events.untilCount("execDetailsEnd");
    const execution = events.named("execDetails")[0]?.args[2] as Execution;
    expect(execution).toMatchObject({ orderId: FIRST_ORDER_ID, clientId: 7, shares: 10, side: "BOT" });
    expect(execution.price).toBe(sim.quote("IBM", nextOpen).ask);
    await drain(api);
    expect(events.named("orderStatus")).toEqual([]); // nothing open any more, so nothing re-sent
  });
});
