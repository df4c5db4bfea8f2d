import {
  EventName,
  type CommissionReport,
  type Contract,
  type Execution,
  type IBApi,
  type Order,
  OrderAction,
  type OrderState,
  OrderType,
  SecType,
} from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { waitForInfo } from "./ib-api-events.js";
import { ACCOUNT, drain, EventRecorder, OrderSimHarness, type RecordedEvent } from "./orders-test-kit.js";

const stock = (symbol: string): Contract => ({
  symbol,
  secType: SecType.STK,
  exchange: "SMART",
  currency: "USD",
});
const AAPL_CON_ID = 265598;

function market(action: OrderAction, quantity: number): Order {
  return { action, orderType: OrderType.MKT, totalQuantity: quantity, transmit: true };
}

/** The codes of the info events (ERR_MSG with id −1) an IBApi emitted. */
class InfoRecorder {
  readonly codes: number[] = [];

  constructor(api: IBApi) {
    api.on(EventName.info, (_message: string, code: number) => {
      this.codes.push(code);
    });
  }
}

/** key → value of the accountSummary events of one request. */
function summaryOf(events: readonly RecordedEvent[], reqId: number): Map<string, [string, string]> {
  return new Map(
    events
      .filter((event) => event.name === "accountSummary" && event.args[0] === reqId)
      .map((event) => [
        `${event.args[2] as string}/${event.args[4] as string}`,
        [event.args[3] as string, event.args[1] as string],
      ]),
  );
}

describe.each([176, 193])(
  "gateway-sim account data with @stoqey/ib at server version %i",
  (serverVersion) => {
    let sim: OrderSimHarness;
    let api: IBApi;
    let events: EventRecorder;
    let nextId: number;

    afterEach(async () => {
      await sim.close();
    });

    async function start(): Promise<void> {
      sim = await OrderSimHarness.start({ serverVersion });
      const connected = await sim.connect("client 1", 1);
      api = connected.api;
      nextId = connected.nextValidId;
      events = new EventRecorder(api);
    }

    /** Buys 100 AAPL, then a minute later sells 40; returns the two executions and commission reports. */
    async function buyThenSell(): Promise<{ executions: Execution[]; reports: CommissionReport[] }> {
      api.placeOrder(nextId++, stock("AAPL"), market(OrderAction.BUY, 100));
      await events.untilCount("commissionReport", 1);
      sim.advanceBy(60_000);
      api.placeOrder(nextId++, stock("AAPL"), market(OrderAction.SELL, 40));
      await events.untilCount("commissionReport", 2);
      const executions = events.named("execDetails").map((event) => event.args[2] as Execution);
      const reports = events.named("commissionReport").map((event) => event.args[0] as CommissionReport);
      events.clear();
      return { executions, reports };
    }

    it("reports positions with IB's average cost and cash after a buy and a partial sale", async () => {
      await start();
      const { executions, reports } = await buyThenSell();
      const [buy, sell] = executions as [Execution, Execution];
      const [buyReport, sellReport] = reports as [CommissionReport, CommissionReport];

      api.reqPositions();
      await events.untilCount("positionEnd");
      expect(events.names()).toEqual(["position", "positionEnd"]);
      const [account, contract, position, avgCost] = events.named("position")[0]?.args as [
        string,
        Contract,
        number,
        number,
      ];
      expect([account, contract.conId, contract.symbol, contract.exchange, position]).toEqual([
        ACCOUNT,
        AAPL_CON_ID,
        "AAPL",
        "NASDAQ",
        60,
      ]);
      expect(avgCost).toBeCloseTo((buy.price ?? 0) + (buyReport.commission ?? 0) / 100, 9);

      api.reqAccountSummary(
        11,
        "All",
        "TotalCashValue,NetLiquidation,BuyingPower,AvailableFunds,GrossPositionValue",
      );
      await events.untilCount("accountSummaryEnd");
      const summary = summaryOf(events.events, 11);
      const cash =
        1_000_000 -
        100 * (buy.price ?? 0) -
        (buyReport.commission ?? 0) +
        40 * (sell.price ?? 0) -
        (sellReport.commission ?? 0);
      expect(summary.get("TotalCashValue/USD")).toEqual([cash.toFixed(2), ACCOUNT]);
      const mark = sim.quote("AAPL").last;
      expect(summary.get("GrossPositionValue/USD")?.[0]).toBe((60 * mark).toFixed(2));
      expect(summary.get("NetLiquidation/USD")?.[0]).toBe((cash + 60 * mark).toFixed(2));
      expect(summary.get("AvailableFunds/USD")?.[0]).toBe(cash.toFixed(2));
      expect(summary.get("BuyingPower/USD")?.[0]).toBe(cash.toFixed(2));
    });

    it("keeps sending position updates after reqPositions until cancelPositions", async () => {
      await start();
      api.reqPositions();
      await events.untilCount("positionEnd");
      expect(events.names()).toEqual(["positionEnd"]);

      api.placeOrder(nextId++, stock("MSFT"), market(OrderAction.BUY, 5));
      await events.untilCount("position");
      expect(events.named("position")[0]?.args[2]).toBe(5);

      api.cancelPositions();
      api.placeOrder(nextId++, stock("MSFT"), market(OrderAction.BUY, 5));
      await events.untilCount("commissionReport", 2);
      await drain(api);
      expect(events.named("position")).toHaveLength(1);
    });

    it("returns the day's executions with their commission reports, filtered as asked", async () => {
      await start();
      const { executions } = await buyThenSell();

      api.reqExecutions(21, {});
      await events.untilCount("execDetailsEnd");
      expect(events.names()).toEqual([
        "execDetails",
        "commissionReport",
        "execDetails",
        "commissionReport",
        "execDetailsEnd",
      ]);
      expect(events.named("execDetails").map((event) => event.args[0])).toEqual([21, 21]);
      expect(events.named("execDetails").map((event) => (event.args[2] as Execution).execId)).toEqual(
        executions.map((execution) => execution.execId),
      );
      expect(
        events.named("commissionReport").map((event) => (event.args[0] as CommissionReport).execId),
      ).toEqual(executions.map((execution) => execution.execId));

      events.clear();
      api.reqExecutions(22, { side: "SELL" });
      api.reqExecutions(23, { symbol: "MSFT" });
      api.reqExecutions(24, { time: "20240102-15:04:30" });
      await events.untilCount("execDetailsEnd", 3);
      const byRequest = (reqId: number): string[] =>
        events
          .named("execDetails")
          .filter((event) => event.args[0] === reqId)
          .map((event) => (event.args[2] as Execution).side ?? "");
      expect([byRequest(22), byRequest(23), byRequest(24)]).toEqual([["SLD"], [], ["SLD"]]);

      events.clear();
      sim.advanceTo(Date.UTC(2024, 0, 3, 15, 0));
      api.reqExecutions(25, {});
      await events.untilCount("execDetailsEnd");
      expect(events.names()).toEqual(["execDetailsEnd"]); // IB Gateway keeps only the current day
    });

    // @stoqey/ib 1.6.10 misreads COMPLETED_ORDER below server version 177: its readFAParams tests the message
    // version (Number.MAX_VALUE for completed orders) instead of the server version, so it never reads the
    // faProfile field TWS sends there (IB's EOrderDecoder); orders-raw-protocol.test.ts covers 176 instead.
    it.skipIf(serverVersion < 177)("lists filled and cancelled orders with reqCompletedOrders", async () => {
      await start();
      api.placeOrder(nextId, stock("AAPL"), market(OrderAction.BUY, 100));
      const farBelow = Math.round(sim.quote("AAPL").bid * 50) / 100;
      api.placeOrder(nextId + 1, stock("AAPL"), {
        ...market(OrderAction.BUY, 5),
        orderType: OrderType.LMT,
        lmtPrice: farBelow,
      });
      api.cancelOrder(nextId + 1);
      await events.untilCount("error");
      events.clear();

      api.reqCompletedOrders(false);
      await events.untilCount("completedOrdersEnd");
      expect(events.names()).toEqual(["completedOrder", "completedOrder", "completedOrdersEnd"]);
      const completed = events.named("completedOrder").map((event) => {
        const [contract, order, state] = event.args as [Contract, Order, OrderState];
        return [contract.symbol, order.orderType, order.filledQuantity, state.status, state.completedStatus];
      });
      expect(completed).toEqual([
        ["AAPL", "MKT", 100, "Filled", "Filled Size: 100"],
        ["AAPL", "LMT", 0, "Cancelled", "Cancelled by Trader"],
      ]);
    });

    it("shows every client's open orders with reqAllOpenOrders and only its own with reqOpenOrders", async () => {
      await start();
      const other = await sim.connect("client 2", 2);
      const otherEvents = new EventRecorder(other.api);
      const farBelow = Math.round(sim.quote("AAPL").bid * 50) / 100;
      const lmt: Order = { ...market(OrderAction.BUY, 5), orderType: OrderType.LMT, lmtPrice: farBelow };
      api.placeOrder(nextId, stock("AAPL"), lmt);
      other.api.placeOrder(other.nextValidId, stock("AAPL"), lmt);
      await events.untilCount("orderStatus", 2);
      await otherEvents.untilCount("orderStatus", 2);
      events.clear();

      api.reqOpenOrders();
      await events.untilCount("openOrderEnd");
      expect(events.named("openOrder").map((event) => (event.args[2] as Order).clientId)).toEqual([1]);

      events.clear();
      api.reqAllOpenOrders();
      await events.untilCount("openOrderEnd");
      expect(events.named("openOrder").map((event) => (event.args[2] as Order).clientId)).toEqual([1, 2]);
    });

    it("accepts reqAutoOpenOrders from client 0 only and answers other clients with 321", async () => {
      await start();
      const master = await sim.connect("client 0", 0);
      const masterEvents = new EventRecorder(master.api);
      const masterInfo = new InfoRecorder(master.api);
      master.api.reqAutoOpenOrders(true);
      await drain(master.api);
      expect(masterEvents.named("error")).toEqual([]);
      expect(masterInfo.codes).not.toContain(321);

      // The refusal carries id −1, which @stoqey/ib reports as an info event rather than an error.
      const refusal = waitForInfo(api, 321);
      api.reqAutoOpenOrders(true);
      expect(await refusal).toBe(
        "Error validating request: cause - reqAutoOpenOrders can only be used by the API client with client id 0",
      );
    });

    it("sends PnL and PnL for one position, updated as the market moves", async () => {
      await start();
      const { executions, reports } = await buyThenSell();
      const [buy, sell] = executions as [Execution, Execution];
      const realized = reports[1]?.realizedPNL ?? 0;
      expect(realized).toBeCloseTo(
        40 * ((sell.price ?? 0) - (buy.price ?? 0)) -
          (reports[0]?.commission ?? 0) * 0.4 -
          (reports[1]?.commission ?? 0),
        6,
      );

      api.reqPnL(31, ACCOUNT, "");
      api.reqPnLSingle(32, ACCOUNT, "", AAPL_CON_ID);
      await events.untilCount("pnlSingle");
      const mark = sim.quote("AAPL").last;
      const avgCost = (buy.price ?? 0) + (reports[0]?.commission ?? 0) / 100;
      const [, daily, unrealized, realizedPnl] = events.named("pnl")[0]?.args as number[];
      expect(unrealized).toBeCloseTo(60 * (mark - avgCost), 6);
      expect(realizedPnl).toBeCloseTo(realized, 6);
      // Bought today: the day's P&L is what the position gained plus what the sale realized.
      expect(daily).toBeCloseTo(60 * (mark - avgCost) + realized, 6);
      const [, position, , singleUnrealized, , value] = events.named("pnlSingle")[0]?.args as number[];
      expect([position, value]).toEqual([60, 60 * mark]);
      expect(singleUnrealized).toBeCloseTo(unrealized ?? 0, 6);

      events.clear();
      const moved = sim.nowMs() + 60_000;
      sim.advanceTo(moved);
      await events.untilCount("pnl");
      await drain(api); // one PNL per simulated second that changed it; the last one is for `moved`
      expect(events.named("pnl").at(-1)?.args[2]).toBeCloseTo(
        60 * (sim.quote("AAPL", moved).last - avgCost),
        6,
      );

      api.cancelPnL(31);
      api.cancelPnLSingle(32);
      await drain(api);
      events.clear();
      sim.advanceBy(300_000);
      await drain(api);
      expect(events.names()).toEqual([]);
    });

    it("downloads account values and the portfolio with reqAccountUpdates, and updates them after a fill", async () => {
      await start();
      api.placeOrder(nextId++, stock("AAPL"), market(OrderAction.BUY, 10));
      await events.untilCount("commissionReport");
      events.clear();

      api.reqAccountUpdates(true, ACCOUNT);
      await events.untilCount("accountDownloadEnd");
      const names = events.names();
      expect(names.at(-1)).toBe("accountDownloadEnd");
      expect(names.at(-2)).toBe("updateAccountTime");
      expect(names.filter((name) => name === "updatePortfolio")).toHaveLength(1);
      const values = new Map(
        events
          .named("updateAccountValue")
          .map((event) => [`${event.args[0] as string}/${event.args[2] as string}`, event.args[1]]),
      );
      expect(values.get("AccountCode/")).toBe(ACCOUNT);
      expect(values.get("CashBalance/BASE")).toBe(values.get("TotalCashValue/USD"));
      expect(events.named("updateAccountTime")[0]?.args[0]).toBe("15:04");
      const [contract, position, marketPrice] = events.named("updatePortfolio")[0]?.args as [
        Contract,
        number,
        number,
      ];
      expect([contract.symbol, contract.primaryExch, position, marketPrice]).toEqual([
        "AAPL",
        "NASDAQ",
        10,
        sim.quote("AAPL").last,
      ]);

      events.clear();
      api.placeOrder(nextId++, stock("AAPL"), market(OrderAction.BUY, 10));
      await events.untilCount("updatePortfolio");
      expect(events.named("updatePortfolio")[0]?.args[1]).toBe(20);

      api.reqAccountUpdates(false, ACCOUNT);
      await drain(api);
      events.clear();
      api.placeOrder(nextId++, stock("AAPL"), market(OrderAction.BUY, 10));
      await events.untilCount("commissionReport");
      await drain(api);
      expect(events.named("updatePortfolio")).toEqual([]);
    });
  },
);

// ib_insync and ib_async announce v157..178 (ibkr-facts.md §1.2), so TWS talks to them at 178 at most.
describe.each([178, 193])(
  "gateway-sim start-up requests of common clients at server version %i",
  (serverVersion) => {
    let sim: OrderSimHarness;

    afterEach(async () => {
      await sim.close();
    });

    it("completes the requests ib_insync and ib_async send right after connecting", async () => {
      sim = await OrderSimHarness.start({ serverVersion });
      const { api, nextValidId } = await sim.connect("client 1", 1);
      const events = new EventRecorder(api);
      api.placeOrder(nextValidId, stock("AAPL"), market(OrderAction.BUY, 10));
      await events.untilCount("commissionReport");
      events.clear();

      api.reqPositions();
      api.reqOpenOrders();
      api.reqCompletedOrders(false);
      api.reqAccountUpdates(true, ACCOUNT);
      api.reqAccountUpdatesMulti(41, ACCOUNT, "", false);
      await Promise.all([
        events.untilCount("positionEnd"),
        events.untilCount("openOrderEnd"),
        events.untilCount("completedOrdersEnd"),
        events.untilCount("accountDownloadEnd"),
        events.untilCount("accountUpdateMultiEnd"),
      ]);
      api.reqExecutions(42, {});
      await events.untilCount("execDetailsEnd");
      const netLiquidation = events
        .named("accountUpdateMulti")
        .find((event) => event.args[3] === "NetLiquidation");
      expect(netLiquidation?.args.slice(0, 3)).toEqual([41, ACCOUNT, ""]);
      expect(events.named("completedOrder")).toHaveLength(1);
      expect(events.named("execDetails")).toHaveLength(1);
      expect(sim.gateway.errors.errors).toEqual([]);
    });
  },
);
