import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeContractDetailsRequest, type RequestContract } from "./contract-data-requests.js";
import { FieldReader } from "./field-reader.js";
import {
  decodeCancelRequest,
  decodeHistoricalDataRequest,
  decodeMarketDataRequest,
  decodeMarketDataTypeRequest,
  decodeRealTimeBarsRequest,
} from "./market-data-requests.js";

/** A reader positioned after the message id, as a request handler receives it. */
function afterMessageId(fields: readonly string[]): FieldReader {
  const reader = new FieldReader(fields);
  reader.readInt();
  return reader;
}

const EMPTY_STOCK = {
  conId: 0,
  secType: "STK",
  lastTradeDateOrContractMonth: "",
  strike: 0,
  right: "",
  multiplier: "",
  exchange: "SMART",
  primaryExchange: "",
  currency: "USD",
  localSymbol: "",
  tradingClass: "",
} as const;

describe("request decoders on real client output (ibkr-facts.md §2.5)", () => {
  it("reads @stoqey/ib's 20-field REQ_MKT_DATA for a stock", () => {
    const fields = [
      "1",
      "11",
      "11",
      "",
      "AAPL",
      "STK",
      "",
      "",
      "",
      "",
      "SMART",
      "",
      "USD",
      "",
      "",
      "0",
      "",
      "0",
      "0",
      "",
    ];
    const reader = afterMessageId(fields);
    expect(decodeMarketDataRequest(reader)).toEqual({
      reqId: 11,
      contract: { ...EMPTY_STOCK, symbol: "AAPL" },
      comboLegs: [],
      deltaNeutral: undefined,
      genericTickList: "",
      snapshot: false,
      regulatorySnapshot: false,
      options: "",
    });
    expect(reader.remaining).toBe(0);
  });

  it("reads @stoqey/ib's REQ_HISTORICAL_DATA, bar size before duration", () => {
    const fields = [
      "20",
      "12",
      "",
      "AAPL",
      "STK",
      "",
      "",
      "",
      "",
      "SMART",
      "",
      "USD",
      "",
      "",
      "0",
      "",
      "1 min",
      "1 D",
      "1",
      "TRADES",
      "1",
      "0",
      "",
    ];
    const reader = afterMessageId(fields);
    expect(decodeHistoricalDataRequest(reader)).toEqual({
      reqId: 12,
      contract: { ...EMPTY_STOCK, symbol: "AAPL" },
      includeExpired: false,
      endDateTime: "",
      barSizeSetting: "1 min",
      durationStr: "1 D",
      useRth: true,
      whatToShow: "TRADES",
      formatDate: 1,
      comboLegs: [],
      keepUpToDate: false,
      chartOptions: "",
    });
    expect(reader.remaining).toBe(0);
  });

  it("reads the Python client's REQ_HISTORICAL_DATA with an explicit end time (ib_async#140)", () => {
    const fields =
      "20,1,0,US912797PA95,BOND,,0.0,,,SMART,,USD,,,0,20250413 21:56:00 UTC,1 day,8 D,1,MIDPOINT,1,0,".split(
        ",",
      );
    const decoded = decodeHistoricalDataRequest(afterMessageId(fields));
    expect(decoded.contract).toMatchObject({ symbol: "US912797PA95", secType: "BOND", strike: 0 });
    expect(decoded).toMatchObject({
      endDateTime: "20250413 21:56:00 UTC",
      barSizeSetting: "1 day",
      durationStr: "8 D",
    });
  });

  it("reads the Python client's 19-field REQ_CONTRACT_DATA by conId with issuerId from version 176", () => {
    const fields = "9,8,1,416843,,,,0.0,,,,,,,,0,,,".split(",");
    expect(fields).toHaveLength(19);
    const reader = afterMessageId(fields);
    expect(decodeContractDetailsRequest(reader, 176)).toEqual({
      reqId: 1,
      contract: {
        conId: 416843,
        symbol: "",
        secType: "",
        lastTradeDateOrContractMonth: "",
        strike: 0,
        right: "",
        multiplier: "",
        exchange: "",
        primaryExchange: "",
        currency: "",
        localSymbol: "",
        tradingClass: "",
      },
      includeExpired: false,
      secIdType: "",
      secId: "",
      issuerId: "",
    });
    expect(reader.remaining).toBe(0);
  });

  it("reads a BAG request's combo legs and a delta-neutral contract", () => {
    const fields = [
      "1",
      "11",
      "5",
      "",
      "SPY",
      "BAG",
      "",
      "",
      "",
      "",
      "SMART",
      "",
      "USD",
      "",
      "",
      "2",
      "756733",
      "1",
      "BUY",
      "SMART",
      "9579970",
      "2",
      "SELL",
      "SMART",
      "1",
      "8314",
      "0.5",
      "220.5",
      "",
      "1",
      "0",
      "",
    ];
    const reader = afterMessageId(fields);
    const decoded = decodeMarketDataRequest(reader);
    expect(decoded.comboLegs).toEqual([
      { conId: 756733, ratio: 1, action: "BUY", exchange: "SMART" },
      { conId: 9579970, ratio: 2, action: "SELL", exchange: "SMART" },
    ]);
    expect(decoded.deltaNeutral).toEqual({ conId: 8314, delta: 0.5, price: 220.5 });
    expect(decoded.snapshot).toBe(true);
    expect(reader.remaining).toBe(0);
  });

  it("reads the cancel requests, the market data type and real-time bars", () => {
    expect(decodeCancelRequest(afterMessageId(["2", "1", "42"]))).toBe(42);
    expect(decodeMarketDataTypeRequest(afterMessageId(["59", "1", "3"]))).toBe(3);
    const bars = [
      "50",
      "3",
      "7",
      "265598",
      "",
      "",
      "",
      "",
      "",
      "",
      "SMART",
      "",
      "",
      "",
      "",
      "5",
      "MIDPOINT",
      "0",
      "",
    ];
    expect(bars).toHaveLength(19);
    expect(decodeRealTimeBarsRequest(afterMessageId(bars))).toMatchObject({
      reqId: 7,
      contract: { conId: 265598, exchange: "SMART" },
      barSize: 5,
      whatToShow: "MIDPOINT",
      useRth: false,
      options: "",
    });
  });
});

describe("request decoders round-trip (seed 42)", () => {
  const text = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
    maxLength: 12,
  });
  const contract: fc.Arbitrary<RequestContract> = fc.record({
    conId: fc.integer({ min: 0, max: 2_147_483_647 }),
    symbol: text,
    secType: fc.constantFrom("STK", "OPT", "FUT", "CASH"),
    lastTradeDateOrContractMonth: text,
    strike: fc.double({ min: 0, max: 1e6, noNaN: true }),
    right: fc.constantFrom("", "C", "P"),
    multiplier: text,
    exchange: text,
    primaryExchange: text,
    currency: text,
    localSymbol: text,
    tradingClass: text,
  });
  const contractFields = (c: RequestContract): string[] => [
    String(c.conId),
    c.symbol,
    c.secType,
    c.lastTradeDateOrContractMonth,
    String(c.strike),
    c.right,
    c.multiplier,
    c.exchange,
    c.primaryExchange,
    c.currency,
    c.localSymbol,
    c.tradingClass,
  ];
  const flag = (value: boolean): string => (value ? "1" : "0");

  it("REQ_HISTORICAL_DATA", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_147_483_647 }),
        contract,
        fc.record({
          endDateTime: text,
          barSizeSetting: text,
          durationStr: text,
          whatToShow: text,
          chartOptions: text,
        }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        (reqId, c, texts, includeExpired, useRth, keepUpToDate, formatDate) => {
          const fields = [
            "20",
            String(reqId),
            ...contractFields(c),
            flag(includeExpired),
            texts.endDateTime,
            texts.barSizeSetting,
            texts.durationStr,
            flag(useRth),
            texts.whatToShow,
            String(formatDate),
            flag(keepUpToDate),
            texts.chartOptions,
          ];
          expect(decodeHistoricalDataRequest(afterMessageId(fields))).toEqual({
            reqId,
            contract: c,
            includeExpired,
            ...texts,
            useRth,
            formatDate,
            comboLegs: [],
            keepUpToDate,
          });
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it("REQ_MKT_DATA and REQ_CONTRACT_DATA", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_147_483_647 }),
        contract,
        text,
        fc.boolean(),
        fc.constantFrom(176, 193),
        (reqId, c, ticks, snapshot, version) => {
          const market = [
            "1",
            "11",
            String(reqId),
            ...contractFields(c),
            "0",
            ticks,
            flag(snapshot),
            "0",
            "",
          ];
          expect(decodeMarketDataRequest(afterMessageId(market))).toMatchObject({
            reqId,
            contract: c,
            genericTickList: ticks,
            snapshot,
          });
          const details = ["9", "8", String(reqId), ...contractFields(c), "0", "ISIN", ticks, "issuer"];
          expect(decodeContractDetailsRequest(afterMessageId(details), version)).toEqual({
            reqId,
            contract: c,
            includeExpired: false,
            secIdType: "ISIN",
            secId: ticks,
            issuerId: "issuer",
          });
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });
});
