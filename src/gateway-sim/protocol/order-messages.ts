import { InvariantError } from "../../core/errors.js";
import { formatJavaDouble } from "./java-double.js";
import { IncomingMessageId } from "./message-ids.js";
import { MessageWriter } from "./message-writer.js";
import { MIN_SUPPORTED_SERVER_VERSION, ServerVersion } from "./server-versions.js";
import { writeReportedContract, type ReportedContract } from "./reported-contract.js";

// Encoders of the order-flow messages other than OPEN_ORDER/COMPLETED_ORDER (open-order-message.ts):
// ORDER_STATUS, EXECUTION_DATA, COMMISSION_REPORT and the *_END markers, as laid out in ibkr-facts.md §2.2
// for server versions 176…193, with the value formatting of the real TWS captures quoted there ([RUST]).

/** Throws unless the order/account layouts of this folder are defined for `serverVersion` (176…193). */
export function assertOrderLayoutVersion(serverVersion: number): void {
  if (
    !Number.isInteger(serverVersion) ||
    serverVersion < MIN_SUPPORTED_SERVER_VERSION ||
    serverVersion >= ServerVersion.ERROR_TIME
  ) {
    throw new InvariantError(`no order or account message layouts for server version ${serverVersion}`);
  }
}

/**
 * A price as TWS writes it in ORDER_STATUS: `0` when zero (real capture `3|5|PreSubmitted|0|100|0|…|0|0|…`),
 * otherwise Java's Double.toString (`201.94`).
 */
export function formatStatusPrice(value: number): string {
  return value === 0 ? "0" : formatJavaDouble(value);
}

/** The values of one ORDER_STATUS. */
export interface OrderStatusMessage {
  readonly orderId: number;
  readonly status: string;
  /** Decimal text, e.g. `100`. */
  readonly filled: string;
  readonly remaining: string;
  readonly avgFillPrice: number;
  readonly permId: number;
  readonly parentId: number;
  readonly lastFillPrice: number;
  readonly clientId: number;
  readonly whyHeld: string;
  readonly mktCapPrice: number;
}

/**
 * ORDER_STATUS `[3, orderId, status, filled, remaining, avgFillPrice, permId, parentId, lastFillPrice,
 * clientId, whyHeld, mktCapPrice]` (no version field from server version 131).
 */
export function encodeOrderStatus(serverVersion: number, message: OrderStatusMessage): Buffer {
  assertOrderLayoutVersion(serverVersion);
  return new MessageWriter()
    .int(IncomingMessageId.ORDER_STATUS)
    .int(message.orderId)
    .string(message.status)
    .decimal(message.filled)
    .decimal(message.remaining)
    .string(formatStatusPrice(message.avgFillPrice))
    .long(message.permId)
    .int(message.parentId)
    .string(formatStatusPrice(message.lastFillPrice))
    .int(message.clientId)
    .string(message.whyHeld)
    .string(formatStatusPrice(message.mktCapPrice))
    .toFrame();
}

/** OPEN_ORDER_END `[53, 1]`. */
export function encodeOpenOrderEnd(serverVersion: number): Buffer {
  assertOrderLayoutVersion(serverVersion);
  return new MessageWriter().int(IncomingMessageId.OPEN_ORDER_END).int(1).toFrame();
}

/** COMPLETED_ORDERS_END `[102]` (no version field). */
export function encodeCompletedOrdersEnd(serverVersion: number): Buffer {
  assertOrderLayoutVersion(serverVersion);
  return new MessageWriter().int(IncomingMessageId.COMPLETED_ORDERS_END).toFrame();
}

/** The contract of an execution as TWS reports it (strike `0.0`, right and multiplier empty for stocks). */
export type ExecutionContract = ReportedContract;

/** The values of one EXECUTION_DATA after its reqId. */
export interface ExecutionMessage {
  readonly orderId: number;
  readonly contract: ExecutionContract;
  /** e.g. `0000e0d5.67fe667b.01.01`. */
  readonly execId: string;
  /** `yyyyMMdd  HH:mm:ss`, two spaces (ibkr-facts.md §5.3). */
  readonly time: string;
  readonly account: string;
  readonly exchange: string;
  /** `BOT` or `SLD`. */
  readonly side: string;
  readonly shares: string;
  readonly price: number;
  readonly permId: number;
  readonly clientId: number;
  readonly liquidation: number;
  readonly cumQty: string;
  readonly avgPrice: number;
  readonly orderRef: string;
  readonly evRule: string;
  readonly evMultiplier: number | undefined;
  readonly modelCode: string;
  /** 1 added liquidity, 2 removed liquidity, 3 routed out. */
  readonly lastLiquidity: number;
  /** Sent from server version 178. */
  readonly pendingPriceRevision: boolean;
}

/**
 * EXECUTION_DATA `[11, reqId, orderId, contract…, execId, time, acctNumber, exchange, side, shares, price,
 * permId, clientId, liquidation, cumQty, avgPrice, orderRef, evRule, evMultiplier, modelCode,
 * lastLiquidity, pendingPriceRevision (≥178)]`; reqId is −1 for a live fill.
 */
export function encodeExecutionData(
  serverVersion: number,
  reqId: number,
  execution: ExecutionMessage,
): Buffer {
  assertOrderLayoutVersion(serverVersion);
  const { contract } = execution;
  const writer = writeReportedContract(
    new MessageWriter().int(IncomingMessageId.EXECUTION_DATA).int(reqId).int(execution.orderId),
    contract,
  )
    .string(execution.execId)
    .string(execution.time)
    .string(execution.account)
    .string(execution.exchange)
    .string(execution.side)
    .decimal(execution.shares)
    .double(execution.price)
    .long(execution.permId)
    .int(execution.clientId)
    .int(execution.liquidation)
    .decimal(execution.cumQty)
    .double(execution.avgPrice)
    .string(execution.orderRef)
    .string(execution.evRule);
  // An unset evMultiplier is an empty field in the real capture (`…|196.52|||||2|`).
  if (execution.evMultiplier === undefined) writer.string("");
  else writer.double(execution.evMultiplier);
  writer.string(execution.modelCode).int(execution.lastLiquidity);
  if (serverVersion >= ServerVersion.PENDING_PRICE_REVISION) writer.bool(execution.pendingPriceRevision);
  return writer.toFrame();
}

/** EXECUTION_DATA_END `[55, 1, reqId]`. */
export function encodeExecutionDataEnd(serverVersion: number, reqId: number): Buffer {
  assertOrderLayoutVersion(serverVersion);
  return new MessageWriter().int(IncomingMessageId.EXECUTION_DATA_END).int(1).int(reqId).toFrame();
}

/** The values of one COMMISSION_REPORT. */
export interface CommissionReportMessage {
  readonly execId: string;
  readonly commission: number;
  readonly currency: string;
  /** Undefined (sent as Double.MAX_VALUE) for an execution that opened or added to a position. */
  readonly realizedPnl: number | undefined;
  readonly yield: number | undefined;
  /** yyyymmdd as an int; undefined is sent empty, as in the real capture. */
  readonly yieldRedemptionDate: number | undefined;
}

/**
 * COMMISSION_REPORT `[59, 1, execId, commission, currency, realizedPNL, yield, yieldRedemptionDate]`;
 * real capture: `59|1|00025b46.63f8f39c.01.01|1.0|USD|1.7976931348623157E308|1.7976931348623157E308||`.
 */
export function encodeCommissionReport(serverVersion: number, report: CommissionReportMessage): Buffer {
  assertOrderLayoutVersion(serverVersion);
  const writer = new MessageWriter()
    .int(IncomingMessageId.COMMISSION_REPORT)
    .int(1)
    .string(report.execId)
    .double(report.commission)
    .string(report.currency)
    .doubleOrUnset(report.realizedPnl)
    .doubleOrUnset(report.yield);
  if (report.yieldRedemptionDate === undefined) writer.string("");
  else writer.int(report.yieldRedemptionDate);
  return writer.toFrame();
}
