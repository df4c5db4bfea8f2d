import { describe, expect, it } from "vitest";
import { BUILT_IN_INSTRUMENTS, InstrumentUniverse, lookupInstrument } from "./instrument-universe.js";

/** ISIN check digit (ISO 6166): letters become 10–35, then the Luhn sum over the digit string. */
function isinCheckDigitIsValid(isin: string): boolean {
  if (!/^[A-Z]{2}[A-Z0-9]{9}[0-9]$/.test(isin)) return false;
  const digits = isin.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

describe("BUILT_IN_INSTRUMENTS", () => {
  it("carries IB's real conIds for the core ETFs and stocks", () => {
    const conIds = Object.fromEntries(
      BUILT_IN_INSTRUMENTS.map((instrument) => [instrument.symbol, instrument.conId]),
    );
    expect(conIds).toMatchObject({
      SPY: 756733,
      QQQ: 320227571,
      IWM: 9579970,
      DIA: 73128548,
      AAPL: 265598,
      MSFT: 272093,
      GOOGL: 208813719,
      AMZN: 3691937,
      TSLA: 76792991,
      IBM: 8314,
      NVDA: 4815747,
      META: 107113386,
      JPM: 1520593,
      XOM: 13977,
      KO: 8894,
    });
  });

  it("lists SPY, IWM and DIA on ARCA, QQQ and AAPL on NASDAQ and IBM on NYSE", () => {
    const exchanges = Object.fromEntries(
      BUILT_IN_INSTRUMENTS.map((instrument) => [instrument.symbol, instrument.primaryExchange]),
    );
    expect(exchanges).toMatchObject({
      SPY: "ARCA",
      IWM: "ARCA",
      DIA: "ARCA",
      QQQ: "NASDAQ",
      AAPL: "NASDAQ",
      IBM: "NYSE",
    });
  });

  it("gives every instrument an ISIN whose check digit is valid", () => {
    const invalid = BUILT_IN_INSTRUMENTS.filter(
      (instrument) => !isinCheckDigitIsValid(instrument.isin ?? ""),
    );
    expect(invalid.map((instrument) => instrument.symbol)).toEqual([]);
  });

  it("has unique symbols and conIds and positive prices, volatilities and volumes", () => {
    const symbols = new Set(BUILT_IN_INSTRUMENTS.map((instrument) => instrument.symbol));
    const conIds = new Set(BUILT_IN_INSTRUMENTS.map((instrument) => instrument.conId));
    expect(symbols.size).toBe(BUILT_IN_INSTRUMENTS.length);
    expect(conIds.size).toBe(BUILT_IN_INSTRUMENTS.length);
    for (const { startPrice, annualVolatility, averageDailyVolume } of BUILT_IN_INSTRUMENTS) {
      expect(startPrice).toBeGreaterThan(0);
      expect(annualVolatility).toBeGreaterThan(0.05);
      expect(annualVolatility).toBeLessThan(1);
      expect(averageDailyVolume).toBeGreaterThan(100_000);
    }
  });

  it("marks the ETFs as ETF and the shares as COMMON", () => {
    const etfs = BUILT_IN_INSTRUMENTS.filter((instrument) => instrument.stockType === "ETF");
    expect(etfs.map((instrument) => instrument.symbol)).toEqual(["SPY", "QQQ", "IWM", "DIA"]);
  });
});

describe("lookupInstrument", () => {
  it("finds AAPL whatever the case and with blank optional fields", () => {
    expect(lookupInstrument("aapl")?.conId).toBe(265598);
    expect(lookupInstrument(" AAPL ", "", "", "")?.conId).toBe(265598);
  });

  it("finds AAPL as STK in USD routed to SMART, its primary exchange or another venue", () => {
    expect(lookupInstrument("AAPL", "STK", "SMART", "USD")?.longName).toBe("APPLE INC");
    expect(lookupInstrument("AAPL", "STK", "NASDAQ", "USD")?.longName).toBe("APPLE INC");
    expect(lookupInstrument("AAPL", "STK", "ISLAND", "USD")?.longName).toBe("APPLE INC");
  });

  it("finds nothing when the secType, exchange or currency disagree", () => {
    expect(lookupInstrument("AAPL", "OPT")).toBeUndefined();
    expect(lookupInstrument("AAPL", "STK", "LSE")).toBeUndefined();
    expect(lookupInstrument("AAPL", "STK", "SMART", "EUR")).toBeUndefined();
  });

  it("finds nothing for a symbol outside the universe", () => {
    expect(lookupInstrument("ZZZZ")).toBeUndefined();
  });
});

describe("InstrumentUniverse", () => {
  it("looks instruments up by conId", () => {
    const universe = new InstrumentUniverse(BUILT_IN_INSTRUMENTS);
    expect(universe.lookupConId(756733)?.symbol).toBe("SPY");
    expect(universe.lookupConId(1)).toBeUndefined();
  });

  it("refuses an instrument listed twice", () => {
    const spy = BUILT_IN_INSTRUMENTS[0]!;
    expect(() => new InstrumentUniverse([spy, spy])).toThrow(RangeError);
  });
});
