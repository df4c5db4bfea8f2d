import { afterEach, describe, expect, it } from "vitest";
import { IbGateway } from "../../../src/adapters/ib/ib-gateway.js";
import { createIbMarketData } from "../../../src/app/ib-market-data.js";
import { LiveFeeds } from "../../../src/app/live-feeds.js";
import { loadConfig } from "../../../src/config/load-config.js";
import { Rng } from "../../../src/core/rng.js";
import type { Scheduler } from "../../../src/core/scheduler.js";
import { SystemScheduler } from "../../../src/core/system-scheduler.js";
import type { FeedEvent } from "../../../src/data/feed-event.js";
import type { GatewaySim, GatewaySimOptions } from "../../../src/gateway-sim/gateway-sim.js";
import type { Bar } from "../../../src/model/bar.js";
import { parseTimeframe } from "../../../src/model/timeframe.js";
import { LogCapture, roundTrip, startSim, waitForGeneration } from "./ib-test-kit.js";

/** Wednesday 2024-01-03 15:00:00 UTC: 10:00 in New York, mid-session. */
const START = Date.UTC(2024, 0, 3, 15, 0, 0);
const MINUTE = 60_000;

/** The simulator's own time as a Scheduler: timers run when the test advances the simulated clock. */
function simScheduler(sim: GatewaySim): Scheduler {
  return {
    nowMs: () => sim.clock.nowMs(),
    setTimer: (delayMs, task) => sim.scheduler.at(sim.clock.nowMs() + Math.max(0, delayMs), task),
  };
}

describe("live feeds over IB real-time bars from gateway-sim", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(options: GatewaySimOptions) {
    const { sim, port } = await startSim({ clock: { mode: "manual", startMs: START }, ...options });
    cleanups.push(() => sim.stop());
    const logs = new LogCapture();
    const config = loadConfig({ flags: { IBKR_PORT: String(port) }, env: {}, directory: "/nonexistent" });
    const wall = new SystemScheduler();
    const gateway = new IbGateway(
      { ...config.ibkr, reconnectDelayMs: 50, maxReconnectDelayMs: 100 },
      { scheduler: wall, rng: new Rng(1), logger: logs.logger },
    );
    const data = createIbMarketData({
      gateway,
      scheduler: wall,
      maxRequestsPerSecond: 40,
      pacer: { safetyMarginMs: 10, limits: { identicalRequestWindowMs: 50, sameSeriesWindowMs: 50 } },
    });
    await gateway.connection.start();
    const spy = await data.contracts.resolve("SPY");
    const events: FeedEvent[] = [];
    const feeds = new LiveFeeds({
      gateway,
      history: data.history,
      contracts: [spy],
      timeframe: parseTimeframe("1m"),
      scheduler: simScheduler(sim),
      logger: logs.logger,
      marketDataType: 3,
      onEvent: (event) => events.push(event),
    });
    cleanups.push(() => {
      feeds.stop();
      data.dispose();
      gateway.connection.stop();
    });
    const closed = (): Bar[] =>
      events.flatMap((event) => (event.type === "FeedBarClosed" ? [event.bar] : []));
    /** Moves simulated time on in 5-second steps, waiting after each for the gateway to have sent its bars. */
    const advance = async (untilMs: number, connected = true): Promise<void> => {
      while (sim.clock.nowMs() < untilMs) {
        sim.scheduler.advanceTo(Math.min(untilMs, sim.clock.nowMs() + 5_000));
        if (connected) await roundTrip(gateway.connection);
      }
    };
    /** What IB's history says the 1-minute bars of [fromMs, toMs) were. */
    const truth = async (fromMs: number, toMs: number): Promise<Bar[]> => {
      const bars = await gateway.history.fetchHistory({
        symbol: "SPY",
        conId: spy.conId,
        exchange: "SMART",
        barSizeSetting: "1 min",
        barSeconds: 60,
        durationStr: `${(toMs - fromMs) / 1000} S`,
        startMs: fromMs,
        endMs: toMs,
        whatToShow: "TRADES",
        useRth: true,
      });
      return [...bars];
    };
    return { sim, gateway, feeds, events, logs, closed, advance, truth };
  }

  it("hands the strategy warm-up bars, then live bars, with no gap or duplicate at the seam and IB's OHLCV", async () => {
    const { feeds, closed, advance, truth, events } = await setUp({ liveData: true });
    feeds.start(10);
    await expect.poll(() => closed().length).toBe(10);
    await advance(START + 3 * MINUTE);
    await expect.poll(() => closed().length).toBe(13);
    const bars = closed();
    expect(bars.map((bar) => bar.openTime)).toEqual(
      Array.from({ length: 13 }, (_, index) => START + (index - 10) * MINUTE),
    );
    expect(bars).toEqual(await truth(START - 10 * MINUTE, START + 3 * MINUTE));
    const sources = events.flatMap((event) => (event.type === "FeedBarClosed" ? [event.source] : []));
    expect(sources).toEqual([...Array<string>(10).fill("history"), "live", "live", "live"]);
  });

  it.each([
    ["the connection drops", (sim: GatewaySim) => sim.faults.dropAllConnections()],
    ["the Gateway restarts", (sim: GatewaySim) => sim.faults.restart({ downForMs: 150 })],
  ])(
    "continues without a gap or duplicate after %s mid-stream, backfilling the outage",
    async (_name, fault) => {
      const { sim, gateway, feeds, closed, advance, truth, events, logs } = await setUp({ liveData: true });
      feeds.start(5);
      await advance(START + 2 * MINUTE + 20_000);
      await fault(sim);
      await advance(START + 4 * MINUTE, false);
      await waitForGeneration(gateway.connection, 2);
      await roundTrip(gateway.connection);
      await advance(START + 6 * MINUTE);
      await expect.poll(() => closed().length).toBe(11);
      expect(closed()).toEqual(await truth(START - 5 * MINUTE, START + 6 * MINUTE));
      const restored = events.find((event) => event.type === "FeedResubscribed");
      expect(restored).toMatchObject({ symbol: "SPY", reason: "reconnected (session 2)" });
      // A subscription lost with the connection is a warning that says how it recovers, not an error.
      for (const failed of logs.events("feed.failed")) {
        expect(failed).toMatchObject({ level: 40, symbol: "SPY", stage: "subscription" });
        expect(failed.recovery).toMatch(/resubscribed/);
      }
      expect(logs.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
    },
  );

  it("falls back to bars built from delayed ticks without a live subscription, and says so", async () => {
    const { feeds, closed, advance, logs, events } = await setUp({ liveData: false });
    feeds.start(3);
    await expect.poll(() => closed().length).toBe(3);
    await advance(START + 3 * MINUTE);
    await expect.poll(() => closed().length).toBeGreaterThanOrEqual(5);
    expect(feeds.delayedSymbols.has("SPY")).toBe(true);
    expect(logs.events("market_data.delayed")).toEqual([
      expect.objectContaining({ symbol: "SPY", marketDataType: 3, delayMinutes: "15-20" }),
    ]);
    const live = events.flatMap((event) =>
      event.type === "FeedBarClosed" && event.source === "live" ? [event.bar] : [],
    );
    for (const bar of live) {
      expect(bar.high).toBeGreaterThanOrEqual(bar.low);
      expect(bar.closeTime - bar.openTime).toBe(MINUTE);
    }
  });

  it.each([
    [
      "1101 (connectivity restored, data lost)",
      (sim: GatewaySim) => sim.faults.connectivityRestored({ dataLost: true }),
      "IB 1101: connectivity restored, data lost",
    ],
    [
      "a market data farm flap (2103 then 2104)",
      (sim: GatewaySim) => sim.faults.farmFlap({ farm: "market" }),
      "IB 2104: data farm connection restored",
    ],
  ])("restores the subscription after %s", async (_name, fault, reason) => {
    const { sim, gateway, feeds, closed, advance, events } = await setUp({ liveData: true });
    feeds.start(2);
    await advance(START + MINUTE);
    await fault(sim);
    await roundTrip(gateway.connection);
    await advance(START + 3 * MINUTE);
    await expect.poll(() => closed().length).toBe(5);
    expect(events.find((event) => event.type === "FeedResubscribed")).toMatchObject({ reason });
    expect(closed().map((bar) => bar.openTime)).toEqual(
      [-2, -1, 0, 1, 2].map((minutes) => START + minutes * MINUTE),
    );
  });
});
