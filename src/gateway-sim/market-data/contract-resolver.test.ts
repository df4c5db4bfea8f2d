import { describe, expect, it } from "vitest";
import type { RequestContract } from "../protocol/contract-data-requests.js";
import { BUILT_IN_INSTRUMENTS, InstrumentUniverse } from "../market/instrument-universe.js";
import { resolveContract } from "./contract-resolver.js";

const universe = new InstrumentUniverse(BUILT_IN_INSTRUMENTS);

function aContract(overrides: Partial<RequestContract> = {}): RequestContract {
  return {
    conId: 0,
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
    ...overrides,
  };
}

describe("resolveContract", () => {
  it("finds AAPL by symbol, type, exchange and currency", () => {
    expect(
      resolveContract(
        universe,
        aContract({ symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" }),
      )?.conId,
    ).toBe(265598);
  });

  it("finds AAPL by conId alone", () => {
    expect(resolveContract(universe, aContract({ conId: 265598 }))?.symbol).toBe("AAPL");
  });

  it("refuses a conId whose symbol disagrees", () => {
    expect(resolveContract(universe, aContract({ conId: 265598, symbol: "MSFT" }))).toBeUndefined();
  });

  it("finds a stock by ISIN when a contract details request names one", () => {
    expect(resolveContract(universe, aContract(), { secIdType: "ISIN", secId: "US0378331005" })?.symbol).toBe(
      "AAPL",
    );
  });

  it.each([
    aContract({ symbol: "NOSUCH" }),
    aContract({ symbol: "AAPL", secType: "OPT" }),
    aContract({ symbol: "AAPL", currency: "EUR" }),
    aContract({ conId: 1 }),
    aContract(),
  ])("resolves %j to nothing", (contract) => {
    expect(resolveContract(universe, contract)).toBeUndefined();
  });
});
