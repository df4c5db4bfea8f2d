import { afterEach, describe, expect, it } from "vitest";
import { IbGateway } from "../../../src/adapters/ib/ib-gateway.js";
import { createIbMarketData, type IbMarketData } from "../../../src/app/ib-market-data.js";
import { loadConfig } from "../../../src/config/load-config.js";
import { Rng } from "../../../src/core/rng.js";
import { SystemScheduler } from "../../../src/core/system-scheduler.js";
import type { HistoricalPacerOptions } from "../../../src/data/historical-pacer.js";
import type { GatewaySim, GatewaySimOptions } from "../../../src/gateway-sim/gateway-sim.js";
import type { Bar } from "../../../src/model/bar.js";
import { MarketDataStore } from "../../../src/store/market-data-store.js";
import { LogCapture, startSim } from "./ib-test-kit.js";

/** Wednesday 2024-01-10, 15:00 UTC: a week of finished sessions lies behind it. */
const NOW = Date.UTC(2024, 0, 10, 15);
/** Tuesday 2024-01-02 00:00 UTC to Wednesday 2024-01-10 00:00 UTC: six trading days (Jan 2–5, 8, 9). */
const FROM = Date.UTC(2024, 0, 2);
const TO = Date.UTC(2024, 0, 10);
const TEN_SYMBOLS = Array.from({ length: 10 }, (_, index) => `SIM${String(index + 1).padStart(3, "0")}`);

/** Fast retries for tests: a real 15-second identical-request window would make a retry wait that long. */
const TEST_PACER: Omit<HistoricalPacerOptions, "scheduler"> = {
  safetyMarginMs: 10,
  pacingBackoffMs: { initial: 20, max: 100 },
  limits: { identicalRequestWindowMs: 50, sameSeriesWindowMs: 50 },
};

describe("history through the pacer from gateway-sim", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(simOptions: GatewaySimOptions, pacer = TEST_PACER) {
    const { sim, port } = await startSim({
      clock: { mode: "manual", startMs: NOW },
      syntheticInstruments: 10,
      ...simOptions,
    });
    cleanups.push(() => sim.stop());
    const logs = new LogCapture();
    const config = loadConfig({
      flags: { IBKR_PORT: String(port), IBKR_RECONNECT_DELAY: "1", IBKR_MAX_RECONNECT_DELAY: "1" },
      env: {},
      directory: "/nonexistent",
    });
    const scheduler = new SystemScheduler();
    const gateway = new IbGateway(
      { ...config.ibkr, reconnectDelayMs: 50, maxReconnectDelayMs: 100 },
      { scheduler, rng: new Rng(1), logger: logs.logger },
    );
    const store = MarketDataStore.open(":memory:");
    const data = createIbMarketData({
      gateway,
      scheduler,
      barCache: store.bars,
      contractCache: store.contracts,
      pacer,
      maxRequestsPerSecond: config.ibkr.maxRequestsPerSecond,
    });
    cleanups.push(() => {
      data.dispose();
      gateway.connection.stop();
      store.close();
    });
    await gateway.connection.start();
    return { sim, gateway, data, store, logs };
  }

  async function oneMinute(data: IbMarketData, symbol: string, onProgress?: (done: number) => void) {
    const contract = await data.contracts.resolve(symbol);
    return data.history.fetch({ contract, barSize: "1 min", fromMs: FROM, toMs: TO }, "warmup", onProgress);
  }

  function expectWholeSessions(bars: readonly Bar[], days: number): void {
    expect(bars).toHaveLength(390 * days);
    for (let index = 1; index < bars.length; index++) {
      const gap = bars[index]!.openTime - bars[index - 1]!.openTime;
      // Either the next minute or the next session's open: never a repeat, never a hole inside a session.
      expect(gap === 60_000 || gap > 3_600_000).toBe(true);
    }
  }

  it("warms up 10 symbols without a single 162 while IB's rules are enforced on every bar size", async () => {
    // The simulator's clock runs at wall speed here so that its 2-second window is a real 2 seconds.
    const { data } = await setUp(
      { pacing: { applyToAllBarSizes: true }, clock: { mode: "accelerated", speed: 1, startMs: NOW } },
      {},
    );
    const results = await Promise.all(TEN_SYMBOLS.map((symbol) => oneMinute(data, symbol)));
    for (const result of results) expectWholeSessions(result.bars, 6);
    expect(results.reduce((sum, result) => sum + result.requests, 0)).toBe(60);
    expect(data.pacer.stats.pacingViolations).toBe(0);
  });

  it("serves a second request for the same range from the cache without asking IB", async () => {
    const { data } = await setUp({});
    const first = await oneMinute(data, "SPY");
    const second = await oneMinute(data, "SPY");
    expect(first.requests).toBe(6);
    expect(second).toMatchObject({ requests: 0, cacheHits: 6 });
    expect(second.bars).toEqual(first.bars);
  });

  it("recovers from forced 162 pacing violations without losing a request", async () => {
    const { sim, data } = await setUp({});
    sim.faults.forcePacingViolations(3);
    const result = await oneMinute(data, "AAPL");
    expectWholeSessions(result.bars, 6);
    expect(data.pacer.stats.pacingViolations).toBe(3);
  });

  it.each([
    ["a dropped connection", (sim: GatewaySim) => sim.faults.dropAllConnections()],
    ["a Gateway restart", (sim: GatewaySim) => sim.faults.restart({ downForMs: 200 })],
  ])("finishes a download interrupted by %s with no gap and no duplicate", async (_name, fault) => {
    const { sim, data, gateway } = await setUp({});
    sim.faults.setLatencyMs(40);
    let faulted: Promise<void> | undefined;
    const result = await oneMinute(data, "IBM", (done) => {
      if (done === 2 && faulted === undefined) faulted = fault(sim);
    });
    await faulted;
    expectWholeSessions(result.bars, 6);
    expect(data.pacer.stats.disconnectRetries).toBeGreaterThan(0);
    expect(gateway.connection.state.status === "ready" && gateway.connection.state.session.generation).toBe(
      2,
    );
  });
});
