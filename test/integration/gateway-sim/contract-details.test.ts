import { EventName, SecType, type ContractDetails as StoqeyContractDetails, type IBApi } from "@stoqey/ib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { contractDetails } from "../../../src/gateway-sim/market/contract-details.js";
import type { SimInstrument } from "../../../src/gateway-sim/market/sim-instrument.js";
import { AAPL, MarketDataSim, stock } from "./market-data-fixture.js";
import { waitForCurrentTime } from "./ib-api-events.js";
import { waitFor } from "./wait-for.js";

/** Waits for the contract details of `reqId` and its end marker. */
function contractDetailsOf(api: IBApi, reqId: number): Promise<StoqeyContractDetails[]> {
  const received: StoqeyContractDetails[] = [];
  return waitFor(`contract details for request ${reqId}`, (resolve) => {
    const onDetails = (id: number, details: StoqeyContractDetails): void => {
      if (id === reqId) received.push(details);
    };
    const onEnd = (id: number): void => {
      if (id === reqId) resolve(received);
    };
    api.on(EventName.contractDetails, onDetails);
    api.on(EventName.contractDetailsEnd, onEnd);
    return () => {
      api.off(EventName.contractDetails, onDetails);
      api.off(EventName.contractDetailsEnd, onEnd);
    };
  });
}

/** What @stoqey/ib makes of the simulator's CONTRACT_DATA for an instrument at `atMs`. */
function expectedDetails(instrument: SimInstrument, atMs: number, serverVersion: number) {
  const details = contractDetails(instrument, atMs);
  return {
    contract: {
      symbol: details.symbol,
      secType: details.secType,
      ...(serverVersion >= 182 ? { lastTradeDate: "" } : {}),
      strike: 0,
      exchange: "SMART",
      currency: "USD",
      localSymbol: details.localSymbol,
      tradingClass: details.tradingClass,
      conId: details.conId,
      primaryExch: details.primaryExch,
      multiplier: 0,
    },
    marketName: details.marketName,
    minTick: 0.01,
    orderTypes: details.orderTypes,
    validExchanges: details.validExchanges,
    priceMagnifier: 1,
    underConId: 0,
    longName: details.longName,
    contractMonth: "",
    industry: details.industry,
    category: details.category,
    subcategory: details.subcategory,
    timeZoneId: "US/Eastern",
    tradingHours: details.tradingHours,
    liquidHours: details.liquidHours,
    evRule: "",
    evMultiplier: 0,
    secIdList: details.secIdList,
    aggGroup: 1,
    underSymbol: "",
    underSecType: "",
    marketRuleIds: details.marketRuleIds,
    realExpirationDate: "",
    stockType: details.stockType,
    minSize: 0.0001,
    sizeIncrement: 0.0001,
    suggestedSizeIncrement: 100,
    ...(serverVersion >= 186 ? { ineligibilityReasonList: [] } : {}),
  };
}

describe.each([176, 193])("contract details at server version %i", (serverVersion) => {
  let sim: MarketDataSim;

  beforeEach(async () => {
    sim = await MarketDataSim.start({ serverVersion });
  });

  afterEach(async () => {
    await sim.close();
  });

  function instrument(symbol: string): SimInstrument {
    const found = sim.universe.lookup(symbol);
    if (found === undefined) throw new Error(`${symbol} is not in the universe`);
    return found;
  }

  it("answers reqContractDetails for AAPL with conId 265598 and the universe's details, then the end", async () => {
    const api = await sim.connectedApi("client", 1);
    const received = contractDetailsOf(api, 7);
    api.reqContractDetails(7, AAPL);
    const [details, ...others] = await received;
    expect(others).toEqual([]);
    expect(details?.contract.conId).toBe(265598);
    expect(details).toEqual(expectedDetails(instrument("AAPL"), sim.nowMs, serverVersion));
  });

  it("resolves a contract given only by conId", async () => {
    const api = await sim.connectedApi("client", 1);
    const received = contractDetailsOf(api, 8);
    api.reqContractDetails(8, { conId: 272093 });
    expect(await received).toEqual([expectedDetails(instrument("MSFT"), sim.nowMs, serverVersion)]);
  });

  it("answers an unknown symbol with error 200 and no details", async () => {
    const api = await sim.connectedApi("client", 1);
    const answers: string[] = [];
    api.on(EventName.contractDetails, () => answers.push("details"));
    api.on(EventName.contractDetailsEnd, () => answers.push("end"));
    const error = waitFor<{ code: number; message: string }>("error 200", (resolve) => {
      const listener = (err: Error, code: number, reqId: number): void => {
        if (reqId === 9) resolve({ code, message: err.message });
      };
      api.on(EventName.error, listener);
      return () => api.off(EventName.error, listener);
    });
    api.reqContractDetails(9, stock("NOSUCH"));
    expect(await error).toEqual({
      code: 200,
      message: "No security definition has been found for the request",
    });
    // Anything sent before the answer to a later reqCurrentTime has arrived by then.
    const time = waitForCurrentTime(api);
    api.reqCurrentTime();
    await time;
    expect(answers).toEqual([]);
  });

  it("serves IBApiNext.getContractDetails, and rejects an unknown symbol with 200", async () => {
    const api = sim.harness.ibApiNext("next", []);
    api.connect(3);
    const details = await api.getContractDetails({ symbol: "SPY", secType: SecType.STK, exchange: "SMART" });
    expect(details).toEqual([expectedDetails(instrument("SPY"), sim.nowMs, serverVersion)]);
    await expect(api.getContractDetails(stock("NOSUCH"))).rejects.toMatchObject({ code: 200, reqId: 2 });
    expect(
      sim.harness.errors.errors.filter((error) => error.client === "next").map((error) => error.code),
    ).toEqual([200]);
  });
});
