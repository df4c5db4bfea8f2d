import { Decimal } from "decimal.js";
import { afterEach, describe, expect, it } from "vitest";
import { IdGenerator } from "../core/id-generator.js";
import { ManualClock } from "../core/manual-clock.js";
import type { Order } from "../model/order.js";
import type { OrderEvent } from "../model/order-event.js";
import { Portfolio } from "../portfolio/portfolio.js";
import { StateStore } from "../store/state-store.js";
import { LogCapture } from "../../test/integration/ib/ib-test-kit.js";
import type { BrokerExecution, BrokerOrder, BrokerPosition, BrokerQueries } from "./broker-port.js";
import type { ExecutionClient, ExecutionReport } from "./execution-client.js";
import { OrderManager } from "./order-manager.js";
import { ordersFromJournal, Reconciler } from "./reconciler.js";

const ACCOUNT = "DU1234567";
const T0 = Date.UTC(2024, 0, 2, 15, 0);

/** The broker's answers, set by each test. */
class FakeBroker implements BrokerQueries {
  open: BrokerOrder[] = [];
  completed: BrokerOrder[] = [];
  fills: BrokerExecution[] = [];
  held: BrokerPosition[] = [];
  /** Answers of positions() in turn; the last one repeats. */
  heldSequence: BrokerPosition[][] = [];
  openOrders(): Promise<readonly BrokerOrder[]> {
    return Promise.resolve(this.open);
  }
  completedOrders(): Promise<readonly BrokerOrder[]> {
    return Promise.resolve(this.completed);
  }
  executions(): Promise<readonly BrokerExecution[]> {
    return Promise.resolve(this.fills);
  }
  positions(): Promise<readonly BrokerPosition[]> {
    const next = this.heldSequence.length > 1 ? this.heldSequence.shift() : this.heldSequence[0];
    return Promise.resolve(next ?? this.held);
  }
}

class Venue implements ExecutionClient {
  readonly name = "venue";
  readonly journalsSends = true;
  readonly sent: string[] = [];
  submit(order: Order): void {
    this.sent.push(order.orderId);
  }
  cancel(): void {
    this.sent.push("cancel");
  }
  setReportListener(listener: (report: ExecutionReport) => void): void {
    this.listener = listener;
  }
  listener: ((report: ExecutionReport) => void) | undefined;
}

const stores: StateStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function brokerOrder(orderRef: string | undefined, overrides: Partial<BrokerOrder> = {}): BrokerOrder {
  return {
    brokerOrderId: 11,
    permId: 900,
    orderRef,
    clientId: 7,
    account: ACCOUNT,
    symbol: "SPY",
    conId: 756733,
    side: "BUY",
    quantity: new Decimal(10),
    filledQuantity: new Decimal(0),
    state: "working",
    brokerStatus: "Submitted",
    ...overrides,
  };
}

function execution(orderRef: string, execId: string, quantity: number): BrokerExecution {
  return {
    fill: {
      fillId: execId,
      orderId: orderRef,
      symbol: "SPY",
      side: "BUY",
      quantity: new Decimal(quantity),
      price: new Decimal(470),
      commission: new Decimal(1),
      time: T0 + 1_000,
    },
    account: ACCOUNT,
    brokerOrderId: 11,
    permId: 900,
    commissionReported: true,
  };
}

function position(symbol: string, quantity: number): BrokerPosition {
  return {
    account: ACCOUNT,
    symbol,
    conId: 1,
    quantity: new Decimal(quantity),
    averageCost: new Decimal(470),
  };
}

/** A journal with intents a previous run left, and a new run's order manager and reconciler on it. */
function setup(nowMs = T0 + 30_000) {
  const store = StateStore.open(":memory:", { mode: "paper", account: ACCOUNT });
  stores.push(store);
  const intent = (id: string, createdAt = T0) => {
    store.recordIntent({
      intentId: id,
      strategy: "sma-crossover",
      symbol: "SPY",
      side: "BUY",
      quantity: new Decimal(10),
      type: "MARKET",
      timeInForce: "DAY",
      createdAt,
    });
    return id;
  };
  const clock = new ManualClock(nowMs);
  const broker = new FakeBroker();
  const venue = new Venue();
  const portfolio = new Portfolio({ initialCash: new Decimal(100_000) });
  const events: OrderEvent[] = [];
  const tracked: [string, number][] = [];
  const logs = new LogCapture();
  const orders = new OrderManager({
    clock,
    ids: new IdGenerator(clock, "run2"),
    execution: venue,
    book: portfolio,
    strategyName: "sma-crossover",
    onEvent: (event) => events.push(event),
    journal: store,
  });
  const start = () => {
    orders.restore(ordersFromJournal(store.unresolvedIntents(), []));
    return new Reconciler({
      queries: broker,
      journal: store,
      orders,
      track: (orderId, brokerOrderId) => tracked.push([orderId, brokerOrderId]),
      ledgerQuantity: (symbol) => portfolio.positionQuantity(symbol),
      ledgerSymbols: () => portfolio.positions().map((held) => held.symbol),
      account: ACCOUNT,
      tradedSymbols: ["SPY"],
      resendWindowMs: 120_000,
      ackTimeoutMs: 10_000,
      clock,
      logger: logs.logger,
    });
  };
  return { store, intent, clock, broker, venue, portfolio, events, tracked, logs, orders, start };
}

describe("Reconciler", () => {
  it("books an execution missed while away exactly once, and ends the order filled", async () => {
    const { store, intent, broker, portfolio, start, tracked } = setup();
    const id = intent("a");
    store.markSent(id, 11, T0);
    broker.completed = [brokerOrder(id, { state: "filled", brokerStatus: "Filled" })];
    broker.fills = [execution(id, "e.01", 10)];
    broker.held = [position("SPY", 10)];
    const reconciler = start();
    const first = await reconciler.reconcile("start");
    const second = await reconciler.reconcile("reconnect");
    expect([first.missingFills, second.missingFills]).toEqual([1, 0]);
    expect(store.intent(id)?.status).toBe("filled");
    expect(portfolio.positionQuantity("SPY").toString()).toBe("10");
    expect(first.positionMismatches).toEqual([]);
    expect(tracked).toEqual([]); // filled: nothing left to follow
  });

  it("at start sends again an intent IB never saw when it is young, and expires an old one", async () => {
    const { store, intent, venue, events, start } = setup();
    const young = intent("young", T0);
    const sent = intent("sent", T0 + 1);
    store.markSent(sent, 5, T0 + 2);
    const old = intent("old", T0 - 600_000);
    const report = await start().reconcile("start");
    expect(report).toMatchObject({ resent: 2, expired: 1 });
    expect(venue.sent).toEqual([young, sent]);
    expect(store.intent(sent)?.status).toBe("written"); // the venue writes the new id when it sends
    expect(store.intent(old)).toMatchObject({ status: "cancelled" });
    expect(events.map((event) => event.type)).toEqual(["OrderCancelled"]);
  });

  it("adopts an intent IB has though the journal never saw it sent, and follows it", async () => {
    const { store, intent, broker, venue, start, tracked } = setup();
    const id = intent("adopt");
    broker.open = [brokerOrder(id, { brokerOrderId: 42 })];
    const report = await start().reconcile("start");
    expect(report.adopted).toBe(1);
    expect(venue.sent).toEqual([]);
    expect(store.intent(id)).toMatchObject({ status: "acknowledged", ibOrderId: 42, permId: 900 });
    expect(tracked).toEqual([[id, 42]]);
  });

  it("ends an order IB cancelled while we were away, and never resends after a reconnect", async () => {
    const { store, intent, broker, venue, start } = setup();
    const cancelled = intent("c");
    store.markSent(cancelled, 11, T0);
    const lost = intent("lost");
    store.markSent(lost, 12, T0);
    const fresh = intent("fresh", T0 + 25_000);
    store.markSent(fresh, 13, T0 + 25_000);
    broker.completed = [brokerOrder(cancelled, { state: "cancelled", brokerStatus: "Cancelled" })];
    const report = await start().reconcile("reconnect");
    expect(report).toMatchObject({ ended: 1, expired: 1, resent: 0 });
    expect(venue.sent).toEqual([]);
    expect(store.intent(cancelled)?.status).toBe("cancelled");
    expect(store.intent(lost)?.status).toBe("cancelled");
    expect(store.intent(lost)?.endReason).toMatch(/^lost: IB has no record/);
    expect(store.intent(fresh)?.status).toBe("sent"); // in flight: younger than the ack timeout
  });

  it("reports a foreign open order once and never touches it", async () => {
    const { broker, venue, logs, start } = setup();
    broker.open = [brokerOrder("someone-else", { clientId: 3 }), brokerOrder(undefined, { permId: 901 })];
    const reconciler = start();
    expect((await reconciler.reconcile("start")).foreignOrders).toBe(2);
    expect((await reconciler.reconcile("reconnect")).foreignOrders).toBe(2);
    expect(logs.events("reconcile.foreign_order")).toHaveLength(2);
    expect(logs.events("reconcile.foreign_order")[0]).toMatchObject({ account: "DU***567" });
    expect(venue.sent).toEqual([]);
  });

  it("calls a position difference only when a second look confirms it; other symbols are reported", async () => {
    const { broker, logs, start } = setup();
    broker.heldSequence = [[position("SPY", 5)], [position("SPY", 0), position("AAPL", 3)]];
    const transient = await start().reconcile("start");
    expect(transient.positionMismatches).toEqual([]);
    expect(logs.events("reconcile.untracked_position")).toEqual([
      expect.objectContaining({ symbol: "AAPL", quantity: "3" }),
    ]);
    broker.heldSequence = [[position("SPY", 5)]];
    const real = await start().reconcile("reconnect");
    expect(real.positionMismatches).toEqual([
      expect.objectContaining({ symbol: "SPY", ours: new Decimal(0), broker: new Decimal(5) }),
    ]);
    expect(logs.events("reconcile.position_mismatch")).toHaveLength(1);
  });
});

describe("ordersFromJournal", () => {
  it("rebuilds an unresolved order with the fills already booked for it", () => {
    const { store, intent } = setup();
    const id = intent("p");
    store.markSent(id, 11, T0);
    store.markAcknowledged(id, 900, T0 + 1);
    const fill = execution(id, "e.01", 4).fill;
    const [order] = ordersFromJournal(store.unresolvedIntents(), [fill]);
    expect(order).toMatchObject({ orderId: id, status: "PartiallyFilled" });
    expect(order?.filledQuantity.toString()).toBe("4");
    expect(order?.averageFillPrice.toString()).toBe("470");
  });
});
