import { InvariantError } from "../../core/errors.js";
import type { ContractDetails } from "../market/contract-details.js";
import { escapeNonAscii } from "./ascii-text.js";
import { IncomingMessageId } from "./message-ids.js";
import { MessageWriter } from "./message-writer.js";
import { isSupportedServerVersion, ServerVersion } from "./server-versions.js";

/**
 * CONTRACT_DATA for server version ≥ 164 (no version field) `[10, reqId, symbol, secType,
 * lastTradeDateOrContractMonth, lastTradeDate (≥182), strike, right, exchange, currency, localSymbol,
 * marketName, tradingClass, conId, minTick, multiplier, orderTypes, validExchanges, priceMagnifier,
 * underConId, longName, primaryExch, contractMonth, industry, category, subcategory, timeZoneId,
 * tradingHours, liquidHours, evRule, evMultiplier, secIdListCount, pairs, aggGroup, underSymbol,
 * underSecType, marketRuleIds, realExpirationDate, stockType, minSize, sizeIncrement,
 * suggestedSizeIncrement, (fund fields: ≥179 and FUND only), ineligibilityReasonCount + pairs (≥186)]`
 * (ibkr-facts.md §2.2). Numbers are written the way TWS's real AAPL reply has them (`0` strike, `0.01`
 * minTick, `0.0001` sizes, empty evMultiplier and multiplier).
 */
export function encodeContractData(serverVersion: number, reqId: number, details: ContractDetails): Buffer {
  assertEncodable(serverVersion);
  const writer = new MessageWriter()
    .int(IncomingMessageId.CONTRACT_DATA)
    .int(reqId)
    .string(details.symbol)
    .string(details.secType)
    .string(details.lastTradeDateOrContractMonth);
  if (serverVersion >= ServerVersion.LAST_TRADE_DATE) writer.string(details.lastTradeDate);
  writer
    .string(formatNumber(details.strike))
    .string(details.right)
    .string(details.exchange)
    .string(details.currency)
    .string(details.localSymbol)
    .string(details.marketName)
    .string(details.tradingClass)
    .int(details.conId)
    .double(details.minTick)
    .string(details.multiplier)
    .string(details.orderTypes)
    .string(details.validExchanges)
    .int(details.priceMagnifier)
    .int(details.underConId)
    // TWS escapes non-ASCII in long names from server version 153 (ENCODE_MSG_ASCII7, ibkr-facts.md §1.1).
    .string(escapeNonAscii(details.longName))
    .string(details.primaryExch)
    .string(details.contractMonth)
    .string(details.industry)
    .string(details.category)
    .string(details.subcategory)
    .string(details.timeZoneId)
    .string(details.tradingHours)
    .string(details.liquidHours)
    .string(details.evRule)
    // evMultiplier, unset for stocks: an empty field in the real reply, not the Double.MAX_VALUE marker.
    .string("")
    .int(details.secIdList.length);
  for (const { tag, value } of details.secIdList) writer.string(tag).string(value);
  writer
    .int(details.aggGroup)
    .string(details.underSymbol)
    .string(details.underSecType)
    .string(details.marketRuleIds)
    .string(details.realExpirationDate)
    .string(details.stockType)
    .decimal(formatNumber(details.minSize))
    .decimal(formatNumber(details.sizeIncrement))
    .decimal(formatNumber(details.suggestedSizeIncrement));
  // From 179 (FUND_DATA_FIELDS) 17 fund fields follow for secType FUND only; the simulator lists stocks and
  // ETFs, which IB types as STK, so they never apply (ContractDetails.secType is "STK").
  if (serverVersion >= ServerVersion.INELIGIBILITY_REASONS) {
    writer.int(details.ineligibilityReasons.length);
    for (const { id, description } of details.ineligibilityReasons) writer.string(id).string(description);
  }
  return writer.toFrame();
}

/** CONTRACT_DATA_END `[52, 1, reqId]`: every CONTRACT_DATA of a request has been sent. */
export function encodeContractDataEnd(serverVersion: number, reqId: number): Buffer {
  assertEncodable(serverVersion);
  return new MessageWriter().int(IncomingMessageId.CONTRACT_DATA_END).int(1).int(reqId).toFrame();
}

/** A number in JavaScript's shortest form, as TWS writes these contract fields (`0`, `0.0001`, `100`). */
function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new InvariantError(`contract field ${value} is not finite`);
  return String(value);
}

/** Refuses server versions whose layouts were not checked (ibkr-facts.md §1.6: 176 … 193). */
function assertEncodable(serverVersion: number): void {
  if (!isSupportedServerVersion(serverVersion)) {
    throw new InvariantError(`no contract data message layouts for server version ${serverVersion}`);
  }
}
