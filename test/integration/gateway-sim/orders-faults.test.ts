import {
  type CommissionReport,
  type Contract,
  type Execution,
  OrderAction,
  OrderType,
  SecType,
} from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { OrderFaults } from "../../../src/gateway-sim/orders/order-faults.js";
import { drain, EventRecorder, OrderSimHarness } from "./orders-test-kit.js";

const MSFT: Contract = { symbol: "MSFT", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const BUY_100 = { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 100, transmit: true };

describe.each([176, 193])("gateway-sim order fault injection at server version %i", (serverVersion) => {
  let sim: OrderSimHarness;
  const faults = new OrderFaults();

  afterEach(async () => {
    faults.delayFillOrderStatusMs(0);
    await sim.close();
  });

  async function start() {
    sim = await OrderSimHarness.start({ serverVersion, orders: { faults } });
    const { api, nextValidId } = await sim.connect("client 1", 1);
    return { api, nextValidId, events: new EventRecorder(api) };
  }

  it("drops the fill's orderStatus while the execution and commission report still arrive", async () => {
    const { api, nextValidId, events } = await start();
    faults.dropNextFillOrderStatus(1);
    api.placeOrder(nextValidId, MSFT, BUY_100);
    await events.untilCount("commissionReport");
    await drain(api);
    expect(events.names()).toEqual([
      "openOrder",
      "orderStatus",
      "execDetails",
      "openOrder",
      "openOrder",
      "commissionReport",
    ]);
    expect(events.named("orderStatus").map((event) => event.args[1])).toEqual(["PreSubmitted"]);

    events.clear();
    api.placeOrder(nextValidId + 1, MSFT, BUY_100);
    await events.untilCount("commissionReport");
    expect(events.named("orderStatus").map((event) => event.args[1])).toEqual(["PreSubmitted", "Filled"]);
  });

  it("sends a duplicated execution twice with the same execId, each with its commission report", async () => {
    const { api, nextValidId, events } = await start();
    faults.duplicateNextExecution(1);
    api.placeOrder(nextValidId, MSFT, BUY_100);
    await events.untilCount("commissionReport", 2);
    await drain(api);
    const executions = events.named("execDetails").map((event) => event.args[2] as Execution);
    const reports = events.named("commissionReport").map((event) => event.args[0] as CommissionReport);
    expect(executions).toHaveLength(2);
    expect(executions[1]).toEqual(executions[0]);
    expect(reports.map((report) => report.execId)).toEqual([executions[0]?.execId, executions[0]?.execId]);

    // The account booked it once: reqExecutions lists one execution.
    events.clear();
    api.reqExecutions(7, {});
    await events.untilCount("execDetailsEnd");
    expect(events.named("execDetails")).toHaveLength(1);
  });

  it("delays the fill's orderStatus by simulated time while the execution arrives at once", async () => {
    const { api, nextValidId, events } = await start();
    faults.delayFillOrderStatusMs(30_000);
    api.placeOrder(nextValidId, MSFT, BUY_100);
    await events.untilCount("commissionReport");
    await drain(api);
    expect(events.named("orderStatus").map((event) => event.args[1])).toEqual(["PreSubmitted"]);

    sim.advanceBy(29_999);
    await drain(api);
    expect(events.named("orderStatus")).toHaveLength(1);

    sim.advanceBy(1);
    await events.untilCount("orderStatus", 2);
    expect(events.named("orderStatus")[1]?.args.slice(1, 4)).toEqual(["Filled", 100, 0]);
  });
});
