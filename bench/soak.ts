// Daemon soak: `node [--expose-gc] dist/bench/soak.js [--symbols 100] [--hours 24] [--speed N]
// [--start 2024-01-02T14:00:00Z]`. The daemon as `ibkr-trader run --source sim --broker ibkr` runs it, in this
// process: the embedded gateway-sim on an accelerated clock, 5-second bars for every symbol, the sma strategy
// trading the simulator's paper account over TCP (state in SQLite), and every simulated hour the simulator
// drops every connection. Prints memory (RSS includes the simulator), event-loop lag, reconnects, bars
// expected / missed / duplicated (the expected slots come from the simulator's own market model), feed and
// order figures, and the warn/error log lines by event. Environment (for investigations): SOAK_LOG_LEVEL (warn)
// of the daemon's log file, SOAK_KEEP=1 keeps the temp directory holding it.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import { EventName } from "@stoqey/ib";
import pino, { type DestinationStream } from "pino";
import type { Subscription } from "rxjs";
import type { IbConnection } from "../src/adapters/ib/ib-connection.js";
import { IbGateway } from "../src/adapters/ib/ib-gateway.js";
import { Daemon, type DaemonObserver } from "../src/app/daemon.js";
import { createLogger } from "../src/app/logger.js";
import { parseTimeFlag } from "../src/cli/time-flag.js";
import type { Config } from "../src/config/config.js";
import { loadConfig } from "../src/config/load-config.js";
import { Rng } from "../src/core/rng.js";
import type { Scheduler } from "../src/core/scheduler.js";
import { SystemScheduler } from "../src/core/system-scheduler.js";
import { ContractResolver } from "../src/data/contract-resolver.js";
import { UsageError } from "../src/core/errors.js";
import type { FeedEvent } from "../src/data/feed-event.js";
import { regularSessionRanges } from "../src/data/live-session-ranges.js";
import { nextSessionOpen } from "../src/data/trading-session.js";
import { GatewaySim } from "../src/gateway-sim/gateway-sim.js";
import { BUILT_IN_INSTRUMENTS } from "../src/gateway-sim/market/instrument-universe.js";
import type { OrderEvent } from "../src/model/order-event.js";
import { MarketDataStore } from "../src/store/market-data-store.js";

/** Tuesday 2024-01-02 14:00 UTC, 09:00 New York: half an hour before the open. */
const DEFAULT_START_MS = Date.UTC(2024, 0, 2, 14);
const DEFAULT_HOURS = 24;
const DEFAULT_SYMBOLS = 100;
/**
 * Simulated seconds per wall second. At x20 the daemon keeps up with 100 symbols and recovers every feed
 * after each drop; above about x60 it cannot: @stoqey/ib sends at most 40 messages per wall second, while
 * the feed watchdog (a bar every 30 s in trading hours) runs on simulated time, so after a reconnect its
 * resubscriptions of 100 feeds arrive faster than the library can send them and the queue never drains.
 * At x20 the 24 hours take 72 minutes of wall time.
 */
const DEFAULT_SPEED = 20;
/** The simulator has IB's 100 market data lines, and every symbol holds one for its real-time bars. */
const MAX_SYMBOLS = 100;
const MAX_HOURS = 24 * 7;
const MAX_SPEED = 10_000;
const HOUR_MS = 3_600_000;
const SLOT_MS = 5_000;
/** Slots are counted up to this long before the end: a bar closing later may still be on its way. */
const CUTOFF_MS = 30_000;
/**
 * No warm-up from history. With 5-second bars and a start before the open, a warm-up of any length fetches
 * the whole previous session per symbol (warmupStartMs goes back to a session open): 7 one-hour requests
 * each, 700 for 100 symbols, which IB's pacing (60 per 10 minutes) spreads over two simulated hours.
 */
const WARMUP_BARS = 0;
/**
 * sma on 5-second bars: a 10-minute and a 1-hour average, one share per signal. On the simulator's 2024-01-02
 * session that is 763 orders for the 100 default symbols, at most 7 in any simulated minute (RISK_MAX_ORDERS_PER_MINUTE
 * is 20): well inside @stoqey/ib's 40 messages per wall second at the default speed.
 */
const STRATEGY_PARAMS = "fast=120,slow=720,quantity=1";
/** The simulator's session paths are built from this long before each open (see warmSessions). */
const WARM_SESSION_MS = 10 * 60_000;
/** Longest wall wait, after the last drop, for the connection and the feeds to come back. */
const RECOVERY_TIMEOUT_MS = 120_000;
const RECOVERY_POLL_MS = 50;
/** How long after the stop the bench counts messages @stoqey/ib still writes. */
const AFTER_STOP_MS = 2_000;
/** How long the bench lets handles close after its report before it checks for leftovers. */
const EXIT_GRACE_MS = 1_000;

/** What the command line asked for. */
interface SoakFlags {
  readonly symbols: number;
  readonly hours: number;
  readonly speed: number;
  readonly startMs: number;
}

function parseFlags(argv: readonly string[]): SoakFlags {
  let symbols = DEFAULT_SYMBOLS;
  let hours = DEFAULT_HOURS;
  let speed = DEFAULT_SPEED;
  let startMs = DEFAULT_START_MS;
  for (let index = 0; index < argv.length; index += 2) {
    const flag = argv[index] ?? "";
    const text = argv[index + 1];
    if (!["--symbols", "--hours", "--speed", "--start"].includes(flag)) {
      throw new UsageError(
        `unknown argument ${JSON.stringify(flag)}: use --symbols, --hours, --speed, --start`,
      );
    }
    if (text === undefined) throw new UsageError(`${flag} needs a value`);
    const value = Number(text);
    switch (flag) {
      case "--symbols":
        if (!Number.isInteger(value) || value < 1 || value > MAX_SYMBOLS) {
          throw new UsageError(
            `--symbols ${JSON.stringify(text)} is invalid: use a whole number from 1 to ${MAX_SYMBOLS} (the simulator's market data lines)`,
          );
        }
        symbols = value;
        break;
      case "--hours":
        if (!Number.isInteger(value) || value < 1 || value > MAX_HOURS) {
          throw new UsageError(
            `--hours ${JSON.stringify(text)} is invalid: use a whole number from 1 to ${MAX_HOURS}`,
          );
        }
        hours = value;
        break;
      case "--speed":
        if (!Number.isFinite(value) || value <= 0 || value > MAX_SPEED) {
          throw new UsageError(
            `--speed ${JSON.stringify(text)} is invalid: use a number above 0 and at most ${MAX_SPEED}`,
          );
        }
        speed = value;
        break;
      default:
        startMs = parseTimeFlag("--start", text);
        if (startMs % SLOT_MS !== 0) {
          throw new UsageError(
            `--start ${JSON.stringify(text)} is invalid: use a time on a 5-second boundary`,
          );
        }
    }
  }
  return { symbols, hours, speed, startMs };
}

/** The built-in instruments first, then synthetic SIM001, SIM002, … up to `count`. */
function symbolsFor(count: number): { readonly symbols: readonly string[]; readonly synthetic: number } {
  const builtIn = BUILT_IN_INSTRUMENTS.slice(0, count).map((instrument) => instrument.symbol);
  const synthetic = count - builtIn.length;
  const simulated = Array.from(
    { length: synthetic },
    (_, index) => `SIM${String(index + 1).padStart(3, "0")}`,
  );
  return { symbols: [...builtIn, ...simulated], synthetic };
}

const MIB = 1024 * 1024;

/** Memory at one moment, after a full collection when --expose-gc is on. */
interface MemorySample {
  readonly label: string;
  readonly simMs: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  /** Wall time the sample paused the process (mostly the forced collection). */
  readonly pauseMs: number;
}

/** Messages @stoqey/ib wrote to the gateway, per wall second, and after the daemon stopped. */
class SendCounter {
  readonly perSecond: number[] = [];
  afterStop = 0;
  private readonly startedMs = performance.now();
  private stoppedAtMs: number | undefined;

  /** Counts every message `connection` sends from now on. */
  watch(connection: IbConnection): void {
    connection.events.on(EventName.sent, () => {
      if (this.stoppedAtMs !== undefined) {
        this.afterStop++;
        return;
      }
      const second = Math.floor((performance.now() - this.startedMs) / 1000);
      while (this.perSecond.length <= second) this.perSecond.push(0);
      this.perSecond[second] = (this.perSecond[second] ?? 0) + 1;
    });
  }

  /** From now on sends count as after the stop. */
  stopped(): void {
    this.stoppedAtMs = performance.now();
  }

  get total(): number {
    return this.perSecond.reduce((sum, count) => sum + count, 0);
  }

  /** Whole wall seconds in which at least `count` messages went out. */
  secondsAtLeast(count: number): number {
    return this.perSecond.filter((sent) => sent >= count).length;
  }
}

/** One injected drop and, once the connection is ready again, how long that took. */
interface Drop {
  readonly simMs: number;
  readonly wallMs: number;
  readySimMs?: number;
  readyWallMs?: number;
}

/** Watches the daemon's connection: losses, and which drop each new session answers. */
class ConnectionWatch {
  readonly drops: Drop[] = [];
  losses = 0;
  /** New sessions after a loss the bench did not inject (a missed heartbeat, …). */
  otherReconnects = 0;
  private generation = 0;
  private ready = false;

  constructor(private readonly nowMs: () => number) {}

  /** Follows `connection` until the returned subscription ends. */
  watch(connection: IbConnection): Subscription {
    const state = connection.state;
    this.ready = state.status === "ready";
    this.generation = state.status === "ready" ? state.session.generation : 0;
    return connection.state$.subscribe((next) => {
      if (next.status !== "ready") {
        if (this.ready) this.losses++;
        this.ready = false;
        return;
      }
      this.ready = true;
      if (next.session.generation <= this.generation) return;
      this.generation = next.session.generation;
      const drop = this.drops.at(-1);
      if (drop === undefined || drop.readySimMs !== undefined) {
        this.otherReconnects++;
        return;
      }
      drop.readySimMs = this.nowMs() - drop.simMs;
      drop.readyWallMs = performance.now() - drop.wallMs;
    });
  }

  dropped(): void {
    this.drops.push({ simMs: this.nowMs(), wallMs: performance.now() });
  }

  /** Drops followed by a ready session (before the next drop). */
  get survived(): number {
    return this.drops.filter((drop) => drop.readySimMs !== undefined).length;
  }

  get lastRecovered(): boolean {
    return this.drops.at(-1)?.readySimMs !== undefined;
  }
}

/** A run of consecutive slots of one symbol with the same anomaly, for the report. */
interface SlotRun {
  readonly symbol: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly slots: number;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");

function increment(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/** Everything the soak watches while the daemon runs; its arrays are allocated before the first sample. */
class SoakProbe implements DaemonObserver {
  /** Deliveries of live-source FeedBarClosed per symbol and 5-second slot since `baseMs` (saturating at 255). */
  readonly deliveries: Uint8Array[];
  readonly firstLiveOpenMs: number[];
  readonly symbolIndex: ReadonlyMap<string, number>;
  liveBars = 0;
  historyBars = 0;
  /** Live bars for slots outside the counted window (before the start or after the end). */
  outsideWindow = 0;
  backfilledBars = 0;
  maxLivenessLagMs = 0;
  readonly feedEvents = new Map<string, number>();
  readonly droppedReasons = new Map<string, number>();
  readonly resubscribeReasons = new Map<string, number>();
  readonly failedStages = new Map<string, number>();
  /** Simulated ms from a drop inside the session to each feed's next FeedResubscribed. */
  readonly restoreLagsMs: number[] = [];
  /** Feeds not yet restored since the last drop inside a session. */
  private readonly awaitingRestore = new Set<string>();
  ordersSent = 0;
  readonly orderEvents = new Map<string, number>();
  readonly denialReasons = new Map<string, number>();
  readonly noticeCodes = new Map<number, number>();
  private lastDropSimMs = Number.NaN;
  private symbolsLive = 0;
  private onAllLive: (() => void) | undefined;

  constructor(
    symbols: readonly string[],
    readonly baseMs: number,
    readonly slots: number,
    private readonly nowMs: () => number,
  ) {
    this.symbolIndex = new Map(symbols.map((symbol, index) => [symbol, index]));
    this.deliveries = symbols.map(() => new Uint8Array(slots));
    this.firstLiveOpenMs = symbols.map(() => Number.NaN);
  }

  /** A drop now: feeds inside the session are timed until their next FeedResubscribed. */
  dropped(): void {
    const now = this.nowMs();
    this.lastDropSimMs = now;
    this.awaitingRestore.clear();
    if (regularSessionRanges(now - SLOT_MS, now).length === 0) return;
    for (const symbol of this.symbolIndex.keys()) this.awaitingRestore.add(symbol);
  }

  /** Feeds still waiting for their FeedResubscribed after the last drop inside a session. */
  get unrestored(): number {
    return this.awaitingRestore.size;
  }

  /** Calls `callback` once every symbol has delivered its first live bar. */
  whenAllLive(callback: () => void): void {
    this.onAllLive = callback;
  }

  onFeedEvent(event: FeedEvent): void {
    increment(this.feedEvents, event.type);
    switch (event.type) {
      case "FeedBarClosed":
        if (event.source === "history") this.historyBars++;
        else this.onLiveBar(event.bar.symbol, event.bar.openTime, event.bar.closeTime);
        return;
      case "FeedBarDropped":
        increment(this.droppedReasons, event.reason.replace(/\d{4}-\d\d-\d\d[T ][\d:.]+Z?/g, "<time>"));
        return;
      case "FeedResubscribed":
        this.backfilledBars += event.backfilledBars;
        increment(this.resubscribeReasons, event.reason.replace(/\d+/g, "N"));
        if (this.awaitingRestore.delete(event.symbol))
          this.restoreLagsMs.push(this.nowMs() - this.lastDropSimMs);
        return;
      case "FeedFailed":
        increment(
          this.failedStages,
          `${event.stage}: ${event.error.message.replaceAll(event.symbol, "<symbol>")}`,
        );
        return;
      default:
        return;
    }
  }

  onOrderSent(): void {
    this.ordersSent++;
  }

  onOrderEvent(event: OrderEvent): void {
    increment(this.orderEvents, event.type);
    if (event.type === "OrderDenied")
      increment(this.denialReasons, event.reason.replace(/\d+(\.\d+)?/g, "N"));
  }

  private onLiveBar(symbol: string, openTime: number, closeTime: number): void {
    this.liveBars++;
    const index = this.symbolIndex.get(symbol);
    if (index === undefined) return;
    this.maxLivenessLagMs = Math.max(this.maxLivenessLagMs, this.nowMs() - closeTime);
    if (Number.isNaN(this.firstLiveOpenMs[index])) {
      this.firstLiveOpenMs[index] = openTime;
      this.symbolsLive++;
      if (this.symbolsLive === this.deliveries.length) this.onAllLive?.();
    }
    const slot = (openTime - this.baseMs) / SLOT_MS;
    const counts = this.deliveries[index];
    if (counts === undefined || !Number.isInteger(slot) || slot < 0 || slot >= this.slots) {
      this.outsideWindow++;
      return;
    }
    counts[slot] = Math.min(255, (counts[slot] ?? 0) + 1);
  }
}

/** Expected, missed and duplicated slots, judged against the simulator's market model. */
interface BarCheck {
  readonly expected: number;
  readonly regularSessionSlots: number;
  readonly delivered: number;
  readonly missed: number;
  readonly duplicated: number;
  /** Bars delivered for slots the model has no bar for. */
  readonly unexpected: number;
  /** Symbols that never delivered a live bar: their slots count from the start of the run. */
  readonly neverLive: number;
  readonly missedRuns: readonly SlotRun[];
  readonly duplicatedRuns: readonly SlotRun[];
}

/** Appends `slotMs` to the last run of `runs` when it continues it, else starts a new run. */
function addToRuns(runs: SlotRun[], symbol: string, slotMs: number): void {
  const last = runs.at(-1);
  if (last?.symbol === symbol && last.toMs === slotMs) {
    runs[runs.length - 1] = { ...last, toMs: slotMs + SLOT_MS, slots: last.slots + 1 };
  } else {
    runs.push({ symbol, fromMs: slotMs, toMs: slotMs + SLOT_MS, slots: 1 });
  }
}

function checkBars(probe: SoakProbe, sim: GatewaySim, symbols: readonly string[], untilMs: number): BarCheck {
  let expected = 0;
  let regularSessionSlots = 0;
  let delivered = 0;
  let missed = 0;
  let duplicated = 0;
  let unexpected = 0;
  let neverLive = 0;
  const missedRuns: SlotRun[] = [];
  const duplicatedRuns: SlotRun[] = [];
  symbols.forEach((symbol, index) => {
    const counts = probe.deliveries[index];
    if (counts === undefined) return;
    let firstMs = probe.firstLiveOpenMs[index] ?? Number.NaN;
    if (Number.isNaN(firstMs)) {
      neverLive++;
      firstMs = probe.baseMs;
    }
    for (const range of regularSessionRanges(firstMs, untilMs)) {
      regularSessionSlots += Math.floor((range.toMs - range.fromMs) / SLOT_MS);
    }
    for (let slotMs = firstMs; slotMs + SLOT_MS <= untilMs; slotMs += SLOT_MS) {
      const count = counts[(slotMs - probe.baseMs) / SLOT_MS] ?? 0;
      const exists = sim.model.fiveSecondBar(symbol, slotMs) !== undefined;
      if (!exists) {
        unexpected += count;
        continue;
      }
      expected++;
      if (count === 0) {
        missed++;
        addToRuns(missedRuns, symbol, slotMs);
        continue;
      }
      delivered++;
      if (count > 1) {
        duplicated += count - 1;
        addToRuns(duplicatedRuns, symbol, slotMs);
      }
    }
  });
  return {
    expected,
    regularSessionSlots,
    delivered,
    missed,
    duplicated,
    unexpected,
    neverLive,
    missedRuns,
    duplicatedRuns,
  };
}

/**
 * Has the simulator build each session's price paths before the open, one symbol per task (spread over
 * WARM_SESSION_MS): built lazily by the first bar of the session, they cost about 3 ms of CPU per instrument
 * (0.27 s for 100), which at ×240 holds the session's first bars back by a simulated minute, past the feed
 * watchdog's 30 s. IB has no such pause: without this the bench would cause the stalls it measures.
 */
function warmSessions(sim: GatewaySim, symbols: readonly string[], fromMs: number, untilMs: number): void {
  for (let openMs = nextSessionOpen(fromMs); openMs < untilMs; openMs = nextSessionOpen(openMs + 1)) {
    const sessionOpenMs = openMs;
    symbols.forEach((symbol, index) => {
      const atMs = sessionOpenMs - WARM_SESSION_MS + (index * WARM_SESSION_MS) / (2 * symbols.length);
      sim.scheduler.at(atMs, () => {
        sim.model.fiveSecondBar(symbol, sessionOpenMs);
      });
    });
  }
}

/** Where Daemon.prepare puts the market data cache of a `--source sim` run (DATA_DIR/sim-runs/<start>-<pid>/). */
function simRunCachePath(dataDir: string, startMs: number): string {
  const runId = new Date(startMs).toISOString().replace(/[-:.]/g, "");
  return join(dataDir, "sim-runs", `${runId}-${process.pid}`, "market-data.sqlite");
}

/**
 * Fills the daemon's contract cache before it starts, through the daemon's own resolver against a simulator
 * with the same instruments whose clock stands at the start: a warm restart. Without it the daemon cannot
 * start on an accelerated clock with many symbols: each lookup has 15 simulated seconds
 * (IbContractClient), while @stoqey/ib sends 40 messages per wall second and queues the rest.
 */
async function prewarmContracts(
  path: string,
  config: Config,
  symbols: readonly string[],
  synthetic: number,
  startMs: number,
): Promise<void> {
  mkdirSync(join(path, ".."), { recursive: true });
  const sim = GatewaySim.create({ clock: { mode: "manual", startMs }, syntheticInstruments: synthetic });
  const { port } = await sim.start();
  const store = MarketDataStore.open(path);
  const wall = new SystemScheduler();
  const scheduler: Scheduler = {
    nowMs: () => sim.clock.nowMs(),
    setTimer: (delayMs, task) => wall.setTimer(delayMs, task),
  };
  const gateway = new IbGateway(
    { ...config.ibkr, host: "127.0.0.1", port },
    { scheduler, rng: new Rng(1), logger: createLogger({ level: "silent", pretty: false }) },
  );
  try {
    await gateway.connection.start();
    const { failures } = await new ContractResolver(gateway.contracts, scheduler, store.contracts).resolveAll(
      symbols,
    );
    if (failures.length > 0) {
      throw new Error(`could not qualify ${failures.map((failure) => failure.symbol).join(", ")}`);
    }
  } finally {
    gateway.connection.stop("contracts cached");
    store.close();
    await sim.stop();
  }
}

const LEVEL_NAMES: Readonly<Record<number, string>> = { 40: "warn", 50: "error", 60: "fatal" };

/**
 * The daemon's log destination: every line goes to the log file and is tallied by level and `event` as it is
 * written (the count does not depend on the file surviving in the temp directory).
 */
class LogTally implements DestinationStream {
  readonly counts = new Map<string, number>();
  /** The same lines, counted only when they carry a `recovery` field: the daemon says how it recovers. */
  readonly withRecovery = new Map<string, number>();

  constructor(private readonly file: DestinationStream) {}

  write(line: string): void {
    this.file.write(line);
    try {
      const parsed = JSON.parse(line) as {
        level?: number;
        event?: string;
        code?: number;
        recovery?: unknown;
      };
      const level = LEVEL_NAMES[parsed.level ?? 0] ?? `level ${parsed.level ?? "?"}`;
      const event = parsed.event ?? "(no event)";
      const key = `${level} ${event}${event === "ib.code" ? ` ${parsed.code ?? "?"}` : ""}`;
      increment(this.counts, key);
      if (typeof parsed.recovery === "string") increment(this.withRecovery, key);
    } catch {
      increment(this.counts, "(unparsable line)");
    }
  }
}

function percentileMs(histogram: IntervalHistogram, percentile: number): number {
  return histogram.percentile(percentile) / 1e6;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

/** Least-squares slope of y over x (per unit of x). */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const [x, y] of points) {
    numerator += (x - meanX) * (y - meanY);
    denominator += (x - meanX) ** 2;
  }
  return denominator === 0 ? Number.NaN : numerator / denominator;
}

const mib = (value: number): string => `${value.toFixed(1)} MiB`;
const list = (counts: ReadonlyMap<string | number, number>): string =>
  counts.size === 0
    ? "none"
    : [...counts]
        .sort((a, b) => b[1] - a[1])
        .map(([key, count]) => `${String(key)} ×${count}`)
        .join("; ");
const runText = (run: SlotRun): string =>
  `${run.symbol} ${iso(run.fromMs)}–${iso(run.toMs).slice(11)} (${run.slots} slots)`;

/** Waits `ms` of wall time. */
const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

async function main(flags: SoakFlags): Promise<number> {
  const { symbols, synthetic } = symbolsFor(flags.symbols);
  const dataDir = mkdtempSync(join(tmpdir(), "bench-soak-"));
  const logPath = join(dataDir, "daemon.log");
  const file = pino.destination({ dest: logPath, sync: true });
  const tally = new LogTally(file);
  const logger = createLogger({
    level: process.env.SOAK_LOG_LEVEL ?? "warn",
    destination: tally,
    pretty: false,
  });
  const config = loadConfig({
    flags: {
      DATA_SOURCE: "sim",
      BROKER: "ibkr",
      SYMBOLS: symbols.join(","),
      TIMEFRAME: "5s",
      STRATEGY_NAME: "sma",
      STRATEGY_PARAMS,
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
    },
    env: {},
    directory: dataDir,
  });
  const gcAvailable = typeof globalThis.gc === "function";
  const lag = monitorEventLoopDelay({ resolution: 10 });
  // Two hours past the end leave room for the recovery after the last drop.
  const probe = new SoakProbe(symbols, flags.startMs, (flags.hours + 2) * 3600 + 1, () => simNow());
  let sim: GatewaySim | undefined;
  const simNow = (): number => sim?.clock.nowMs() ?? flags.startMs;
  const samples: MemorySample[] = [];
  const sample = (label: string): void => {
    // A forced collection pauses the loop: that pause is the bench's, not the daemon's lag.
    lag.disable();
    const started = performance.now();
    globalThis.gc?.();
    const usage = process.memoryUsage();
    samples.push({
      label,
      simMs: simNow(),
      rssMiB: usage.rss / MIB,
      heapUsedMiB: usage.heapUsed / MIB,
      pauseMs: performance.now() - started,
    });
    lag.enable();
  };
  const subscriptions: Subscription[] = [];
  const watch = new ConnectionWatch(simNow);
  const sends = new SendCounter();
  let daemon: Daemon | undefined;
  try {
    await prewarmContracts(
      simRunCachePath(dataDir, flags.startMs),
      config,
      symbols,
      synthetic,
      flags.startMs,
    );
    const wallStarted = performance.now();
    daemon = await Daemon.start({
      config,
      liveFlag: false,
      readOnly: false,
      logger,
      warmupBars: WARMUP_BARS,
      simSpeed: flags.speed,
      simStartMs: flags.startMs,
      simSyntheticInstruments: synthetic,
      observer: probe,
    });
    sim = daemon.embeddedSimulator;
    if (sim === undefined) throw new Error("the daemon started without its embedded simulator");
    const simulator = sim;
    warmSessions(simulator, symbols, flags.startMs, flags.startMs + (flags.hours + 1) * HOUR_MS);
    lag.enable();
    sample("start");
    probe.whenAllLive(() => {
      sample("warm-up");
    });
    const connection = daemon.gateway.connection;
    sends.watch(connection);
    subscriptions.push(
      watch.watch(connection),
      connection.notices$.subscribe((notice) => {
        probe.noticeCodes.set(notice.code, (probe.noticeCodes.get(notice.code) ?? 0) + 1);
      }),
    );
    let hoursDone = 0;
    for (let hour = 1; hour <= flags.hours; hour++) {
      simulator.scheduler.at(flags.startMs + hour * HOUR_MS, () => {
        sample(`hour ${hour}`);
        watch.dropped();
        probe.dropped();
        hoursDone = hour;
        simulator.faults.dropAllConnections().catch((error: unknown) => {
          process.stderr.write(`soak: dropAllConnections failed: ${String(error)}\n`);
        });
      });
    }
    let lastProgress = 0;
    while (hoursDone < flags.hours) {
      await sleep(250);
      if (hoursDone > lastProgress) {
        lastProgress = hoursDone;
        const last = samples.at(-1);
        process.stderr.write(
          `soak: hour ${hoursDone}/${flags.hours} ${iso(simulator.clock.nowMs())} wall ${((performance.now() - wallStarted) / 1000).toFixed(0)} s` +
            ` rss ${last?.rssMiB.toFixed(0) ?? "?"} MiB bars ${probe.liveBars} orders ${probe.ordersSent}\n`,
        );
      }
    }
    // After the last drop, wait for the connection, the order path's reconciliation and (inside a session)
    // every feed's resubscription, at most until the next whole hour or RECOVERY_TIMEOUT_MS of wall time.
    const lastDropMs = watch.drops.at(-1)?.simMs ?? simulator.clock.nowMs();
    const routing = daemon.orders;
    const recovered = (): boolean =>
      watch.lastRecovered &&
      (routing === undefined || routing.readiness.status === "ready") &&
      probe.unrestored === 0;
    const recoveryStarted = performance.now();
    while (
      !recovered() &&
      performance.now() - recoveryStarted < RECOVERY_TIMEOUT_MS &&
      simulator.clock.nowMs() < lastDropMs + HOUR_MS
    ) {
      await sleep(RECOVERY_POLL_MS);
    }
    const recoveredInTime = recovered();
    sample("end");
    lag.disable();
    const finishedMs = simulator.clock.nowMs();
    const wallMs = performance.now() - wallStarted;
    const readiness = routing?.readiness.status ?? "none";
    for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
    await daemon.stop("soak done", 30_000);
    sends.stopped();
    // Anything @stoqey/ib still writes now was queued in its send queue before the stop.
    await sleep(AFTER_STOP_MS);

    const check = checkBars(probe, simulator, symbols, finishedMs - CUTOFF_MS);
    const { counts: logCounts, withRecovery: logsWithRecovery } = tally;
    report({
      flags,
      symbols,
      synthetic,
      gcAvailable,
      samples,
      lag,
      watch,
      sends,
      recoveredInTime,
      finishedMs,
      wallMs,
      probe,
      check,
      logCounts,
      logsWithRecovery,
      readiness,
    });
    return 0;
  } catch (error) {
    process.stderr.write(`soak: FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    await daemon?.stop("soak failed", 5_000).catch(() => undefined);
    return 1;
  } finally {
    lag.disable();
    for (const subscription of subscriptions) subscription.unsubscribe();
    file.end();
    if (process.env.SOAK_KEEP === undefined) rmSync(dataDir, { recursive: true, force: true });
    else process.stderr.write(`soak: kept ${dataDir}\n`);
  }
}

/** Everything the figures table is made from. */
interface SoakResult {
  readonly flags: SoakFlags;
  readonly symbols: readonly string[];
  readonly synthetic: number;
  readonly gcAvailable: boolean;
  readonly samples: readonly MemorySample[];
  readonly lag: IntervalHistogram;
  readonly watch: ConnectionWatch;
  readonly sends: SendCounter;
  readonly recoveredInTime: boolean;
  readonly finishedMs: number;
  readonly wallMs: number;
  readonly probe: SoakProbe;
  readonly check: BarCheck;
  readonly logCounts: ReadonlyMap<string, number>;
  /** Of logCounts, the lines that carry a `recovery` field. */
  readonly logsWithRecovery: ReadonlyMap<string, number>;
  readonly readiness: string;
}

function report(result: SoakResult): void {
  const { flags, samples, probe, check } = result;
  const at = (label: string): MemorySample | undefined => samples.find((s) => s.label === label);
  const start = at("start");
  const warm = at("warm-up");
  const end = at("end");
  // Without a warm-up (some symbol never delivered a live bar) every hourly sample is shown, and says so.
  const hourly = samples.filter(
    (s) => s.label.startsWith("hour") && (warm === undefined || s.simMs >= warm.simMs),
  );
  const hourlyLabel = warm === undefined ? "hourly (no warm-up: every sample)" : "hourly after warm-up";
  const series = (of: (s: MemorySample) => number): string => {
    if (hourly.length === 0) return "n/a";
    const values = hourly.map(of);
    const first = values[0] ?? Number.NaN;
    const last = values.at(-1) ?? Number.NaN;
    const perHour = slope(hourly.map((s) => [s.simMs / HOUR_MS, of(s)] as const));
    return (
      `min ${mib(Math.min(...values))}, max ${mib(Math.max(...values))}, last − first ${(last - first).toFixed(1)} MiB, ` +
      `slope ${perHour.toFixed(2)} MiB per simulated hour (${hourly.length} samples)`
    );
  };
  const three = (of: (s: MemorySample) => number): string =>
    [start, warm, end].map((s) => (s === undefined ? "n/a" : mib(of(s)))).join(" / ");
  const { watch } = result;
  const reconnectSim = watch.drops.flatMap((drop) =>
    drop.readySimMs === undefined ? [] : [drop.readySimMs / 1000],
  );
  const reconnectWall = watch.drops.flatMap((drop) =>
    drop.readyWallMs === undefined ? [] : [drop.readyWallMs],
  );
  const restoreLags = probe.restoreLagsMs.map((ms) => ms / 1000);
  const denied = probe.orderEvents.get("OrderDenied") ?? 0;
  const cpu = cpus();
  // Expected: one connection.lost per injected drop (fewer when a drop falls in IB's reset window, where it
  // is info), and any line that says how the daemon recovers (the `recovery` field).
  const unexpectedLogs = new Map(
    [...result.logCounts]
      .map(([key, count]): [string, number] => {
        const expected =
          key === "warn connection.lost" ? watch.drops.length : (result.logsWithRecovery.get(key) ?? 0);
        return [key, Math.max(0, count - expected)];
      })
      .filter(([, count]) => count > 0),
  );
  const rows: [string, string][] = [
    [
      "simulated window",
      `${iso(flags.startMs)} → ${iso(result.finishedMs)} (${flags.hours} h + recovery), clock ×${flags.speed}`,
    ],
    ["wall time", `${(result.wallMs / 1000).toFixed(1)} s (daemon start to end sample)`],
    [
      "symbols",
      `${result.symbols.length} (${result.symbols.length - result.synthetic} built-in, ${result.synthetic} synthetic)`,
    ],
    [
      "strategy",
      `sma ${STRATEGY_PARAMS} on 5 s bars, warm-up ${WARMUP_BARS} bars, broker ibkr (simulator's paper account)`,
    ],
    ["rss start / warm-up / end (daemon + simulator)", three((s) => s.rssMiB)],
    ["heapUsed start / warm-up / end", three((s) => s.heapUsedMiB)],
    [`rss ${hourlyLabel}`, series((s) => s.rssMiB)],
    [`heapUsed ${hourlyLabel}`, series((s) => s.heapUsedMiB)],
    [
      "gc before each sample",
      `${result.gcAvailable ? "yes (--expose-gc)" : "no (run node --expose-gc for comparable samples)"}; ` +
        `each sample paused the process ${median(samples.map((s) => s.pauseMs)).toFixed(0)} ms (max ` +
        `${Math.max(...samples.map((s) => s.pauseMs)).toFixed(0)} ms) of wall time, left out of the lag`,
    ],
    [
      "event-loop lag p50 / p99 / max",
      `${percentileMs(result.lag, 50).toFixed(1)} / ${percentileMs(result.lag, 99).toFixed(1)} / ${(result.lag.max / 1e6).toFixed(1)} ms`,
    ],
    [
      "reconnects survived / drops injected",
      `${watch.survived} / ${watch.drops.length} (connection losses seen: ${watch.losses}, reconnects after losses the bench did not inject: ${watch.otherReconnects}; recovered from the last drop before the end: ${result.recoveredInTime ? "yes" : "no"})`,
    ],
    [
      "drop → ready again p50 / max",
      `${median(reconnectSim).toFixed(1)} / ${Math.max(...reconnectSim, 0).toFixed(1)} s simulated (${median(reconnectWall).toFixed(0)} / ${Math.max(...reconnectWall, 0).toFixed(0)} ms wall)`,
    ],
    [
      "drop → feed resubscribed p50 / max (in session)",
      restoreLags.length === 0
        ? "n/a"
        : `${median(restoreLags).toFixed(0)} / ${Math.max(...restoreLags).toFixed(0)} s simulated (${restoreLags.length} feed restores; not restored after the last drop: ${probe.unrestored})`,
    ],
    [
      "bars expected (simulator's 5 s bars from each symbol's first live bar)",
      `${check.expected}${check.neverLive > 0 ? ` (${check.neverLive} symbols never delivered a live bar: counted from the start)` : ""}`,
    ],
    ["  regular-session slots in the same ranges (NYSE calendar)", String(check.regularSessionSlots)],
    [
      "bars delivered (live source, incl. backfill) / of which backfilled",
      `${probe.liveBars} / ${probe.backfilledBars}`,
    ],
    ["bars missed", String(check.missed)],
    ["bars duplicated", String(check.duplicated)],
    [
      "bars for slots the simulator has no bar for / outside the window",
      `${check.unexpected} / ${probe.outsideWindow}`,
    ],
    ["warm-up bars (history)", String(probe.historyBars)],
    ["latest bar delivery (sim time after its close)", `${(probe.maxLivenessLagMs / 1000).toFixed(0)} s`],
    ["bars dropped by the feed", list(probe.droppedReasons)],
    [
      "feed stalls / resumed / resubscribed / failed",
      ["FeedStalled", "FeedResumed", "FeedResubscribed", "FeedFailed"]
        .map((type) => String(probe.feedEvents.get(type) ?? 0))
        .join(" / "),
    ],
    ["resubscribe reasons", list(probe.resubscribeReasons)],
    ["feed failures", list(probe.failedStages)],
    [
      "pacing violations (IB 162) / message rate (IB 100)",
      `${probe.noticeCodes.get(162) ?? 0} / ${probe.noticeCodes.get(100) ?? 0}`,
    ],
    ["IB codes seen", list(probe.noticeCodes)],
    [
      "messages sent to the gateway: total / max in a wall second / seconds at ≥ 38",
      `${result.sends.total} / ${Math.max(0, ...result.sends.perSecond)} / ${result.sends.secondsAtLeast(38)} of ${result.sends.perSecond.length}`,
    ],
    [
      `messages @stoqey/ib still wrote in the ${AFTER_STOP_MS / 1000} s after the stop (its send queue)`,
      String(result.sends.afterStop),
    ],
    [
      "orders sent / filled / denied / rejected / cancelled",
      `${probe.ordersSent} / ${probe.orderEvents.get("OrderFilled") ?? 0} / ${denied} / ${probe.orderEvents.get("OrderRejected") ?? 0} / ${probe.orderEvents.get("OrderCancelled") ?? 0}`,
    ],
    ["denial reasons", list(probe.denialReasons)],
    ["order path at the end", result.readiness],
    ["log warn/error lines by event", list(result.logCounts)],
    [
      "  not expected (one connection.lost per drop and lines with a recovery field are)",
      list(unexpectedLogs),
    ],
  ];
  const lines = [
    `bench/soak: the daemon (ibkr-trader run --source sim --broker ibkr) in-process with its embedded gateway-sim, ` +
      `a dropped connection every simulated hour`,
    `machine: node ${process.version}, ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${process.platform} ${process.arch}`,
    `symbols: ${result.symbols.join(" ")}`,
    "",
    "| figure | value |",
    "|---|---|",
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
    "",
    `rss MiB by simulated hour: ${samples
      .filter((s) => s.label.startsWith("hour"))
      .map((s) => s.rssMiB.toFixed(0))
      .join(" ")}`,
    `heapUsed MiB by simulated hour: ${samples
      .filter((s) => s.label.startsWith("hour"))
      .map((s) => s.heapUsedMiB.toFixed(0))
      .join(" ")}`,
  ];
  if (check.missedRuns.length > 0) {
    const byHour = new Map<string, number>();
    for (const run of check.missedRuns) {
      for (let slotMs = run.fromMs; slotMs < run.toMs; slotMs += SLOT_MS) {
        increment(byHour, `${iso(slotMs - (slotMs % HOUR_MS)).slice(0, 13)}h`);
      }
    }
    lines.push(
      `missed slots by hour (UTC): ${[...byHour].map(([hour, count]) => `${hour} ${count}`).join(", ")}`,
      `missed slots (${check.missedRuns.length} runs, first 20): ${check.missedRuns.slice(0, 20).map(runText).join("; ")}`,
    );
  }
  if (check.duplicatedRuns.length > 0) {
    lines.push(
      `duplicated slots (${check.duplicatedRuns.length} runs, first 20): ${check.duplicatedRuns.slice(0, 20).map(runText).join("; ")}`,
    );
  }
  for (const line of lines) process.stdout.write(`${line}\n`);
}

try {
  process.exitCode = await main(parseFlags(process.argv.slice(2)));
  // The daemon has stopped and the simulator is closed; only @stoqey/ib's send queue, which nothing can
  // empty, may still hold timers (it writes its backlog at 40 messages per second to a closed socket).
  await sleep(EXIT_GRACE_MS);
  const timers = process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;
  if (timers > 0) {
    process.stderr.write(
      `soak: ${timers} timers still active after the stop (@stoqey/ib's send queue draining): exiting anyway\n`,
    );
    process.exit();
  }
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`soak: ${error.message}\n`);
  process.exitCode = 2;
}
