import type { RequestContract } from "./contract-data-requests.js";

// The values of a PLACE_ORDER request (id 3) at server versions 176…193, in the field order of
// ibkr-facts.md §2.6. Decoded by place-order-decoder.ts.

/** One leg of a BAG contract. */
export interface PlaceOrderComboLeg {
  readonly conId: number;
  readonly ratio: number;
  readonly action: string;
  readonly exchange: string;
  readonly openClose: number;
  readonly shortSaleSlot: number;
  readonly designatedLocation: string;
  readonly exemptCode: number;
}

/** A tag/value pair (smart combo routing params, algo params). */
export interface TagValue {
  readonly tag: string;
  readonly value: string;
}

/**
 * One order condition. `type` is IB's OrderConditionType: 1 price, 3 time, 4 margin, 5 execution,
 * 6 volume, 7 percent change; the fields each type carries are present, the others undefined.
 */
export interface PlaceOrderCondition {
  readonly type: number;
  /** "a" (and) or "o" (or). */
  readonly conjunction: string;
  readonly isMore: boolean | undefined;
  /** The threshold as sent (a number or a time text). */
  readonly value: string | undefined;
  readonly conId: number | undefined;
  readonly exchange: string | undefined;
  readonly triggerMethod: number | undefined;
  readonly secType: string | undefined;
  readonly symbol: string | undefined;
}

/** The contract half of a PLACE_ORDER. */
export interface PlaceOrderContract extends RequestContract {
  readonly secIdType: string;
  readonly secId: string;
  /** BAG contracts only. */
  readonly comboLegs: readonly PlaceOrderComboLeg[];
  readonly deltaNeutralContract:
    { readonly conId: number; readonly delta: number; readonly price: number } | undefined;
}

/** Delta-neutral order fields, present when deltaNeutralOrderType is not empty. */
export interface DeltaNeutralOrderFields {
  readonly conId: number;
  readonly settlingFirm: string;
  readonly clearingAccount: string;
  readonly clearingIntent: string;
  readonly openClose: string;
  readonly shortSale: boolean;
  readonly shortSaleSlot: number;
  readonly designatedLocation: string;
}

/** The seven scale fields sent when scalePriceIncrement is set and positive. */
export interface ScaleOrderFields {
  readonly priceAdjustValue: number | undefined;
  readonly priceAdjustInterval: number | undefined;
  readonly profitOffset: number | undefined;
  readonly autoReset: boolean;
  readonly initPosition: number | undefined;
  readonly initFillQty: number | undefined;
  readonly randomPercent: boolean;
}

/** PEG BENCH fields. */
export interface PeggedToBenchmarkFields {
  readonly referenceContractId: number;
  readonly isPeggedChangeAmountDecrease: boolean;
  readonly peggedChangeAmount: number;
  readonly referenceChangeAmount: number;
  readonly referenceExchangeId: string;
}

/** A decoded PLACE_ORDER: unset doubles and "Max" ints are undefined, "" reads as the field's default. */
export interface PlaceOrderRequest {
  readonly orderId: number;
  readonly contract: PlaceOrderContract;
  readonly action: string;
  /** Decimal text as sent, undefined when empty. */
  readonly totalQuantity: string | undefined;
  readonly orderType: string;
  readonly lmtPrice: number | undefined;
  readonly auxPrice: number | undefined;
  readonly tif: string;
  readonly ocaGroup: string;
  readonly account: string;
  readonly openClose: string;
  readonly origin: number;
  readonly orderRef: string;
  readonly transmit: boolean;
  readonly parentId: number;
  readonly blockOrder: boolean;
  readonly sweepToFill: boolean;
  readonly displaySize: number | undefined;
  readonly triggerMethod: number;
  readonly outsideRth: boolean;
  readonly hidden: boolean;
  readonly orderComboLegPrices: readonly (number | undefined)[];
  readonly smartComboRoutingParams: readonly TagValue[];
  readonly sharesAllocation: string;
  readonly discretionaryAmt: number;
  readonly goodAfterTime: string;
  readonly goodTillDate: string;
  readonly faGroup: string;
  readonly faMethod: string;
  readonly faPercentage: string;
  /** Server versions below 177 only (always "" from current clients). */
  readonly faProfile: string | undefined;
  readonly modelCode: string;
  readonly shortSaleSlot: number;
  readonly designatedLocation: string;
  /** Java clients send −1 when unset, @stoqey/ib sends "" (undefined here). */
  readonly exemptCode: number | undefined;
  readonly ocaType: number;
  readonly rule80A: string;
  readonly settlingFirm: string;
  readonly allOrNone: boolean;
  readonly minQty: number | undefined;
  readonly percentOffset: number | undefined;
  readonly eTradeOnly: boolean;
  readonly firmQuoteOnly: boolean;
  readonly nbboPriceCap: number | undefined;
  readonly auctionStrategy: number | undefined;
  readonly startingPrice: number | undefined;
  readonly stockRefPrice: number | undefined;
  readonly delta: number | undefined;
  readonly stockRangeLower: number | undefined;
  readonly stockRangeUpper: number | undefined;
  readonly overridePercentageConstraints: boolean;
  readonly volatility: number | undefined;
  readonly volatilityType: number | undefined;
  readonly deltaNeutralOrderType: string;
  readonly deltaNeutralAuxPrice: number | undefined;
  readonly deltaNeutral: DeltaNeutralOrderFields | undefined;
  readonly continuousUpdate: number;
  readonly referencePriceType: number | undefined;
  readonly trailStopPrice: number | undefined;
  readonly trailingPercent: number | undefined;
  readonly scaleInitLevelSize: number | undefined;
  readonly scaleSubsLevelSize: number | undefined;
  readonly scalePriceIncrement: number | undefined;
  readonly scale: ScaleOrderFields | undefined;
  readonly scaleTable: string;
  readonly activeStartTime: string;
  readonly activeStopTime: string;
  readonly hedgeType: string;
  readonly hedgeParam: string | undefined;
  readonly optOutSmartRouting: boolean;
  readonly clearingAccount: string;
  readonly clearingIntent: string;
  readonly notHeld: boolean;
  readonly algoStrategy: string;
  readonly algoParams: readonly TagValue[];
  readonly algoId: string;
  readonly whatIf: boolean;
  readonly orderMiscOptions: string;
  readonly solicited: boolean;
  readonly randomizeSize: boolean;
  readonly randomizePrice: boolean;
  readonly peggedToBenchmark: PeggedToBenchmarkFields | undefined;
  readonly conditions: readonly PlaceOrderCondition[];
  readonly conditionsIgnoreRth: boolean;
  readonly conditionsCancelOrder: boolean;
  readonly adjustedOrderType: string;
  readonly triggerPrice: number | undefined;
  readonly lmtPriceOffset: number | undefined;
  readonly adjustedStopPrice: number | undefined;
  readonly adjustedStopLimitPrice: number | undefined;
  readonly adjustedTrailingAmount: number | undefined;
  readonly adjustableTrailingUnit: number;
  readonly extOperator: string;
  readonly softDollarTierName: string;
  readonly softDollarTierValue: string;
  readonly cashQty: number | undefined;
  readonly mifid2DecisionMaker: string;
  readonly mifid2DecisionAlgo: string;
  readonly mifid2ExecutionTrader: string;
  readonly mifid2ExecutionAlgo: string;
  readonly dontUseAutoPriceForHedge: boolean;
  readonly isOmsContainer: boolean;
  readonly discretionaryUpToLimitPrice: boolean;
  readonly usePriceMgmtAlgo: boolean;
  readonly duration: number | undefined;
  readonly postToAts: number | undefined;
  readonly autoCancelParent: boolean;
  readonly advancedErrorOverride: string;
  readonly manualOrderTime: string;
  /** Sent only when the contract's exchange is IBKRATS. */
  readonly minTradeQty: number | undefined;
  /** PEG BEST only. */
  readonly minCompeteSize: number | undefined;
  /** PEG BEST only; Infinity means "compete up to mid". */
  readonly competeAgainstBestOffset: number | undefined;
  readonly midOffsetAtWhole: number | undefined;
  readonly midOffsetAtHalf: number | undefined;
  /** Server version 183 and later. */
  readonly customerAccount: string | undefined;
  /** Server version 184 and later. */
  readonly professionalCustomer: boolean | undefined;
  /** Server version 189 and later. */
  readonly includeOvernight: boolean | undefined;
  /** Server version 192 and later. */
  readonly manualOrderIndicator: number | undefined;
}
