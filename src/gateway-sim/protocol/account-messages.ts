import { IncomingMessageId } from "./message-ids.js";
import { MessageWriter } from "./message-writer.js";
import { assertOrderLayoutVersion } from "./order-messages.js";
import { ServerVersion } from "./server-versions.js";
import { writeReportedContract, type ReportedContract } from "./reported-contract.js";

// Encoders of the account and portfolio messages of ibkr-facts.md §2.2 for server versions 176…193:
// POSITION, ACCOUNT_SUMMARY, PNL, PNL_SINGLE, the reqAccountUpdates family and ACCOUNT_UPDATE_MULTI.

/**
 * Message ids of the "multi" account updates (IB's EDecoder/EClient constants; not in the facts' tables,
 * used by ib_insync/ib_async at start-up, one reqAccountUpdatesMulti per account).
 */
export const AccountMultiMessageId = {
  /** Incoming `[73, 1, reqId, account, modelCode, key, value, currency]`. */
  ACCOUNT_UPDATE_MULTI: 73,
  /** Incoming `[74, 1, reqId]`. */
  ACCOUNT_UPDATE_MULTI_END: 74,
  /** Outgoing `[76, 1, reqId, account, modelCode, ledgerAndNLV]`. */
  REQ_ACCOUNT_UPDATES_MULTI: 76,
  /** Outgoing `[77, 1, reqId]`. */
  CANCEL_ACCOUNT_UPDATES_MULTI: 77,
} as const;

/** A stock contract as POSITION and PORTFOLIO_VALUE report it. */
export type PositionContract = ReportedContract;

/** POSITION `[61, 3, account, conId, symbol, secType, lastTrade, strike, right, multiplier, exchange, currency, localSymbol, tradingClass, position, avgCost]`. */
export function encodePosition(
  serverVersion: number,
  account: string,
  contract: PositionContract,
  position: string,
  avgCost: number,
): Buffer {
  assertOrderLayoutVersion(serverVersion);
  const writer = new MessageWriter().int(IncomingMessageId.POSITION).int(3).string(account);
  writeReportedContract(writer, contract);
  return writer.decimal(position).double(avgCost).toFrame();
}

/** POSITION_END `[62, 1]`. */
export function encodePositionEnd(serverVersion: number): Buffer {
  assertOrderLayoutVersion(serverVersion);
  return new MessageWriter().int(IncomingMessageId.POSITION_END).int(1).toFrame();
}

/** ACCOUNT_SUMMARY `[63, 1, reqId, account, tag, value, currency]`. */
export function encodeAccountSummary(
  serverVersion: number,
  reqId: number,
  account: string,
  tag: string,
  value: string,
  currency: string,
): Buffer {
  assertOrderLayoutVersion(serverVersion);
  return new MessageWriter()
    .int(IncomingMessageId.ACCOUNT_SUMMARY)
    .int(1)
    .int(reqId)
    .string(account)
    .string(tag)
    .string(value)
    .string(currency)
    .toFrame();
}

/** ACCOUNT_SUMMARY_END `[64, 1, reqId]`. */
export function encodeAccountSummaryEnd(serverVersion: number, reqId: number): Buffer {
  assertOrderLayoutVersion(serverVersion);
  return new MessageWriter().int(IncomingMessageId.ACCOUNT_SUMMARY_END).int(1).int(reqId).toFrame();
}

/** Daily, unrealized and realized P&L in the account currency. */
export interface PnlValues {
  readonly dailyPnl: number;
  readonly unrealizedPnl: number;
  readonly realizedPnl: number;
}

/** PNL `[94, reqId, dailyPnL, unrealizedPnL (≥129), realizedPnL (≥135)]` (no version field). */
export function encodePnl(serverVersion: number, reqId: number, values: PnlValues): Buffer {
  assertOrderLayoutVersion(serverVersion);
  const writer = new MessageWriter().int(IncomingMessageId.PNL).int(reqId).double(values.dailyPnl);
  if (serverVersion >= ServerVersion.UNREALIZED_PNL) writer.double(values.unrealizedPnl);
  if (serverVersion >= ServerVersion.REALIZED_PNL) writer.double(values.realizedPnl);
  return writer.toFrame();
}

/** PNL_SINGLE `[95, reqId, pos, dailyPnL, unrealizedPnL (≥129), realizedPnL (≥135), value]`. */
export function encodePnlSingle(
  serverVersion: number,
  reqId: number,
  position: string,
  values: PnlValues,
  marketValue: number,
): Buffer {
  assertOrderLayoutVersion(serverVersion);
  const writer = new MessageWriter()
    .int(IncomingMessageId.PNL_SINGLE)
    .int(reqId)
    .decimal(position)
    .double(values.dailyPnl);
  if (serverVersion >= ServerVersion.UNREALIZED_PNL) writer.double(values.unrealizedPnl);
  if (serverVersion >= ServerVersion.REALIZED_PNL) writer.double(values.realizedPnl);
  return writer.double(marketValue).toFrame();
}

/** ACCT_VALUE `[6, 2, key, value, currency, accountName]`. */
export function encodeAccountValue(
  serverVersion: number,
  key: string,
  value: string,
  currency: string,
  account: string,
): Buffer {
  assertOrderLayoutVersion(serverVersion);
  return new MessageWriter()
    .int(IncomingMessageId.ACCT_VALUE)
    .int(2)
    .string(key)
    .string(value)
    .string(currency)
    .string(account)
    .toFrame();
}

/** One PORTFOLIO_VALUE row. */
export interface PortfolioValue {
  readonly contract: PositionContract;
  readonly position: string;
  readonly marketPrice: number;
  readonly marketValue: number;
  readonly averageCost: number;
  readonly unrealizedPnl: number;
  readonly realizedPnl: number;
  readonly account: string;
}

/**
 * PORTFOLIO_VALUE `[7, 8, conId, symbol, secType, lastTrade, strike, right, multiplier, primaryExch,
 * currency, localSymbol, tradingClass, position, marketPrice, marketValue, averageCost, unrealizedPNL,
 * realizedPNL, accountName]`.
 */
export function encodePortfolioValue(serverVersion: number, row: PortfolioValue): Buffer {
  assertOrderLayoutVersion(serverVersion);
  const writer = new MessageWriter().int(IncomingMessageId.PORTFOLIO_VALUE).int(8);
  writeReportedContract(writer, row.contract);
  return writer
    .decimal(row.position)
    .double(row.marketPrice)
    .double(row.marketValue)
    .double(row.averageCost)
    .double(row.unrealizedPnl)
    .double(row.realizedPnl)
    .string(row.account)
    .toFrame();
}

/** ACCT_UPDATE_TIME `[8, 1, timeStamp]`, the time as `HH:mm`. */
export function encodeAccountUpdateTime(serverVersion: number, timeStamp: string): Buffer {
  assertOrderLayoutVersion(serverVersion);
  return new MessageWriter().int(IncomingMessageId.ACCT_UPDATE_TIME).int(1).string(timeStamp).toFrame();
}

/** ACCT_DOWNLOAD_END `[54, 1, accountName]`. */
export function encodeAccountDownloadEnd(serverVersion: number, account: string): Buffer {
  assertOrderLayoutVersion(serverVersion);
  return new MessageWriter().int(IncomingMessageId.ACCT_DOWNLOAD_END).int(1).string(account).toFrame();
}

/** ACCOUNT_UPDATE_MULTI `[73, 1, reqId, account, modelCode, key, value, currency]` (IB's EDecoder). */
export function encodeAccountUpdateMulti(
  serverVersion: number,
  reqId: number,
  account: string,
  modelCode: string,
  entry: { readonly key: string; readonly value: string; readonly currency: string },
): Buffer {
  assertOrderLayoutVersion(serverVersion);
  return new MessageWriter()
    .int(AccountMultiMessageId.ACCOUNT_UPDATE_MULTI)
    .int(1)
    .int(reqId)
    .string(account)
    .string(modelCode)
    .string(entry.key)
    .string(entry.value)
    .string(entry.currency)
    .toFrame();
}

/** ACCOUNT_UPDATE_MULTI_END `[74, 1, reqId]`. */
export function encodeAccountUpdateMultiEnd(serverVersion: number, reqId: number): Buffer {
  assertOrderLayoutVersion(serverVersion);
  return new MessageWriter().int(AccountMultiMessageId.ACCOUNT_UPDATE_MULTI_END).int(1).int(reqId).toFrame();
}
