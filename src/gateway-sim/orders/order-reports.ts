import type { SimInstrument } from "../market/sim-instrument.js";
import type { PositionContract } from "../protocol/account-messages.js";
import {
  encodeCompletedOrder,
  encodeOpenOrder,
  type WireOrder,
  type WireOrderContract,
} from "../protocol/open-order-message.js";
import {
  encodeCommissionReport,
  encodeExecutionData,
  encodeOrderStatus,
  type ExecutionContract,
} from "../protocol/order-messages.js";
import type { ExecutionRecord } from "./account-book.js";
import { averageFillPrice, remainingQuantity, type SimOrder } from "./sim-order.js";
import { formatCompletedTime, formatExecutionTime } from "./tws-time.js";

// Builds the wire messages that report a SimOrder or an execution, for one session's server version.

/** IB's trading class of a SMART US listing: `NMS` on Nasdaq, the symbol elsewhere (market/contract-details.ts). */
export function tradingClassOf(instrument: SimInstrument): string {
  return instrument.primaryExchange === "NASDAQ" ? "NMS" : instrument.symbol;
}

/** The venue an execution reports: Nasdaq's is ISLAND (real capture `…|ISLAND|USD|TSLA|NMS|…`). */
export function executionVenueOf(instrument: SimInstrument): string {
  return instrument.primaryExchange === "NASDAQ" ? "ISLAND" : instrument.primaryExchange;
}

/** The contract as order messages echo it: right `?` and strike `0` for a stock, as in real captures. */
export function orderContractOf(instrument: SimInstrument, exchange: string): WireOrderContract {
  return {
    conId: instrument.conId,
    symbol: instrument.symbol,
    secType: instrument.secType,
    lastTradeDateOrContractMonth: "",
    strike: 0,
    right: "?",
    multiplier: "",
    exchange,
    currency: instrument.currency,
    localSymbol: instrument.symbol,
    tradingClass: tradingClassOf(instrument),
  };
}

/** The contract as POSITION and PORTFOLIO_VALUE report it, with the listing exchange. */
export function positionContractOf(instrument: SimInstrument): PositionContract {
  return {
    conId: instrument.conId,
    symbol: instrument.symbol,
    secType: instrument.secType,
    lastTradeDateOrContractMonth: "",
    strike: 0,
    right: "",
    multiplier: "",
    exchange: instrument.primaryExchange,
    currency: instrument.currency,
    localSymbol: instrument.symbol,
    tradingClass: tradingClassOf(instrument),
  };
}

function wireOrderOf(order: SimOrder): WireOrder {
  return {
    action: order.action,
    totalQuantity: order.totalQuantity.toString(),
    orderType: order.orderType,
    // TWS sends 0.0 for the prices an order type does not use (real capture of a MKT order).
    lmtPrice: order.lmtPrice ?? 0,
    auxPrice: order.auxPrice ?? 0,
    tif: order.tif,
    ocaGroup: "",
    account: order.account,
    openClose: "",
    origin: 0,
    orderRef: order.orderRef,
    clientId: order.clientId,
    permId: order.permId,
    outsideRth: order.outsideRth,
    hidden: false,
    goodAfterTime: "",
    goodTillDate: "",
    modelCode: "",
    parentId: 0,
    triggerMethod: 0,
  };
}

/** OPEN_ORDER for the order's current status; `withCommission` adds the commission charged so far. */
export function openOrderFrame(serverVersion: number, order: SimOrder, withCommission = false): Buffer {
  return encodeOpenOrder(serverVersion, {
    orderId: order.orderId,
    contract: orderContractOf(order.instrument, order.exchange),
    order: wireOrderOf(order),
    state: {
      status: order.status,
      commission: withCommission ? order.commission.toNumber() : undefined,
      commissionCurrency: withCommission ? "USD" : "",
      warningText: order.warningText,
    },
  });
}

/** ORDER_STATUS for the order's current status and fills. */
export function orderStatusFrame(serverVersion: number, order: SimOrder): Buffer {
  return encodeOrderStatus(serverVersion, {
    orderId: order.orderId,
    status: order.status,
    filled: order.filled.toString(),
    remaining: remainingQuantity(order).toString(),
    avgFillPrice: averageFillPrice(order),
    permId: order.permId,
    parentId: 0,
    lastFillPrice: order.lastFillPrice,
    clientId: order.clientId,
    whyHeld: "",
    mktCapPrice: 0,
  });
}

/** COMPLETED_ORDER of a filled, cancelled or rejected order. */
export function completedOrderFrame(serverVersion: number, order: SimOrder): Buffer {
  return encodeCompletedOrder(serverVersion, {
    contract: orderContractOf(order.instrument, order.exchange),
    // The real capture of a filled order reports totalQuantity 0 and the size in filledQuantity.
    order: { ...wireOrderOf(order), totalQuantity: remainingQuantity(order).toString() },
    status: order.status,
    filledQuantity: order.filled.toString(),
    completedTime: formatCompletedTime(order.completedAtMs ?? order.placedAtMs),
    completedStatus: order.completedStatus,
  });
}

function executionContractOf(instrument: SimInstrument): ExecutionContract {
  return {
    conId: instrument.conId,
    symbol: instrument.symbol,
    secType: instrument.secType,
    lastTradeDateOrContractMonth: "",
    strike: 0,
    right: "",
    multiplier: "",
    exchange: executionVenueOf(instrument),
    currency: instrument.currency,
    localSymbol: instrument.symbol,
    tradingClass: tradingClassOf(instrument),
  };
}

/** EXECUTION_DATA for `reqId` (−1 for a live fill). */
export function executionFrame(serverVersion: number, reqId: number, execution: ExecutionRecord): Buffer {
  return encodeExecutionData(serverVersion, reqId, {
    orderId: execution.orderId,
    contract: executionContractOf(execution.instrument),
    execId: execution.execId,
    time: formatExecutionTime(execution.timeMs),
    account: execution.account,
    exchange: execution.venue,
    side: execution.action === "BUY" ? "BOT" : "SLD",
    shares: execution.shares.toString(),
    price: execution.price,
    permId: execution.permId,
    clientId: execution.clientId,
    liquidation: 0,
    cumQty: execution.cumQty.toString(),
    avgPrice: execution.avgPrice,
    orderRef: execution.orderRef,
    evRule: "",
    evMultiplier: undefined,
    modelCode: "",
    lastLiquidity: execution.lastLiquidity,
    pendingPriceRevision: false,
  });
}

/** COMMISSION_REPORT of an execution; realized P&L is unset unless the execution reduced a position. */
export function commissionFrame(serverVersion: number, execution: ExecutionRecord): Buffer {
  return encodeCommissionReport(serverVersion, {
    execId: execution.execId,
    commission: execution.commission.toNumber(),
    currency: "USD",
    realizedPnl: execution.realizedPnl?.toNumber(),
    yield: undefined,
    yieldRedemptionDate: undefined,
  });
}
