import {
  BarSizeSetting,
  OrderAction,
  OrderType,
  SecType,
  WhatToShow,
  type Contract,
  type Execution,
  type IBApi,
} from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { GatewaySimFixture } from "./gateway-sim-fixture.js";
import { waitForCurrentTime, waitForNextValidId } from "./ib-api-events.js";
import { AAPL, IbEventLog } from "./market-data-fixture.js";
import { drain, EventRecorder } from "./orders-test-kit.js";

const MSFT: Contract = { symbol: "MSFT", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const BUY_100 = { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 100, transmit: true };
const LATENCY_MS = 150;

/** Asks for 60 s of 5-second AAPL trades up to now as `reqId`. */
function requestHistory(api: IBApi, reqId: number): void {
  api.reqHistoricalData(reqId, AAPL, "", "60 S", BarSizeSetting.SECONDS_FIVE, WhatToShow.TRADES, 1, 1, false);
}

describe.each([176, 193])("gateway-sim request faults at server version %i", (serverVersion) => {
  let fixture: GatewaySimFixture;

  afterEach(async () => {
    await fixture.close();
  });

  it("forcePacingViolations(2): the next two history requests get 162, the third gets bars", async () => {
    fixture = await GatewaySimFixture.start({ maxServerVersion: serverVersion });
    const { api } = await fixture.connect("client", 1);
    const log = new IbEventLog(api);

    fixture.sim.faults.forcePacingViolations(2);
    const outcomes = [];
    for (const reqId of [1, 2, 3]) {
      requestHistory(api, reqId); // identical requests: refused ones do not count towards IB's own rules
      outcomes.push(await log.historical(reqId));
    }

    expect(outcomes.map((outcome) => (outcome.kind === "error" ? outcome.code : "bars"))).toEqual([
      162,
      162,
      "bars",
    ]);
    expect(outcomes[0]).toMatchObject({
      message: "Historical Market Data Service error message:Historical data request pacing violation",
    });
  });

  it("setLatencyMs: a reqCurrentTime reply arrives no sooner than the latency", async () => {
    fixture = await GatewaySimFixture.start({ maxServerVersion: serverVersion });
    const { api } = await fixture.connect("client", 1);

    fixture.sim.faults.setLatencyMs(LATENCY_MS);
    const reply = waitForCurrentTime(api);
    const sentAt = performance.now();
    api.reqCurrentTime();
    await reply;

    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(LATENCY_MS);
  });

  it("setLatencyMs: the handshake is delayed too, twice (version reply, then the start-up messages)", async () => {
    fixture = await GatewaySimFixture.start({ maxServerVersion: serverVersion });
    fixture.sim.faults.setLatencyMs(LATENCY_MS);
    const api = fixture.ibApi("client");
    const ready = waitForNextValidId(api);
    const connectedAt = performance.now();
    api.connect(1);
    await ready;

    expect(performance.now() - connectedAt).toBeGreaterThanOrEqual(2 * LATENCY_MS);
  });

  it("dropNextFillOrderStatus and duplicateNextExecution through the facade: one status missing, one execution twice", async () => {
    fixture = await GatewaySimFixture.start({ maxServerVersion: serverVersion });
    const { api, nextValidId } = await fixture.connect("client", 1);
    const events = new EventRecorder(api);

    fixture.sim.faults.dropNextFillOrderStatus(1);
    fixture.sim.faults.duplicateNextExecution(1);
    api.placeOrder(nextValidId, MSFT, BUY_100);
    await events.untilCount("commissionReport", 2);
    await drain(api);

    expect(events.named("orderStatus").map((event) => event.args[1])).toEqual(["PreSubmitted"]);
    const executions = events.named("execDetails").map((event) => event.args[2] as Execution);
    expect(executions).toHaveLength(2);
    expect(executions[1]?.execId).toBe(executions[0]?.execId);
  });
});
