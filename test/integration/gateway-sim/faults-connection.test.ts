import { EventName, OrderAction, OrderType, SecType, type Contract, type IBApi } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { GatewaySimFixture } from "./gateway-sim-fixture.js";
import { waitForDisconnected, waitForNextValidId } from "./ib-api-events.js";
import { EventRecorder } from "./orders-test-kit.js";
import { waitFor } from "./wait-for.js";

const IBM: Contract = { symbol: "IBM", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const BUY_ONE = { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1, transmit: true };
const FIRST_ORDER_ID = 100;
/** Wall time a restart stays down in these tests; long enough to try a connect, short enough to wait. */
const DOWN_FOR_MS = 800;
/** Node's timers run off a millisecond loop clock, so a timeout may end up to 1 ms before performance.now says. */
const TIMER_SLACK_MS = 2;

/** Resolves with the first `error` event carrying `code`. */
function waitForErrorCode(api: IBApi, code: number): Promise<Error> {
  return waitFor(`error ${code}`, (resolve) => {
    const listener = (error: Error, errorCode: number): void => {
      if (errorCode === code) resolve(error);
    };
    api.on(EventName.error, listener);
    return () => api.off(EventName.error, listener);
  });
}

describe.each([176, 193])("gateway-sim connection faults at server version %i", (serverVersion) => {
  let fixture: GatewaySimFixture;

  afterEach(async () => {
    await fixture.close();
  });

  it("dropAllConnections: every connected client sees its connection close", async () => {
    fixture = await GatewaySimFixture.start({ maxServerVersion: serverVersion });
    const first = await fixture.connect("client 1", 1);
    const second = await fixture.connect("client 2", 2);
    const gone = [waitForDisconnected(first.api), waitForDisconnected(second.api)];

    await fixture.sim.faults.dropAllConnections();

    await Promise.all(gone);
    expect(fixture.sim.server.connectedClientIds()).toEqual([]);
    expect(first.api.isConnected).toBe(false);
    expect(second.api.isConnected).toBe(false);
  });

  it("dropAllConnections: a client may connect again at once with the same client id", async () => {
    fixture = await GatewaySimFixture.start({ maxServerVersion: serverVersion });
    const { api } = await fixture.connect("client 1", 1);
    const gone = waitForDisconnected(api);
    await fixture.sim.faults.dropAllConnections();
    await gone;

    const again = waitForNextValidId(api);
    api.connect(1);
    expect(await again).toBe(1);
  });

  it("restart: connects are refused while down; afterwards the same client id is served on the same port with its next id rolled back", async () => {
    fixture = await GatewaySimFixture.start({
      maxServerVersion: serverVersion,
      firstOrderId: FIRST_ORDER_ID,
    });
    const { api, nextValidId } = await fixture.connect("daemon", 7);
    expect(nextValidId).toBe(FIRST_ORDER_ID);
    const events = new EventRecorder(api);
    api.placeOrder(FIRST_ORDER_ID + 9, IBM, BUY_ONE); // the next valid id is now FIRST_ORDER_ID + 10
    await events.untilCount("execDetails");

    const disconnected = waitForDisconnected(api);
    const restartCalledAt = performance.now();
    const restarted = fixture.sim.faults.restart({ downForMs: DOWN_FOR_MS, rollBackOrderIdsBy: 4 });
    await disconnected;

    // A daemon reconnecting at once finds the port closed: stoqey reports 502 with the socket error.
    const refused = waitForErrorCode(api, 502);
    api.connect(7);
    expect((await refused).message).toContain("ECONNREFUSED");
    expect(fixture.sim.faults.isRestarting).toBe(true);

    await restarted;
    expect(performance.now() - restartCalledAt).toBeGreaterThanOrEqual(DOWN_FOR_MS - TIMER_SLACK_MS);
    expect(fixture.sim.port).toBe(fixture.port);
    const rolledBack = waitForNextValidId(api);
    api.connect(7);
    expect(await rolledBack).toBe(FIRST_ORDER_ID + 10 - 4);
    expect(fixture.sim.server.connectedClientIds()).toEqual([7]);
  });

  it("restart: a client id that never placed an order keeps the first order id", async () => {
    fixture = await GatewaySimFixture.start({
      maxServerVersion: serverVersion,
      firstOrderId: FIRST_ORDER_ID,
    });
    const { api } = await fixture.connect("quiet client", 3);
    const disconnected = waitForDisconnected(api);
    await fixture.sim.faults.restart({ downForMs: 0, rollBackOrderIdsBy: 4 });
    await disconnected;

    const next = waitForNextValidId(api);
    api.connect(3);
    expect(await next).toBe(FIRST_ORDER_ID);
  });
});
