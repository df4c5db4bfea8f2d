import { Decimal } from "decimal.js";
import { OrderAction, OrderType, SecType } from "@stoqey/ib";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { IbConnection, IbConnectionOptions } from "../../../src/adapters/ib/ib-connection.js";
import { IbExecutionClient } from "../../../src/adapters/ib/ib-execution-client.js";
import { IbMarketDataClient } from "../../../src/adapters/ib/ib-market-data-client.js";
import { IbRequests } from "../../../src/adapters/ib/ib-requests.js";
import type { GatewayError } from "../../../src/core/errors.js";
import { IbOrderQueries } from "../../../src/adapters/ib/ib-order-queries.js";
import { ManualScheduler } from "../../../src/core/manual-scheduler.js";
import type { ExecutionReport } from "../../../src/execution/execution-client.js";
import { newOrder } from "../../../src/execution/new-order.js";
import type { GatewaySim, GatewaySimOptions } from "../../../src/gateway-sim/gateway-sim.js";
import type { Order, OrderRequest } from "../../../src/model/order.js";
import type { QualifiedContract } from "../../../src/model/qualified-contract.js";
import { MemorySendJournal } from "../../kit/fake-ib-orders.js";
import {
  connectionTo,
  IN_SESSION_MS,
  LogCapture,
  roundTrip,
  startSim,
  waitForGeneration,
  waitForState,
} from "./ib-test-kit.js";

const ACCOUNT = "DU1234567";
const ACK_TIMEOUT_MS = 10_000;
/** The simulator's TWS runs on UTC and sends execution times without a zone. */
const SIM_ZONE = "UTC";

function contractOf(sim: GatewaySim): (symbol: string) => QualifiedContract {
  return (symbol) => {
    const instrument = sim.universe.lookup(symbol);
    return {
      symbol,
      // An unknown symbol gets a conId the simulator does not list: IB answers 200.
      conId: instrument?.conId ?? 999_999_999,
      secType: "STK",
      exchange: "SMART",
      primaryExchange: instrument?.primaryExchange ?? "",
      currency: "USD",
      localSymbol: symbol,
      longName: symbol,
      minTick: 0.01,
      timeZoneId: "America/New_York",
      tradingHours: "",
      liquidHours: "",
      fetchedAtMs: IN_SESSION_MS,
    };
  };
}

function anOrder(orderId: string, request: Partial<OrderRequest> = {}): Order {
  return newOrder(
    { symbol: "AAPL", side: "BUY", quantity: new Decimal(100), type: "MARKET", ...request },
    { orderId, strategy: "test", nowMs: IN_SESSION_MS, status: "PendingSubmit" },
  );
}

function types(reports: readonly ExecutionReport[]): string[] {
  return reports.map((report) => report.type);
}

function fills(reports: readonly ExecutionReport[]): Extract<ExecutionReport, { type: "filled" }>[] {
  return reports.filter(
    (report): report is Extract<ExecutionReport, { type: "filled" }> => report.type === "filled",
  );
}

describe("IbExecutionClient against gateway-sim", () => {
  const sims: GatewaySim[] = [];
  const connections: IbConnection[] = [];
  const clients: IbExecutionClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.dispose();
    for (const connection of connections.splice(0)) connection.stop();
    for (const sim of sims.splice(0)) await sim.stop();
  });

  async function setUp(options: { sim?: GatewaySimOptions; connection?: Partial<IbConnectionOptions> } = {}) {
    const { sim, port } = await startSim(options.sim);
    sims.push(sim);
    const logs = new LogCapture();
    const connection = connectionTo(port, logs, options.connection);
    connections.push(connection);
    await connection.start();
    const scheduler = new ManualScheduler(IN_SESSION_MS);
    const queries = new IbOrderQueries({
      connection,
      scheduler,
      logger: logs.logger,
      timeoutMs: 5_000,
      executionTimeZone: SIM_ZONE,
    });
    const journal = new MemorySendJournal();
    const reports: ExecutionReport[] = [];
    const newClient = (): IbExecutionClient => {
      const client = new IbExecutionClient({
        connection,
        account: ACCOUNT,
        contractOf: contractOf(sim),
        journal,
        queries,
        scheduler,
        logger: logs.logger,
        ackTimeoutMs: ACK_TIMEOUT_MS,
        executionTimeZone: SIM_ZONE,
      });
      client.setReportListener((report) => reports.push(report));
      clients.push(client);
      return client;
    };
    return {
      sim,
      port,
      logs,
      connection,
      scheduler,
      queries,
      journal,
      reports,
      client: newClient(),
      newClient,
    };
  }

  /** Every message the simulator sent so far has arrived, and every grace period of the client has passed. */
  async function settle(connection: IbConnection, scheduler: ManualScheduler): Promise<void> {
    await roundTrip(connection);
    scheduler.advanceBy(5_000);
  }

  it("reports a market order accepted, then one fill with IB's commission", async () => {
    const { sim, client, connection, scheduler, reports, logs } = await setUp();
    const ask = sim.model.quote("AAPL", IN_SESSION_MS).ask;

    client.submit(anOrder("mkt-1"));
    await vi.waitFor(() => {
      expect(types(reports)).toEqual(["accepted", "filled"]);
    });
    await settle(connection, scheduler);

    const [accepted, filled] = reports;
    const execution = sim.accounts.executions()[0]!;
    expect(accepted).toMatchObject({ type: "accepted", orderId: "mkt-1", permId: execution.permId });
    expect(filled).toMatchObject({
      type: "filled",
      orderId: "mkt-1",
      brokerOrderId: 1,
      permId: execution.permId,
    });
    expect(filled?.type === "filled" && filled.commissionPending).toBeFalsy();
    const fill = fills(reports)[0]!.fill;
    expect(fill).toMatchObject({
      fillId: execution.execId,
      orderId: "mkt-1",
      symbol: "AAPL",
      side: "BUY",
      time: IN_SESSION_MS,
    });
    expect(fill.quantity.toString()).toBe("100");
    expect(fill.price.toNumber()).toBe(ask);
    expect(fill.commission.toString()).toBe(execution.commission.toString());
    expect(types(reports)).toEqual(["accepted", "filled"]);
    expect(logs.events("order.sent")[0]).toMatchObject({
      orderId: "mkt-1",
      ibOrderId: 1,
      symbol: "AAPL",
      side: "BUY",
      quantity: "100",
      account: "DU***567",
    });
    expect(JSON.stringify(logs.lines)).not.toContain(ACCOUNT);
  });

  it("reports partial fills as separate fills that add up to the order's size", async () => {
    const { sim, client, connection, scheduler, reports } = await setUp({
      sim: { orders: { partialFills: true } },
    });

    client.submit(anOrder("partial-1", { quantity: new Decimal(101) }));
    await vi.waitFor(() => {
      expect(fills(reports)).toHaveLength(1);
    });
    sim.scheduler.advanceBy(5_000);
    await vi.waitFor(() => {
      expect(fills(reports)).toHaveLength(2);
    });
    await settle(connection, scheduler);

    const quantities = fills(reports).map((report) => report.fill.quantity.toNumber());
    expect(quantities).toEqual([51, 50]);
    expect(fills(reports)[1]!.fill.time).toBe(IN_SESSION_MS + 5_000);
    expect(types(reports)).toEqual(["accepted", "filled", "filled"]);
  });

  it("still reports the fill when IB never sends the fill's orderStatus", async () => {
    const { sim, client, connection, scheduler, reports } = await setUp();
    sim.faults.dropNextFillOrderStatus();

    client.submit(anOrder("dropped-status-1"));
    await vi.waitFor(() => {
      expect(fills(reports)).toHaveLength(1);
    });
    await settle(connection, scheduler);

    expect(types(reports)).toEqual(["accepted", "filled"]);
    expect(fills(reports)[0]!.fill.commission.isZero()).toBe(false);
  });

  it("reports a duplicated execution once", async () => {
    const { sim, client, connection, scheduler, reports } = await setUp();
    sim.faults.duplicateNextExecution();

    client.submit(anOrder("duplicate-1"));
    await vi.waitFor(() => {
      expect(fills(reports)).toHaveLength(1);
    });
    await settle(connection, scheduler);

    expect(types(reports)).toEqual(["accepted", "filled"]);
  });

  it("reports an order IB rejects (Inactive, then 201) as rejected with IB's code, once", async () => {
    const { client, connection, scheduler, reports } = await setUp();

    client.submit(anOrder("too-big-1", { quantity: new Decimal(100_000) }));
    await vi.waitFor(() => {
      expect(types(reports)).toEqual(["rejected"]);
    });
    await settle(connection, scheduler);

    expect(reports).toEqual([
      expect.objectContaining({
        type: "rejected",
        orderId: "too-big-1",
        code: 201,
        reason: expect.stringContaining("YOUR ORDER IS NOT ACCEPTED") as unknown,
      }),
    ]);
  });

  it("keeps an order's rejection apart from a data request once IB's order ids reach a million", async () => {
    // IB addresses errors to order ids and request ids alike, and a long-used client id's order ids pass a
    // million, where our request ids used to start: the order and the data request then shared one id.
    const { sim, client, connection, scheduler, reports, logs } = await setUp({
      sim: { firstOrderId: 1_000_000 },
    });
    const marketData = new IbMarketDataClient(new IbRequests(connection), logs.logger);
    const ended: GatewayError[] = [];
    let ticks = 0;

    client.submit(anOrder("too-big-1", { quantity: new Decimal(100_000) }));
    const quotes = marketData.ticks(
      contractOf(sim)("AAPL"),
      3,
      () => ticks++,
      () => undefined,
      (error) => ended.push(error),
    );
    await vi.waitFor(() => {
      expect(types(reports)).toEqual(["rejected"]);
    });
    await settle(connection, scheduler);

    expect(reports[0]).toMatchObject({ type: "rejected", orderId: "too-big-1", code: 201 });
    expect(sim.accounts.orders().map((order) => order.orderId)).toEqual([1_000_000]);
    expect(ended).toEqual([]);
    await vi.waitFor(() => {
      expect(ticks).toBeGreaterThan(0);
    });
    quotes.stop();
  });

  it("reports an order for a contract IB does not know (200, no status) as rejected", async () => {
    const { client, connection, scheduler, reports } = await setUp();

    client.submit(anOrder("unknown-1", { symbol: "ZZZZQ" }));
    await vi.waitFor(() => {
      expect(types(reports)).toEqual(["rejected"]);
    });
    await settle(connection, scheduler);

    expect(reports).toEqual([expect.objectContaining({ type: "rejected", orderId: "unknown-1", code: 200 })]);
  });

  it("cancels a working limit order: accepted, then cancelled with IB's 202", async () => {
    const { client, connection, scheduler, reports } = await setUp();
    client.submit(anOrder("limit-1", { type: "LIMIT", limitPrice: 1 }));
    await vi.waitFor(() => {
      expect(types(reports)).toEqual(["accepted"]);
    });

    client.cancel("limit-1");
    await vi.waitFor(() => {
      expect(types(reports)).toEqual(["accepted", "cancelled"]);
    });
    await settle(connection, scheduler);

    expect(reports[1]).toMatchObject({ type: "cancelled", orderId: "limit-1", code: 202 });
    expect(types(reports)).toEqual(["accepted", "cancelled"]);
  });

  it("rejects an order while disconnected without sending anything, then or after the reconnect", async () => {
    const { sim, port, client, connection, journal, reports } = await setUp({
      connection: { reconnectDelayMs: 300, maxReconnectDelayMs: 300 },
    });
    await sim.faults.dropAllConnections();
    await waitForState(connection, (state) => state.status === "waiting-to-reconnect");

    client.submit(anOrder("offline-1"));

    expect(reports).toEqual([
      {
        type: "rejected",
        orderId: "offline-1",
        reason: `not connected to 127.0.0.1:${port}; the order was not sent`,
        time: IN_SESSION_MS,
      },
    ]);
    await waitForGeneration(connection, 2);
    await roundTrip(connection);
    expect(sim.accounts.orders()).toEqual([]);
    expect(journal.sent).toEqual([]);
  });

  it("after a Gateway restart that rolls order ids back, sends with an id above every id used before", async () => {
    const { sim, client, connection, journal, reports, newClient } = await setUp();
    client.submit(anOrder("before-1"));
    client.submit(anOrder("before-2"));
    await vi.waitFor(() => {
      expect(fills(reports)).toHaveLength(2);
    });

    await sim.faults.restart({ rollBackOrderIdsBy: 2 });
    const state = await waitForGeneration(connection, 2);
    expect(state.status === "ready" && state.session.nextValidOrderId).toBe(1);
    // A new client, as after a restart of the daemon: only the journal remembers ids 1 and 2.
    client.dispose();
    const restarted = newClient();
    restarted.submit(anOrder("after-1"));
    await vi.waitFor(() => {
      expect(fills(reports)).toHaveLength(3);
    });

    expect(journal.sent.map((entry) => entry.ibOrderId)).toEqual([1, 2, 3]);
    expect(reports.filter((report) => report.type === "rejected")).toEqual([]);
    expect(sim.accounts.orders().map((order) => order.orderId)).toEqual([1, 2, 3]);
  });

  it("looks an unacknowledged order up when the acknowledgement is lost, and reports what IB has", async () => {
    const { sim, client, connection, scheduler, reports, logs } = await setUp();
    // IB takes the order and fills it, but the connection drops before any answer reaches us.
    sim.faults.setLatencyMs(60_000);
    client.submit(anOrder("lost-ack-1"));
    await vi.waitFor(() => {
      expect(sim.accounts.executions()).toHaveLength(1);
    });
    await sim.faults.dropAllConnections();
    sim.faults.setLatencyMs(0);
    await waitForGeneration(connection, 2);
    expect(reports).toEqual([]);

    scheduler.advanceBy(ACK_TIMEOUT_MS);
    await vi.waitFor(() => {
      expect(types(reports)).toEqual(["accepted", "filled"]);
    });

    expect(logs.events("order.ack_timeout")).toEqual([
      expect.objectContaining({ orderId: "lost-ack-1", ibOrderId: 1, level: 40 }),
    ]);
    const execution = sim.accounts.executions()[0]!;
    expect(fills(reports)[0]!.fill).toMatchObject({ fillId: execution.execId, time: IN_SESSION_MS });
    expect(fills(reports)[0]!.fill.commission.toString()).toBe(execution.commission.toString());
    expect(sim.accounts.orders()).toHaveLength(1);
  });

  it("logs an order IB has no trace of as unconfirmed, leaves it open and never sends it again", async () => {
    const { sim, client, connection, scheduler, reports, logs } = await setUp();
    // IB refuses the contract (200), but the answer is lost with the connection.
    sim.faults.setLatencyMs(60_000);
    client.submit(anOrder("lost-1", { symbol: "ZZZZQ" }));
    await vi.waitFor(() => {
      expect(sim.accounts.orderIds.nextValidId(7)).toBe(2);
    });
    await sim.faults.dropAllConnections();
    sim.faults.setLatencyMs(0);
    await waitForGeneration(connection, 2);

    scheduler.advanceBy(ACK_TIMEOUT_MS);
    await vi.waitFor(() => {
      expect(logs.events("order.unconfirmed")).toHaveLength(1);
    });
    await settle(connection, scheduler);

    expect(logs.events("order.unconfirmed")[0]).toMatchObject({ orderId: "lost-1", ibOrderId: 1, level: 50 });
    expect(reports).toEqual([]);
    expect(sim.accounts.orderIds.nextValidId(7)).toBe(2);
  });

  it("never reports on another client's orders, even when their ids equal ours", async () => {
    const { sim, port, logs, client, connection, scheduler, queries, reports } = await setUp();
    client.submit(anOrder("mine-1", { type: "LIMIT", limitPrice: 1 }));
    await vi.waitFor(() => {
      expect(types(reports)).toEqual(["accepted"]);
    });
    const other = connectionTo(port, logs, { clientId: 8 });
    connections.push(other);
    await other.start();
    const { api } = other.requireReady();
    const contract = { conId: 265598, exchange: "SMART", currency: "USD", secType: SecType.STK };
    // Order id 1 again (ids are per client), staged and never transmitted: Inactive while open.
    api.placeOrder(1, contract, {
      action: OrderAction.SELL,
      orderType: OrderType.LMT,
      lmtPrice: 1000,
      totalQuantity: 5,
      orderRef: "foreign-1",
      account: ACCOUNT,
      transmit: false,
    });
    api.placeOrder(2, contract, {
      action: OrderAction.BUY,
      orderType: OrderType.MKT,
      totalQuantity: 7,
      orderRef: "foreign-2",
      account: ACCOUNT,
      transmit: true,
    });
    await roundTrip(other);

    // Our own queries bring the foreign orders and executions through our connection.
    const open = await queries.openOrders();
    await queries.executions(ACCOUNT, undefined);
    await settle(connection, scheduler);

    expect(open.map((order) => [order.orderRef, order.clientId, order.brokerOrderId, order.state])).toEqual([
      ["mine-1", 7, 1, "working"],
      ["foreign-1", 8, 1, "inactive"],
    ]);
    expect(sim.accounts.executions()).toHaveLength(1);
    expect(types(reports)).toEqual(["accepted"]);
  });
});

describe("IbOrderQueries against gateway-sim", () => {
  const sims: GatewaySim[] = [];
  const connections: IbConnection[] = [];
  afterEach(async () => {
    for (const connection of connections.splice(0)) connection.stop();
    for (const sim of sims.splice(0)) await sim.stop();
  });

  async function setUp() {
    const { sim, port } = await startSim();
    sims.push(sim);
    const logs = new LogCapture();
    const connection = connectionTo(port, logs, { reconnectDelayMs: 60_000, maxReconnectDelayMs: 60_000 });
    connections.push(connection);
    await connection.start();
    const scheduler = new ManualScheduler(IN_SESSION_MS);
    const queries = new IbOrderQueries({
      connection,
      scheduler,
      logger: logs.logger,
      timeoutMs: 5_000,
      executionTimeZone: SIM_ZONE,
    });
    const { api } = connection.requireReady();
    const contract = { conId: 265598, exchange: "SMART", currency: "USD", secType: SecType.STK };
    const place = (
      orderId: number,
      orderRef: string,
      order: { action: OrderAction; type: OrderType; quantity: number; limitPrice?: number },
    ) => {
      api.placeOrder(orderId, contract, {
        action: order.action,
        orderType: order.type,
        totalQuantity: order.quantity,
        ...(order.limitPrice === undefined ? {} : { lmtPrice: order.limitPrice }),
        orderRef,
        account: ACCOUNT,
        transmit: true,
      });
    };
    return { sim, logs, connection, scheduler, queries, api, place };
  }

  it("lists open orders with IB's ids, our orderRef and their state", async () => {
    const { sim, connection, queries, place } = await setUp();
    place(1, "open-1", { action: OrderAction.BUY, type: OrderType.LMT, quantity: 10, limitPrice: 1 });
    await roundTrip(connection);

    const open = await queries.openOrders();

    const simOrder = sim.accounts.orders()[0]!;
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      brokerOrderId: 1,
      permId: simOrder.permId,
      orderRef: "open-1",
      clientId: 7,
      account: ACCOUNT,
      symbol: "AAPL",
      conId: 265598,
      side: "BUY",
      state: "working",
      brokerStatus: "Submitted",
    });
    expect(open[0]!.quantity.toNumber()).toBe(10);
    expect(open[0]!.filledQuantity.toNumber()).toBe(0);
  });

  it("lists completed orders: filled with their size, cancelled with theirs", async () => {
    const { connection, queries, place, api } = await setUp();
    place(1, "filled-1", { action: OrderAction.BUY, type: OrderType.MKT, quantity: 10 });
    place(2, "cancelled-1", { action: OrderAction.BUY, type: OrderType.LMT, quantity: 20, limitPrice: 1 });
    await roundTrip(connection);
    api.cancelOrder(2, "");
    await roundTrip(connection);

    const completed = await queries.completedOrders();

    expect(
      completed.map((order) => [
        order.orderRef,
        order.state,
        order.quantity.toNumber(),
        order.filledQuantity.toNumber(),
      ]),
    ).toEqual([
      ["filled-1", "filled", 10, 10],
      ["cancelled-1", "cancelled", 20, 0],
    ]);
  });

  it("lists executions with their commissions, since a time", async () => {
    const { sim, connection, queries, place } = await setUp();
    place(1, "first-1", { action: OrderAction.BUY, type: OrderType.MKT, quantity: 10 });
    await roundTrip(connection);
    sim.scheduler.advanceBy(60_000);
    place(2, "second-1", { action: OrderAction.SELL, type: OrderType.MKT, quantity: 4 });
    await roundTrip(connection);

    const all = await queries.executions(ACCOUNT, undefined);
    const later = await queries.executions(ACCOUNT, IN_SESSION_MS + 30_000);

    const recorded = sim.accounts.executions();
    expect(all.map((execution) => execution.fill.fillId)).toEqual(
      recorded.map((execution) => execution.execId),
    );
    expect(all[0]).toMatchObject({
      account: ACCOUNT,
      brokerOrderId: 1,
      permId: recorded[0]!.permId,
      commissionReported: true,
    });
    expect(all[0]!.fill).toMatchObject({
      orderId: "first-1",
      symbol: "AAPL",
      side: "BUY",
      time: IN_SESSION_MS,
    });
    expect(all[0]!.fill.commission.toString()).toBe(recorded[0]!.commission.toString());
    expect(all[1]!.fill).toMatchObject({ orderId: "second-1", side: "SELL", time: IN_SESSION_MS + 60_000 });
    expect(later.map((execution) => execution.fill.orderId)).toEqual(["second-1"]);
  });

  it("lists positions with their average cost", async () => {
    const { sim, connection, queries, place } = await setUp();
    place(1, "buy-1", { action: OrderAction.BUY, type: OrderType.MKT, quantity: 10 });
    await roundTrip(connection);

    const positions = await queries.positions();

    const execution = sim.accounts.executions()[0]!;
    expect(positions).toHaveLength(1);
    expect(positions[0]).toMatchObject({ account: ACCOUNT, symbol: "AAPL", conId: 265598 });
    expect(positions[0]!.quantity.toNumber()).toBe(10);
    expect(positions[0]!.averageCost.toNumber()).toBeCloseTo(
      execution.price + execution.commission.toNumber() / 10,
      6,
    );
  });

  it("answers two open-order queries asked at once with the same orders", async () => {
    const { connection, queries, place } = await setUp();
    place(1, "open-1", { action: OrderAction.BUY, type: OrderType.LMT, quantity: 10, limitPrice: 1 });
    await roundTrip(connection);

    const [first, second] = await Promise.all([queries.openOrders(), queries.openOrders()]);

    expect(first.map((order) => order.orderRef)).toEqual(["open-1"]);
    expect(second.map((order) => order.orderRef)).toEqual(["open-1"]);
  });

  it("fails with GATEWAY_TIMEOUT, naming the request, when IB does not answer in time", async () => {
    const { sim, scheduler, queries } = await setUp();
    sim.faults.setLatencyMs(60_000);

    const answer = queries.openOrders().catch((error: unknown) => error);
    await vi.waitFor(() => {
      expect(scheduler.pendingTimers).toBe(1);
    });
    scheduler.advanceBy(5_000);

    expect(await answer).toMatchObject({
      code: "GATEWAY_TIMEOUT",
      message: expect.stringMatching(
        /^open orders \(reqAllOpenOrders\) got no answer from 127\.0\.0\.1:\d+ in 5000 ms/,
      ) as unknown,
    });
  });

  it("fails with GATEWAY_DISCONNECTED when the connection drops before the answer", async () => {
    const { sim, scheduler, queries } = await setUp();
    sim.faults.setLatencyMs(60_000);

    const answer = queries.executions(ACCOUNT, undefined).catch((error: unknown) => error);
    await vi.waitFor(() => {
      expect(scheduler.pendingTimers).toBe(1);
    });
    await sim.faults.dropAllConnections();

    expect(await answer).toMatchObject({ code: "GATEWAY_DISCONNECTED" });
  });

  it("refuses to ask while disconnected", async () => {
    const { sim, connection, queries } = await setUp();
    await sim.faults.dropAllConnections();
    await waitForState(connection, (state) => state.status === "waiting-to-reconnect");

    await expect(queries.positions()).rejects.toMatchObject({ code: "GATEWAY_DISCONNECTED" });
  });
});
