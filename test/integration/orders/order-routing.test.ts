import { Decimal } from "decimal.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { IbConnection } from "../../../src/adapters/ib/ib-connection.js";
import { ibOrderOf } from "../../../src/adapters/ib/ib-order-mapping.js";
import { TradingEngine } from "../../../src/app/trading-engine.js";
import { LiveInterlockError } from "../../../src/config/live-interlock.js";
import type { GatewaySim, GatewaySimOptions } from "../../../src/gateway-sim/gateway-sim.js";
import { newOrder } from "../../../src/execution/new-order.js";
import type { Bar } from "../../../src/model/bar.js";
import smaCrossover from "../../../strategies/sma-crossover.js";
import { connectionTo, IN_SESSION_MS, LogCapture, startSim, waitForGeneration } from "../ib/ib-test-kit.js";
import {
  brokerPositions,
  ledgerPositions,
  market,
  simTime,
  startRouting,
  type RoutingRun,
} from "./order-kit.js";

const ACCOUNT = "DU1234567";

describe("the order path against gateway-sim", () => {
  const sims: GatewaySim[] = [];
  const runs: RoutingRun[] = [];
  const others: IbConnection[] = [];
  afterEach(async () => {
    for (const run of runs.splice(0)) await run.stop();
    for (const connection of others.splice(0)) connection.stop();
    for (const sim of sims.splice(0)) await sim.stop();
  });

  async function setUp(
    simOptions: GatewaySimOptions = {},
    routingOptions: Parameters<typeof startRouting>[2] = {},
  ) {
    const { sim, port } = await startSim(simOptions);
    sims.push(sim);
    const run = await startRouting(sim, port, routingOptions);
    runs.push(run);
    return { sim, port, run };
  }

  /** Waits until no order of ours is open and the ledger equals the broker's positions. */
  async function settled(sim: GatewaySim, run: RoutingRun, account = ACCOUNT): Promise<void> {
    await vi.waitFor(() => {
      expect(run.routing.orders.openOrders()).toEqual([]);
      expect(ledgerPositions(run.routing)).toEqual(brokerPositions(sim, account));
    });
  }

  it("places exactly one order on a crossover, and books the fill with IB's commission", async () => {
    const { sim, run } = await setUp({}, { env: { SYMBOLS: "SPY" } });
    const strategy = smaCrossover.create(smaCrossover.parameters.parse({ fast: 2, slow: 3, quantity: 10 }), {
      symbols: ["SPY"],
    });
    const clock = simTime(sim);
    const engine = new TradingEngine({
      clock,
      strategy,
      portfolio: run.routing.portfolio,
      orders: run.routing,
    });
    engine.start();
    // Falling, then rising closes: one upward crossing of the 2-bar over the 3-bar average.
    const closes = [480, 478, 476, 474, 472, 475, 479, 483, 487];
    closes.forEach((close, index) => {
      const bar: Bar = {
        symbol: "SPY",
        openTime: IN_SESSION_MS - (closes.length - index) * 60_000,
        closeTime: IN_SESSION_MS - (closes.length - index - 1) * 60_000,
        open: close,
        high: close,
        low: close,
        close,
        volume: 1_000,
      };
      engine.onBar(bar);
    });
    await settled(sim, run);
    expect(sim.accounts.orders()).toHaveLength(1);
    const [execution] = sim.accounts.executions();
    const fills = run.events.filter((event) => event.type === "OrderFilled");
    expect(fills).toHaveLength(1);
    const fill = fills[0]?.type === "OrderFilled" ? fills[0].fill : undefined;
    expect(fill?.commission.toString()).toBe(execution?.commission.toString());
    expect(run.routing.portfolio.totalCommissions().toString()).toBe(execution?.commission.toString());
    expect(ledgerPositions(run.routing)).toEqual({ SPY: "10" });
    expect(run.routing.store.unresolvedIntents()).toEqual([]);
  });

  it("books a fill from the execution when IB's orderStatus never comes", async () => {
    const { sim, run } = await setUp();
    sim.faults.dropNextFillOrderStatus();
    const orderId = run.routing.submit(market("AAPL", "BUY", 20));
    await settled(sim, run);
    expect(run.routing.orders.order(orderId)?.status).toBe("Filled");
    expect(run.routing.store.intent(orderId)?.status).toBe("filled");
  });

  it("books a duplicated execution once", async () => {
    const { sim, run } = await setUp();
    sim.faults.duplicateNextExecution();
    run.routing.submit(market("AAPL", "BUY", 20));
    await settled(sim, run);
    expect(run.routing.store.fillsSince(0)).toHaveLength(1);
    expect(run.events.filter((event) => event.type === "OrderFilled")).toHaveLength(1);
    // One line per fact: IB's execution once, the booked fill once (not two "order.filled" lines).
    expect(run.logs.events("ib.execution")).toHaveLength(1);
    expect(run.logs.events("order.filled")).toHaveLength(1);
  });

  it("books partial fills as they come and ends the order filled", async () => {
    const { sim, run } = await setUp({ orders: { partialFills: true } });
    const orderId = run.routing.submit(market("SPY", "BUY", 30));
    await vi.waitFor(() => {
      expect(run.routing.orders.order(orderId)?.status).toBe("PartiallyFilled");
    });
    sim.scheduler.advanceBy(5_000);
    await settled(sim, run);
    const fills = run.routing.store.fillsSince(0).map((stored) => stored.fill.quantity.toString());
    expect(fills).toEqual(["15", "15"]);
    expect(run.logs.events("order.filled")).toHaveLength(2);
    expect(run.logs.events("ib.execution")).toHaveLength(2);
    expect(run.logs.events("order.accepted")).toHaveLength(1);
    expect(run.logs.events("ib.order.accepted")).toHaveLength(1);
  });

  it("turns IB's rejection into OrderRejected with the code, and nothing is booked", async () => {
    const { sim, run } = await setUp({ startingCash: 1_000 });
    const orderId = run.routing.submit(market("SPY", "BUY", 10));
    await vi.waitFor(() => {
      expect(run.events.map((event) => event.type)).toContain("OrderRejected");
    });
    const rejected = run.events.find((event) => event.type === "OrderRejected");
    expect(rejected).toMatchObject({ code: 201 });
    expect(run.routing.store.intent(orderId)).toMatchObject({ status: "rejected", endCode: 201 });
    await settled(sim, run);
    expect(ledgerPositions(run.routing)).toEqual({});
  });

  it("denies what the risk checks refuse before anything reaches IB", async () => {
    const { sim, run } = await setUp({}, { env: { RISK_MAX_ORDER_NOTIONAL: "1000" } });
    run.routing.portfolio.markPrice("SPY", 470);
    run.routing.submit(market("SPY", "BUY", 10));
    expect(run.events[0]).toMatchObject({ type: "OrderDenied" });
    expect(run.events[0]?.type === "OrderDenied" ? run.events[0].reason : "").toMatch(/notional/);
    expect(sim.accounts.orders()).toEqual([]);
    expect(run.logs.events("order.denied")).toHaveLength(1);
  });

  it("after a Gateway restart that rolls order ids back, reconciles and never reuses an id", async () => {
    const { sim, run } = await setUp();
    run.routing.submit(market("AAPL", "BUY", 10));
    run.routing.submit(market("AAPL", "BUY", 10));
    await settled(sim, run);
    const usedBefore = Math.max(...sim.accounts.orders().map((order) => order.orderId));
    await sim.faults.restart({ rollBackOrderIdsBy: 2 });
    await waitForGeneration(run.gateway.connection, 2, 10_000);
    await vi.waitFor(() => {
      expect(run.routing.readiness.status).toBe("ready");
    });
    expect(run.routing.readiness.lastReconcile?.trigger).toBe("reconnect");
    const orderId = run.routing.submit(market("AAPL", "SELL", 5));
    await settled(sim, run);
    const last = sim.accounts.orders().find((order) => order.orderRef === orderId);
    expect(last?.orderId).toBeGreaterThan(usedBefore);
    expect(run.routing.orders.order(orderId)?.status).toBe("Filled");
    expect(run.logs.events("order.rejected")).toEqual([]);
  });

  it("denies orders while disconnected instead of queueing them, and is ready again once reconciled", async () => {
    const { sim, run } = await setUp();
    await sim.faults.dropAllConnections();
    await vi.waitFor(() => {
      expect(run.routing.readiness.status).not.toBe("ready");
    });
    run.routing.submit(market("SPY", "BUY", 1));
    expect(run.events[0]).toMatchObject({ type: "OrderDenied" });
    await waitForGeneration(run.gateway.connection, 2, 10_000);
    await vi.waitFor(() => {
      expect(run.routing.readiness.status).toBe("ready");
    });
    expect(sim.accounts.orders()).toEqual([]);
  });

  it("reports a foreign order and halts on a position IB has and the ledger does not", async () => {
    const { sim, port } = await startSim();
    sims.push(sim);
    // Another client trades SPY in the same account before the daemon starts.
    const logs = new LogCapture();
    const other = connectionTo(port, logs, { clientId: 3 });
    others.push(other);
    await other.start();
    const { api } = other.requireReady();
    const spy = { conId: 756733, exchange: "SMART", currency: "USD" };
    const manual = newOrder(market("SPY", "BUY", 7), {
      orderId: "manual-1",
      strategy: "other",
      nowMs: IN_SESSION_MS,
      status: "PendingSubmit",
    }).intent;
    api.placeOrder(50, spy, ibOrderOf(manual, ACCOUNT));
    api.placeOrder(
      51,
      spy,
      ibOrderOf({ ...manual, intentId: "manual-2", type: "LIMIT", limitPrice: 1 }, ACCOUNT),
    );
    await vi.waitFor(() => {
      expect(brokerPositions(sim, ACCOUNT)).toEqual({ SPY: "7" });
    });
    const run = await startRouting(sim, port, {});
    runs.push(run);
    expect(run.routing.readiness.lastReconcile).toMatchObject({ foreignOrders: 1 });
    expect(run.routing.readiness.lastReconcile?.positionMismatches).toHaveLength(1);
    expect(run.routing.riskChecks.tradingState.state()).toBe("halted");
    expect(run.logs.events("reconcile.foreign_order")).toHaveLength(1);
    run.routing.submit(market("AAPL", "BUY", 1));
    expect(run.events.at(-1)).toMatchObject({ type: "OrderDenied" });
    // The foreign order is left working at IB.
    expect(sim.accounts.openOrders().map((order) => order.orderRef)).toEqual(["manual-2"]);
  });

  it("adopts IB's position when the policy says so", async () => {
    const { sim, port } = await startSim();
    sims.push(sim);
    const first = await startRouting(sim, port, {});
    first.routing.submit(market("SPY", "BUY", 4));
    await settled(sim, first);
    await first.stop();
    // The ledger loses track: a fresh state directory with IB still holding 4 SPY.
    const run = await startRouting(sim, port, { env: { RECONCILE_POSITION_POLICY: "adopt" } });
    runs.push(run);
    expect(run.routing.riskChecks.tradingState.state()).toBe("active");
    expect(ledgerPositions(run.routing)).toEqual({ SPY: "4" });
    expect(run.logs.events("reconcile.position_adopted")).toHaveLength(1);
  });

  it("on stop with cancel-on-stop, cancels our working orders at IB first", async () => {
    const { sim, run } = await setUp();
    const orderId = run.routing.submit({
      symbol: "SPY",
      side: "BUY",
      quantity: new Decimal(5),
      type: "LIMIT",
      limitPrice: 1,
    });
    await vi.waitFor(() => {
      expect(run.routing.orders.order(orderId)?.status).toBe("Accepted");
    });
    await run.routing.stop({ cancelOpenOrders: true, timeoutMs: 5_000 });
    expect(sim.accounts.openOrders()).toEqual([]);
    expect(run.events.at(-1)).toMatchObject({ type: "OrderCancelled" });
  });
});

describe("the live interlock with a connected gateway", () => {
  const sims: GatewaySim[] = [];
  const runs: RoutingRun[] = [];
  afterEach(async () => {
    for (const run of runs.splice(0)) await run.stop();
    for (const sim of sims.splice(0)) await sim.stop();
  });

  it("refuses a live-looking account under the paper profile, naming the signal", async () => {
    const { sim, port } = await startSim({ accounts: ["U7654321"] });
    sims.push(sim);
    const error: unknown = await startRouting(sim, port).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LiveInterlockError);
    expect((error as LiveInterlockError).message).toMatch(/U7\*\*\*321/);
    expect(sim.accounts.orders()).toEqual([]);
  });

  it("sends to a live account only when profile, --live, confirmation and account all agree", async () => {
    const { sim, port } = await startSim({ accounts: ["U7654321"] });
    sims.push(sim);
    const live = { IBKR_ACCOUNT_TYPE: "live", IBKR_LIVE_CONFIRM: "U7654321" };
    const refused: unknown = await startRouting(sim, port, { env: live, profile: "live" }).catch(
      (caught: unknown) => caught,
    );
    expect(refused).toBeInstanceOf(LiveInterlockError);
    expect((refused as LiveInterlockError).signals).toEqual(["live-flag"]);
    const run = await startRouting(sim, port, { env: live, profile: "live", liveFlag: true });
    runs.push(run);
    run.routing.submit(market("SPY", "BUY", 1));
    await vi.waitFor(() => {
      expect(brokerPositions(sim, "U7654321")).toEqual({ SPY: "1" });
    });
    expect(run.routing.store.path).toMatch(/state-live-U7654321\.sqlite$/);
  });
});

describe("the simulated broker with IB's data (make paper-ibkr)", () => {
  const sims: GatewaySim[] = [];
  const runs: RoutingRun[] = [];
  afterEach(async () => {
    for (const run of runs.splice(0)) await run.stop();
    for (const sim of sims.splice(0)) await sim.stop();
  });

  it("fills in-process at the next bar; no order reaches IB; state in its own file", async () => {
    const { sim, port } = await startSim();
    sims.push(sim);
    const run = await startRouting(sim, port, { env: { BROKER: "sim" } });
    runs.push(run);
    expect(run.routing.store.path).toMatch(/state-simulated-DU1234567\.sqlite$/);
    const venue = run.routing.simulatedVenue;
    expect(venue).toBeDefined();
    const orderId = run.routing.submit(market("SPY", "BUY", 3));
    venue?.onBar({
      symbol: "SPY",
      openTime: IN_SESSION_MS,
      closeTime: IN_SESSION_MS + 60_000,
      open: 470,
      high: 471,
      low: 469,
      close: 470.5,
      volume: 1_000,
    });
    expect(run.routing.orders.order(orderId)?.status).toBe("Filled");
    expect(ledgerPositions(run.routing)).toEqual({ SPY: "3" });
    expect(run.routing.store.intent(orderId)?.status).toBe("filled");
    expect(sim.accounts.orders()).toEqual([]);
  });
});
