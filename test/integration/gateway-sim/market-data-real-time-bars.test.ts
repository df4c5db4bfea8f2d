import { MarketDataType, WhatToShow } from "@stoqey/ib";
import { firstValueFrom, take, timeout, toArray } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { newYorkLocalToUtcMs } from "../../../src/data/new-york-time.js";
import type { WhatToShow as ModelWhatToShow } from "../../../src/gateway-sim/market/market-bar.js";
import {
  AAPL,
  asReceived,
  IbEventLog,
  MarketDataSim,
  SESSION_MORNING_MS,
  stock,
} from "./market-data-fixture.js";
import { EVENT_TIMEOUT_MS } from "./wait-for.js";

/** The bars `reqId` has received so far. */
function barsOf(log: IbEventLog, reqId: number) {
  return log.of(reqId).flatMap((event) => (event.type === "realtimeBar" ? [event.bar] : []));
}

describe.each([176, 193])("real-time bars at server version %i", (serverVersion) => {
  let sim: MarketDataSim | undefined;

  async function start(liveDataAccounts: boolean, startMs = SESSION_MORNING_MS): Promise<MarketDataSim> {
    sim = await MarketDataSim.start({ serverVersion, startMs, options: { liveDataAccounts } });
    return sim;
  }

  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  /** Expected bars: the model's 5-second bars starting at `startsMs`, as clients receive them. */
  function modelBars(symbol: string, startsMs: readonly number[], whatToShow: ModelWhatToShow) {
    return startsMs.map((startMs) => {
      const bar = sim?.model.fiveSecondBar(symbol, startMs, whatToShow);
      if (bar === undefined) throw new Error(`no model bar at ${startMs}`);
      return { time: startMs / 1000, ...asReceived(bar) };
    });
  }

  it.each(["TRADES", "MIDPOINT", "BID", "ASK"] as const)(
    "sends one %s bar per 5 simulated seconds equal to the model's, stamped with its start",
    async (whatToShow) => {
      const sim = await start(true);
      const api = await sim.connectedApi("client", 1);
      const log = new IbEventLog(api);
      api.reqRealTimeBars(3, AAPL, 5, whatToShow, false);
      await log.roundTrip();
      for (const step of [1, 2, 3]) {
        sim.advanceTo(SESSION_MORNING_MS + step * 5_000);
        await log.until(`bar ${step}`, () => (barsOf(log, 3).length === step ? true : undefined));
      }
      const starts = [0, 5_000, 10_000].map((offset) => SESSION_MORNING_MS + offset);
      expect(barsOf(log, 3)).toEqual(modelBars("AAPL", starts, whatToShow));
    },
  );

  it("stops after cancelRealTimeBars", async () => {
    const sim = await start(true);
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    api.reqRealTimeBars(3, AAPL, 5, WhatToShow.TRADES, false);
    await log.roundTrip();
    sim.advanceTo(SESSION_MORNING_MS + 5_000);
    await log.until("the first bar", () => (barsOf(log, 3).length === 1 ? true : undefined));
    api.cancelRealTimeBars(3);
    await log.roundTrip();
    sim.advanceTo(SESSION_MORNING_MS + 60_000);
    await log.roundTrip();
    expect(barsOf(log, 3)).toHaveLength(1);
  });

  it("sends no bars between sessions and the first one when the session opens", async () => {
    const beforeOpen = newYorkLocalToUtcMs(2024, 3, 5, 9, 29, 50);
    const open = newYorkLocalToUtcMs(2024, 3, 5, 9, 30, 0);
    const sim = await start(true, beforeOpen);
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    api.reqRealTimeBars(3, AAPL, 5, WhatToShow.TRADES, true);
    await log.roundTrip();
    sim.advanceTo(open);
    await log.roundTrip();
    expect(barsOf(log, 3)).toEqual([]);
    sim.advanceTo(open + 5_000);
    await log.until("the opening bar", () => (barsOf(log, 3).length === 1 ? true : undefined));
    expect(barsOf(log, 3)).toEqual(modelBars("AAPL", [open], "TRADES"));
  });

  it("refuses real-time bars without a live subscription with 420, even after reqMarketDataType(3)", async () => {
    const sim = await start(false);
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    api.reqMarketDataType(MarketDataType.DELAYED);
    api.reqRealTimeBars(3, AAPL, 5, WhatToShow.TRADES, false);
    expect((await log.error(3, 420)).message).toBe(
      "Invalid Real-time Query:No market data permissions for ISLAND STK. Requested market data requires additional subscription for API. See link in 'Market Data Connections' dialog for more details.",
    );
    api.reqRealTimeBars(4, stock("IBM"), 5, WhatToShow.TRADES, false);
    expect((await log.error(4, 420)).message).toMatch(
      /^Invalid Real-time Query:No market data permissions for NYSE STK\./,
    );
  });

  it("refuses a whatToShow real-time bars do not have with 321", async () => {
    const sim = await start(true);
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    api.reqRealTimeBars(3, AAPL, 5, WhatToShow.BID_ASK, false);
    expect((await log.error(3, 321)).message).toBe(
      "Error validating request.-'bY' : cause - What to show field is missing or incorrect.",
    );
  });

  it("serves IBApiNext.getRealTimeBars", async () => {
    const sim = await start(true);
    const api = sim.harness.ibApiNext("next", []);
    api.connect(3);
    const bars = firstValueFrom(
      api
        .getRealTimeBars(stock("NVDA"), WhatToShow.MIDPOINT)
        .pipe(take(3), toArray(), timeout(EVENT_TIMEOUT_MS)),
    );
    // getCurrentTime queues behind the subscription's request: once it answers, the request is in place.
    await api.getCurrentTime();
    for (const step of [1, 2, 3]) sim.advanceTo(SESSION_MORNING_MS + step * 5_000);
    const expected = modelBars(
      "NVDA",
      [0, 5_000, 10_000].map((offset) => SESSION_MORNING_MS + offset),
      "MIDPOINT",
    );
    // IBApiNext drops the −1 volume, WAP and count of MIDPOINT bars and keeps the time as text.
    expect(await bars).toEqual(
      expected.map(({ time, open, high, low, close }) => ({ time: String(time), open, high, low, close })),
    );
  });
});
