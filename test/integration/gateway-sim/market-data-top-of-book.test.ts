import { BarSizeSetting, MarketDataType, WhatToShow } from "@stoqey/ib";
import { filter, firstValueFrom, timeout } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import type { MarketQuote } from "../../../src/gateway-sim/market/market-model.js";
import {
  AAPL,
  IbEventLog,
  MarketDataSim,
  SESSION_MORNING_MS,
  stock,
  SYMBOLS,
} from "./market-data-fixture.js";
import { EVENT_TIMEOUT_MS } from "./wait-for.js";

const DELAY_MS = 15 * 60_000;
const DELAYED_TEXT = "Requested market data is not subscribed. Displaying delayed market data.";
const NOT_SUBSCRIBED_TEXT =
  "Requested market data is not subscribed. Check API status by selecting the Account menu then under Management choose Market Data Subscription Manager and/or availability of delayed data.";

/** The value of every tick type a client has received for `reqId`, the latest one winning. */
function latestTicks(log: IbEventLog, reqId: number): Record<number, number | string | undefined> {
  const values: Record<number, number | string | undefined> = {};
  for (const event of log.of(reqId)) {
    if (event.type === "tickPrice") values[event.tickType] = event.price;
    if (event.type === "tickSize") values[event.tickType] = event.size;
    if (event.type === "tickString") values[event.tickType] = event.value;
  }
  return values;
}

/** IBApiNext's market data map as a plain record of tick type id → value (the text for tick strings). */
function ticksOf(
  data: ReadonlyMap<number, { readonly value?: number; readonly stringValue?: string }>,
): Record<number, number | string | undefined> {
  const ticks: Record<number, number | string | undefined> = {};
  for (const [type, tick] of data) ticks[type] = tick.stringValue ?? tick.value;
  return ticks;
}

/** The live ticks of a quote whose last trade was at `lastTradeMs`. */
function liveTicks(quote: MarketQuote, lastTradeMs: number): Record<number, number | string> {
  return {
    1: quote.bid,
    0: quote.bidSize,
    2: quote.ask,
    3: quote.askSize,
    4: quote.last,
    5: quote.lastSize,
    8: quote.volume,
    6: quote.high,
    7: quote.low,
    9: quote.close,
    14: quote.open,
    45: String(lastTradeMs / 1000),
  };
}

/** The delayed ticks (66–76, 88) of a quote whose last trade was at `lastTradeMs`. */
function delayedTicks(quote: MarketQuote, lastTradeMs: number): Record<number, number | string> {
  return {
    66: quote.bid,
    69: quote.bidSize,
    67: quote.ask,
    70: quote.askSize,
    68: quote.last,
    71: quote.lastSize,
    74: quote.volume,
    72: quote.high,
    73: quote.low,
    75: quote.close,
    76: quote.open,
    88: String(lastTradeMs / 1000),
  };
}

/** Resolves once `reqId` has received the last-trade time string `seconds` (the last tick of each batch). */
function lastTradeTick(log: IbEventLog, reqId: number, tickType: 45 | 88, timeMs: number): Promise<true> {
  const value = String(timeMs / 1000);
  return log.until(`tick ${tickType} = ${value} for request ${reqId}`, (events) =>
    events.some(
      (event) =>
        event.type === "tickString" &&
        event.reqId === reqId &&
        event.tickType === tickType &&
        event.value === value,
    )
      ? true
      : undefined,
  );
}

describe.each([176, 193])("top of book at server version %i", (serverVersion) => {
  let sim: MarketDataSim | undefined;

  async function start(liveDataAccounts: boolean): Promise<MarketDataSim> {
    sim = await MarketDataSim.start({ serverVersion, options: { liveDataAccounts } });
    return sim;
  }

  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it("without a subscription and with market data type 3 sends 10167, type 3 and delayed ticks 15 minutes old", async () => {
    const sim = await start(false);
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    api.reqMarketDataType(MarketDataType.DELAYED);
    api.reqMktData(1, AAPL, "", false, false);
    await lastTradeTick(log, 1, 88, SESSION_MORNING_MS - DELAY_MS);
    expect(log.of(1).filter((event) => event.type === "error")).toEqual([
      { type: "error", reqId: 1, code: 10167, message: DELAYED_TEXT },
    ]);
    expect(log.of(1).filter((event) => event.type === "marketDataType")).toEqual([
      { type: "marketDataType", reqId: 1, marketDataType: 3 },
    ]);
    const quote = sim.model.quote("AAPL", SESSION_MORNING_MS - DELAY_MS);
    expect(latestTicks(log, 1)).toEqual(delayedTicks(quote, SESSION_MORNING_MS - DELAY_MS));

    sim.advanceTo(SESSION_MORNING_MS + 5_000);
    await lastTradeTick(log, 1, 88, SESSION_MORNING_MS + 5_000 - DELAY_MS);
    const later = sim.model.quote("AAPL", SESSION_MORNING_MS + 5_000 - DELAY_MS);
    expect(latestTicks(log, 1)).toEqual(delayedTicks(later, SESSION_MORNING_MS + 5_000 - DELAY_MS));
  });

  it("with a live subscription sends type 1, TICK_REQ_PARAMS and the model's quote, then only changes", async () => {
    const sim = await start(true);
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    api.reqMktData(4, AAPL, "", false, false);
    await lastTradeTick(log, 4, 45, SESSION_MORNING_MS);
    expect(log.of(4).slice(0, 2)).toEqual([
      { type: "marketDataType", reqId: 4, marketDataType: 1 },
      // @stoqey/ib parses minTick with parseInt, so 0.01 arrives as 0 (ibkr-facts.md §2.2).
      { type: "tickReqParams", reqId: 4, minTick: 0, bboExchange: "9c0001", snapshotPermissions: 3 },
    ]);
    expect(latestTicks(log, 4)).toEqual(
      liveTicks(sim.model.quote("AAPL", SESSION_MORNING_MS), SESSION_MORNING_MS),
    );

    // The quote moves on the 5-second grid: 19 looks 250 ms apart find nothing new.
    const seen = log.of(4).length;
    sim.advanceTo(SESSION_MORNING_MS + 4_750);
    await log.roundTrip();
    expect(log.of(4)).toHaveLength(seen);

    sim.advanceTo(SESSION_MORNING_MS + 5_000);
    await lastTradeTick(log, 4, 45, SESSION_MORNING_MS + 5_000);
    expect(latestTicks(log, 4)).toEqual(
      liveTicks(sim.model.quote("AAPL", SESSION_MORNING_MS + 5_000), SESSION_MORNING_MS + 5_000),
    );
  });

  it("stops streaming after cancelMktData and answers a second cancel with 300", async () => {
    const sim = await start(true);
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    api.reqMktData(5, AAPL, "", false, false);
    await lastTradeTick(log, 5, 45, SESSION_MORNING_MS);
    api.cancelMktData(5);
    await log.roundTrip();
    const seen = log.of(5).length;
    sim.advanceTo(SESSION_MORNING_MS + 30_000);
    await log.roundTrip();
    expect(log.of(5)).toHaveLength(seen);
    api.cancelMktData(5);
    expect((await log.error(5, 300)).message).toBe("Can't find EId with tickerId:5");
  });

  it("without a subscription and with market data type 1 answers 354 and sends nothing else", async () => {
    const sim = await start(false);
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    api.reqMktData(6, AAPL, "", false, false);
    expect((await log.error(6, 354)).message).toBe(NOT_SUBSCRIBED_TEXT);
    sim.advanceTo(SESSION_MORNING_MS + 10_000);
    await log.roundTrip();
    expect(log.of(6).map((event) => event.type)).toEqual(["error"]);
  });

  it("answers a delayed snapshot with every tick once, then TICK_SNAPSHOT_END, and holds no stream", async () => {
    const sim = await start(false);
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    api.reqMarketDataType(MarketDataType.DELAYED_FROZEN);
    api.reqMktData(7, AAPL, "", true, false);
    await log.until("the snapshot end", (events) =>
      events.some((event) => event.type === "tickSnapshotEnd" && event.reqId === 7) ? true : undefined,
    );
    expect(latestTicks(log, 7)).toEqual(
      delayedTicks(sim.model.quote("AAPL", SESSION_MORNING_MS - DELAY_MS), SESSION_MORNING_MS - DELAY_MS),
    );
    const seen = log.of(7).length;
    sim.advanceTo(SESSION_MORNING_MS + 10_000);
    await log.roundTrip();
    expect(log.of(7)).toHaveLength(seen);
  });

  it("answers an unknown contract with 200", async () => {
    const sim = await start(true);
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    api.reqMktData(8, stock("NOSUCH"), "", false, false);
    expect((await log.error(8, 200)).message).toBe("No security definition has been found for the request");
  });

  it("refuses the 101st line (top of book plus real-time bars) with 101 and frees a line on cancel", async () => {
    const sim = await start(true);
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    for (let reqId = 1; reqId <= 99; reqId++) {
      api.reqMktData(reqId, stock(SYMBOLS[reqId % SYMBOLS.length] ?? "AAPL"), "", false, false);
    }
    api.reqRealTimeBars(100, AAPL, 5, "TRADES", false);
    api.reqMktData(101, AAPL, "", false, false);
    expect((await log.error(101, 101)).message).toBe("Max number of tickers has been reached");
    const types = log.events.filter((event) => event.type === "marketDataType");
    expect(types).toHaveLength(99);
    expect(log.events.filter((event) => event.type === "error" && event.code !== 101)).toEqual([]);

    api.cancelMktData(1);
    api.reqMktData(102, AAPL, "", false, false);
    await lastTradeTick(log, 102, 45, SESSION_MORNING_MS);
  });

  it("gives a disconnected client's line, open historical request and streams back", async () => {
    sim = await MarketDataSim.start({
      serverVersion,
      options: { liveDataAccounts: true, maxMarketDataLines: 1 },
    });
    const first = await sim.connectedApi("first", 1);
    const firstLog = new IbEventLog(first);
    first.reqMktData(1, AAPL, "", false, false);
    first.reqHistoricalData(2, AAPL, "", "1800 S", BarSizeSetting.MINUTES_ONE, WhatToShow.TRADES, 1, 1, true);
    await firstLog.historical(2);
    expect(sim.pacing.openRequests).toBe(1);
    expect(sim.scheduler.pendingCount).toBe(2);
    const released = sim.harness.clientDisconnected(1);
    first.disconnect();
    await released;
    expect(sim.pacing.openRequests).toBe(0);
    expect(sim.scheduler.pendingCount).toBe(0);
    const second = await sim.connectedApi("second", 2);
    const secondLog = new IbEventLog(second);
    second.reqMktData(1, AAPL, "", false, false);
    await lastTradeTick(secondLog, 1, 45, SESSION_MORNING_MS);
  });

  it("serves IBApiNext.getMarketData with the live quote", async () => {
    const sim = await start(true);
    const api = sim.harness.ibApiNext("next", []);
    api.connect(3);
    const expected = liveTicks(sim.model.quote("MSFT", SESSION_MORNING_MS), SESSION_MORNING_MS);
    const complete = (ticks: Record<number, unknown>): boolean =>
      Object.keys(expected).every((type) => Number(type) in ticks);
    const update = await firstValueFrom(
      api.getMarketData(stock("MSFT"), "", false, false).pipe(
        filter((data) => complete(ticksOf(data.all))),
        timeout(EVENT_TIMEOUT_MS),
      ),
    );
    expect(ticksOf(update.all)).toEqual(expected);
  });

  it("serves IBApiNext delayed snapshots after setMarketDataType(3) and fails a live request with 354", async () => {
    const sim = await start(false);
    const api = sim.harness.ibApiNext("next", []);
    api.connect(3);
    await expect(
      firstValueFrom(api.getMarketData(AAPL, "", false, false).pipe(timeout(EVENT_TIMEOUT_MS))),
    ).rejects.toMatchObject({ code: 354 });
    api.setMarketDataType(MarketDataType.DELAYED);
    const snapshot = await api.getMarketDataSnapshot(stock("IBM"), "", false);
    const quote = sim.model.quote("IBM", SESSION_MORNING_MS - DELAY_MS);
    const ticks = ticksOf(snapshot);
    expect([66, 67, 68, 72, 73, 74, 75, 76].map((type) => ticks[type])).toEqual([
      quote.bid,
      quote.ask,
      quote.last,
      quote.high,
      quote.low,
      quote.volume,
      quote.close,
      quote.open,
    ]);
  });
});
