import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FieldReader } from "./field-reader.js";
import { formatJavaDouble } from "./java-double.js";
import {
  decodePlaceOrder,
  isPegBenchOrderType,
  isPegBestOrderType,
  isPegMidOrderType,
} from "./place-order-decoder.js";
import type { PlaceOrderCondition, PlaceOrderRequest, TagValue } from "./place-order-request.js";
import { ProtocolError } from "./protocol-error.js";
import { ServerVersion } from "./server-versions.js";

// What @stoqey/ib 1.6.10 sent (fields after the message id) for placeOrder(1001, AAPL STK SMART USD,
// { BUY 100 LMT 150.25 GTC, account DU1234567, orderRef "intent-7", transmit true }), captured from the real
// client against the simulator: 115 fields with the id at server version 176, 118 at 193.
const STOQEY_LMT_HEAD = ["1001", "", "AAPL", "STK", "", "", "", "", "SMART", "", "USD", "", "", "", ""];
const STOQEY_LMT_ORDER = ["BUY", "100", "LMT", "150.25", "", "GTC", "", "DU1234567", "", "", "intent-7", "1"];
function stoqeyLimitOrderFields(serverVersion: number): string[] {
  const empties = (count: number): string[] => Array.from({ length: count }, () => "");
  // parentId … notHeld: all left undefined, so empty; faProfile is sent below server version 177 only.
  const beforeDeltaNeutral = empties(serverVersion < ServerVersion.FA_PROFILE_DESUPPORT ? 54 : 53);
  // After conditionsCount: adjusted fields … manualOrderTime (24), then the version-gated tail.
  const tail =
    24 +
    (serverVersion >= 183 ? 1 : 0) +
    (serverVersion >= 184 ? 1 : 0) +
    (serverVersion >= 189 ? 1 : 0) +
    (serverVersion >= 192 ? 1 : 0);
  return [
    ...STOQEY_LMT_HEAD,
    ...STOQEY_LMT_ORDER,
    ...beforeDeltaNeutral,
    "0", // deltaNeutralContract flag (stoqey sends false as 0)
    ...empties(7), // algoStrategy … randomizePrice
    "0", // conditionsCount
    ...empties(tail),
  ];
}

describe("decodePlaceOrder", () => {
  it.each([176, 193])(
    "reads every field @stoqey/ib sends for a GTC limit order at server version %i",
    (sv) => {
      const fields = stoqeyLimitOrderFields(sv);
      expect(fields.length + 1).toBe(sv === 176 ? 115 : 118); // with the message id (ibkr-facts.md §2.6)
      const reader = new FieldReader(fields);
      const order = decodePlaceOrder(reader, sv);
      expect(reader.remaining).toBe(0);
      expect(order).toMatchObject({
        orderId: 1001,
        contract: { conId: 0, symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD", strike: 0 },
        action: "BUY",
        totalQuantity: "100",
        orderType: "LMT",
        lmtPrice: 150.25,
        auxPrice: undefined,
        tif: "GTC",
        account: "DU1234567",
        orderRef: "intent-7",
        transmit: true,
        exemptCode: undefined,
        conditions: [],
        faProfile: sv < 177 ? "" : undefined,
        customerAccount: sv >= 183 ? "" : undefined,
        manualOrderIndicator: undefined,
      });
    },
  );

  it("reads the RFQ pair only between server versions 187 and 189", () => {
    const at187 = [...stoqeyLimitOrderFields(186), "", "2147483647"];
    const reader = new FieldReader(at187);
    decodePlaceOrder(reader, 187);
    expect(reader.remaining).toBe(0);
  });

  it("reports a missing field as a protocol error", () => {
    const fields = stoqeyLimitOrderFields(193).slice(0, -1);
    expect(() => decodePlaceOrder(new FieldReader(fields), 193)).toThrow(ProtocolError);
  });

  it("refuses an absurd list length instead of allocating it", () => {
    const fields = stoqeyLimitOrderFields(193);
    fields[3] = "BAG";
    fields.splice(35, 0, "99999999");
    expect(() => decodePlaceOrder(new FieldReader(fields), 193)).toThrow(ProtocolError);
  });

  it("gives back every value a client encodes in IB's layout (seed 42)", () => {
    fc.assert(
      fc.property(
        anyServerVersion.chain((sv) => fc.tuple(fc.constant(sv), anyPlaceOrder(sv))),
        ([sv, order]) => {
          const reader = new FieldReader(encodePlaceOrderLikeIb(order, sv));
          expect(decodePlaceOrder(reader, sv)).toEqual(order);
          expect(reader.remaining).toBe(0);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});

// --- A client-side PLACE_ORDER encoder in the field order of IB's EClient.placeOrder (test only) ---

const anyServerVersion = fc.constantFrom(176, 178, 183, 184, 187, 189, 190, 192, 193);

function int(value: number): string {
  return String(value);
}
function intMax(value: number | undefined): string {
  return value === undefined ? "" : String(value);
}
function dbl(value: number): string {
  return formatJavaDouble(value);
}
function dblMax(value: number | undefined): string {
  return value === undefined ? "" : formatJavaDouble(value);
}
function bool(value: boolean): string {
  return value ? "1" : "0";
}

function encodePlaceOrderLikeIb(o: PlaceOrderRequest, sv: number): string[] {
  const c = o.contract;
  const f: string[] = [int(o.orderId), int(c.conId), c.symbol, c.secType, c.lastTradeDateOrContractMonth];
  f.push(dbl(c.strike), c.right, c.multiplier, c.exchange, c.primaryExchange, c.currency, c.localSymbol);
  f.push(c.tradingClass, c.secIdType, c.secId, o.action, o.totalQuantity ?? "", o.orderType);
  f.push(dblMax(o.lmtPrice), dblMax(o.auxPrice), o.tif, o.ocaGroup, o.account, o.openClose, int(o.origin));
  f.push(o.orderRef, bool(o.transmit), int(o.parentId), bool(o.blockOrder), bool(o.sweepToFill));
  f.push(intMax(o.displaySize), int(o.triggerMethod), bool(o.outsideRth), bool(o.hidden));
  if (c.secType === "BAG") {
    f.push(int(c.comboLegs.length));
    for (const leg of c.comboLegs) {
      f.push(int(leg.conId), int(leg.ratio), leg.action, leg.exchange, int(leg.openClose));
      f.push(int(leg.shortSaleSlot), leg.designatedLocation, int(leg.exemptCode));
    }
    f.push(int(o.orderComboLegPrices.length), ...o.orderComboLegPrices.map(dblMax));
    f.push(int(o.smartComboRoutingParams.length), ...tagValues(o.smartComboRoutingParams));
  }
  f.push(o.sharesAllocation, dbl(o.discretionaryAmt), o.goodAfterTime, o.goodTillDate);
  f.push(o.faGroup, o.faMethod, o.faPercentage);
  if (sv < ServerVersion.FA_PROFILE_DESUPPORT) f.push(o.faProfile ?? "");
  f.push(o.modelCode, int(o.shortSaleSlot), o.designatedLocation, intMax(o.exemptCode), int(o.ocaType));
  f.push(o.rule80A, o.settlingFirm, bool(o.allOrNone), intMax(o.minQty), dblMax(o.percentOffset));
  f.push(bool(o.eTradeOnly), bool(o.firmQuoteOnly), dblMax(o.nbboPriceCap), intMax(o.auctionStrategy));
  f.push(dblMax(o.startingPrice), dblMax(o.stockRefPrice), dblMax(o.delta), dblMax(o.stockRangeLower));
  f.push(dblMax(o.stockRangeUpper), bool(o.overridePercentageConstraints), dblMax(o.volatility));
  f.push(intMax(o.volatilityType), o.deltaNeutralOrderType, dblMax(o.deltaNeutralAuxPrice));
  if (o.deltaNeutral !== undefined) {
    const d = o.deltaNeutral;
    f.push(int(d.conId), d.settlingFirm, d.clearingAccount, d.clearingIntent, d.openClose);
    f.push(bool(d.shortSale), int(d.shortSaleSlot), d.designatedLocation);
  }
  f.push(int(o.continuousUpdate), intMax(o.referencePriceType), dblMax(o.trailStopPrice));
  f.push(dblMax(o.trailingPercent), intMax(o.scaleInitLevelSize), intMax(o.scaleSubsLevelSize));
  f.push(dblMax(o.scalePriceIncrement));
  if (o.scale !== undefined) {
    const s = o.scale;
    f.push(dblMax(s.priceAdjustValue), intMax(s.priceAdjustInterval), dblMax(s.profitOffset));
    f.push(bool(s.autoReset), intMax(s.initPosition), intMax(s.initFillQty), bool(s.randomPercent));
  }
  f.push(o.scaleTable, o.activeStartTime, o.activeStopTime, o.hedgeType);
  if (o.hedgeParam !== undefined) f.push(o.hedgeParam);
  f.push(bool(o.optOutSmartRouting), o.clearingAccount, o.clearingIntent, bool(o.notHeld));
  const dn = c.deltaNeutralContract;
  f.push(bool(dn !== undefined));
  if (dn !== undefined) f.push(int(dn.conId), dbl(dn.delta), dbl(dn.price));
  f.push(o.algoStrategy);
  if (o.algoStrategy !== "") f.push(int(o.algoParams.length), ...tagValues(o.algoParams));
  f.push(o.algoId, bool(o.whatIf), o.orderMiscOptions, bool(o.solicited));
  f.push(bool(o.randomizeSize), bool(o.randomizePrice));
  const peg = o.peggedToBenchmark;
  if (peg !== undefined) {
    f.push(int(peg.referenceContractId), bool(peg.isPeggedChangeAmountDecrease));
    f.push(dbl(peg.peggedChangeAmount), dbl(peg.referenceChangeAmount), peg.referenceExchangeId);
  }
  f.push(int(o.conditions.length));
  if (o.conditions.length > 0) {
    for (const condition of o.conditions) f.push(...conditionFields(condition));
    f.push(bool(o.conditionsIgnoreRth), bool(o.conditionsCancelOrder));
  }
  f.push(o.adjustedOrderType, dblMax(o.triggerPrice), dblMax(o.lmtPriceOffset), dblMax(o.adjustedStopPrice));
  f.push(dblMax(o.adjustedStopLimitPrice), dblMax(o.adjustedTrailingAmount), int(o.adjustableTrailingUnit));
  f.push(o.extOperator, o.softDollarTierName, o.softDollarTierValue, dblMax(o.cashQty));
  f.push(o.mifid2DecisionMaker, o.mifid2DecisionAlgo, o.mifid2ExecutionTrader, o.mifid2ExecutionAlgo);
  f.push(bool(o.dontUseAutoPriceForHedge), bool(o.isOmsContainer), bool(o.discretionaryUpToLimitPrice));
  f.push(bool(o.usePriceMgmtAlgo), intMax(o.duration), intMax(o.postToAts), bool(o.autoCancelParent));
  f.push(o.advancedErrorOverride, o.manualOrderTime);
  if (c.exchange === "IBKRATS") f.push(intMax(o.minTradeQty));
  if (isPegBestOrderType(o.orderType)) {
    const offset = o.competeAgainstBestOffset;
    f.push(intMax(o.minCompeteSize), offset === Number.POSITIVE_INFINITY ? "Infinity" : dblMax(offset));
  }
  if (sendsMidOffsets(o)) {
    f.push(dblMax(o.midOffsetAtWhole), dblMax(o.midOffsetAtHalf));
  }
  if (sv >= ServerVersion.CUSTOMER_ACCOUNT) f.push(o.customerAccount ?? "");
  if (sv >= ServerVersion.PROFESSIONAL_CUSTOMER) f.push(bool(o.professionalCustomer ?? false));
  if (sv >= ServerVersion.RFQ_FIELDS && sv < ServerVersion.UNDO_RFQ_FIELDS) f.push("", "2147483647");
  if (sv >= ServerVersion.INCLUDE_OVERNIGHT) f.push(bool(o.includeOvernight ?? false));
  if (sv >= ServerVersion.CME_TAGGING_FIELDS) f.push(intMax(o.manualOrderIndicator));
  return f;
}

function sendsMidOffsets(o: PlaceOrderRequest): boolean {
  return (
    (isPegBestOrderType(o.orderType) && o.competeAgainstBestOffset === Number.POSITIVE_INFINITY) ||
    isPegMidOrderType(o.orderType)
  );
}

function tagValues(pairs: readonly TagValue[]): string[] {
  return pairs.flatMap((pair) => [pair.tag, pair.value]);
}

function conditionFields(c: PlaceOrderCondition): string[] {
  const head = [int(c.type), c.conjunction];
  const operator = [bool(c.isMore ?? false), c.value ?? ""];
  switch (c.type) {
    case 1:
      return [...head, ...operator, int(c.conId ?? 0), c.exchange ?? "", int(c.triggerMethod ?? 0)];
    case 5:
      return [...head, c.secType ?? "", c.exchange ?? "", c.symbol ?? ""];
    case 6:
    case 7:
      return [...head, ...operator, int(c.conId ?? 0), c.exchange ?? ""];
    default:
      return [...head, ...operator];
  }
}

// --- Arbitraries: every value consistent with the blocks its neighbours switch on ---

const text = fc.string({
  unit: fc.constantFrom(...Array.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789 .-_/:")),
  maxLength: 12,
});
const nonEmptyText = text.filter((value) => value !== "");
const int32 = fc.integer({ min: -2_147_483_648, max: 2_147_483_647 });
const intOrUnset = fc.option(fc.integer({ min: -2_147_483_648, max: 2_147_483_646 }), { nil: undefined });
const double = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .filter((value) => value !== Number.MAX_VALUE);
const doubleOrUnset = fc.option(double, { nil: undefined });
const decimalText = fc.option(fc.constantFrom("100", "1", "0.5", "12.25", "1e-7", "2500000"), {
  nil: undefined,
});

const condition: fc.Arbitrary<PlaceOrderCondition> = fc.oneof(
  fc
    .record({
      conjunction: fc.constantFrom("a", "o"),
      isMore: fc.boolean(),
      value: nonEmptyText,
      conId: int32,
      exchange: text,
      triggerMethod: int32,
    })
    .map((c) => ({ type: 1, secType: undefined, symbol: undefined, ...c })),
  fc
    .record({
      type: fc.constantFrom(3, 4),
      conjunction: fc.constantFrom("a", "o"),
      isMore: fc.boolean(),
      value: nonEmptyText,
    })
    .map((c) => ({
      conId: undefined,
      exchange: undefined,
      triggerMethod: undefined,
      secType: undefined,
      symbol: undefined,
      ...c,
    })),
  fc
    .record({ conjunction: fc.constantFrom("a", "o"), secType: text, exchange: text, symbol: text })
    .map((c) => ({
      type: 5,
      isMore: undefined,
      value: undefined,
      conId: undefined,
      triggerMethod: undefined,
      ...c,
    })),
  fc
    .record({
      type: fc.constantFrom(6, 7),
      conjunction: fc.constantFrom("a", "o"),
      isMore: fc.boolean(),
      value: nonEmptyText,
      conId: int32,
      exchange: text,
    })
    .map((c) => ({ triggerMethod: undefined, secType: undefined, symbol: undefined, ...c })),
);

const tagValue = fc.record({ tag: text, value: text });

function anyPlaceOrder(sv: number): fc.Arbitrary<PlaceOrderRequest> {
  const head = fc.record({
    orderId: int32,
    secType: fc.constantFrom("STK", "BAG", "OPT", ""),
    exchange: fc.constantFrom("SMART", "IBKRATS", "ISLAND", ""),
    orderType: fc.constantFrom("MKT", "LMT", "STP", "PEG BENCH", "PEGBENCH", "PEG BEST", "PEG MID", "REL"),
    deltaNeutralOrderType: fc.constantFrom("", "None", "MKT"),
    hedgeType: fc.constantFrom("", "D", "B"),
    algoStrategy: fc.constantFrom("", "Adaptive"),
    scalePriceIncrement: fc.option(
      fc.oneof(
        fc.constant(0),
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        fc.double({ min: -5, max: -0.01, noNaN: true }),
      ),
      { nil: undefined },
    ),
    competeAgainstBestOffset: fc.option(fc.oneof(fc.constant(Number.POSITIVE_INFINITY), double), {
      nil: undefined,
    }),
    conditions: fc.array(condition, { maxLength: 3 }),
  });
  return head.chain((h) => {
    const isBag = h.secType === "BAG";
    const pegBest = isPegBestOrderType(h.orderType);
    const midOffsets =
      (pegBest && h.competeAgainstBestOffset === Number.POSITIVE_INFINITY) || isPegMidOrderType(h.orderType);
    const contract = fc.record({
      conId: int32,
      symbol: text,
      secType: fc.constant(h.secType),
      lastTradeDateOrContractMonth: text,
      strike: double,
      right: text,
      multiplier: text,
      exchange: fc.constant(h.exchange),
      primaryExchange: text,
      currency: text,
      localSymbol: text,
      tradingClass: text,
      secIdType: text,
      secId: text,
      comboLegs: isBag
        ? fc.array(
            fc.record({
              conId: int32,
              ratio: int32,
              action: text,
              exchange: text,
              openClose: int32,
              shortSaleSlot: int32,
              designatedLocation: text,
              exemptCode: int32,
            }),
            { maxLength: 3 },
          )
        : fc.constant([]),
      deltaNeutralContract: fc.option(fc.record({ conId: int32, delta: double, price: double }), {
        nil: undefined,
      }),
    });
    const main = fc.record({
      contract,
      action: text,
      totalQuantity: decimalText,
      lmtPrice: doubleOrUnset,
      auxPrice: doubleOrUnset,
      tif: text,
      ocaGroup: text,
      account: text,
      openClose: text,
      origin: int32,
      orderRef: text,
      transmit: fc.boolean(),
      parentId: int32,
      blockOrder: fc.boolean(),
      sweepToFill: fc.boolean(),
      displaySize: intOrUnset,
      triggerMethod: int32,
      outsideRth: fc.boolean(),
      hidden: fc.boolean(),
      orderComboLegPrices: isBag ? fc.array(doubleOrUnset, { maxLength: 3 }) : fc.constant([]),
      smartComboRoutingParams: isBag ? fc.array(tagValue, { maxLength: 2 }) : fc.constant([]),
      sharesAllocation: text,
      discretionaryAmt: double,
      goodAfterTime: text,
      goodTillDate: text,
      faGroup: text,
      faMethod: text,
      faPercentage: text,
      faProfile: sv < 177 ? text : fc.constant(undefined),
      modelCode: text,
      shortSaleSlot: int32,
      designatedLocation: text,
      exemptCode: intOrUnset,
      ocaType: int32,
      rule80A: text,
      settlingFirm: text,
      allOrNone: fc.boolean(),
      minQty: intOrUnset,
      percentOffset: doubleOrUnset,
      eTradeOnly: fc.boolean(),
      firmQuoteOnly: fc.boolean(),
      nbboPriceCap: doubleOrUnset,
      auctionStrategy: intOrUnset,
      startingPrice: doubleOrUnset,
      stockRefPrice: doubleOrUnset,
      delta: doubleOrUnset,
      stockRangeLower: doubleOrUnset,
      stockRangeUpper: doubleOrUnset,
      overridePercentageConstraints: fc.boolean(),
      volatility: doubleOrUnset,
      volatilityType: intOrUnset,
    });
    const rest = fc.record({
      deltaNeutralAuxPrice: doubleOrUnset,
      deltaNeutral:
        h.deltaNeutralOrderType === ""
          ? fc.constant(undefined)
          : fc.record({
              conId: int32,
              settlingFirm: text,
              clearingAccount: text,
              clearingIntent: text,
              openClose: text,
              shortSale: fc.boolean(),
              shortSaleSlot: int32,
              designatedLocation: text,
            }),
      continuousUpdate: int32,
      referencePriceType: intOrUnset,
      trailStopPrice: doubleOrUnset,
      trailingPercent: doubleOrUnset,
      scaleInitLevelSize: intOrUnset,
      scaleSubsLevelSize: intOrUnset,
      scale:
        h.scalePriceIncrement !== undefined && h.scalePriceIncrement > 0
          ? fc.record({
              priceAdjustValue: doubleOrUnset,
              priceAdjustInterval: intOrUnset,
              profitOffset: doubleOrUnset,
              autoReset: fc.boolean(),
              initPosition: intOrUnset,
              initFillQty: intOrUnset,
              randomPercent: fc.boolean(),
            })
          : fc.constant(undefined),
      scaleTable: text,
      activeStartTime: text,
      activeStopTime: text,
      hedgeParam: h.hedgeType === "" ? fc.constant(undefined) : text,
      optOutSmartRouting: fc.boolean(),
      clearingAccount: text,
      clearingIntent: text,
      notHeld: fc.boolean(),
      algoParams: h.algoStrategy === "" ? fc.constant([]) : fc.array(tagValue, { maxLength: 3 }),
      algoId: text,
      whatIf: fc.boolean(),
      orderMiscOptions: text,
      solicited: fc.boolean(),
      randomizeSize: fc.boolean(),
      randomizePrice: fc.boolean(),
      peggedToBenchmark: isPegBenchOrderType(h.orderType)
        ? fc.record({
            referenceContractId: int32,
            isPeggedChangeAmountDecrease: fc.boolean(),
            peggedChangeAmount: double,
            referenceChangeAmount: double,
            referenceExchangeId: text,
          })
        : fc.constant(undefined),
      conditionsIgnoreRth: h.conditions.length > 0 ? fc.boolean() : fc.constant(false),
      conditionsCancelOrder: h.conditions.length > 0 ? fc.boolean() : fc.constant(false),
      adjustedOrderType: text,
      triggerPrice: doubleOrUnset,
      lmtPriceOffset: doubleOrUnset,
      adjustedStopPrice: doubleOrUnset,
      adjustedStopLimitPrice: doubleOrUnset,
      adjustedTrailingAmount: doubleOrUnset,
      adjustableTrailingUnit: int32,
      extOperator: text,
      softDollarTierName: text,
      softDollarTierValue: text,
      cashQty: doubleOrUnset,
      mifid2DecisionMaker: text,
      mifid2DecisionAlgo: text,
      mifid2ExecutionTrader: text,
      mifid2ExecutionAlgo: text,
      dontUseAutoPriceForHedge: fc.boolean(),
      isOmsContainer: fc.boolean(),
      discretionaryUpToLimitPrice: fc.boolean(),
      usePriceMgmtAlgo: fc.boolean(),
      duration: intOrUnset,
      postToAts: intOrUnset,
      autoCancelParent: fc.boolean(),
      advancedErrorOverride: text,
      manualOrderTime: text,
      minTradeQty: h.exchange === "IBKRATS" ? intOrUnset : fc.constant(undefined),
      minCompeteSize: pegBest ? intOrUnset : fc.constant(undefined),
      midOffsetAtWhole: midOffsets ? doubleOrUnset : fc.constant(undefined),
      midOffsetAtHalf: midOffsets ? doubleOrUnset : fc.constant(undefined),
      customerAccount: sv >= 183 ? text : fc.constant(undefined),
      professionalCustomer: sv >= 184 ? fc.boolean() : fc.constant(undefined),
      includeOvernight: sv >= 189 ? fc.boolean() : fc.constant(undefined),
      manualOrderIndicator: sv >= 192 ? intOrUnset : fc.constant(undefined),
    });
    return fc.tuple(main, rest).map(([m, r]): PlaceOrderRequest => ({
      orderId: h.orderId,
      ...m,
      ...r,
      orderType: h.orderType,
      deltaNeutralOrderType: h.deltaNeutralOrderType,
      hedgeType: h.hedgeType,
      algoStrategy: h.algoStrategy,
      scalePriceIncrement: h.scalePriceIncrement,
      conditions: h.conditions,
      competeAgainstBestOffset: pegBest ? h.competeAgainstBestOffset : undefined,
    }));
  });
}
