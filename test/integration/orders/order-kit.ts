import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import { IbGateway } from "../../../src/adapters/ib/ib-gateway.js";
import { OrderRouting } from "../../../src/app/order-routing.js";
import { decideTradingMode } from "../../../src/config/live-interlock.js";
import { loadConfig } from "../../../src/config/load-config.js";
import { Rng } from "../../../src/core/rng.js";
import type { Scheduler } from "../../../src/core/scheduler.js";
import { SystemScheduler } from "../../../src/core/system-scheduler.js";
import type { GatewaySim } from "../../../src/gateway-sim/gateway-sim.js";
import type { OrderEvent } from "../../../src/model/order-event.js";
import type { OrderRequest } from "../../../src/model/order.js";
import type { QualifiedContract } from "../../../src/model/qualified-contract.js";
import { LogCapture } from "../ib/ib-test-kit.js";

/** A Scheduler on the simulator's clock, so intents and IB's executions share one time line. */
export function simTime(sim: GatewaySim): Scheduler {
  return {
    nowMs: () => sim.clock.nowMs(),
    setTimer: (delayMs, task) => sim.scheduler.at(sim.clock.nowMs() + Math.max(0, delayMs), task),
  };
}

/** A running order path (config → connection → contracts → interlock → routing) against `port`. */
export interface RoutingRun {
  readonly routing: OrderRouting;
  readonly gateway: IbGateway;
  readonly events: OrderEvent[];
  readonly logs: LogCapture;
  readonly dataDir: string;
  readonly stop: () => Promise<void>;
}

/** Starts the order path the daemon runs, with `env` on top of a paper configuration for the simulator. */
export async function startRouting(
  sim: GatewaySim,
  port: number,
  options: {
    readonly env?: Readonly<Record<string, string>>;
    readonly dataDir?: string;
    readonly liveFlag?: boolean;
    readonly profile?: string;
  } = {},
): Promise<RoutingRun> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "ibkr-orders-"));
  if (options.profile !== undefined) {
    const file = `.env.ibkr.${options.profile}`;
    copyFileSync(join(import.meta.dirname, "../../..", file), join(dataDir, file));
  }
  const config = loadConfig({
    flags: {},
    env: {
      IBKR_HOST: "127.0.0.1",
      IBKR_PORT: String(port),
      IBKR_CLIENT_ID: "7",
      IBKR_TIMEZONE: "UTC",
      IBKR_RECONNECT_DELAY: "1",
      DATA_DIR: dataDir,
      BROKER: "ibkr",
      SYMBOLS: "SPY,AAPL",
      RISK_MAX_DAILY_LOSS: "0",
      ...options.env,
    },
    directory: dataDir,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
  });
  const logs = new LogCapture("info");
  // Timers (reconnect backoff, grace periods) run in real time; order and fill times are the simulator's.
  const scheduler = new SystemScheduler();
  const clock = simTime(sim);
  const gateway = new IbGateway(config.ibkr, { scheduler, rng: new Rng(3), logger: logs.logger });
  const session = await gateway.connection.start();
  let tradingMode;
  try {
    tradingMode = decideTradingMode({
      config,
      liveFlag: options.liveFlag ?? false,
      readOnly: false,
      managedAccounts: session.accounts,
    });
  } catch (error) {
    gateway.connection.stop("refused by the live interlock");
    throw error;
  }
  const contracts = new Map<string, QualifiedContract>();
  for (const symbol of config.symbols) contracts.set(symbol, await gateway.contracts.lookup(symbol));
  const events: OrderEvent[] = [];
  const routing = new OrderRouting({
    config,
    tradingMode,
    gateway,
    contracts,
    clock,
    scheduler,
    logger: logs.logger,
    onEvent: (event) => events.push(event),
  });
  await routing.start();
  // The daemon marks the ledger from bars; here from the simulator's quotes, so risk checks have prices.
  for (const symbol of config.symbols) {
    routing.portfolio.markPrice(symbol, sim.model.quote(symbol, sim.clock.nowMs()).ask);
  }
  let stopped = false;
  return {
    routing,
    gateway,
    events,
    logs,
    dataDir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await routing.stop({ cancelOpenOrders: false, timeoutMs: 0 });
      gateway.connection.stop("test done");
    },
  };
}

/** The broker's positions of `account` by symbol (zero ones left out). */
export function brokerPositions(sim: GatewaySim, account: string): Record<string, string> {
  const held: Record<string, string> = {};
  for (const position of sim.accounts.ledger(account).allPositions()) {
    if (!position.quantity.isZero()) held[position.instrument.symbol] = position.quantity.toString();
  }
  return held;
}

/** The ledger's positions by symbol. */
export function ledgerPositions(routing: OrderRouting): Record<string, string> {
  const held: Record<string, string> = {};
  for (const position of routing.portfolio.positions()) held[position.symbol] = position.quantity.toString();
  return held;
}

/** A market order request. */
export function market(symbol: string, side: "BUY" | "SELL", quantity: number): OrderRequest {
  return { symbol, side, quantity: new Decimal(quantity), type: "MARKET" };
}
