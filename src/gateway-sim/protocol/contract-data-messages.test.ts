import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvariantError } from "../../core/errors.js";
import { contractDetails, type ContractDetails } from "../market/contract-details.js";
import { BUILT_IN_INSTRUMENTS } from "../market/instrument-universe.js";
import type { SimInstrument } from "../market/sim-instrument.js";
import { encodeContractData, encodeContractDataEnd } from "./contract-data-messages.js";
import { FieldReader } from "./field-reader.js";
import { FrameReader } from "./frame-reader.js";
import { IncomingMessageId } from "./message-ids.js";
import { ServerVersion } from "./server-versions.js";

const AAPL = BUILT_IN_INSTRUMENTS.find((instrument) => instrument.symbol === "AAPL");
if (AAPL === undefined) throw new Error("AAPL is missing from the universe");
const AT_MS = Date.UTC(2025, 2, 24, 14, 0, 0);

function fieldsOf(frame: Buffer): readonly string[] {
  const [only, ...rest] = new FrameReader({ expectHello: false }).push(frame);
  if (only?.kind !== "message" || rest.length > 0) throw new Error("expected exactly one message");
  return only.fields;
}

/** Undoes TWS's \uXXXX escaping, as every client does for longName (ibkr-facts.md §1.1). */
function unescape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Reads CONTRACT_DATA the way IB's EDecoder does for server versions 164 … 193. */
function decodeContractData(
  frame: Buffer,
  serverVersion: number,
): { reqId: number; details: ContractDetails } {
  const reader = new FieldReader(fieldsOf(frame));
  expect(reader.readInt()).toBe(IncomingMessageId.CONTRACT_DATA);
  const reqId = reader.readInt();
  const symbol = reader.readString();
  const secType = reader.readString();
  const lastTradeDateOrContractMonth = reader.readString();
  const lastTradeDate = serverVersion >= ServerVersion.LAST_TRADE_DATE ? reader.readString() : "";
  const head = {
    symbol,
    secType,
    lastTradeDateOrContractMonth,
    lastTradeDate,
    strike: reader.readDouble(),
    right: reader.readString(),
    exchange: reader.readString(),
    currency: reader.readString(),
    localSymbol: reader.readString(),
    marketName: reader.readString(),
    tradingClass: reader.readString(),
    conId: reader.readInt(),
    minTick: reader.readDouble(),
    multiplier: reader.readString(),
    orderTypes: reader.readString(),
    validExchanges: reader.readString(),
    priceMagnifier: reader.readInt(),
    underConId: reader.readInt(),
    longName: unescape(reader.readString()),
    primaryExch: reader.readString(),
    contractMonth: reader.readString(),
    industry: reader.readString(),
    category: reader.readString(),
    subcategory: reader.readString(),
    timeZoneId: reader.readString(),
    tradingHours: reader.readString(),
    liquidHours: reader.readString(),
    evRule: reader.readString(),
    evMultiplier: reader.readDoubleOrUnset(),
  };
  const secIdList = Array.from({ length: reader.readInt() }, () => ({
    tag: reader.readString(),
    value: reader.readString(),
  }));
  const tail = {
    aggGroup: reader.readInt(),
    underSymbol: reader.readString(),
    underSecType: reader.readString(),
    marketRuleIds: reader.readString(),
    realExpirationDate: reader.readString(),
    stockType: reader.readString(),
    minSize: Number(reader.readDecimal()),
    sizeIncrement: Number(reader.readDecimal()),
    suggestedSizeIncrement: Number(reader.readDecimal()),
  };
  const ineligibilityReasons =
    serverVersion >= ServerVersion.INELIGIBILITY_REASONS
      ? Array.from({ length: reader.readInt() }, () => ({
          id: reader.readString(),
          description: reader.readString(),
        }))
      : [];
  expect(reader.remaining).toBe(0);
  return { reqId, details: { ...head, secIdList, ...tail, ineligibilityReasons } as ContractDetails };
}

describe("CONTRACT_DATA", () => {
  it.each([176, 193])("round-trips every built-in instrument at server version %i (seed 42)", (version) => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BUILT_IN_INSTRUMENTS),
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) }),
        fc.integer({ min: 0, max: 2_147_483_647 }),
        (instrument, atMs, reqId) => {
          const details = contractDetails(instrument, atMs);
          const decoded = decodeContractData(encodeContractData(version, reqId, details), version);
          expect(decoded).toEqual({
            reqId,
            details: version >= ServerVersion.LAST_TRADE_DATE ? details : { ...details, lastTradeDate: "" },
          });
        },
      ),
      { seed: 42, numRuns: 50 },
    );
  });

  it("escapes a non-ASCII long name as \\uXXXX and clients read it back", () => {
    const instrument: SimInstrument = { ...AAPL, longName: "SOCIÉTÉ GÉNÉRALE" };
    const frame = encodeContractData(193, 1, contractDetails(instrument, AT_MS));
    expect(fieldsOf(frame)).toContain("SOCI\\u00c9T\\u00c9 G\\u00c9N\\u00c9RALE");
    expect(decodeContractData(frame, 193).details.longName).toBe("SOCIÉTÉ GÉNÉRALE");
  });

  it("has the field layout of TWS's real AAPL reply at server version 176", () => {
    const details = contractDetails(AAPL, AT_MS);
    // The real reply captured at server version 173 (same layout as 176), with the long lists it elides
    // (order types, exchanges, hours, market rules) taken from the simulator.
    const real = [
      "10", "9000", "AAPL", "STK", "", "0", "", "SMART", "USD", "AAPL", "NMS", "NMS", "265598", "0.01", "",
      details.orderTypes, details.validExchanges, "1", "0", "APPLE INC", "NASDAQ", "", "Technology",
      "Computers", "Computers", "US/Eastern", details.tradingHours, details.liquidHours, "", "", "1", "ISIN",
      "US0378331005", "1", "", "", details.marketRuleIds, "", "COMMON", "0.0001", "0.0001", "100",
    ]; // prettier-ignore
    expect(fieldsOf(encodeContractData(176, 9000, details))).toEqual(real);
  });

  it("adds lastTradeDate from version 182 and the ineligibility reasons from 186", () => {
    const details = contractDetails(AAPL, AT_MS);
    const at176 = fieldsOf(encodeContractData(176, 1, details));
    const at193 = fieldsOf(encodeContractData(193, 1, details));
    expect(at193).toHaveLength(at176.length + 2);
    expect(at193.slice(0, 5)).toEqual(at176.slice(0, 5));
    expect(at193[5]).toBe("");
    expect(at193.slice(6, -1)).toEqual(at176.slice(5));
    expect(at193[at193.length - 1]).toBe("0");
  });

  it("ends with CONTRACT_DATA_END [52, 1, reqId]", () => {
    expect(fieldsOf(encodeContractDataEnd(193, 77))).toEqual(["52", "1", "77"]);
  });

  it.each([175, 194])("refuses server version %i", (version) => {
    expect(() => encodeContractDataEnd(version, 1)).toThrow(InvariantError);
  });
});
