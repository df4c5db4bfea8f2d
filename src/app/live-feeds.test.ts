import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { IbGateway } from "../adapters/ib/ib-gateway.js";
import { loadConfig } from "../config/load-config.js";
import { ManualScheduler } from "../core/manual-scheduler.js";
import { Rng } from "../core/rng.js";
import { DailyCycleGuard, type OutageClassifier } from "../data/daily-cycle.js";
import type { QualifiedContract } from "../model/qualified-contract.js";
import { parseTimeframe } from "../model/timeframe.js";
import { createIbMarketData } from "./ib-market-data.js";
import { LiveFeeds } from "./live-feeds.js";

/** Tuesday 2024-01-02 15:04:05 UTC: 10:04 in New York, inside the regular session. */
const IN_SESSION_MS = Date.UTC(2024, 0, 2, 15, 4, 5);
const INFO = 30;
const WARN = 40;

const SPY: QualifiedContract = {
  symbol: "SPY",
  conId: 756733,
  secType: "STK",
  exchange: "SMART",
  primaryExchange: "ARCA",
  currency: "USD",
  localSymbol: "SPY",
  longName: "SPDR S&P 500 ETF TRUST",
  minTick: 0.01,
  timeZoneId: "America/New_York",
  tradingHours: "",
  liquidHours: "",
  fetchedAtMs: IN_SESSION_MS,
};

/** The Gateway restarts at `time` New York time, with ten minutes either side. */
function restartAt(time: string): OutageClassifier {
  return new DailyCycleGuard({
    resetWindows: [],
    gatewayRestart: { time, timeZone: "America/New_York" },
    quietMarginMinutes: 10,
  }).classifyOutage;
}

describe("LiveFeeds stall logging", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });

  /**
   * Feeds over a gateway that never connects, in virtual time: no 5-second bar ever comes, so the watchdog
   * reports a stall once the session has been silent for its limit.
   */
  function stalledFeedLogs(classifyOutage?: OutageClassifier): Record<string, unknown>[] {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString("utf8").split("\n")) {
          if (line.trim() !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    const logger = pino({ level: "debug" }, sink);
    const scheduler = new ManualScheduler(IN_SESSION_MS);
    const config = loadConfig({ flags: {}, env: {}, directory: "/nonexistent" });
    const gateway = new IbGateway(config.ibkr, { scheduler, rng: new Rng(1), logger });
    const data = createIbMarketData({ gateway, scheduler, maxRequestsPerSecond: 40 });
    const feeds = new LiveFeeds({
      gateway,
      history: data.history,
      contracts: [SPY],
      timeframe: parseTimeframe("1m"),
      scheduler,
      logger,
      marketDataType: 1,
      ...(classifyOutage === undefined ? {} : { classifyOutage }),
    });
    cleanups.push(() => {
      feeds.stop();
      data.dispose();
      gateway.connection.stop();
    });
    feeds.start(0);
    scheduler.advanceBy(31_000);
    return lines.filter((line) => line.event === "feed.stalled");
  }

  it("logs a stall around the configured Gateway restart at info, saying why it is expected", () => {
    expect(stalledFeedLogs(restartAt("10:05"))).toEqual([
      expect.objectContaining({
        level: INFO,
        symbol: "SPY",
        expected: "the Gateway restart at 10:05 America/New_York (±10 min)",
      }),
    ]);
  });

  it("raises a stall outside the daily cycle as a warning", () => {
    const [stalled, ...more] = stalledFeedLogs(restartAt("23:50"));
    expect(more).toEqual([]);
    expect(stalled).toMatchObject({ level: WARN, symbol: "SPY" });
    expect(stalled).not.toHaveProperty("expected");
  });

  it("raises every stall as a warning when nothing says which outages are expected", () => {
    expect(stalledFeedLogs()).toEqual([expect.objectContaining({ level: WARN, symbol: "SPY" })]);
  });
});
