import { BarSizeSetting, WhatToShow, type Contract } from "@stoqey/ib";
import { firstValueFrom, take, timeout, toArray } from "rxjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newYorkLocalToUtcMs } from "../../../src/data/new-york-time.js";
import type { BarSize } from "../../../src/gateway-sim/market/bar-size.js";
import type { MarketBar, WhatToShow as ModelWhatToShow } from "../../../src/gateway-sim/market/market-bar.js";
import {
  AAPL,
  asReceived,
  IbEventLog,
  MarketDataSim,
  SESSION_MORNING_MS,
  stock,
  type HistoricalOutcome,
} from "./market-data-fixture.js";
import { EVENT_TIMEOUT_MS } from "./wait-for.js";

const HMDS = "Historical Market Data Service error message:";

/** `yyyyMMdd HH:mm:ss UTC`: the simulated TWS's text time (it runs in UTC, like its connection time). */
function utcText(timeMs: number): string {
  const iso = new Date(timeMs).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)} ${iso.slice(11, 19)} UTC`;
}

function newYork(month: number, day: number, hour: number, minute = 0): number {
  return newYorkLocalToUtcMs(2024, month, day, hour, minute, 0);
}

/** The model's bars dated the way a client receives them. */
function dated(bars: readonly MarketBar[], date: (bar: MarketBar) => string) {
  return bars.map((bar) => ({ date: date(bar), ...asReceived(bar) }));
}

/** reqHistoricalData taking any text as bar size and whatToShow, since clients can send values @stoqey/ib's enums lack. */
type TextHistoricalRequest = (
  reqId: number,
  contract: Contract,
  endDateTime: string,
  durationStr: string,
  barSizeSetting: string,
  whatToShow: string,
  useRTH: number,
  formatDate: number,
  keepUpToDate: boolean,
) => unknown;

function dataOf(outcome: HistoricalOutcome) {
  if (outcome.kind !== "data")
    throw new Error(`expected bars, got error ${outcome.code}: ${outcome.message}`);
  return outcome;
}

describe.each([176, 193])("historical data at server version %i", (serverVersion) => {
  let sim: MarketDataSim;

  beforeEach(async () => {
    sim = await MarketDataSim.start({ serverVersion });
  });

  afterEach(async () => {
    await sim.close();
  });

  function modelBars(
    symbol: string,
    fromMs: number,
    toMs: number,
    barSize: BarSize,
    whatToShow: ModelWhatToShow,
  ) {
    return sim.model.bars(symbol, { fromMs, toMs, barSize, whatToShow });
  }

  it("answers 1 D of 1-minute bars for a past day with exactly the model's 390 bars", async () => {
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    const endMs = newYork(3, 4, 16);
    api.reqHistoricalData(
      1,
      AAPL,
      utcText(endMs),
      "1 D",
      BarSizeSetting.MINUTES_ONE,
      WhatToShow.TRADES,
      1,
      1,
      false,
    );
    const outcome = dataOf(await log.historical(1));
    const expected = modelBars("AAPL", newYork(3, 4, 9, 30), endMs, "1 min", "TRADES");
    expect(expected).toHaveLength(390);
    expect(outcome.bars).toEqual(dated(expected, (bar) => utcText(bar.timeMs)));
    expect(outcome.end).toBe(`finished-${utcText(endMs - 86_400_000)}-${utcText(endMs)}`);
  });

  it("reads an end time in New York time and writes epoch seconds for formatDate 2", async () => {
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    api.reqHistoricalData(
      2,
      stock("MSFT"),
      "20240304 11:00:00 US/Eastern",
      "3600 S",
      BarSizeSetting.MINUTES_FIVE,
      WhatToShow.MIDPOINT,
      1,
      2,
      false,
    );
    const outcome = dataOf(await log.historical(2));
    const expected = modelBars("MSFT", newYork(3, 4, 10), newYork(3, 4, 11), "5 mins", "MIDPOINT");
    expect(expected).toHaveLength(12);
    expect(outcome.bars).toEqual(dated(expected, (bar) => String(bar.timeMs / 1000)));
    expect(outcome.bars[0]?.volume).toBe(-1);
  });

  it("dates daily bars yyyyMMdd and counts D in sessions, today's bar so far included", async () => {
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    api.reqHistoricalData(3, AAPL, "", "5 D", BarSizeSetting.DAYS_ONE, WhatToShow.TRADES, 1, 1, false);
    const outcome = dataOf(await log.historical(3));
    const expected = modelBars("AAPL", newYork(2, 28, 9, 30), SESSION_MORNING_MS, "1 day", "TRADES");
    const days = ["20240228", "20240229", "20240301", "20240304", "20240305"];
    expect(outcome.bars).toEqual(expected.map((bar, index) => ({ date: days[index], ...asReceived(bar) })));
  });

  it("serves IBApiNext.getHistoricalData with the same bars", async () => {
    const api = sim.harness.ibApiNext("next", []);
    api.connect(3);
    const bars = await api.getHistoricalData(
      AAPL,
      "20240304-15:00:00",
      "1800 S",
      BarSizeSetting.MINUTES_FIVE,
      WhatToShow.TRADES,
      1,
      1,
    );
    const expected = modelBars(
      "AAPL",
      Date.UTC(2024, 2, 4, 14, 30),
      Date.UTC(2024, 2, 4, 15, 0),
      "5 mins",
      "TRADES",
    );
    expect(bars).toEqual(
      expected.map((bar) => ({
        time: utcText(bar.timeMs),
        open: bar.open,
        high: bar.high,
        low: bar.low,
        close: bar.close,
        volume: bar.volume,
        count: bar.count,
        WAP: bar.wap,
      })),
    );
  });

  it("keeps a keepUpToDate request open with the forming bar every 5 s until cancelled", async () => {
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    api.reqHistoricalData(5, AAPL, "", "1800 S", BarSizeSetting.MINUTES_ONE, WhatToShow.TRADES, 0, 1, true);
    const history = dataOf(await log.historical(5));
    expect(history.bars).toEqual(
      dated(modelBars("AAPL", newYork(3, 5, 9, 30), SESSION_MORNING_MS, "1 min", "TRADES"), (bar) =>
        utcText(bar.timeMs),
      ),
    );
    const updates = () =>
      log.of(5).flatMap((event) => (event.type === "historicalDataUpdate" ? [event.bar] : []));
    for (const step of [1, 2, 3]) {
      sim.advanceTo(SESSION_MORNING_MS + step * 5_000);
      await log.until(`update ${step}`, () => (updates().length === step ? true : undefined));
    }
    const forming = [1, 2, 3].map((step) => {
      const [bar] = modelBars(
        "AAPL",
        SESSION_MORNING_MS,
        SESSION_MORNING_MS + step * 5_000,
        "1 min",
        "TRADES",
      );
      if (bar === undefined) throw new Error("no forming bar");
      return { date: utcText(SESSION_MORNING_MS), ...asReceived(bar) };
    });
    expect(updates()).toEqual(forming);

    api.cancelHistoricalData(5);
    await log.roundTrip();
    sim.advanceTo(SESSION_MORNING_MS + 60_000);
    await log.roundTrip();
    expect(updates()).toHaveLength(3);
    api.cancelHistoricalData(5);
    expect((await log.error(5, 366)).message).toBe("No historical data query found for ticker id:5");
  });

  it("serves IBApiNext.getHistoricalDataUpdates", async () => {
    const api = sim.harness.ibApiNext("next", []);
    api.connect(3);
    const updates = firstValueFrom(
      api
        .getHistoricalDataUpdates(stock("TSLA"), BarSizeSetting.MINUTES_ONE, WhatToShow.BID, 1)
        .pipe(take(2), toArray(), timeout(EVENT_TIMEOUT_MS)),
    );
    await api.getCurrentTime();
    sim.advanceTo(SESSION_MORNING_MS + 5_000);
    await api.getCurrentTime();
    sim.advanceTo(SESSION_MORNING_MS + 10_000);
    // IBApiNext emits one mutable bar object for every update, so both emissions show the latest values.
    const [bar] = modelBars("TSLA", SESSION_MORNING_MS, SESSION_MORNING_MS + 10_000, "1 min", "BID");
    expect((await updates)[1]).toEqual({
      time: utcText(SESSION_MORNING_MS),
      open: bar?.open,
      high: bar?.high,
      low: bar?.low,
      close: bar?.close,
      volume: undefined,
      count: undefined,
      WAP: undefined,
    });
  });

  it.each([
    [
      "an end date with keepUpToDate",
      { end: "20240304 16:00:00", keepUpToDate: true },
      321,
      "Error validating request.-'bM' : cause - End date not supported with live updates",
    ],
    [
      "a bar size IB does not have",
      { barSize: "1 minute" },
      321,
      "Error validating request.-'bI' : cause - Historical data bar size setting is invalid. Legal ones are: 1 secs, 5 secs, 10 secs, 15 secs, 30 secs, 1 min, 2 mins, 3 mins, 5 mins, 10 mins, 15 mins, 20 mins, 30 mins, 1 hour, 2 hours, 3 hours, 4 hours, 8 hours, 1 day, 1W, 1M",
    ],
    [
      "an end time in EDT",
      { end: "20240304 16:00:00 EDT" },
      321,
      "Error validating request.-'bI' : cause - Historical data query end date/time string [20240304 16:00:00 EDT] is invalid.  Format is 'YYYYMMDD{SPACE}hh:mm:ss[{SPACE}TMZ]'.",
    ],
    [
      "more than 2000 S of 1-second bars",
      { barSize: "1 secs", duration: "2001 S" },
      162,
      `${HMDS}Time length exceed max.`,
    ],
    ["more than 365 D of minute bars", { duration: "366 D" }, 162, `${HMDS}Time length exceed max.`],
    [
      "BID_ASK, which the model has no series for",
      { whatToShow: "BID_ASK" },
      162,
      `${HMDS}HMDS query returned no data: AAPL@SMART Bid_Ask`,
    ],
    [
      "a window without a session",
      { end: "20240303 12:00:00", duration: "3600 S" },
      162,
      `${HMDS}HMDS query returned no data: AAPL@SMART Trades`,
    ],
    [
      "an unknown whatToShow",
      { whatToShow: "VOLUME" },
      321,
      "Error validating request.-'bY' : cause - What to show field is missing or incorrect.",
    ],
  ])(
    "refuses %s",
    async (
      _,
      request: {
        end?: string;
        barSize?: string;
        duration?: string;
        whatToShow?: string;
        keepUpToDate?: boolean;
      },
      code,
      message,
    ) => {
      const api = await sim.connectedApi("client", 1);
      const log = new IbEventLog(api);
      const requestHistoricalData = api.reqHistoricalData.bind(api) as TextHistoricalRequest;
      requestHistoricalData(
        9,
        AAPL,
        request.end ?? "20240304 16:00:00",
        request.duration ?? "1 D",
        request.barSize ?? "1 min",
        request.whatToShow ?? "TRADES",
        1,
        1,
        request.keepUpToDate ?? false,
      );
      expect(await log.historical(9)).toEqual({ kind: "error", code, message });
    },
  );

  it("refuses an unknown contract with 200", async () => {
    const api = await sim.connectedApi("client", 1);
    const log = new IbEventLog(api);
    api.reqHistoricalData(
      9,
      stock("NOSUCH"),
      "",
      "1 D",
      BarSizeSetting.MINUTES_ONE,
      WhatToShow.TRADES,
      1,
      1,
      false,
    );
    expect(await log.historical(9)).toEqual({
      kind: "error",
      code: 200,
      message: "No security definition has been found for the request",
    });
  });
});
