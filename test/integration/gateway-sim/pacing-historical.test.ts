import { BarSizeSetting, WhatToShow, type Contract, type IBApi } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { HistoricalPacingRules } from "../../../src/gateway-sim/market-data/historical-pacing-rules.js";
import {
  AAPL,
  IbEventLog,
  MarketDataSim,
  SESSION_MORNING_MS,
  stock,
  SYMBOLS,
  type HistoricalOutcome,
} from "./market-data-fixture.js";

const PACING_VIOLATION: HistoricalOutcome = {
  kind: "error",
  code: 162,
  message: "Historical Market Data Service error message:Historical data request pacing violation",
};

const SERIES = [WhatToShow.TRADES, WhatToShow.MIDPOINT, WhatToShow.BID, WhatToShow.ASK] as const;

/** A historical request; by default 60 S of 5-second AAPL trades up to now, which the rules pace. */
interface Ask {
  readonly contract?: Contract;
  readonly duration?: string;
  readonly barSize?: BarSizeSetting;
  readonly whatToShow?: WhatToShow;
  readonly keepUpToDate?: boolean;
}

/** Sends a historical request as `reqId`. */
function send(api: IBApi, reqId: number, ask: Ask = {}): void {
  api.reqHistoricalData(
    reqId,
    ask.contract ?? AAPL,
    "",
    ask.duration ?? "60 S",
    ask.barSize ?? BarSizeSetting.SECONDS_FIVE,
    ask.whatToShow ?? WhatToShow.TRADES,
    1,
    1,
    ask.keepUpToDate ?? false,
  );
}

/** "data" or the error a request came back with. */
function summary(outcome: HistoricalOutcome): "data" | HistoricalOutcome {
  return outcome.kind === "data" ? "data" : outcome;
}

describe.each([176, 193])("historical pacing at server version %i, in simulated time", (serverVersion) => {
  let sim: MarketDataSim | undefined;
  let api: IBApi;
  let log: IbEventLog;
  let nextReqId = 1;

  async function start(pacing?: HistoricalPacingRules): Promise<MarketDataSim> {
    sim = await MarketDataSim.start(pacing === undefined ? { serverVersion } : { serverVersion, pacing });
    api = await sim.connectedApi("client", 1);
    log = new IbEventLog(api);
    nextReqId = 1;
    return sim;
  }

  /** Moves simulated time to `offsetMs` after the start, then makes one request and waits for its outcome. */
  async function askAt(offsetMs: number, ask: Ask = {}): Promise<"data" | HistoricalOutcome> {
    sim?.advanceTo(SESSION_MORNING_MS + offsetMs);
    const reqId = nextReqId++;
    send(api, reqId, ask);
    return summary(await log.historical(reqId));
  }

  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it("refuses an identical request 14,999 ms later and serves it at 15,000 ms", async () => {
    await start();
    expect(await askAt(0)).toBe("data");
    expect(await askAt(14_999)).toEqual(PACING_VIOLATION);
    expect(await askAt(15_000)).toBe("data");
  });

  it("serves five requests for one contract, exchange and whatToShow within 2 s, refuses the sixth, serves it at 2 s", async () => {
    await start();
    for (const [index, duration] of ["60 S", "120 S", "180 S", "240 S", "300 S"].entries()) {
      expect(await askAt(index, { duration })).toBe("data");
    }
    expect(await askAt(1_999, { duration: "360 S" })).toEqual(PACING_VIOLATION);
    expect(await askAt(2_000, { duration: "360 S" })).toBe("data");
  });

  /** 60 requests one second apart, each for a different contract and whatToShow. */
  async function sixtyInTenMinutes(count = 60): Promise<void> {
    for (let index = 0; index < count; index++) {
      const ask = {
        contract: stock(SYMBOLS[index % SYMBOLS.length] ?? "AAPL"),
        whatToShow: SERIES[Math.floor(index / SYMBOLS.length)] ?? WhatToShow.TRADES,
      };
      expect(await askAt(index * 1_000, ask)).toBe("data");
    }
  }

  it("serves 60 requests in ten minutes, refuses the 61st inside the window and serves it when the first is ten minutes old", async () => {
    await start();
    await sixtyInTenMinutes();
    const last = { contract: stock("KO"), whatToShow: WhatToShow.ASK };
    expect(await askAt(599_999, last)).toEqual(PACING_VIOLATION);
    expect(await askAt(600_000, last)).toBe("data");
  });

  it("counts a BID_ASK request twice towards the 60", async () => {
    await start();
    await sixtyInTenMinutes(59);
    expect(await askAt(59_000, { contract: stock("DIS"), whatToShow: WhatToShow.BID_ASK })).toEqual(
      PACING_VIOLATION,
    );
    expect(await askAt(59_000, { contract: stock("DIS"), whatToShow: WhatToShow.ASK })).toBe("data");
  });

  it("refuses the 51st open request (keepUpToDate, any bar size) and serves one after a cancel", async () => {
    await start();
    const minuteUpdates = {
      barSize: BarSizeSetting.MINUTES_ONE,
      duration: "1800 S",
      keepUpToDate: true,
    } as const;
    for (let reqId = 1; reqId <= 50; reqId++) send(api, reqId, minuteUpdates);
    for (let reqId = 1; reqId <= 50; reqId++) expect(summary(await log.historical(reqId))).toBe("data");
    send(api, 51, minuteUpdates);
    expect(summary(await log.historical(51))).toEqual(PACING_VIOLATION);
    api.cancelHistoricalData(1);
    send(api, 52, minuteUpdates);
    expect(summary(await log.historical(52))).toBe("data");
  });

  it("does not pace one-minute bars unless configured to", async () => {
    await start();
    const minutes = { barSize: BarSizeSetting.MINUTES_ONE, duration: "1800 S" } as const;
    for (let request = 0; request < 8; request++) expect(await askAt(0, minutes)).toBe("data");
    await sim?.close();
    await start(new HistoricalPacingRules({ applyToAllBarSizes: true }));
    expect(await askAt(0, minutes)).toBe("data");
    expect(await askAt(1, minutes)).toEqual(PACING_VIOLATION);
  });

  it("refuses exactly the next N requests after forcePacingViolations(N)", async () => {
    const started = await start();
    started.pacing.forcePacingViolations(2);
    expect(await askAt(0)).toEqual(PACING_VIOLATION);
    expect(await askAt(0)).toEqual(PACING_VIOLATION);
    expect(await askAt(0)).toBe("data");
  });
});
