// Order path latency: `node dist/bench/order-path.js`. From a bar's close to the order decoded by the broker:
// TradingEngine → strategy → risk checks → order manager → SQLite state store (synchronous=FULL) →
// IbExecutionClient → @stoqey/ib → loopback TCP → an in-process gateway-sim, which decodes the PLACE_ORDER and
// adds it to its book. One order at a time, a bar every BAR_SPACING_MS so that @stoqey/ib's send limiter never
// queues (that would time the library's queue, not our path). Then fills applied per second, journaled
// (OrderManager.applyReport: SQLite FULL plus ledger) and in the ledger alone (Portfolio.applyFill).
// Environment: ORDERS (10000), WARM_UP (100), SMA_ORDERS (1000, 0 = skip), FILLS (10000), BAR_SPACING_MS (30),
// IBKR_MAX_REQUESTS_PER_SECOND (40), LOG_LEVEL (info, written to /dev/null), DATA_DIR (where the fresh state
// directory is made; default the OS temp directory).
import { mkdtempSync, rmSync, statfsSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import pino from "pino";
import type { IbGateway } from "../src/adapters/ib/ib-gateway.js";
import { openOrderSession } from "../src/app/order-session.js";
import { createLogger } from "../src/app/logger.js";
import type { OrderRouting } from "../src/app/order-routing.js";
import { TradingEngine } from "../src/app/trading-engine.js";
import type { Config } from "../src/config/config.js";
import { loadConfig } from "../src/config/load-config.js";
import type { Clock } from "../src/core/clock.js";
import { SystemScheduler } from "../src/core/system-scheduler.js";
import { newOrder } from "../src/execution/new-order.js";
import { GatewaySim } from "../src/gateway-sim/gateway-sim.js";
import { makeBar, type Bar } from "../src/model/bar.js";
import type { Fill } from "../src/model/fill.js";
import type { Order, OrderSide } from "../src/model/order.js";
import { Portfolio } from "../src/portfolio/portfolio.js";
import type { Strategy, StrategyContext } from "../src/strategy/strategy.js";
import smaCrossover from "../strategies/sma-crossover.js";
import { OrderPathProbe, spreadOf, type OrderTimes, type Spread } from "./order-path-probe.js";

/** Tuesday 2024-01-02 15:04:05 UTC (10:04 New York): the simulator's manual clock stays parked here. */
const IN_SESSION_MS = Date.UTC(2024, 0, 2, 15, 4, 5);
const SYMBOL = "SPY";
const ACCOUNT = "DU1234567";
/** An order not booked and filled within this long fails the bench (nothing should take more than ms). */
const ORDER_TIMEOUT_MS = 5_000;
const PROGRESS_EVERY = 1_000;
const ONE = new Decimal(1);

/** A whole number ≥ `min` from the environment, or `fallback`; anything else is a usage error (exit 2). */
function envCount(name: string, fallback: number, min = 0): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`order-path: ${name}=${JSON.stringify(text)} must be a whole number >= ${min}\n`);
    process.exit(2);
  }
  return value;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, Math.max(0, ms));
  });

/** The path under test is the order path, not a signal: one market order of 1 share per bar, BUY then SELL. */
class EveryBarStrategy implements Strategy {
  private side: OrderSide = "BUY";

  onBar(bar: Bar, context: StrategyContext): void {
    context.submit({ symbol: bar.symbol, side: this.side, quantity: ONE, type: "MARKET" });
    this.side = this.side === "BUY" ? "SELL" : "BUY";
  }
}

/** The order path the daemon runs against the simulator, as test/integration/orders/order-kit.ts starts it. */
interface OrderPath {
  readonly config: Config;
  readonly clock: Clock;
  readonly gateway: IbGateway;
  readonly routing: OrderRouting;
  /** Where order events go after the probe: the engine running now. */
  readonly events: { engine: TradingEngine | undefined };
}

async function startOrderPath(
  sim: GatewaySim,
  port: number,
  dataDir: string,
  probe: OrderPathProbe,
): Promise<OrderPath> {
  const config = loadConfig({
    flags: {},
    env: {
      IBKR_HOST: "127.0.0.1",
      IBKR_PORT: String(port),
      IBKR_CLIENT_ID: "7",
      IBKR_TIMEZONE: "UTC",
      IBKR_MAX_REQUESTS_PER_SECOND: process.env.IBKR_MAX_REQUESTS_PER_SECOND,
      DATA_DIR: dataDir,
      BROKER: "ibkr",
      SYMBOLS: SYMBOL,
      INITIAL_CAPITAL: "1000000",
      RISK_MAX_ORDERS_PER_MINUTE: "0",
      RISK_MAX_ORDER_NOTIONAL: "0",
      RISK_MAX_POSITION_NOTIONAL: "0",
      RISK_MAX_DAILY_LOSS: "0",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
    },
    directory: dataDir,
  });
  // The daemon logs JSON lines synchronously to stderr; here the same lines go to /dev/null.
  const logger = createLogger({
    level: config.logLevel,
    destination: pino.destination({ dest: "/dev/null", sync: true }),
    pretty: false,
  });
  // Order and fill times are the simulator's; timers (acknowledgement time-outs) run in real time.
  const clock: Clock = { nowMs: () => sim.clock.nowMs() };
  const events: OrderPath["events"] = { engine: undefined };
  const { gateway, routing } = await openOrderSession({
    config,
    liveFlag: false,
    scheduler: new SystemScheduler(),
    clock,
    logger,
    seed: 3,
    onEvent: (event) => {
      probe.onEvent(event);
      events.engine?.dispatchOrderEvent(event);
    },
  });
  probe.watchStore(routing.store);
  return { config, clock, gateway, routing, events };
}

/** Bars that close now (the parked simulated time), the close stepping around the simulator's quote. */
function barAt(index: number, basePrice: number): Bar {
  const close = basePrice + (index % 2 === 0 ? 0 : 0.25);
  return makeBar({
    symbol: SYMBOL,
    openTime: IN_SESSION_MS - 60_000,
    closeTime: IN_SESSION_MS,
    open: basePrice,
    high: basePrice + 0.25,
    low: basePrice,
    close,
    volume: 1_000,
  });
}

interface RunResult {
  readonly samples: readonly OrderTimes[];
  readonly wallMs: number;
}

/**
 * Feeds bars to `strategy` through a TradingEngine on the order path until `orders` orders have been measured
 * (after `warmUp` unmeasured ones), one bar per `spacingMs` at most, each order waited for.
 */
async function runOrders(
  path: OrderPath,
  probe: OrderPathProbe,
  strategy: Strategy,
  options: {
    readonly label: string;
    readonly orders: number;
    readonly warmUp: number;
    readonly spacingMs: number;
  },
  basePrice: number,
): Promise<RunResult> {
  const engine = new TradingEngine({
    clock: path.clock,
    strategy,
    portfolio: path.routing.portfolio,
    orders: probe.entry(path.routing),
  });
  path.events.engine = engine;
  engine.start();
  const samples: OrderTimes[] = [];
  let seen = 0;
  let lastBarMs = Number.NEGATIVE_INFINITY;
  let startedMs = performance.now();
  for (let index = 0; samples.length < options.orders; index++) {
    await sleep(lastBarMs + options.spacingMs - performance.now());
    lastBarMs = performance.now();
    const times = await probe.runBar(engine, barAt(index, basePrice), ORDER_TIMEOUT_MS);
    if (times === undefined) continue;
    seen += 1;
    if (seen === options.warmUp) startedMs = performance.now();
    if (seen <= options.warmUp) continue;
    samples.push(times);
    if (samples.length % PROGRESS_EVERY === 0) {
      process.stderr.write(`order-path: ${options.label} ${samples.length}/${options.orders} orders\n`);
    }
  }
  engine.stop();
  path.events.engine = undefined;
  return { samples, wallMs: performance.now() - startedMs };
}

/**
 * Fills applied per second through the order manager (journal: fill insert and read back, intent marked
 * filled, both committed with synchronous=FULL; then the ledger and the order event), for `count` orders of
 * ours that IB has acknowledged. Setting the orders up (intent and sent records) is not timed.
 */
function measureJournaledFills(
  path: OrderPath,
  count: number,
): { readonly fills: Fill[]; readonly perSecond: number } {
  const { routing, config, clock } = path;
  const nowMs = clock.nowMs();
  const firstIbOrderId = (routing.store.lastOrderId() ?? 0) + 1;
  const orders: Order[] = [];
  const fills: Fill[] = [];
  const price = routing.portfolio.lastPrice(SYMBOL) ?? 470;
  for (let index = 0; index < count; index++) {
    const side: OrderSide = index % 2 === 0 ? "BUY" : "SELL";
    const order = newOrder(
      { symbol: SYMBOL, side, quantity: ONE, type: "MARKET" },
      { orderId: `fills-bench-${index}`, strategy: config.strategyName, nowMs, status: "Accepted" },
    );
    routing.store.recordIntent(order.intent);
    routing.store.markSent(order.orderId, firstIbOrderId + index, nowMs);
    orders.push(order);
    fills.push(
      Object.freeze({
        // IB's execId layout with a prefix of its own, so it never meets one of the simulator's.
        fillId: `0000beef.${Math.floor(nowMs / 1000).toString(16)}.${(index + 1).toString(16)}.01`,
        orderId: order.orderId,
        symbol: SYMBOL,
        side,
        quantity: ONE,
        price: new Decimal(price),
        commission: new Decimal("1.00"),
        time: nowMs,
      }),
    );
    if ((index + 1) % (PROGRESS_EVERY * 5) === 0) {
      process.stderr.write(`order-path: fills set up ${index + 1}/${count}\n`);
    }
  }
  routing.orders.restore(orders);
  const booked = routing.orders.bookedFills().length;
  const started = performance.now();
  fills.forEach((fill, index) => {
    routing.orders.applyReport({
      type: "filled",
      orderId: fill.orderId,
      fill,
      brokerOrderId: firstIbOrderId + index,
      permId: 900_000_001 + index,
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const applied = routing.orders.bookedFills().length - booked;
  if (applied !== count) throw new Error(`${applied} of ${count} journaled fills were booked`);
  return { fills, perSecond: count / seconds };
}

/** Fills per second into a fresh ledger, the median of three passes after one to warm up. */
function measureLedgerFills(fills: readonly Fill[]): number {
  const pass = (): number => {
    const portfolio = new Portfolio({ initialCash: new Decimal(1_000_000) });
    const started = performance.now();
    for (const fill of fills) portfolio.applyFill(fill);
    return (performance.now() - started) / 1000;
  };
  pass();
  const seconds = [pass(), pass(), pass()].sort((a, b) => a - b)[1] ?? Number.NaN;
  return fills.length / seconds;
}

/** Linux filesystem magic numbers of statfs for the ones this bench is likely to meet. */
const FILESYSTEMS: Readonly<Record<number, string>> = {
  0xef53: "ext4",
  0x01021994: "tmpfs",
  0x58465342: "xfs",
  0x9123683e: "btrfs",
  0x794c7630: "overlayfs",
};

function filesystemOf(directory: string): string {
  try {
    const type = statfsSync(directory).type;
    return FILESYSTEMS[type] ?? `fs 0x${type.toString(16)}`;
  } catch {
    return "fs unknown";
  }
}

const ms = (value: number): string => value.toFixed(3).padStart(8);
const count = (value: number): string => Math.round(value).toLocaleString("en-US");

function row(name: string, spread: Spread, extra = ""): string {
  return `  ${name.padEnd(58)} ${ms(spread.p50)} ${ms(spread.p90)} ${ms(spread.p99)} ${ms(spread.max)}${extra}`;
}

function breakdown(samples: readonly OrderTimes[]): string[] {
  const series = (of: (times: OrderTimes) => number | undefined): Spread =>
    spreadOf(samples.map(of).filter((value): value is number => value !== undefined));
  return [
    row(
      "  bar → submit (engine, mark, strategy)",
      series((t) => t.submitStartMs - t.barMs),
    ),
    row(
      "  routing.submit (risk, journal, client, placeOrder)",
      series((t) => t.submitEndMs - t.submitStartMs),
    ),
    row(
      "    of which the SQLite commit (intent + IB id + sent)",
      series((t) => t.storeMs),
    ),
    row(
      "  submit returned → frame read by the simulator",
      series((t) => (t.frameMs === undefined ? undefined : t.frameMs - t.submitEndMs)),
    ),
    row(
      "  frame → decoded and booked by the simulator",
      series((t) =>
        t.frameMs === undefined || t.bookedMs === undefined ? undefined : t.bookedMs - t.frameMs,
      ),
    ),
    row(
      "  bar → fill booked in our ledger (round trip)",
      series((t) => (t.filledMs === undefined ? undefined : t.filledMs - t.barMs)),
    ),
  ];
}

function latencyOf(samples: readonly OrderTimes[]): Spread {
  return spreadOf(samples.map((times) => (times.bookedMs ?? Number.NaN) - times.barMs));
}

async function main(): Promise<number> {
  const orders = envCount("ORDERS", 10_000, 1);
  const warmUp = envCount("WARM_UP", 100);
  const smaOrders = envCount("SMA_ORDERS", 1_000);
  const fillCount = envCount("FILLS", 10_000, 1);
  const spacingMs = envCount("BAR_SPACING_MS", 30);
  const parent = process.env.DATA_DIR ?? tmpdir();
  const dataDir = mkdtempSync(join(parent, "bench-order-path-"));

  const probe = new OrderPathProbe();
  const sim = GatewaySim.create({
    clock: { mode: "manual", startMs: IN_SESSION_MS },
    accounts: [ACCOUNT],
    startingCash: 1_000_000_000,
    logger: probe.simLogger,
  });
  probe.watchSimulator(sim);
  const { port } = await sim.start();
  let path: OrderPath | undefined;
  try {
    path = await startOrderPath(sim, port, dataDir, probe);
    const basePrice = sim.model.quote(SYMBOL, sim.clock.nowMs()).ask;
    path.routing.portfolio.markPrice(SYMBOL, basePrice);

    const everyBar = await runOrders(
      path,
      probe,
      new EveryBarStrategy(),
      { label: "every-bar", orders, warmUp, spacingMs },
      basePrice,
    );
    const sma =
      smaOrders === 0
        ? undefined
        : await runOrders(
            path,
            probe,
            smaCrossover.create(smaCrossover.parameters.parse({ fast: 1, slow: 2, quantity: 1 }), {
              symbols: [SYMBOL],
            }),
            { label: "sma-crossover", orders: smaOrders, warmUp: 0, spacingMs },
            basePrice,
          );
    const journaled = measureJournaledFills(path, fillCount);
    const ledgerPerSecond = measureLedgerFills(journaled.fills);
    const rssMiB = process.memoryUsage().rss / 1024 / 1024;

    const cpu = cpus();
    const latency = latencyOf(everyBar.samples);
    const lines = [
      "bench/order-path: bar close → PLACE_ORDER decoded by gateway-sim, through strategy, risk, SQLite state " +
        "store, IbExecutionClient, @stoqey/ib and loopback TCP (one process, one clock)",
      `machine: node ${process.version}, ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ` +
        `${process.platform} ${process.arch}`,
      `config: ${SYMBOL} MKT 1 share BUY/SELL per bar, one order in flight, a bar every ≥ ${spacingMs} ms, ` +
        `${warmUp} warm-up orders; IBKR_MAX_REQUESTS_PER_SECOND ${path.config.ibkr.maxRequestsPerSecond}; ` +
        `risk limits off; LOG_LEVEL ${path.config.logLevel} → /dev/null`,
      `config: state store ${dataDir} (${filesystemOf(dataDir)}), WAL, synchronous=FULL; ` +
        `gateway-sim in-process, manual clock 2024-01-02 15:04:05 UTC`,
      "",
      `  ${"ms".padEnd(58)} ${"p50".padStart(8)} ${"p90".padStart(8)} ${"p99".padStart(8)} ${"max".padStart(8)}`,
      row(
        `every-bar: bar → decoded by the simulator (${count(everyBar.samples.length)} orders)`,
        latency,
        `   wall ${(everyBar.wallMs / 1000).toFixed(1)} s`,
      ),
      ...breakdown(everyBar.samples),
      ...(sma === undefined
        ? []
        : [
            row(
              `sma-crossover fast=1 slow=2: bar → decoded (${count(sma.samples.length)} orders)`,
              latencyOf(sma.samples),
              `   wall ${(sma.wallMs / 1000).toFixed(1)} s`,
            ),
          ]),
      "",
      `  fills/s journaled (applyReport: SQLite FULL + ledger + event)  ${count(journaled.perSecond)} ` +
        `(${count(fillCount)} fills)`,
      `  fills/s ledger only (Portfolio.applyFill)                      ${count(ledgerPerSecond)}`,
      `  rss ${rssMiB.toFixed(0)} MiB; simulator warnings ${probe.simWarnings}`,
      `  p99 target < 2 ms: ${latency.p99 < 2 ? "met" : "missed"} (p99 ${latency.p99.toFixed(3)} ms)`,
    ];
    for (const line of lines) process.stdout.write(`${line}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`order-path: FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await path?.routing.stop({ cancelOpenOrders: false, timeoutMs: 0 });
    path?.gateway.connection.stop("bench done");
    await sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
