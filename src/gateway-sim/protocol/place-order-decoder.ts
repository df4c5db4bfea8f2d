import { InvariantError } from "../../core/errors.js";
import { readRequestContract } from "./contract-data-requests.js";
import type { FieldReader } from "./field-reader.js";
import { ProtocolError } from "./protocol-error.js";
import type {
  DeltaNeutralOrderFields,
  PlaceOrderComboLeg,
  PlaceOrderCondition,
  PlaceOrderRequest,
  ScaleOrderFields,
  TagValue,
} from "./place-order-request.js";
import { MIN_SUPPORTED_SERVER_VERSION, ServerVersion } from "./server-versions.js";

// PLACE_ORDER (id 3) as sent at server versions 176…193 (ibkr-facts.md §2.6, field order of IB's
// EClient.placeOrder). Every field is decoded, including the conditional blocks (combo legs, delta
// neutral, scale, hedge, algo, PEG BENCH/BEST/MID, conditions), so that a request the simulator does not
// support is still read to its end and can be answered with an IB error instead of a 320.

const PEG_BENCH = new Set(["PEG BENCH", "PEGBENCH"]);
const PEG_BEST = new Set(["PEG BEST", "PEGBEST"]);
const PEG_MID = new Set(["PEG MID", "PEGMID"]);

/** IB's OrderConditionType values (IB's OrderCondition.writeTo decides each type's fields). */
export const OrderConditionType = {
  PRICE: 1,
  TIME: 3,
  MARGIN: 4,
  EXECUTION: 5,
  VOLUME: 6,
  PERCENT_CHANGE: 7,
} as const;

/** True for PEG BENCH order types, which carry five extra fields (ibkr-facts.md §2.6). */
export function isPegBenchOrderType(orderType: string): boolean {
  return PEG_BENCH.has(orderType.toUpperCase());
}

/** True for PEG BEST order types. */
export function isPegBestOrderType(orderType: string): boolean {
  return PEG_BEST.has(orderType.toUpperCase());
}

/** True for PEG MID order types. */
export function isPegMidOrderType(orderType: string): boolean {
  return PEG_MID.has(orderType.toUpperCase());
}

/**
 * Reads a PLACE_ORDER after its message id, for `serverVersion` 176…193 (no version field from 145).
 * Throws a ProtocolError when a field is missing or not a number where one is due.
 */
export function decodePlaceOrder(request: FieldReader, serverVersion: number): PlaceOrderRequest {
  if (serverVersion < MIN_SUPPORTED_SERVER_VERSION || serverVersion >= ServerVersion.ERROR_TIME) {
    throw new InvariantError(`no PLACE_ORDER layout for server version ${serverVersion}`);
  }
  // Object literals evaluate their properties in source order, so each block below reads its fields in
  // wire order; blocks that depend on earlier values (BAG legs, PEG types, …) come after them.
  const orderId = request.readInt();
  const contract = {
    ...readRequestContract(request),
    secIdType: request.readString(),
    secId: request.readString(),
  };
  const main = {
    action: request.readString(),
    totalQuantity: request.readDecimal(),
    orderType: request.readString(),
    lmtPrice: request.readDoubleOrUnset(),
    auxPrice: request.readDoubleOrUnset(),
    tif: request.readString(),
    ocaGroup: request.readString(),
    account: request.readString(),
    openClose: request.readString(),
    origin: request.readInt(),
    orderRef: request.readString(),
    transmit: request.readBool(),
    parentId: request.readInt(),
    blockOrder: request.readBool(),
    sweepToFill: request.readBool(),
    displaySize: request.readIntOrUnset(),
    triggerMethod: request.readInt(),
    outsideRth: request.readBool(),
    hidden: request.readBool(),
  };
  const isBag = contract.secType.toUpperCase() === "BAG";
  const combo = {
    comboLegs: isBag ? readList(request, () => readComboLeg(request)) : [],
    orderComboLegPrices: isBag ? readList(request, () => request.readDoubleOrUnset()) : [],
    smartComboRoutingParams: isBag ? readList(request, () => readTagValue(request)) : [],
  };
  const extended = {
    sharesAllocation: request.readString(),
    discretionaryAmt: request.readDouble(),
    goodAfterTime: request.readString(),
    goodTillDate: request.readString(),
    faGroup: request.readString(),
    faMethod: request.readString(),
    faPercentage: request.readString(),
    faProfile: serverVersion < ServerVersion.FA_PROFILE_DESUPPORT ? request.readString() : undefined,
    modelCode: request.readString(),
    shortSaleSlot: request.readInt(),
    designatedLocation: request.readString(),
    exemptCode: readIntOrEmpty(request),
    ocaType: request.readInt(),
    rule80A: request.readString(),
    settlingFirm: request.readString(),
    allOrNone: request.readBool(),
    minQty: request.readIntOrUnset(),
    percentOffset: request.readDoubleOrUnset(),
    eTradeOnly: request.readBool(),
    firmQuoteOnly: request.readBool(),
    nbboPriceCap: request.readDoubleOrUnset(),
    auctionStrategy: request.readIntOrUnset(),
    startingPrice: request.readDoubleOrUnset(),
    stockRefPrice: request.readDoubleOrUnset(),
    delta: request.readDoubleOrUnset(),
    stockRangeLower: request.readDoubleOrUnset(),
    stockRangeUpper: request.readDoubleOrUnset(),
    overridePercentageConstraints: request.readBool(),
    volatility: request.readDoubleOrUnset(),
    volatilityType: request.readIntOrUnset(),
    deltaNeutralOrderType: request.readString(),
    deltaNeutralAuxPrice: request.readDoubleOrUnset(),
  };
  const volatilityTail = {
    deltaNeutral: extended.deltaNeutralOrderType === "" ? undefined : readDeltaNeutral(request),
    continuousUpdate: request.readInt(),
    referencePriceType: request.readIntOrUnset(),
    trailStopPrice: request.readDoubleOrUnset(),
    trailingPercent: request.readDoubleOrUnset(),
    scaleInitLevelSize: request.readIntOrUnset(),
    scaleSubsLevelSize: request.readIntOrUnset(),
    scalePriceIncrement: request.readDoubleOrUnset(),
  };
  const increment = volatilityTail.scalePriceIncrement;
  // IB sends the other seven scale fields only for a set, positive increment. (@stoqey/ib also sends them
  // for an increment of 0, which TWS would misread the same way; ibkr-facts.md §2.6.)
  const scale = increment !== undefined && increment > 0 ? readScale(request) : undefined;
  const routing = {
    scaleTable: request.readString(),
    activeStartTime: request.readString(),
    activeStopTime: request.readString(),
    hedgeType: request.readString(),
  };
  const hedgeParam = routing.hedgeType === "" ? undefined : request.readString();
  const clearing = {
    optOutSmartRouting: request.readBool(),
    clearingAccount: request.readString(),
    clearingIntent: request.readString(),
    notHeld: request.readBool(),
  };
  const deltaNeutralContract = request.readBool()
    ? { conId: request.readInt(), delta: request.readDouble(), price: request.readDouble() }
    : undefined;
  const algoStrategy = request.readString();
  const algo = {
    algoStrategy,
    algoParams: algoStrategy === "" ? [] : readList(request, () => readTagValue(request)),
    algoId: request.readString(),
    whatIf: request.readBool(),
    orderMiscOptions: request.readString(),
    solicited: request.readBool(),
    randomizeSize: request.readBool(),
    randomizePrice: request.readBool(),
  };
  const peggedToBenchmark = isPegBenchOrderType(main.orderType)
    ? {
        referenceContractId: request.readInt(),
        isPeggedChangeAmountDecrease: request.readBool(),
        peggedChangeAmount: request.readDouble(),
        referenceChangeAmount: request.readDouble(),
        referenceExchangeId: request.readString(),
      }
    : undefined;
  const conditions = readList(request, () => readCondition(request));
  const conditionFlags = {
    conditionsIgnoreRth: conditions.length > 0 ? request.readBool() : false,
    conditionsCancelOrder: conditions.length > 0 ? request.readBool() : false,
  };
  const adjusted = {
    adjustedOrderType: request.readString(),
    triggerPrice: request.readDoubleOrUnset(),
    lmtPriceOffset: request.readDoubleOrUnset(),
    adjustedStopPrice: request.readDoubleOrUnset(),
    adjustedStopLimitPrice: request.readDoubleOrUnset(),
    adjustedTrailingAmount: request.readDoubleOrUnset(),
    adjustableTrailingUnit: request.readInt(),
    extOperator: request.readString(),
    softDollarTierName: request.readString(),
    softDollarTierValue: request.readString(),
    cashQty: request.readDoubleOrUnset(),
    mifid2DecisionMaker: request.readString(),
    mifid2DecisionAlgo: request.readString(),
    mifid2ExecutionTrader: request.readString(),
    mifid2ExecutionAlgo: request.readString(),
    dontUseAutoPriceForHedge: request.readBool(),
    isOmsContainer: request.readBool(),
    discretionaryUpToLimitPrice: request.readBool(),
    usePriceMgmtAlgo: request.readBool(),
    duration: request.readIntOrUnset(),
    postToAts: request.readIntOrUnset(),
    autoCancelParent: request.readBool(),
    advancedErrorOverride: request.readString(),
    manualOrderTime: request.readString(),
  };
  // PEG BEST / PEG MID block (server version 170 and later, so always present here).
  const minTradeQty = contract.exchange === "IBKRATS" ? request.readIntOrUnset() : undefined;
  const pegBest = isPegBestOrderType(main.orderType);
  const minCompeteSize = pegBest ? request.readIntOrUnset() : undefined;
  const competeAgainstBestOffset = pegBest ? readDoubleAllowingInfinity(request) : undefined;
  const sendsMidOffsets =
    (pegBest && competeAgainstBestOffset === Number.POSITIVE_INFINITY) || isPegMidOrderType(main.orderType);
  const peg = {
    minTradeQty,
    minCompeteSize,
    competeAgainstBestOffset,
    midOffsetAtWhole: sendsMidOffsets ? request.readDoubleOrUnset() : undefined,
    midOffsetAtHalf: sendsMidOffsets ? request.readDoubleOrUnset() : undefined,
  };
  const customerAccount = serverVersion >= ServerVersion.CUSTOMER_ACCOUNT ? request.readString() : undefined;
  const professionalCustomer =
    serverVersion >= ServerVersion.PROFESSIONAL_CUSTOMER ? request.readBool() : undefined;
  if (serverVersion >= ServerVersion.RFQ_FIELDS && serverVersion < ServerVersion.UNDO_RFQ_FIELDS) {
    request.readString();
    request.readIntOrUnset();
  }
  const includeOvernight = serverVersion >= ServerVersion.INCLUDE_OVERNIGHT ? request.readBool() : undefined;
  const manualOrderIndicator =
    serverVersion >= ServerVersion.CME_TAGGING_FIELDS ? request.readIntOrUnset() : undefined;

  return {
    orderId,
    contract: { ...contract, comboLegs: combo.comboLegs, deltaNeutralContract },
    ...main,
    orderComboLegPrices: combo.orderComboLegPrices,
    smartComboRoutingParams: combo.smartComboRoutingParams,
    ...extended,
    ...volatilityTail,
    scale,
    ...routing,
    hedgeParam,
    ...clearing,
    ...algo,
    peggedToBenchmark,
    conditions,
    ...conditionFlags,
    ...adjusted,
    ...peg,
    customerAccount,
    professionalCustomer,
    includeOvernight,
    manualOrderIndicator,
  };
}

/** Most entries a count field may announce; a larger count is a malformed request, not a huge allocation. */
const MAX_LIST_LENGTH = 1000;

function readList<T>(request: FieldReader, readItem: () => T): T[] {
  const count = request.readInt();
  if (count < 0 || count > MAX_LIST_LENGTH) {
    throw new ProtocolError("bad-number", `list length ${count} is outside 0..${MAX_LIST_LENGTH}`);
  }
  const items: T[] = [];
  for (let index = 0; index < count; index++) items.push(readItem());
  return items;
}

function readComboLeg(request: FieldReader): PlaceOrderComboLeg {
  return {
    conId: request.readInt(),
    ratio: request.readInt(),
    action: request.readString(),
    exchange: request.readString(),
    openClose: request.readInt(),
    shortSaleSlot: request.readInt(),
    designatedLocation: request.readString(),
    exemptCode: request.readInt(),
  };
}

function readTagValue(request: FieldReader): TagValue {
  return { tag: request.readString(), value: request.readString() };
}

function readDeltaNeutral(request: FieldReader): DeltaNeutralOrderFields {
  return {
    conId: request.readInt(),
    settlingFirm: request.readString(),
    clearingAccount: request.readString(),
    clearingIntent: request.readString(),
    openClose: request.readString(),
    shortSale: request.readBool(),
    shortSaleSlot: request.readInt(),
    designatedLocation: request.readString(),
  };
}

function readScale(request: FieldReader): ScaleOrderFields {
  return {
    priceAdjustValue: request.readDoubleOrUnset(),
    priceAdjustInterval: request.readIntOrUnset(),
    profitOffset: request.readDoubleOrUnset(),
    autoReset: request.readBool(),
    initPosition: request.readIntOrUnset(),
    initFillQty: request.readIntOrUnset(),
    randomPercent: request.readBool(),
  };
}

function readCondition(request: FieldReader): PlaceOrderCondition {
  const type = request.readInt();
  const conjunction = request.readString();
  const none = {
    isMore: undefined,
    value: undefined,
    conId: undefined,
    exchange: undefined,
    triggerMethod: undefined,
    secType: undefined,
    symbol: undefined,
  };
  switch (type) {
    case OrderConditionType.EXECUTION:
      return {
        ...none,
        type,
        conjunction,
        secType: request.readString(),
        exchange: request.readString(),
        symbol: request.readString(),
      };
    case OrderConditionType.TIME:
    case OrderConditionType.MARGIN:
      return { ...none, type, conjunction, isMore: request.readBool(), value: request.readString() };
    case OrderConditionType.VOLUME:
    case OrderConditionType.PERCENT_CHANGE:
      return {
        ...none,
        type,
        conjunction,
        isMore: request.readBool(),
        value: request.readString(),
        conId: request.readInt(),
        exchange: request.readString(),
      };
    case OrderConditionType.PRICE:
      return {
        ...none,
        type,
        conjunction,
        isMore: request.readBool(),
        value: request.readString(),
        conId: request.readInt(),
        exchange: request.readString(),
        triggerMethod: request.readInt(),
      };
    default:
      throw new ProtocolError("bad-number", `order condition type ${type} is not one IB defines`);
  }
}

/** An int where "" is undefined (not 0): exemptCode's default is −1, which @stoqey/ib leaves empty. */
function readIntOrEmpty(request: FieldReader): number | undefined {
  const text = request.readString();
  if (text === "") return undefined;
  if (!/^[+-]?\d+$/.test(text))
    throw new ProtocolError("bad-number", `${JSON.stringify(text)} is not an int`);
  return Number(text);
}

/** competeAgainstBestOffset: Java writes Double.POSITIVE_INFINITY as "Infinity" for "up to mid". */
function readDoubleAllowingInfinity(request: FieldReader): number | undefined {
  const text = request.readString();
  if (text === "Infinity") return Number.POSITIVE_INFINITY;
  if (text === "") return undefined;
  const value = Number(text);
  if (!Number.isFinite(value))
    throw new ProtocolError("bad-number", `${JSON.stringify(text)} is not a number`);
  return value === Number.MAX_VALUE ? undefined : value;
}
