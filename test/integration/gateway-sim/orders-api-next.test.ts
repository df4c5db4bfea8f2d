import { ConnectionState, type Contract, type IBApiNext, OrderAction, OrderType, SecType } from "@stoqey/ib";
import { filter, firstValueFrom, lastValueFrom, timeout } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import type { NextLogRecord } from "./gateway-sim-harness.js";
import { ACCOUNT, FIRST_ORDER_ID, OrderSimHarness } from "./orders-test-kit.js";
import { EVENT_TIMEOUT_MS } from "./wait-for.js";

const SPY: Contract = { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const SPY_CON_ID = 756733;

describe.each([176, 193])(
  "gateway-sim orders and account data with IBApiNext at server version %i",
  (serverVersion) => {
    let sim: OrderSimHarness;
    let next: IBApiNext;
    const logs: NextLogRecord[] = [];

    afterEach(async () => {
      await sim.close();
    });

    async function start(): Promise<void> {
      logs.length = 0;
      sim = await OrderSimHarness.start({ serverVersion });
      next = sim.gateway.ibApiNext("next", logs);
      const connected = firstValueFrom(
        next.connectionState.pipe(
          filter((state) => state === ConnectionState.Connected),
          timeout(EVENT_TIMEOUT_MS),
        ),
      );
      next.connect(3);
      await connected;
    }

    /** Places a market buy of `quantity` SPY with placeNewOrder and waits until the simulator has filled it. */
    async function buySpy(quantity: number): Promise<number> {
      const before = sim.book.executions().length;
      const orderId = await next.placeNewOrder(SPY, {
        action: OrderAction.BUY,
        orderType: OrderType.MKT,
        totalQuantity: quantity,
        transmit: true,
      });
      // The simulator answers requests in order, so once reqCurrentTime is answered the order has been worked.
      await next.getCurrentTime();
      expect(sim.book.executions()).toHaveLength(before + 1);
      return orderId;
    }

    it("places orders with ids from getNextValidOrderId that keep increasing", async () => {
      await start();
      expect(await buySpy(5)).toBe(FIRST_ORDER_ID);
      expect(await buySpy(5)).toBe(FIRST_ORDER_ID + 1);
      expect(await next.getNextValidOrderId()).toBe(FIRST_ORDER_ID + 2);
    });

    it("lists a working order with its status in getOpenOrders", async () => {
      await start();
      const limit = Math.round(sim.quote("SPY").bid * 50) / 100;
      const orderId = await next.placeNewOrder(SPY, {
        action: OrderAction.BUY,
        orderType: OrderType.LMT,
        lmtPrice: limit,
        totalQuantity: 3,
        orderRef: "intent-42",
        transmit: true,
      });
      // getOpenOrders emits on every update it sees (including this order's own status messages) and
      // completes on openOrderEnd (ibkr-facts.md §6.16): its last value is the snapshot.
      const update = await lastValueFrom(next.getOpenOrders().pipe(timeout(EVENT_TIMEOUT_MS)));
      expect(update.all).toHaveLength(1);
      const [open] = update.all;
      expect(open?.orderId).toBe(orderId);
      expect(open?.order).toMatchObject({
        lmtPrice: limit,
        totalQuantity: 3,
        orderRef: "intent-42",
        clientId: 3,
      });
      expect(open?.orderState.status).toBe("Submitted");
      expect(open?.orderStatus).toMatchObject({ status: "Submitted", filled: 0, remaining: 3 });
      expect(logs.filter((record) => record.text.includes("non existent order"))).toEqual([]);
    });

    it("returns the executions of the day from getExecutionDetails", async () => {
      await start();
      await buySpy(7);
      const details = await next.getExecutionDetails({});
      expect(details).toHaveLength(1);
      expect(details[0]?.execution).toMatchObject({
        shares: 7,
        side: "BOT",
        acctNumber: ACCOUNT,
        clientId: 3,
      });
      expect(details[0]?.contract.conId).toBe(SPY_CON_ID);
    });

    it("reports the position from getPositions and the cash from getAccountSummary", async () => {
      await start();
      await buySpy(10);
      const positions = await firstValueFrom(
        next.getPositions().pipe(
          filter((update) => (update.all.get(ACCOUNT)?.length ?? 0) > 0),
          timeout(EVENT_TIMEOUT_MS),
        ),
      );
      const [position] = positions.all.get(ACCOUNT) ?? [];
      expect(position?.contract.conId).toBe(SPY_CON_ID);
      expect(position?.pos).toBe(10);

      const summary = await firstValueFrom(
        next
          .getAccountSummary("All", "TotalCashValue,NetLiquidation,AccountType")
          .pipe(timeout(EVENT_TIMEOUT_MS)),
      );
      const tags = summary.all.get(ACCOUNT);
      const cash = sim.book.ledger(ACCOUNT).cash.toFixed(2);
      expect(tags?.get("TotalCashValue")?.get("USD")?.value).toBe(cash);
      expect(tags?.get("AccountType")?.get("")?.value).toBe("INDIVIDUAL");
      const netLiquidation = Number(cash) + 10 * sim.quote("SPY").last;
      expect(tags?.get("NetLiquidation")?.get("USD")?.value).toBe(netLiquidation.toFixed(2));
    });

    it("streams PnL from getPnL", async () => {
      await start();
      await buySpy(10);
      const pnl = await firstValueFrom(next.getPnL(ACCOUNT).pipe(timeout(EVENT_TIMEOUT_MS)));
      const [execution] = sim.book.executions();
      const averageCost = (execution?.price ?? 0) + (execution?.commission.toNumber() ?? 0) / 10;
      expect(pnl.unrealizedPnL).toBeCloseTo(10 * (sim.quote("SPY").last - averageCost), 6);
      expect(pnl.realizedPnL).toBe(0);
    });
  },
);
