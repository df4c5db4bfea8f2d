import { Decimal } from "decimal.js";
import {
  OrderAction,
  OrderType,
  TimeInForce,
  type Contract,
  type Execution,
  type Order as IbOrder,
} from "@stoqey/ib";
import { InvariantError } from "../../core/errors.js";
import { zoneOffsetMs } from "../../data/zoned-time.js";
import type { Fill } from "../../model/fill.js";
import type { OrderIntent } from "../../model/order.js";
import type { QualifiedContract } from "../../model/qualified-contract.js";

const ORDER_TYPES: Readonly<Record<OrderIntent["type"], OrderType>> = {
  MARKET: OrderType.MKT,
  LIMIT: OrderType.LMT,
  STOP: OrderType.STP,
};

/** The contract an order is placed on: the qualified conId, routed through SMART. */
export function ibContractOf(contract: QualifiedContract): Contract {
  return { conId: contract.conId, exchange: contract.exchange, currency: contract.currency };
}

/**
 * IB's order for our intent: whole shares, our intent id as `orderRef` (it comes back on every openOrder and
 * execution, which is how orders are matched after a restart), the account set explicitly, and
 * `transmit: true` — left empty, TWS would stage the order and never send it (ibkr-facts.md §6.13).
 */
export function ibOrderOf(intent: OrderIntent, account: string): IbOrder {
  const quantity = intent.quantity.toNumber();
  if (!Number.isSafeInteger(quantity) || quantity <= 0) {
    throw new InvariantError(
      `order ${intent.intentId}: quantity ${intent.quantity.toString()} is not a whole number of shares`,
    );
  }
  const order: IbOrder = {
    action: intent.side === "BUY" ? OrderAction.BUY : OrderAction.SELL,
    totalQuantity: quantity,
    orderType: ORDER_TYPES[intent.type],
    tif: intent.timeInForce === "GTC" ? TimeInForce.GTC : TimeInForce.DAY,
    orderRef: intent.intentId,
    account,
    transmit: true,
    outsideRth: false,
  };
  if (intent.type === "LIMIT") {
    if (intent.limitPrice === undefined)
      throw new InvariantError(`limit order ${intent.intentId} has no limit price`);
    order.lmtPrice = intent.limitPrice;
  }
  if (intent.type === "STOP") {
    if (intent.stopPrice === undefined)
      throw new InvariantError(`stop order ${intent.intentId} has no stop price`);
    order.auxPrice = intent.stopPrice;
  }
  return order;
}

const EXECUTION_TIME = /^(\d{4})(\d{2})(\d{2}) +(\d{2}):(\d{2}):(\d{2})(?: +(\S+))?$/;

/**
 * An execution time as TWS sends it — `yyyyMMdd  HH:mm:ss` (two spaces in real traffic, §5.3), optionally
 * followed by a zone — in epoch ms. Without a zone the time is in TWS's login zone, `defaultZone`.
 */
export function parseIbExecutionTime(text: string, defaultZone: string): number | undefined {
  const match = EXECUTION_TIME.exec(text.trim());
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const zone = match[7] ?? defaultZone;
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  try {
    const first = wallAsUtc - zoneOffsetMs(zone, wallAsUtc);
    return wallAsUtc - zoneOffsetMs(zone, first);
  } catch {
    return undefined;
  }
}

/** An IB execution as our Fill (commission 0 until its commission report arrives); undefined when incomplete. */
export function fillOfExecution(execution: Execution, symbol: string, timeMs: number): Fill | undefined {
  const { execId, orderRef, side, shares, price } = execution;
  if (
    execId === undefined ||
    orderRef === undefined ||
    orderRef === "" ||
    shares === undefined ||
    price === undefined
  ) {
    return undefined;
  }
  return Object.freeze({
    fillId: execId,
    orderId: orderRef,
    symbol,
    side: side === "SLD" ? "SELL" : "BUY",
    quantity: new Decimal(shares),
    price: new Decimal(price),
    commission: new Decimal(0),
    time: timeMs,
  });
}
