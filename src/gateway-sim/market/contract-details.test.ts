import { describe, expect, it } from "vitest";
import { contractDetails } from "./contract-details.js";
import { lookupInstrument } from "./instrument-universe.js";
import type { SimInstrument } from "./sim-instrument.js";
import { syntheticInstruments } from "./synthetic-instruments.js";

function builtIn(symbol: string): SimInstrument {
  const instrument = lookupInstrument(symbol);
  if (instrument === undefined) throw new Error(`${symbol} is not built in`);
  return instrument;
}

/** Monday 2025-03-24, 10:00 New York (EDT). */
const MONDAY_MORNING_MS = Date.UTC(2025, 2, 24, 14, 0);

describe("contractDetails", () => {
  it("describes AAPL like TWS's real CONTRACT_DATA reply", () => {
    const details = contractDetails(builtIn("AAPL"), MONDAY_MORNING_MS);
    expect(details).toMatchObject({
      symbol: "AAPL",
      secType: "STK",
      exchange: "SMART",
      currency: "USD",
      localSymbol: "AAPL",
      marketName: "NMS",
      tradingClass: "NMS",
      conId: 265598,
      minTick: 0.01,
      priceMagnifier: 1,
      underConId: 0,
      longName: "APPLE INC",
      primaryExch: "NASDAQ",
      industry: "Technology",
      category: "Computers",
      subcategory: "Computers",
      timeZoneId: "US/Eastern",
      secIdList: [{ tag: "ISIN", value: "US0378331005" }],
      aggGroup: 1,
      stockType: "COMMON",
      minSize: 0.0001,
      sizeIncrement: 0.0001,
      suggestedSizeIncrement: 100,
    });
    expect(details.orderTypes.startsWith("ACTIVETIM,AD,")).toBe(true);
    expect(details.validExchanges.startsWith("SMART,AMEX,NYSE,")).toBe(true);
  });

  it("lists a week of extended and regular hours from the requested day, with the weekend closed", () => {
    const details = contractDetails(builtIn("AAPL"), MONDAY_MORNING_MS);
    expect(details.tradingHours).toBe(
      "20250324:0400-20250324:2000;20250325:0400-20250325:2000;20250326:0400-20250326:2000;" +
        "20250327:0400-20250327:2000;20250328:0400-20250328:2000;20250329:CLOSED;20250330:CLOSED",
    );
    expect(details.liquidHours.split(";").slice(0, 2)).toEqual([
      "20250324:0930-20250324:1600",
      "20250325:0930-20250325:1600",
    ]);
  });

  it("starts the hours on the New York date, not the UTC date", () => {
    const lateMondayInNewYork = Date.UTC(2025, 2, 25, 2, 0);
    expect(contractDetails(builtIn("AAPL"), lateMondayInNewYork, 1).liquidHours).toBe(
      "20250324:0930-20250324:1600",
    );
  });

  it("closes NYSE holidays such as Good Friday", () => {
    const goodFridayWeek = Date.UTC(2025, 3, 17, 14, 0);
    expect(contractDetails(builtIn("AAPL"), goodFridayWeek, 2).liquidHours).toBe(
      "20250417:0930-20250417:1600;20250418:CLOSED",
    );
  });

  it("gives one market rule per valid exchange", () => {
    const details = contractDetails(builtIn("SPY"), MONDAY_MORNING_MS);
    expect(details.marketRuleIds.split(",")).toHaveLength(details.validExchanges.split(",").length);
  });

  it("trades NYSE and Arca listings under their own symbol and marks ETFs", () => {
    expect(contractDetails(builtIn("IBM"), MONDAY_MORNING_MS)).toMatchObject({
      tradingClass: "IBM",
      marketName: "IBM",
      primaryExch: "NYSE",
      conId: 8314,
    });
    expect(contractDetails(builtIn("SPY"), MONDAY_MORNING_MS)).toMatchObject({
      tradingClass: "SPY",
      primaryExch: "ARCA",
      stockType: "ETF",
    });
  });

  it("sends no security ids for a synthetic instrument", () => {
    const [sim] = syntheticInstruments(1);
    expect(sim && contractDetails(sim, MONDAY_MORNING_MS).secIdList).toEqual([]);
  });
});
