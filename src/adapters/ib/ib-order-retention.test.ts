import { Decimal } from "decimal.js";
import { describe, expect, it, vi } from "vitest";
import {
  ACCOUNT,
  captureLogger,
  FakeIbGateway,
  fakeGatewayClient,
  PERM_ID,
  quietQueries,
  T0,
} from "../../../test/kit/fake-ib-orders.js";
import { ManualScheduler } from "../../core/manual-scheduler.js";
import type { BrokerExecution, BrokerQueries } from "../../execution/broker-port.js";
import type { OrderSendJournal } from "./ib-execution-client.js";
import { IbFillTracker } from "./ib-fill-tracker.js";
import { listenToOrderEvents } from "./ib-order-events.js";
import { IbOrderLookup } from "./ib-order-lookup.js";
import { IbOrderStatusReducer } from "./ib-order-status-reducer.js";
import { IbOrderTracking, MAX_ENDED_ORDERS } from "./ib-order-tracking.js";

/** A gateway that plays IB's messages in and refuses to send anything. */
const aGateway = (): FakeIbGateway => new FakeIbGateway({ refuseSends: "these tests send nothing" });

/** These tests adopt their orders with `track`; nothing is ever sent. */
const NO_SENDS: OrderSendJournal = {
  sendIntent: () => {
    throw new Error("these tests send no orders");
  },
};

const orderIdOf = (n: number): string => `o-${n}`;
const ibOrderIdOf = (n: number): number => 100 + n;
const execIdOf = (n: number): string => `0000e0d5.${n.toString(16).padStart(8, "0")}.01.01`;

/** The execution client on a fake gateway, with orders adopted through `track`. */
function setUp(options: { queries?: BrokerQueries } = {}) {
  const { gateway, scheduler, client, reports, events } = fakeGatewayClient({
    gateway: aGateway(),
    journal: NO_SENDS,
    contractOf: () => {
      throw new Error("these tests send no orders");
    },
    queries: options.queries,
  });
  const adopt = (n: number): void => {
    client.track(orderIdOf(n), ibOrderIdOf(n), {
      symbol: "AAPL",
      quantity: new Decimal(100),
      accepted: true,
    });
  };
  /** Orders `from`..`to`, each filled at once with its commission. */
  const fillOrders = (from: number, to: number): void => {
    for (let n = from; n <= to; n += 1) {
      adopt(n);
      gateway.execution(ibOrderIdOf(n), execIdOf(n), 100, { orderRef: orderIdOf(n) });
      gateway.commission(execIdOf(n), 1);
    }
  };
  return { gateway, scheduler, client, reports, events, adopt, fillOrders };
}

/** The client's parts wired as IbExecutionClient wires them, so their sizes can be read. */
function setUpParts() {
  const gateway = aGateway();
  const scheduler = new ManualScheduler(T0);
  const { logger } = captureLogger();
  const shared = { account: ACCOUNT, scheduler, logger, emit: () => undefined };
  const orders: IbOrderTracking = new IbOrderTracking({
    ...shared,
    releaseHeldFills: (tracked) => {
      fills.releaseHeld(tracked);
    },
  });
  const fills = new IbFillTracker({
    ...shared,
    orders,
    commissionWaitMs: 2_000,
    executionTimeZone: "America/New_York",
  });
  const lookup = new IbOrderLookup({
    ...shared,
    queries: quietQueries(),
    orders,
    fills,
    ackTimeoutMs: 10_000,
    missingExecutionsGraceMs: 2_000,
    isDisposed: () => false,
  });
  const statuses = new IbOrderStatusReducer({
    ...shared,
    connection: gateway,
    orders,
    statusGraceMs: 250,
    noteBrokerFilled: (tracked, filled) => {
      lookup.noteBrokerFilled(tracked, filled);
    },
  });
  listenToOrderEvents(gateway.events, { statuses, fills });
  /** As IbExecutionClient.submit follows a sent order: tracked, IB errors routed, acknowledgement awaited. */
  const send = (n: number): void => {
    const tracked = orders.start(orderIdOf(n), ibOrderIdOf(n), {
      symbol: "AAPL",
      quantity: new Decimal(100),
      sentAtMs: scheduler.nowMs(),
    });
    tracked.stopErrors = gateway.onRequestError(ibOrderIdOf(n), (code, message) => {
      statuses.onOrderError(tracked, code, message);
    });
    lookup.armAckTimeout(tracked);
  };
  return { gateway, orders, fills, send };
}

describe("IbExecutionClient's memory of ended orders", () => {
  it("keeps at most the last 1,000 ended orders and their executions once 1,500 have ended", () => {
    const { gateway, orders, fills, send } = setUpParts();

    for (let n = 1; n <= 1_500; n += 1) {
      send(n);
      gateway.orderStatus(ibOrderIdOf(n), "Submitted", 0, 100);
      // Every other order fills; the rest fill in part and are cancelled.
      gateway.execution(ibOrderIdOf(n), execIdOf(n), n % 2 === 0 ? 100 : 40, { orderRef: orderIdOf(n) });
      gateway.commission(execIdOf(n), 1);
      if (n % 2 === 1) gateway.error(ibOrderIdOf(n), 202, "Order Canceled - reason:");
    }

    expect(MAX_ENDED_ORDERS).toBe(1_000);
    expect(orders.stats()).toEqual({ orders: 1_000, ibOrderIds: 1_000, endedOrders: 1_000 });
    expect(fills.stats()).toEqual({ executions: 1_000, executionBases: 1_000, earlyCommissions: 0 });
    expect(gateway.errorRoutes.size).toBe(1_000);
    expect(gateway.errorRoutes.has(ibOrderIdOf(500))).toBe(false);
    expect(gateway.errorRoutes.has(ibOrderIdOf(501))).toBe(true);
  });

  it("still recognises a duplicate execution of an ended order while it is among the last 1,000", () => {
    const { gateway, scheduler, reports, events, adopt, fillOrders } = setUp();
    adopt(1);
    gateway.execution(ibOrderIdOf(1), execIdOf(1), 40, { orderRef: orderIdOf(1) });
    gateway.commission(execIdOf(1), 1);
    gateway.error(ibOrderIdOf(1), 202, "Order Canceled - reason:");
    fillOrders(2, 1_000);
    const reportsBefore = reports.length;

    gateway.execution(ibOrderIdOf(1), execIdOf(1), 40, { orderRef: orderIdOf(1) });
    scheduler.advanceBy(5_000);

    expect(reports).toHaveLength(reportsBefore);
    expect(events("order.execution_duplicate")).toEqual([
      expect.objectContaining({ orderId: orderIdOf(1), execId: execIdOf(1) }),
    ]);
  });

  it("reports nothing for an execution of an order forgotten after 1,000 later orders ended", () => {
    const { gateway, scheduler, reports, events, fillOrders } = setUp();
    fillOrders(1, 1_001);
    const reportsBefore = reports.length;

    gateway.execution(ibOrderIdOf(1), execIdOf(1), 100, { orderRef: orderIdOf(1) });
    gateway.execution(ibOrderIdOf(1), execIdOf(1_000_000), 100, { orderRef: orderIdOf(1) });
    gateway.commission(execIdOf(1_000_000), 1);
    scheduler.advanceBy(5_000);

    expect(reports).toHaveLength(reportsBefore);
    expect(events("order.execution_ignored")).toHaveLength(2);
  });

  it("takes a late status of a forgotten order as not its own", () => {
    const { gateway, scheduler, reports, events, adopt, fillOrders } = setUp();
    adopt(1);
    gateway.error(ibOrderIdOf(1), 202, "Order Canceled - reason:");
    fillOrders(2, 1_001);
    const reportsBefore = reports.length;

    gateway.orderStatus(ibOrderIdOf(1), "Inactive", 0, 100);
    gateway.error(ibOrderIdOf(1), 201, "Order rejected - reason:");
    scheduler.advanceBy(5_000);

    expect(reports).toHaveLength(reportsBefore);
    expect(events("order.status_ignored")).toEqual([
      expect.objectContaining({ ibOrderId: ibOrderIdOf(1), status: "Inactive" }),
    ]);
  });

  it("keeps an ended order whose fill waits for its commission, and reports the commission when it comes", () => {
    const { gateway, scheduler, reports, adopt, fillOrders } = setUp();
    adopt(1);
    gateway.execution(ibOrderIdOf(1), execIdOf(1), 40, { orderRef: orderIdOf(1) });
    scheduler.advanceBy(2_000);
    gateway.error(ibOrderIdOf(1), 202, "Order Canceled - reason:");
    fillOrders(2, 1_500);

    gateway.commission(execIdOf(1), 1.25);

    const last = reports.at(-1);
    expect(last).toMatchObject({ type: "commission", orderId: orderIdOf(1), fillId: execIdOf(1) });
    expect(last?.type === "commission" && last.commission.toString()).toBe("1.25");
  });

  it("keeps an ended order until the executions IB did not push have been fetched and reported", async () => {
    const missing: BrokerExecution = {
      fill: {
        fillId: "0000e0d5.00000001.02.01",
        orderId: orderIdOf(1),
        symbol: "AAPL",
        side: "BUY",
        quantity: new Decimal(20),
        price: new Decimal(190.5),
        commission: new Decimal(0.3),
        time: T0,
      },
      account: ACCOUNT,
      brokerOrderId: ibOrderIdOf(1),
      permId: PERM_ID,
      commissionReported: true,
    };
    const { gateway, scheduler, reports, adopt, fillOrders } = setUp({
      queries: quietQueries({ executions: () => Promise.resolve([missing]) }),
    });
    adopt(1);
    gateway.execution(ibOrderIdOf(1), execIdOf(1), 40, { orderRef: orderIdOf(1) });
    gateway.commission(execIdOf(1), 1);
    gateway.orderStatus(ibOrderIdOf(1), "Cancelled", 60, 40);
    gateway.error(ibOrderIdOf(1), 202, "Order Canceled - reason:");
    fillOrders(2, 1_500);

    scheduler.advanceBy(2_000);
    await vi.waitFor(() => {
      expect(reports.at(-1)).toMatchObject({ type: "filled", orderId: orderIdOf(1) });
    });

    const last = reports.at(-1);
    expect(last?.type === "filled" && last.fill.fillId).toBe("0000e0d5.00000001.02.01");
  });
});
