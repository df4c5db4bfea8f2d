// Historical backfill under IB's pacing rules: `node dist/bench/pacing.js`. Backfills 10 symbols × 30
// calendar days of 1-minute bars from an in-process gateway simulator that answers 162 to anything breaking
// IB's rules (ibkr-facts.md §3.1) for any bar size, through the daemon's own stack: IbGateway over TCP, the
// pacer, the history service and an in-memory SQLite cache. Compares the simulated time from the first to the
// last request with the least IB's rules allow, then runs the same backfill again from the warm cache.
import { IbGateway } from "../src/adapters/ib/ib-gateway.js";
import { CONNECTION_DEFAULTS } from "../src/adapters/ib/ib-connection.js";
import { createIbMarketData, type IbMarketData } from "../src/app/ib-market-data.js";
import { createLogger } from "../src/app/logger.js";
import { loadConfig } from "../src/config/load-config.js";
import type { Clock } from "../src/core/clock.js";
import { Rng } from "../src/core/rng.js";
import { ScaledScheduler } from "../src/core/system-scheduler.js";
import type { HistoricalDataPort } from "../src/data/historical-request.js";
import type { HistoryResult } from "../src/data/history-service.js";
import { IB_HISTORICAL_PACING_LIMITS } from "../src/data/pacing-limits.js";
import { GatewaySim } from "../src/gateway-sim/gateway-sim.js";
import type { QualifiedContract } from "../src/model/qualified-contract.js";
import { MarketDataStore } from "../src/store/market-data-store.js";

const SYMBOLS = Array.from({ length: 10 }, (_, index) => `SIM${String(index + 1).padStart(3, "0")}`);
/** Friday 2024-03-01 15:00 UTC (10:00 New York): every session of the range below is finished. */
const SIM_START_MS = Date.UTC(2024, 2, 1, 15);
/** 2024-01-31 00:00 UTC to 2024-03-01 00:00 UTC: 30 calendar days, 21 sessions (Presidents' Day is shut). */
const FROM_MS = Date.UTC(2024, 0, 31);
const TO_MS = Date.UTC(2024, 2, 1);
const DAY_MS = 86_400_000;

/**
 * The simulator's clock, and with it the pacer's scheduler, runs this many times faster than the wall clock,
 * so the three 10-minute windows that 210 requests need pass in about a minute of wall time.
 */
const SPEED = 30;
/**
 * @stoqey/ib sends at most 4 messages per 100 ms of wall time and queues the rest, so a request reaches the
 * gateway up to (queued messages / 40) s of wall time after the pacer sent it. The pacer sends history in
 * bursts of at most 20 (half the connection's 40 per second), which drain in 0.5 s; one wall second covers
 * that twice over, and in the simulator's time a wall second is SPEED seconds. The price grows with SPEED:
 * each 10-minute window waits 630 s, and the last burst, left to the last two contracts in the queue, waits
 * out their 5-in-2-s rule widened to 32 s, so the span comes to about 3 × 630 + 2 × 32 s ≈ 1.09 × IB's
 * minimum (at ×40 it would be 1.11).
 */
const SAFETY_MARGIN_MS = 1_000 * SPEED;

/** One request as the pacer handed it to the adapter: when (simulated time) and for which contract. */
interface Send {
  readonly atMs: number;
  readonly symbol: string;
}

/**
 * Notes every request the pacer hands to `history` (retries included). The bench wraps the adapter's public
 * method in place because createIbMarketData wires the gateway's own client and offers no hook.
 */
function recordSends(history: HistoricalDataPort, clock: Clock): Send[] {
  const sends: Send[] = [];
  const fetchHistory = history.fetchHistory.bind(history);
  history.fetchHistory = (request) => {
    sends.push({ atMs: clock.nowMs(), symbol: request.symbol });
    return fetchHistory(request);
  };
  return sends;
}

/**
 * The shortest first-to-last span IB's rules allow for these requests. A window of W holds the requests
 * sent less than W earlier, so request k + 60 may go exactly 10 minutes after request k: R requests need
 * ⌈R/60⌉ − 1 full 10-minute windows. Likewise the r requests of one contract need ⌈r/5⌉ − 1 two-second
 * windows; the larger bound holds.
 */
function minimumSpanMs(requestsPerContract: readonly number[]): number {
  const limits = IB_HISTORICAL_PACING_LIMITS;
  const windows = (count: number, cap: number): number => Math.max(0, Math.ceil(count / cap) - 1);
  const total = requestsPerContract.reduce((sum, count) => sum + count, 0);
  return Math.max(
    windows(total, limits.maxRequestsPerLongWindow) * limits.longWindowMs,
    ...requestsPerContract.map(
      (count) => windows(count, limits.maxSameSeriesRequests) * limits.sameSeriesWindowMs,
    ),
  );
}

function countBy(sends: readonly Send[]): number[] {
  const counts = new Map<string, number>();
  for (const send of sends) counts.set(send.symbol, (counts.get(send.symbol) ?? 0) + 1);
  return [...counts.values()];
}

async function backfill(
  data: IbMarketData,
  contracts: readonly QualifiedContract[],
): Promise<{ readonly results: readonly HistoryResult[]; readonly wallMs: number }> {
  const started = performance.now();
  const results = await Promise.all(
    contracts.map((contract) =>
      data.history.fetch(
        { contract, barSize: "1 min", fromMs: FROM_MS, toMs: TO_MS, whatToShow: "TRADES", useRth: true },
        "backfill",
      ),
    ),
  );
  return { results, wallMs: performance.now() - started };
}

const total = (results: readonly HistoryResult[], of: (result: HistoryResult) => number): number =>
  results.reduce((sum, result) => sum + of(result), 0);

async function main(): Promise<number> {
  const sim = GatewaySim.create({
    clock: { mode: "accelerated", speed: SPEED, startMs: SIM_START_MS },
    syntheticInstruments: SYMBOLS.length,
    pacing: { applyToAllBarSizes: true },
  });
  const { port } = await sim.start();
  const config = loadConfig({ flags: { IBKR_PORT: String(port) }, env: {}, directory: "/nonexistent" });
  const scheduler = new ScaledScheduler(sim.clock, SPEED);
  // Every time-out the connection has is meant in wall time; in the simulator's time it is SPEED times longer.
  const gateway = new IbGateway(
    {
      ...config.ibkr,
      connectTimeoutMs: config.ibkr.connectTimeoutMs * SPEED,
      reconnectDelayMs: config.ibkr.reconnectDelayMs * SPEED,
      maxReconnectDelayMs: config.ibkr.maxReconnectDelayMs * SPEED,
      historicalDataTimeoutMs: config.ibkr.historicalDataTimeoutMs * SPEED,
    },
    {
      scheduler,
      rng: new Rng(1),
      logger: createLogger({ level: "warn", pretty: false }),
      connection: {
        heartbeatIntervalMs: CONNECTION_DEFAULTS.heartbeatIntervalMs * SPEED,
        heartbeatTimeoutMs: CONNECTION_DEFAULTS.heartbeatTimeoutMs * SPEED,
      },
    },
  );
  const store = MarketDataStore.open(":memory:");
  const data = createIbMarketData({
    gateway,
    scheduler,
    barCache: store.bars,
    contractCache: store.contracts,
    pacer: { safetyMarginMs: SAFETY_MARGIN_MS },
    maxRequestsPerSecond: config.ibkr.maxRequestsPerSecond,
  });
  const sends = recordSends(gateway.history, sim.clock);
  try {
    await gateway.connection.start();
    const { contracts, failures } = await data.contracts.resolveAll(SYMBOLS);
    if (failures.length > 0) {
      process.stderr.write(`pacing: FAILED: could not resolve ${failures.map((f) => f.symbol).join(", ")}\n`);
      return 1;
    }
    const cold = await backfill(data, contracts);
    const violations = data.pacer.stats.pacingViolations;
    const spanMs = (sends.at(-1)?.atMs ?? 0) - (sends[0]?.atMs ?? 0);
    const minimumMs = minimumSpanMs(countBy(sends));
    const sentBeforeWarm = data.pacer.stats.sent;
    const warm = await backfill(data, contracts);

    const lines: [string, string][] = [
      ["symbols", String(SYMBOLS.length)],
      ["days", String((TO_MS - FROM_MS) / DAY_MS)],
      ["clock-speed", `x${SPEED}`],
      ["safety-margin", `${(SAFETY_MARGIN_MS / 1000).toFixed(0)} s simulated`],
      ["requests-sent", String(sentBeforeWarm)],
      ["bars-received", String(total(cold.results, (result) => result.bars.length))],
      ["pacing-violations-162", String(violations)],
      ["simulated-first-to-last-request", `${(spanMs / 1000).toFixed(1)} s`],
      ["minimum-allowed-by-ib-rules", `${(minimumMs / 1000).toFixed(1)} s`],
      ["ratio-to-minimum", minimumMs > 0 ? (spanMs / minimumMs).toFixed(3) : "n/a"],
      ["wall-time", `${(cold.wallMs / 1000).toFixed(1)} s`],
      ["warm-requests-sent", String(data.pacer.stats.sent - sentBeforeWarm)],
      ["warm-cache-hits", String(total(warm.results, (result) => result.cacheHits))],
      ["warm-bars", String(total(warm.results, (result) => result.bars.length))],
      ["warm-wall-time", `${(warm.wallMs / 1000).toFixed(2)} s`],
    ];
    for (const [name, value] of lines) process.stdout.write(`pacing: ${name} ${value}\n`);
    if (violations > 0) {
      process.stderr.write(
        `pacing: FAILED: the simulator refused ${violations} request(s) with 162; the pacer broke IB's rules\n`,
      );
      return 1;
    }
    return 0;
  } finally {
    data.dispose();
    gateway.connection.stop();
    store.close();
    await sim.stop();
  }
}

process.exitCode = await main();
