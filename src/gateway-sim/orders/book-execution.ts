import { Decimal } from "decimal.js";
import type { FeeModel } from "../../portfolio/fee-model.js";
import type { AccountBook, ExecutionRecord } from "./account-book.js";
import { executionVenueOf } from "./order-reports.js";
import { averageFillPrice, type SimOrder } from "./sim-order.js";

/** One execution to book. */
export interface ExecutionToBook {
  readonly order: SimOrder;
  readonly shares: Decimal;
  readonly price: number;
  /** 1 added liquidity (a resting limit), 2 removed it (marketable). */
  readonly lastLiquidity: number;
  readonly timeMs: number;
  readonly accounts: AccountBook;
  readonly feeModel: FeeModel;
}

/**
 * Books an execution everywhere TWS would: the order's filled quantity and value, its commission, the
 * account's cash and position, and the day's execution log; returns the execution as recorded.
 * Commissions follow IBKR's per-order minimum: each execution is charged the order's cumulative
 * commission less what earlier executions of the order were charged.
 */
export function bookExecution(input: ExecutionToBook): ExecutionRecord {
  const { order, shares, price, timeMs, accounts, feeModel } = input;
  const priceDecimal = new Decimal(price);
  order.filled = order.filled.plus(shares);
  order.filledValue = order.filledValue.plus(shares.times(priceDecimal));
  order.lastFillPrice = price;
  const trade = { symbol: order.instrument.symbol, side: order.action, time: timeMs };
  const cumulative = feeModel.preview({
    ...trade,
    quantity: order.filled,
    price: order.filledValue.dividedBy(order.filled),
  });
  feeModel.record({ ...trade, quantity: shares, price: priceDecimal });
  const commission = Decimal.max(0, cumulative.total.minus(order.commission));
  order.commission = order.commission.plus(commission);
  const realizedPnl = accounts.ledger(order.account).applyFill({
    instrument: order.instrument,
    side: order.action,
    quantity: shares,
    price: priceDecimal,
    commission,
    timeMs,
  });
  const execution: ExecutionRecord = {
    execId: accounts.newExecId(timeMs),
    timeMs,
    orderId: order.orderId,
    clientId: order.clientId,
    permId: order.permId,
    account: order.account,
    instrument: order.instrument,
    venue: executionVenueOf(order.instrument),
    action: order.action,
    shares,
    price,
    cumQty: order.filled,
    avgPrice: averageFillPrice(order),
    orderRef: order.orderRef,
    lastLiquidity: input.lastLiquidity,
    commission,
    realizedPnl,
  };
  accounts.recordExecution(execution);
  return execution;
}
