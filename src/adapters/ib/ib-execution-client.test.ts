import { Decimal } from "decimal.js";
import { EventName } from "@stoqey/ib";
import { describe, expect, it, vi } from "vitest";
import {
  ACCOUNT,
  CLIENT_ID,
  fakeGatewayClient,
  MemorySendJournal,
  PERM_ID,
  quietQueries,
  T0,
} from "../../../test/kit/fake-ib-orders.js";
import type { BrokerExecution, BrokerOrder, BrokerQueries } from "../../execution/broker-port.js";
import type { ExecutionReport } from "../../execution/execution-client.js";
import { newOrder } from "../../execution/new-order.js";
import type { Order, OrderRequest } from "../../model/order.js";
import type { QualifiedContract } from "../../model/qualified-contract.js";

const AAPL: QualifiedContract = {
  symbol: "AAPL",
  conId: 265598,
  secType: "STK",
  exchange: "SMART",
  primaryExchange: "NASDAQ",
  currency: "USD",
  localSymbol: "AAPL",
  longName: "APPLE INC",
  minTick: 0.01,
  timeZoneId: "America/New_York",
  tradingHours: "",
  liquidHours: "",
  fetchedAtMs: T0,
};

function anOrder(orderId = "o-1", request: Partial<OrderRequest> = {}): Order {
  return newOrder(
    { symbol: "AAPL", side: "BUY", quantity: new Decimal(100), type: "MARKET", ...request },
    { orderId, strategy: "test", nowMs: T0, status: "PendingSubmit" },
  );
}

/** The client on a fake gateway, sending through an in-memory journal; only AAPL qualifies. */
function setUp(options: { queries?: BrokerQueries } = {}) {
  const journal = new MemorySendJournal();
  const contractOf = (symbol: string): QualifiedContract => {
    if (symbol !== "AAPL") throw new Error(`unknown symbol ${symbol}`);
    return AAPL;
  };
  return { ...fakeGatewayClient({ journal, contractOf, queries: options.queries }), journal };
}

function summary(reports: readonly ExecutionReport[]): string[] {
  return reports.map((report) => {
    switch (report.type) {
      case "filled":
        return `filled ${report.fill.quantity.toString()} @${report.fill.commission.toString()}${report.commissionPending === true ? " pending" : ""}`;
      case "commission":
        return `commission ${report.fillId} ${report.commission.toString()}`;
      case "cancelled":
      case "rejected":
        return `${report.type}${report.code === undefined ? "" : ` ${report.code}`}`;
      default:
        return report.type;
    }
  });
}

describe("IbExecutionClient", () => {
  it("sends with an id above the session's next id and every id handed out before, recorded first", () => {
    const { gateway, journal, client } = setUp();
    journal.lastUsed = 9;

    client.submit(anOrder("o-1"));
    client.submit(anOrder("o-2"));

    expect(journal.sent).toEqual([
      { intentId: "o-1", ibOrderId: 10 },
      { intentId: "o-2", ibOrderId: 11 },
    ]);
    expect(
      gateway.api.placed.map((placed) => [placed.id, placed.order.orderRef, placed.order.transmit]),
    ).toEqual([
      [10, "o-1", true],
      [11, "o-2", true],
    ]);
    expect(gateway.api.placed[0]?.contract).toEqual({ conId: 265598, exchange: "SMART", currency: "USD" });
  });

  it("rejects without sending when the journal cannot record the send", () => {
    const { gateway, journal, client, reports } = setUp();
    journal.failWith = new Error("disk full");

    client.submit(anOrder());

    expect(gateway.api.placed).toEqual([]);
    expect(reports).toEqual([
      expect.objectContaining({
        type: "rejected",
        reason: "could not record the order before sending it (disk full); the order was not sent",
      }),
    ]);
  });

  it("rejects without sending an order for a symbol it cannot qualify", () => {
    const { gateway, client, reports } = setUp();

    client.submit(anOrder("o-1", { symbol: "ZZZZQ" }));

    expect(gateway.api.placed).toEqual([]);
    expect(reports).toEqual([
      expect.objectContaining({ type: "rejected", reason: "unknown symbol ZZZZQ; the order was not sent" }),
    ]);
  });

  it("reports the fill without commission when the report is late, then the commission", () => {
    const { gateway, scheduler, client, reports } = setUp();
    client.submit(anOrder());
    gateway.openOrder(5, "PreSubmitted");
    gateway.execution(5, "0001.01.01.01", 100);

    scheduler.advanceBy(2_000);
    gateway.commission("0001.01.01.01", 1.25);
    gateway.commission("0001.01.01.01", 1.25);

    expect(summary(reports)).toEqual(["accepted", "filled 100 @0 pending", "commission 0001.01.01.01 1.25"]);
    expect(reports[1]).toMatchObject({ type: "filled", brokerOrderId: 5, permId: PERM_ID });
    expect(reports[1]?.type === "filled" && reports[1].fill.time).toBe(T0);
  });

  it("uses a commission report that arrived before its execution", () => {
    const { gateway, client, reports } = setUp();
    client.submit(anOrder());
    gateway.commission("0001.01.01.01", 1);
    gateway.execution(5, "0001.01.01.01", 100);

    expect(summary(reports)).toEqual(["accepted", "filled 100 @1"]);
  });

  it("does not book an execution correction as another fill", () => {
    const { gateway, client, reports, events } = setUp();
    client.submit(anOrder());
    gateway.execution(5, "0001.01.01.01", 100);
    gateway.commission("0001.01.01.01", 1);
    gateway.execution(5, "0001.01.01.02", 100);

    expect(summary(reports)).toEqual(["accepted", "filled 100 @1"]);
    expect(events("order.execution_corrected")).toHaveLength(1);
  });

  it("reports a fill that arrives during PendingCancel before the cancellation", () => {
    const { gateway, scheduler, client, reports } = setUp();
    client.submit(anOrder());
    gateway.orderStatus(5, "Submitted", 0, 100);
    client.cancel("o-1");
    gateway.orderStatus(5, "PendingCancel", 0, 100);
    gateway.execution(5, "0001.01.01.01", 40);
    gateway.orderStatus(5, "Cancelled", 40, 60);
    gateway.error(5, 202, "Order Canceled - reason:");
    gateway.commission("0001.01.01.01", 1);
    scheduler.advanceBy(5_000);

    expect(gateway.api.cancelled).toEqual([5]);
    expect(summary(reports)).toEqual([
      "accepted",
      "filled 40 @0 pending",
      "cancelled 202",
      "commission 0001.01.01.01 1",
    ]);
  });

  it("ends a bare Cancelled after a short grace when no code follows", () => {
    const { gateway, scheduler, client, reports } = setUp();
    client.submit(anOrder());
    gateway.orderStatus(5, "Submitted", 0, 100);
    client.cancel("o-1");
    gateway.orderStatus(5, "Cancelled", 0, 100);

    expect(summary(reports)).toEqual(["accepted"]);
    scheduler.advanceBy(250);
    expect(reports[1]).toMatchObject({ type: "cancelled", reason: "cancelled at our request" });
    expect(reports[1]).not.toHaveProperty("code");
  });

  it("reports an error before the Inactive status as one rejection with the code", () => {
    const { gateway, scheduler, client, reports } = setUp();
    client.submit(anOrder());
    gateway.error(5, 201, "Order rejected - reason:margin");
    gateway.openOrder(5, "Inactive");
    gateway.orderStatus(5, "Inactive", 0, 100);
    scheduler.advanceBy(5_000);

    expect(summary(reports)).toEqual(["rejected 201"]);
  });

  it("reports an Inactive status followed by its error as one rejection with the code", () => {
    const { gateway, scheduler, client, reports } = setUp();
    client.submit(anOrder());
    gateway.openOrder(5, "Inactive");
    gateway.orderStatus(5, "Inactive", 0, 100);
    scheduler.advanceBy(100);
    gateway.error(5, 201, "Order rejected - reason:margin");
    scheduler.advanceBy(5_000);

    expect(reports).toEqual([
      expect.objectContaining({ type: "rejected", code: 201, reason: "Order rejected - reason:margin" }),
    ]);
  });

  it("reports an Inactive order without an error as rejected with IB's warning text", () => {
    const { gateway, scheduler, client, reports } = setUp();
    client.submit(anOrder());
    gateway.openOrder(5, "Inactive", { warningText: "not allowed" });
    scheduler.advanceBy(250);

    expect(reports).toEqual([expect.objectContaining({ type: "rejected", reason: "not allowed" })]);
  });

  it("reports a Cancelled it did not ask for as cancelled, naming the cause", () => {
    const { gateway, scheduler, client, reports } = setUp();
    client.submit(anOrder());
    gateway.orderStatus(5, "Submitted", 0, 100);
    gateway.orderStatus(5, "Cancelled", 0, 100);
    scheduler.advanceBy(250);

    expect(reports[1]).toMatchObject({
      type: "cancelled",
      reason: expect.stringContaining("without a cancel request from us") as unknown,
    });
  });

  it("takes order warnings (399, 2xxx) and refused cancels (161, 10148) as warnings, not rejections", () => {
    const { gateway, client, reports, events } = setUp();
    client.submit(anOrder());
    gateway.orderStatus(5, "Submitted", 0, 100);
    gateway.error(5, 399, "Warning: your order will not be placed at the exchange until 09:30");
    gateway.error(5, 2109, "Order Event Warning: Attribute 'Outside Regular Trading Hours' is ignored");
    client.cancel("o-1");
    gateway.error(5, 161, "Cancel attempted when order is not in a cancellable state");
    gateway.error(5, 10148, "OrderId 5 that needs to be cancelled cannot be cancelled, state: Filled.");

    expect(summary(reports)).toEqual(["accepted"]);
    expect(events("order.warning")).toHaveLength(2);
    expect(events("order.cancel_refused")).toHaveLength(2);
  });

  it("ignores orders, statuses and executions that are not its own", () => {
    const { gateway, scheduler, client, reports } = setUp();
    client.submit(anOrder());
    gateway.openOrder(5, "Inactive", { orderRef: "someone-else" });
    gateway.openOrder(5, "Inactive", { clientId: 8 });
    gateway.openOrder(5, "Inactive", { account: "DU7654321" });
    gateway.orderStatus(5, "Cancelled", 0, 100, 8);
    gateway.orderStatus(6, "Cancelled", 0, 100);
    gateway.execution(5, "0001.01.01.01", 100, { orderRef: "someone-else" });
    gateway.execution(5, "0001.01.01.02", 100, { account: "DU7654321" });
    scheduler.advanceBy(1_000);

    expect(reports).toEqual([]);
  });

  it("never sends a second cancel or report after the order has ended", () => {
    const { gateway, scheduler, client, reports } = setUp();
    client.submit(anOrder());
    gateway.error(5, 201, "rejected");
    client.cancel("o-1");
    gateway.error(5, 202, "Order Canceled - reason:");
    scheduler.advanceBy(1_000);

    expect(gateway.api.cancelled).toEqual([]);
    expect(summary(reports)).toEqual(["rejected 201"]);
  });

  it("asks IB for executions it did not push when the status says more filled", async () => {
    const execution: BrokerExecution = {
      fill: {
        fillId: "0001.01.02.01",
        orderId: "o-1",
        symbol: "AAPL",
        side: "BUY",
        quantity: new Decimal(60),
        price: new Decimal(190.5),
        commission: new Decimal(0.3),
        time: T0,
      },
      account: ACCOUNT,
      brokerOrderId: 5,
      permId: PERM_ID,
      commissionReported: true,
    };
    const executions = vi.fn(() => Promise.resolve([execution]));
    const { gateway, scheduler, client, reports } = setUp({ queries: quietQueries({ executions }) });
    client.submit(anOrder());
    gateway.execution(5, "0001.01.01.01", 40);
    gateway.commission("0001.01.01.01", 1);
    gateway.orderStatus(5, "Filled", 100, 0);

    scheduler.advanceBy(2_000);
    await vi.waitFor(() => {
      expect(reports).toHaveLength(3);
    });
    gateway.execution(5, "0001.01.02.01", 60);
    scheduler.advanceBy(5_000);

    expect(executions).toHaveBeenCalledWith(ACCOUNT, T0 - 600_000);
    expect(summary(reports)).toEqual(["accepted", "filled 40 @1", "filled 60 @0.3"]);
  });

  it("looks an unacknowledged order up and logs it unconfirmed when IB has no trace, without resending", async () => {
    const { gateway, scheduler, client, reports, events } = setUp();
    client.submit(anOrder());

    scheduler.advanceBy(10_000);
    await vi.waitFor(() => {
      expect(events("order.unconfirmed")).toHaveLength(1);
    });

    expect(events("order.ack_timeout")).toHaveLength(1);
    expect(events("order.unconfirmed")[0]).toMatchObject({ orderId: "o-1", ibOrderId: 5 });
    expect(gateway.api.placed).toHaveLength(1);
    expect(reports).toEqual([]);
  });

  it("reports an unacknowledged order IB lists as working as accepted", async () => {
    const working: BrokerOrder = {
      brokerOrderId: 5,
      permId: PERM_ID,
      orderRef: "o-1",
      clientId: CLIENT_ID,
      account: ACCOUNT,
      symbol: "AAPL",
      conId: 265598,
      side: "BUY",
      quantity: new Decimal(100),
      filledQuantity: new Decimal(0),
      state: "working",
      brokerStatus: "Submitted",
    };
    const { scheduler, client, reports } = setUp({
      queries: quietQueries({ openOrders: () => Promise.resolve([working]) }),
    });
    client.submit(anOrder());

    scheduler.advanceBy(10_000);
    await vi.waitFor(() => {
      expect(reports).toHaveLength(1);
    });

    expect(reports[0]).toMatchObject({ type: "accepted", permId: PERM_ID });
  });

  it("reports fills of an order it adopted after a restart", () => {
    const { gateway, client, reports } = setUp();
    client.track("o-9", 3, { accepted: true });
    gateway.execution(3, "0001.01.01.01", 10, { orderRef: "o-9" });
    gateway.commission("0001.01.01.01", 1);

    expect(summary(reports)).toEqual(["filled 10 @1"]);
    expect(reports[0]?.type === "filled" && reports[0].fill.symbol).toBe("AAPL");
  });

  it("does not send a cancel while disconnected", () => {
    const { gateway, client, events } = setUp();
    client.submit(anOrder());
    gateway.state = { status: "waiting-to-reconnect", attempt: 1, delayMs: 1_000, reason: "lost" };

    client.cancel("o-1");

    expect(gateway.api.cancelled).toEqual([]);
    expect(events("order.cancel_not_sent")).toHaveLength(1);
  });

  it("stops listening once disposed", () => {
    const { gateway, client, reports } = setUp();
    client.submit(anOrder());
    client.dispose();
    gateway.orderStatus(5, "Submitted", 0, 100);

    expect(reports).toEqual([]);
    expect(gateway.api.listenerCount(EventName.orderStatus)).toBe(0);
  });
});
