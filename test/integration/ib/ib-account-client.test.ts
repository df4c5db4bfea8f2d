import { Decimal } from "decimal.js";
import {
  EventName,
  OrderAction,
  OrderType,
  SecType,
  type CommissionReport,
  type Contract,
  type Execution,
} from "@stoqey/ib";
import { afterEach, describe, expect, it, vi } from "vitest";
import { IbAccountClient, type IbAccountUpdate } from "../../../src/adapters/ib/ib-account-client.js";
import type { IbConnection } from "../../../src/adapters/ib/ib-connection.js";
import { fillOfExecution } from "../../../src/adapters/ib/ib-order-mapping.js";
import { IbRequests } from "../../../src/adapters/ib/ib-requests.js";
import { AccountMonitor } from "../../../src/app/account-monitor.js";
import type { Clock } from "../../../src/core/clock.js";
import type { GatewaySim, GatewaySimOptions } from "../../../src/gateway-sim/gateway-sim.js";
import { AccountValuer, type PositionValuation } from "../../../src/gateway-sim/orders/account-valuation.js";
import type { GatewaySimLogger } from "../../../src/gateway-sim/server/gateway-sim-logger.js";
import type { Fill } from "../../../src/model/fill.js";
import { Portfolio } from "../../../src/portfolio/portfolio.js";
import {
  connectionTo,
  IN_SESSION_MS,
  LogCapture,
  roundTrip,
  startSim,
  waitForGeneration,
} from "./ib-test-kit.js";

const ACCOUNT = "DU1234567";
const OTHER_ACCOUNT = "DU7654321";
const AAPL = 265598;
const MSFT = 272093;
const CON_IDS = new Map([
  ["AAPL", AAPL],
  ["MSFT", MSFT],
]);

/** The names of the requests the simulator received, in order (its debug "request" lines). */
class SimRequestLog implements GatewaySimLogger {
  readonly names: string[] = [];
  readonly info = (): void => undefined;
  readonly warn = (): void => undefined;
  debug(fields: Record<string, unknown>, message: string): void {
    if (message === "request" && typeof fields.name === "string") this.names.push(fields.name);
  }
}

describe("IbAccountClient against gateway-sim", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(options: GatewaySimOptions = {}) {
    const simLog = new SimRequestLog();
    const { sim, port } = await startSim({ logger: simLog, ...options });
    cleanups.push(() => sim.stop());
    const logs = new LogCapture();
    const connection = connectionTo(port, logs);
    cleanups.push(() => {
      connection.stop();
    });
    await connection.start();
    const simClock: Clock = { nowMs: () => sim.clock.nowMs() };
    const client = new IbAccountClient(connection, new IbRequests(connection), simClock, logs.logger);
    cleanups.push(() => {
      client.stop();
    });
    const updates: IbAccountUpdate[] = [];
    const subscription = client.updates$.subscribe((update) => updates.push(update));
    cleanups.push(() => {
      subscription.unsubscribe();
    });
    const trader = new RawTrader(connection);
    /** Moves simulated time on, then waits until the gateway has sent what that produced. */
    const advance = async (deltaMs: number): Promise<void> => {
      sim.scheduler.advanceTo(sim.clock.nowMs() + deltaMs);
      await roundTrip(connection);
    };
    return { sim, simLog, logs, connection, client, updates, trader, simClock, advance };
  }

  /** The sim's own valuation of our position in `conId` now. */
  function simValuation(sim: GatewaySim, conId: number): PositionValuation | undefined {
    return new AccountValuer(sim.model)
      .value(sim.accounts.ledger(ACCOUNT), sim.clock.nowMs())
      .positions.find((valuation) => valuation.position.instrument.conId === conId);
  }

  it("receives the account summary of our account only, and logs the account id masked", async () => {
    const { sim, logs, client } = await setUp({ accounts: [ACCOUNT, OTHER_ACCOUNT] });
    const msft = sim.universe.lookupConId(MSFT)!;
    sim.accounts.ledger(OTHER_ACCOUNT).applyFill({
      instrument: msft,
      side: "BUY",
      quantity: new Decimal(10),
      price: new Decimal(400),
      commission: new Decimal(1),
      timeMs: sim.clock.nowMs(),
    });

    client.start(ACCOUNT, CON_IDS);
    await vi.waitFor(() => {
      expect(client.snapshot().summary?.availableFunds).toBeDefined();
    });

    const summary = client.snapshot().summary!;
    expect(summary.netLiquidation?.toString()).toBe("1000000");
    expect(summary.totalCash?.toString()).toBe("1000000");
    expect(summary.buyingPower?.toString()).toBe("1000000");
    expect(summary.grossPositionValue?.toString()).toBe("0");
    expect(summary.currency).toBe("USD");
    expect(summary.updatedAtMs).toBe(IN_SESSION_MS);
    expect(logs.events("account.summary")).toEqual([
      expect.objectContaining({ account: "DU***567", netLiquidation: "1000000", currency: "USD" }),
    ]);
    expect(JSON.stringify(logs.lines)).not.toContain(ACCOUNT);
  });

  it("reports the P&L of a position as the simulator's ledger values it, and follows the market", async () => {
    const { sim, client, trader, updates, advance } = await setUp();
    await trader.trade("AAPL", OrderAction.BUY, 100);

    client.start(ACCOUNT, CON_IDS);
    await vi.waitFor(() => {
      expect(client.snapshot().positions.size).toBe(2);
    });
    const expectMatchesSim = (): void => {
      const ib = client.snapshot().positions.get("AAPL")!;
      const truth = simValuation(sim, AAPL)!;
      expect(ib.position?.toString()).toBe("100");
      expect(ib.value?.toNumber()).toBeCloseTo(truth.marketValue.toNumber(), 6);
      expect(ib.unrealizedPnl?.toNumber()).toBeCloseTo(truth.unrealizedPnl.toNumber(), 6);
      expect(ib.dailyPnl?.toNumber()).toBeCloseTo(truth.dailyPnl.toNumber(), 6);
      expect(ib.realizedPnl?.toString()).toBe("0");
    };
    expectMatchesSim();
    expect(client.snapshot().positions.get("MSFT")?.position?.toString()).toBe("0");

    const before = client.snapshot().positions.get("AAPL")!.value!;
    updates.length = 0;
    await advance(60_000);
    expect(updates.some((update) => update.type === "PositionPnlUpdated" && update.symbol === "AAPL")).toBe(
      true,
    );
    expect(client.snapshot().positions.get("AAPL")?.value?.eq(before)).toBe(false);
    expectMatchesSim();
    expect(client.snapshot().pnl?.unrealized?.toNumber()).toBeCloseTo(
      simValuation(sim, AAPL)!.unrealizedPnl.toNumber(),
      6,
    );
  });

  describe.each([
    ["the connection drops", (sim: GatewaySim) => sim.faults.dropAllConnections()],
    ["the Gateway restarts", (sim: GatewaySim) => sim.faults.restart({ downForMs: 150 })],
  ])("when %s", (_what, fault) => {
    it("subscribes again on the new session and updates resume", async () => {
      const { sim, connection, client, updates, trader } = await setUp();
      await trader.trade("AAPL", OrderAction.BUY, 10);
      client.start(ACCOUNT, CON_IDS);
      await vi.waitFor(() => {
        expect(client.activeRequestCount).toBe(4);
        expect(client.snapshot().positions.size).toBe(2);
      });

      await fault(sim);
      await waitForGeneration(connection, 2);
      updates.length = 0;
      await vi.waitFor(() => {
        expect(new Set(updates.map((update) => update.type))).toEqual(
          new Set(["AccountSummaryUpdated", "AccountPnlUpdated", "PositionPnlUpdated"]),
        );
      });
      expect(client.activeRequestCount).toBe(4);

      await trader.trade("AAPL", OrderAction.BUY, 5);
      sim.scheduler.advanceTo(sim.clock.nowMs() + 1_000);
      await vi.waitFor(() => {
        expect(client.snapshot().positions.get("AAPL")?.position?.toString()).toBe("15");
      });
    });
  });

  it("cancels every subscription at IB on stop, after which no update arrives", async () => {
    const { simLog, connection, client, updates, advance } = await setUp();
    client.start(ACCOUNT, CON_IDS);
    await vi.waitFor(() => {
      expect(client.snapshot().positions.size).toBe(2);
    });
    expect(simLog.names.filter((name) => name.startsWith("REQ_"))).toEqual([
      "REQ_ACCOUNT_SUMMARY",
      "REQ_PNL",
      "REQ_PNL_SINGLE",
      "REQ_PNL_SINGLE",
    ]);

    client.stop();
    await roundTrip(connection);
    expect(simLog.names.filter((name) => name.startsWith("CANCEL_"))).toEqual([
      "CANCEL_ACCOUNT_SUMMARY",
      "CANCEL_PNL",
      "CANCEL_PNL_SINGLE",
      "CANCEL_PNL_SINGLE",
    ]);
    expect(client.activeRequestCount).toBe(0);

    let pnlMessages = 0;
    connection.events.on(EventName.pnlSingle, () => {
      pnlMessages += 1;
    });
    updates.length = 0;
    await advance(600_000);
    expect(pnlMessages).toBe(0);
    expect(updates).toEqual([]);
  });

  it("finds a ledger built from the same fills in agreement with IB, and one missing a fill diverging", async () => {
    const { logs, client, trader, simClock, advance } = await setUp();
    const fills = [
      await trader.trade("AAPL", OrderAction.BUY, 100),
      await trader.trade("AAPL", OrderAction.BUY, 50),
      await trader.trade("AAPL", OrderAction.SELL, 30),
      await trader.trade("MSFT", OrderAction.SELL, 20),
    ];
    expect(fills.every((fill) => fill.commission.isPositive())).toBe(true);
    const monitorOf = (booked: readonly Fill[], label: string) => {
      const ledger = new Portfolio({ initialCash: new Decimal(1_000_000) });
      const monitor = new AccountMonitor({
        source: client,
        ledger,
        tolerance: new Decimal(5),
        clock: simClock,
        logger: logs.logger.child({ ledger: label }),
      });
      for (const fill of booked) {
        ledger.applyFill(fill);
        monitor.recordFill(fill);
      }
      monitor.start();
      cleanups.push(() => {
        monitor.stop();
      });
      return monitor;
    };
    const complete = monitorOf(fills, "complete");
    const missingOne = monitorOf(
      fills.filter((_fill, index) => index !== 1),
      "missing",
    );

    client.start(ACCOUNT, CON_IDS);
    await vi.waitFor(() => {
      expect(client.snapshot().positions.size).toBe(2);
    });
    for (let second = 0; second < 5; second += 1) await advance(1_000);

    expect(complete.stats().checks).toBeGreaterThan(2);
    expect(complete.stats().divergences).toBe(0);
    expect(complete.check()).toEqual([]);
    for (const position of complete.view().positions) {
      const difference = position.ours.unrealizedPnlAtIbMark!.minus(position.ib!.unrealizedPnl!);
      expect(difference.abs().toNumber()).toBeLessThan(0.01);
    }

    expect(missingOne.stats().divergences).toBe(1);
    expect(missingOne.check()).toEqual([
      expect.objectContaining({ symbol: "AAPL", field: "quantity", difference: new Decimal(-50) }),
    ]);
    expect(logs.events("account.divergence")).toEqual([
      expect.objectContaining({
        ledger: "missing",
        symbol: "AAPL",
        field: "quantity",
        ib: "120",
        ours: "70",
      }),
    ]);
  });

  it("subscribes again after IB's 1101 (connectivity restored, data lost)", async () => {
    const { sim, simLog, connection, client, updates } = await setUp();
    client.start(ACCOUNT, CON_IDS);
    await vi.waitFor(() => {
      expect(client.snapshot().positions.size).toBe(2);
    });
    updates.length = 0;

    sim.faults.connectivityRestored({ dataLost: true });
    await vi.waitFor(() => {
      expect(updates.filter((update) => update.type === "PositionPnlUpdated")).toHaveLength(2);
    });
    await roundTrip(connection);
    expect(simLog.names.filter((name) => name.includes("PNL_SINGLE"))).toEqual([
      "REQ_PNL_SINGLE",
      "REQ_PNL_SINGLE",
      "CANCEL_PNL_SINGLE",
      "CANCEL_PNL_SINGLE",
      "REQ_PNL_SINGLE",
      "REQ_PNL_SINGLE",
    ]);
    expect(client.activeRequestCount).toBe(4);
  });
});

/** Places market orders through the connection's raw API and returns each execution as our Fill. */
class RawTrader {
  private nextOrderId: number | undefined;
  private generation = 0;
  private count = 0;

  constructor(private readonly connection: IbConnection) {}

  async trade(symbol: string, action: OrderAction, quantity: number): Promise<Fill> {
    const { api, session } = this.connection.requireReady();
    if (session.generation !== this.generation || this.nextOrderId === undefined) {
      this.generation = session.generation;
      this.nextOrderId = Math.max(session.nextValidOrderId, this.nextOrderId ?? 0);
    }
    const orderId = this.nextOrderId++;
    this.count += 1;
    const orderRef = `test-${this.count}`;
    const contract: Contract = { symbol, secType: SecType.STK, exchange: "SMART", currency: "USD" };
    const executed = new Promise<Fill>((resolve) => {
      let fill: Fill | undefined;
      const onExecution = (_reqId: number, _contract: Contract, execution: Execution): void => {
        if (execution.orderRef !== orderRef) return;
        fill = fillOfExecution(execution, symbol, 0);
      };
      const onCommission = (report: CommissionReport): void => {
        if (fill === undefined || report.execId !== fill.fillId) return;
        api.off(EventName.execDetails, onExecution);
        api.off(EventName.commissionReport, onCommission);
        resolve({ ...fill, commission: new Decimal(report.commission ?? 0) });
      };
      api.on(EventName.execDetails, onExecution);
      api.on(EventName.commissionReport, onCommission);
    });
    api.placeOrder(orderId, contract, {
      action,
      orderType: OrderType.MKT,
      totalQuantity: quantity,
      orderRef,
      account: ACCOUNT,
      transmit: true,
    });
    return executed;
  }
}
