import { formatJavaDouble } from "./java-double.js";
import { IncomingMessageId } from "./message-ids.js";
import { MessageWriter } from "./message-writer.js";
import { assertOrderLayoutVersion } from "./order-messages.js";
import { ServerVersion } from "./server-versions.js";
import { UNSET_DOUBLE, UNSET_INTEGER } from "./unset-values.js";
import type { ReportedContract } from "./reported-contract.js";

// OPEN_ORDER (id 5) and COMPLETED_ORDER (id 101) for server versions 176…193: the field lists of
// ibkr-facts.md §2.3 and IB's EDecoder.processOpenOrderMsg / processCompletedOrderMsg. The simulator
// varies the fields of WireOrder; every other field carries the value a real TWS sent for a plain stock
// order in the captures quoted in the facts ([RUST] `src/orders/tests.rs`: `right` `?`, strike `0`,
// exemptCode −1, ocaType 3, deltaNeutralOrderType `None`, clearingIntent `IB`, nine margin fields
// Double.MAX_VALUE, …).

/** The contract an order message echoes (for stocks TWS sends right `?`). */
export type WireOrderContract = ReportedContract;

/** The order fields the simulator fills in; the rest of the layout is constant. */
export interface WireOrder {
  readonly action: string;
  /** Decimal text. */
  readonly totalQuantity: string;
  readonly orderType: string;
  /** TWS sends 0.0 for a market order; undefined is sent empty (unset). */
  readonly lmtPrice: number | undefined;
  readonly auxPrice: number | undefined;
  readonly tif: string;
  readonly ocaGroup: string;
  readonly account: string;
  readonly openClose: string;
  readonly origin: number;
  readonly orderRef: string;
  readonly clientId: number;
  readonly permId: number;
  readonly outsideRth: boolean;
  readonly hidden: boolean;
  readonly goodAfterTime: string;
  readonly goodTillDate: string;
  readonly modelCode: string;
  readonly parentId: number;
  readonly triggerMethod: number;
}

/** The order state part of OPEN_ORDER. */
export interface WireOrderState {
  readonly status: string;
  /** Undefined until TWS knows it (sent empty), then e.g. 1.0 after the fill (real capture). */
  readonly commission: number | undefined;
  readonly commissionCurrency: string;
  readonly warningText: string;
}

/** The values of one OPEN_ORDER. */
export interface OpenOrderMessage {
  readonly orderId: number;
  readonly contract: WireOrderContract;
  readonly order: WireOrder;
  readonly state: WireOrderState;
}

/** The values of one COMPLETED_ORDER (no order id or client id on the wire). */
export interface CompletedOrderMessage {
  readonly contract: WireOrderContract;
  readonly order: WireOrder;
  readonly status: string;
  /** Decimal text. */
  readonly filledQuantity: string;
  /** e.g. `20230306 12:28:30 America/Los_Angeles` in the real capture. */
  readonly completedTime: string;
  /** e.g. `Filled Size: 100` in the real capture. */
  readonly completedStatus: string;
}

/** What TWS sent for the PEG BEST/MID block (server version 170 and later) of a plain order at 173. */
const PEG_BLOCK = ["", "100", "0.02", "", ""] as const;

/** Java long Long.MAX_VALUE, which TWS sends as parentPermId of an order without parent. */
const NO_PARENT_PERM_ID = "9223372036854775807";

/**
 * OPEN_ORDER: 128 fields at server version 176 and 133 at 193 before the eight delta-neutral fields that
 * follow TWS's `None` deltaNeutralOrderType (136 / 141 in all; ibkr-facts.md §2.3).
 */
export function encodeOpenOrder(serverVersion: number, message: OpenOrderMessage): Buffer {
  assertOrderLayoutVersion(serverVersion);
  const { order, state } = message;
  const writer = new MessageWriter().int(IncomingMessageId.OPEN_ORDER).int(message.orderId);
  writeContract(writer, message.contract);
  writeOrderHead(writer, order);
  writer.int(order.clientId).long(order.permId).bool(order.outsideRth).bool(order.hidden);
  writer.string(compactDouble(0)).string(order.goodAfterTime); // discretionaryAmt, goodAfterTime
  // Deprecated sharesAllocation, which TWS still fills as `<permId>.0/<account>/<quantity>`.
  writer.string(`${order.permId}.0/${order.account}/${order.totalQuantity}`);
  writeFaFields(writer, serverVersion);
  writer.string(order.modelCode).string(order.goodTillDate);
  writer.string("").string("").string(""); // rule80A, percentOffset, settlingFirm
  writer.int(0).string("").int(-1).int(0); // shortSaleSlot, designatedLocation, exemptCode, auctionStrategy
  writeEmpty(writer, 5); // startingPrice, stockRefPrice, delta, stockRangeLower, stockRangeUpper
  writer.int(UNSET_INTEGER).bool(false).bool(false).bool(false); // displaySize, blockOrder, sweepToFill, allOrNone
  writer.string("").int(3).bool(false).bool(false).string(""); // minQty, ocaType, eTradeOnly, firmQuoteOnly, nbboPriceCap
  writer.int(order.parentId).int(order.triggerMethod);
  writer.string("").int(0).string("None").string(""); // volatility, volatilityType, deltaNeutralOrderType, auxPrice
  // The delta-neutral block follows because deltaNeutralOrderType is `None`, not empty.
  writer.int(0).string("").string("").string("").string("?").bool(false).int(0).string("");
  writer.int(0).int(0); // continuousUpdate, referencePriceType
  writeEmpty(writer, 4); // trailStopPrice, trailingPercent, basisPoints, basisPointsType
  writer.string("").int(0).int(0).int(0); // comboLegsDescrip, comboLegs, orderComboLegs, smartComboRoutingParams
  writer.int(UNSET_INTEGER).int(UNSET_INTEGER).string(""); // scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement
  writer.string("").bool(false).string("").string("IB").bool(false); // hedgeType, optOutSmartRouting, clearing…, notHeld
  writer.bool(false).string("").bool(false).bool(false); // deltaNeutralContract, algoStrategy, solicited, whatIf
  writer.string(state.status);
  for (let index = 0; index < 9; index++) writer.double(UNSET_DOUBLE); // margins before/change/after
  if (state.commission === undefined) writer.string("");
  else writer.double(state.commission);
  writer.string("").string(""); // minCommission, maxCommission
  writer.string(state.commissionCurrency).string(state.warningText);
  writer.bool(false).bool(false).int(0); // randomizeSize, randomizePrice, conditions
  writer.string("None"); // adjustedOrderType
  for (let index = 0; index < 6; index++) writer.double(UNSET_DOUBLE); // triggerPrice … adjustedTrailingAmount
  writer.int(0); // adjustableTrailingUnit
  writeEmpty(writer, 3); // softDollarTier name, value, displayName
  writer.string("0").bool(true).bool(false).bool(false).bool(false); // cashQty, dontUseAutoPriceForHedge, …
  writer.string("").string("").bool(false); // duration, postToAts, autoCancelParent
  for (const value of PEG_BLOCK) writer.string(value);
  if (serverVersion >= ServerVersion.CUSTOMER_ACCOUNT) writer.string("");
  if (serverVersion >= ServerVersion.PROFESSIONAL_CUSTOMER) writer.bool(false);
  if (serverVersion >= ServerVersion.BOND_ACCRUED_INTEREST) writer.string("");
  if (serverVersion >= ServerVersion.INCLUDE_OVERNIGHT) writer.bool(false);
  if (serverVersion >= ServerVersion.CME_TAGGING_FIELDS_IN_OPEN_ORDER) writer.string("").string("");
  return writer.toFrame();
}

/**
 * COMPLETED_ORDER in the reading order of IB's EDecoder.processCompletedOrderMsg (which reads every
 * version-gated order field, as its version is Integer.MAX_VALUE), with the values of the real capture
 * `101|265598|AAPL|STK||0|?||SMART|…|Filled Size: 100|`.
 */
export function encodeCompletedOrder(serverVersion: number, message: CompletedOrderMessage): Buffer {
  assertOrderLayoutVersion(serverVersion);
  const { order } = message;
  const writer = new MessageWriter().int(IncomingMessageId.COMPLETED_ORDER);
  writeContract(writer, message.contract);
  writeOrderHead(writer, order);
  writer.long(order.permId).bool(order.outsideRth).bool(order.hidden);
  writer.string(compactDouble(0)).string(order.goodAfterTime); // discretionaryAmt, goodAfterTime
  writeFaFields(writer, serverVersion);
  writer.string(order.modelCode).string(order.goodTillDate);
  writer.string("").string("").string(""); // rule80A, percentOffset, settlingFirm
  writer.int(0).string("").int(-1); // shortSaleSlot, designatedLocation, exemptCode
  writeEmpty(writer, 5); // startingPrice, stockRefPrice, delta, stockRangeLower, stockRangeUpper
  writer.int(UNSET_INTEGER).bool(false).bool(false).string("").int(3); // displaySize … ocaType
  writer.int(order.triggerMethod);
  writer.string("").int(0).string("None").string(""); // volatility, volatilityType, deltaNeutral type, aux
  writer.int(0).bool(false).int(0).string(""); // deltaNeutral conId, shortSale, shortSaleSlot, location
  writer.int(0).int(0); // continuousUpdate, referencePriceType
  writer.string("").string(""); // trailStopPrice, trailingPercent
  writer.string("").int(0).int(0).int(0); // comboLegsDescrip, comboLegs, orderComboLegs, smartCombo…
  writer.int(UNSET_INTEGER).int(UNSET_INTEGER).string(""); // scale sizes, scalePriceIncrement
  writer.string("").string("").string("IB").bool(false); // hedgeType, clearingAccount, clearingIntent, notHeld
  writer.bool(false).string("").bool(false); // deltaNeutralContract, algoStrategy, solicited
  writer.string(message.status);
  writer.bool(false).bool(false).int(0); // randomizeSize, randomizePrice, conditions
  writer.double(UNSET_DOUBLE).double(UNSET_DOUBLE); // trailStopPrice, lmtPriceOffset
  writer.string("0").bool(true).bool(false); // cashQty, dontUseAutoPriceForHedge, isOmsContainer
  writer.string("").decimal(message.filledQuantity).int(UNSET_INTEGER).bool(false); // autoCancelDate, …
  writer.string("Not an insider or substantial shareholder").bool(false).bool(false);
  writer.string(NO_PARENT_PERM_ID).string(message.completedTime).string(message.completedStatus);
  for (const value of PEG_BLOCK) writer.string(value);
  if (serverVersion >= ServerVersion.CUSTOMER_ACCOUNT) writer.string("");
  if (serverVersion >= ServerVersion.PROFESSIONAL_CUSTOMER) writer.bool(false);
  return writer.toFrame();
}

function writeContract(writer: MessageWriter, contract: WireOrderContract): void {
  writer
    .int(contract.conId)
    .string(contract.symbol)
    .string(contract.secType)
    .string(contract.lastTradeDateOrContractMonth)
    .string(compactDouble(contract.strike))
    .string(contract.right)
    .string(contract.multiplier)
    .string(contract.exchange)
    .string(contract.currency)
    .string(contract.localSymbol)
    .string(contract.tradingClass);
}

/** action … orderRef, the fields OPEN_ORDER and COMPLETED_ORDER share in the same order. */
function writeOrderHead(writer: MessageWriter, order: WireOrder): void {
  writer.string(order.action).decimal(order.totalQuantity).string(order.orderType);
  writeOptionalDouble(writer, order.lmtPrice);
  writeOptionalDouble(writer, order.auxPrice);
  writer
    .string(order.tif)
    .string(order.ocaGroup)
    .string(order.account)
    .string(order.openClose)
    .int(order.origin)
    .string(order.orderRef);
}

/** faGroup, faMethod, faPercentage, and faProfile below server version 177. */
function writeFaFields(writer: MessageWriter, serverVersion: number): void {
  writeEmpty(writer, serverVersion < ServerVersion.FA_PROFILE_DESUPPORT ? 4 : 3);
}

function writeEmpty(writer: MessageWriter, count: number): void {
  for (let index = 0; index < count; index++) writer.string("");
}

function writeOptionalDouble(writer: MessageWriter, value: number | undefined): void {
  if (value === undefined) writer.string("");
  else writer.double(value);
}

/** Strike and discretionaryAmt as TWS writes them in order messages: `0`, not `0.0`. */
function compactDouble(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e15 ? String(value) : formatJavaDouble(value);
}
