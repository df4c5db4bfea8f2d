import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FieldReader } from "./field-reader.js";
import { FrameReader } from "./frame-reader.js";
import {
  encodeCompletedOrder,
  encodeOpenOrder,
  type CompletedOrderMessage,
  type OpenOrderMessage,
  type WireOrder,
  type WireOrderContract,
} from "./open-order-message.js";
import { ServerVersion } from "./server-versions.js";

function fieldsOf(frame: Buffer): readonly string[] {
  const [decoded] = new FrameReader({ expectHello: false }).push(frame);
  if (decoded?.kind !== "message") throw new Error("not one message");
  return decoded.fields;
}

// Real TWS frames (rust-ibapi test fixtures captured from TWS, ibkr-facts.md [RUST]) at a server version
// below 170: no PEG BEST/MID block, faProfile present. Fields are `|`-joined.
const CAPTURED_OPEN_ORDER =
  "5|13|76792991|TSLA|STK||0|?||SMART|USD|TSLA|NMS|BUY|100|MKT|0.0|0.0|DAY||DU1234567||0||100|1376327563|0|0|0||1376327563.0/DU1234567/100||||||||||0||-1|0||||||2147483647|0|0|0||3|0|0||0|0||0|None||0||||?|0|0||0|0||||||0|0|0|2147483647|2147483647|||0||IB|0|0||0|0|PreSubmitted|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308||||||0|0|0|None|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|0||||0|1|0|0|0|||0";
const CAPTURED_COMPLETED_ORDER =
  "101|265598|AAPL|STK||0|?||SMART|USD|AAPL|NMS|BUY|0|MKT|0.0|0.0|DAY||DU1234567||0||1824933227|0|0|0|||||||||||0||-1||||||2147483647|0|0||3|0||0|None||0|0|0||0|0||||0|0|0|2147483647|2147483647||||IB|0|0||0|Filled|0|0|0|1.7976931348623157E308|1.7976931348623157E308|0|1|0||100|2147483647|0|Not an insider or substantial shareholder|0|0|9223372036854775807|20230306 12:28:30 America/Los_Angeles|Filled Size: 100";

const stock = (symbol: string, conId: number): WireOrderContract => ({
  conId,
  symbol,
  secType: "STK",
  lastTradeDateOrContractMonth: "",
  strike: 0,
  right: "?",
  multiplier: "",
  exchange: "SMART",
  currency: "USD",
  localSymbol: symbol,
  tradingClass: "NMS",
});

const marketOrder = (quantity: string, permId: number, clientId: number): WireOrder => ({
  action: "BUY",
  totalQuantity: quantity,
  orderType: "MKT",
  lmtPrice: 0,
  auxPrice: 0,
  tif: "DAY",
  ocaGroup: "",
  account: "DU1234567",
  openClose: "",
  origin: 0,
  orderRef: "",
  clientId,
  permId,
  outsideRth: false,
  hidden: false,
  goodAfterTime: "",
  goodTillDate: "",
  modelCode: "",
  parentId: 0,
  triggerMethod: 0,
});

const TSLA_OPEN_ORDER: OpenOrderMessage = {
  orderId: 13,
  contract: stock("TSLA", 76792991),
  order: marketOrder("100", 1376327563, 100),
  state: { status: "PreSubmitted", commission: undefined, commissionCurrency: "", warningText: "" },
};

describe("encodeOpenOrder", () => {
  it.each([
    [176, 136],
    [193, 141],
  ])("sends the field count TWS sends at server version %i (%i fields)", (sv, count) => {
    expect(fieldsOf(encodeOpenOrder(sv, TSLA_OPEN_ORDER))).toHaveLength(count);
  });

  it("reproduces a real TWS OPEN_ORDER, followed by the PEG BEST/MID block TWS adds from version 170", () => {
    const fields = fieldsOf(encodeOpenOrder(176, TSLA_OPEN_ORDER));
    const captured = CAPTURED_OPEN_ORDER.split("|");
    expect(fields.slice(0, captured.length)).toEqual(captured);
    expect(fields.slice(captured.length)).toEqual(["", "100", "0.02", "", ""]);
  });

  it("drops faProfile and adds the fields of versions 183 to 193 at the end", () => {
    const at176 = fieldsOf(encodeOpenOrder(176, TSLA_OPEN_ORDER));
    const at193 = fieldsOf(encodeOpenOrder(193, TSLA_OPEN_ORDER));
    expect(at193).toEqual([...at176.slice(0, 34), ...at176.slice(35), "", "0", "", "0", "", ""]);
  });

  it("reports the commission once TWS knows it, as the second Filled OPEN_ORDER of a real fill does", () => {
    const filled = {
      ...TSLA_OPEN_ORDER,
      state: { status: "Filled", commission: 1, commissionCurrency: "USD", warningText: "" },
    };
    expect(fieldsOf(encodeOpenOrder(176, filled)).slice(94, 109)).toEqual([
      "Filled",
      ...Array.from({ length: 9 }, () => "1.7976931348623157E308"),
      "1.0",
      "",
      "",
      "USD",
      "",
    ]);
  });

  it("gives back every value it encodes when read in IB's order (seed 42)", () => {
    fc.assert(
      fc.property(fc.constantFrom(176, 178, 183, 185, 189, 193), anyOpenOrder, (sv, message) => {
        const reader = new FieldReader(fieldsOf(encodeOpenOrder(sv, message)));
        expect(readOpenOrderLikeIb(reader, sv)).toEqual(message);
        expect(reader.remaining).toBe(0);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe("encodeCompletedOrder", () => {
  const filledAapl: CompletedOrderMessage = {
    contract: stock("AAPL", 265598),
    order: { ...marketOrder("0", 1824933227, 0), clientId: 0 },
    status: "Filled",
    filledQuantity: "100",
    completedTime: "20230306 12:28:30 America/Los_Angeles",
    completedStatus: "Filled Size: 100",
  };

  it("reproduces a real TWS COMPLETED_ORDER, followed by the PEG BEST/MID block", () => {
    const fields = fieldsOf(encodeCompletedOrder(176, filledAapl));
    const captured = CAPTURED_COMPLETED_ORDER.split("|");
    expect(fields.slice(0, captured.length)).toEqual(captured);
    expect(fields.slice(captured.length)).toEqual(["", "100", "0.02", "", ""]);
  });

  it("drops faProfile and adds customerAccount and professionalCustomer at 193", () => {
    const at176 = fieldsOf(encodeCompletedOrder(176, filledAapl));
    const at193 = fieldsOf(encodeCompletedOrder(193, filledAapl));
    expect(at176).toHaveLength(101);
    expect(at193).toEqual([...at176.slice(0, 31), ...at176.slice(32), "", "0"]);
  });
});

// --- A reader in the order of IB's EDecoder.processOpenOrderMsg / EOrderDecoder (test only) ---

function readOpenOrderLikeIb(r: FieldReader, sv: number): OpenOrderMessage {
  expect(r.readInt()).toBe(5);
  const orderId = r.readInt();
  const contract: WireOrderContract = {
    conId: r.readInt(),
    symbol: r.readString(),
    secType: r.readString(),
    lastTradeDateOrContractMonth: r.readString(),
    strike: r.readDouble(),
    right: r.readString(),
    multiplier: r.readString(),
    exchange: r.readString(),
    currency: r.readString(),
    localSymbol: r.readString(),
    tradingClass: r.readString(),
  };
  const head = {
    action: r.readString(),
    totalQuantity: r.readDecimal() ?? "",
    orderType: r.readString(),
    lmtPrice: r.readDoubleOrUnset(),
    auxPrice: r.readDoubleOrUnset(),
    tif: r.readString(),
    ocaGroup: r.readString(),
    account: r.readString(),
    openClose: r.readString(),
    origin: r.readInt(),
    orderRef: r.readString(),
    clientId: r.readInt(),
    permId: r.readLong(),
    outsideRth: r.readBool(),
    hidden: r.readBool(),
  };
  r.readDouble(); // discretionaryAmt
  const goodAfterTime = r.readString();
  r.readString(); // sharesAllocation
  skip(r, sv < ServerVersion.FA_PROFILE_DESUPPORT ? 4 : 3); // FA params
  const modelCode = r.readString();
  const goodTillDate = r.readString();
  r.readString(); // rule80A
  r.readDoubleOrUnset(); // percentOffset
  r.readString(); // settlingFirm
  r.readInt(); // shortSaleSlot
  r.readString(); // designatedLocation
  r.readInt(); // exemptCode
  r.readInt(); // auctionStrategy
  for (let index = 0; index < 5; index++) r.readDoubleOrUnset(); // box and peg-to-stock prices
  r.readIntOrUnset(); // displaySize
  skip(r, 3); // blockOrder, sweepToFill, allOrNone
  r.readIntOrUnset(); // minQty
  r.readInt(); // ocaType
  skip(r, 2); // eTradeOnly, firmQuoteOnly
  r.readDoubleOrUnset(); // nbboPriceCap
  const parentId = r.readInt();
  const triggerMethod = r.readInt();
  r.readDoubleOrUnset(); // volatility
  r.readInt(); // volatilityType
  const deltaNeutralOrderType = r.readString();
  r.readDoubleOrUnset();
  if (deltaNeutralOrderType !== "") skip(r, 8);
  r.readInt(); // continuousUpdate
  r.readInt(); // referencePriceType
  skip(r, 4); // trailStopPrice, trailingPercent, basisPoints, basisPointsType
  r.readString(); // comboLegsDescrip
  expect([r.readInt(), r.readInt(), r.readInt()]).toEqual([0, 0, 0]);
  r.readIntOrUnset();
  r.readIntOrUnset();
  expect(r.readDoubleOrUnset()).toBeUndefined(); // scalePriceIncrement: no scale block
  expect(r.readString()).toBe(""); // hedgeType
  skip(r, 4); // optOutSmartRouting, clearingAccount, clearingIntent, notHeld
  expect(r.readBool()).toBe(false); // deltaNeutralContract
  expect(r.readString()).toBe(""); // algoStrategy
  skip(r, 2); // solicited, whatIf
  const status = r.readString();
  skip(r, 9); // margins
  const commission = r.readDoubleOrUnset();
  skip(r, 2);
  const commissionCurrency = r.readString();
  const warningText = r.readString();
  skip(r, 2); // randomize flags
  expect(r.readInt()).toBe(0); // conditions
  skip(r, 1 + 6 + 1 + 3 + 1 + 4 + 3); // adjusted…, soft dollar tier, cashQty, …, usePriceMgmtAlgo, duration…
  skip(r, 5); // PEG BEST/MID
  if (sv >= ServerVersion.CUSTOMER_ACCOUNT) skip(r, 1);
  if (sv >= ServerVersion.PROFESSIONAL_CUSTOMER) skip(r, 1);
  if (sv >= ServerVersion.BOND_ACCRUED_INTEREST) skip(r, 1);
  if (sv >= ServerVersion.INCLUDE_OVERNIGHT) skip(r, 1);
  if (sv >= ServerVersion.CME_TAGGING_FIELDS_IN_OPEN_ORDER) skip(r, 2);
  return {
    orderId,
    contract,
    order: { ...head, goodAfterTime, goodTillDate, modelCode, parentId, triggerMethod },
    state: { status, commission, commissionCurrency, warningText },
  };
}

function skip(reader: FieldReader, count: number): void {
  for (let index = 0; index < count; index++) reader.readString();
}

const text = fc.string({
  unit: fc.constantFrom(...Array.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789 .-_/:?")),
  maxLength: 12,
});
const int32 = fc.integer({ min: -2_147_483_648, max: 2_147_483_647 });
const price = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .filter((value) => value !== Number.MAX_VALUE && !Object.is(value, -0));

const anyOpenOrder: fc.Arbitrary<OpenOrderMessage> = fc.record({
  orderId: int32,
  contract: fc.record({
    conId: int32,
    symbol: text,
    secType: text,
    lastTradeDateOrContractMonth: text,
    strike: price,
    right: text,
    multiplier: text,
    exchange: text,
    currency: text,
    localSymbol: text,
    tradingClass: text,
  }),
  order: fc.record({
    action: fc.constantFrom("BUY", "SELL", "SSHORT"),
    totalQuantity: fc.constantFrom("100", "1", "0.5", "12.25", "2500000"),
    orderType: fc.constantFrom("MKT", "LMT", "STP"),
    lmtPrice: fc.option(price, { nil: undefined }),
    auxPrice: fc.option(price, { nil: undefined }),
    tif: fc.constantFrom("DAY", "GTC"),
    ocaGroup: text,
    account: text,
    openClose: text,
    origin: int32,
    orderRef: text,
    clientId: int32,
    permId: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    outsideRth: fc.boolean(),
    hidden: fc.boolean(),
    goodAfterTime: text,
    goodTillDate: text,
    modelCode: text,
    parentId: int32,
    triggerMethod: int32,
  }),
  state: fc.record({
    status: fc.constantFrom("PreSubmitted", "Submitted", "Filled", "Cancelled", "Inactive"),
    commission: fc.option(price, { nil: undefined }),
    commissionCurrency: text,
    warningText: text,
  }),
});
