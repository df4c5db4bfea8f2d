import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import { openOrderSession } from "../../../src/app/order-session.js";
import type { OrderRouting } from "../../../src/app/order-routing.js";
import type { IbGateway } from "../../../src/adapters/ib/ib-gateway.js";
import { loadConfig } from "../../../src/config/load-config.js";
import type { Scheduler } from "../../../src/core/scheduler.js";
import { SystemScheduler } from "../../../src/core/system-scheduler.js";
import type { GatewaySim } from "../../../src/gateway-sim/gateway-sim.js";
import type { OrderEvent } from "../../../src/model/order-event.js";
import type { OrderRequest } from "../../../src/model/order.js";
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
  const events: OrderEvent[] = [];
  // Timers (reconnect backoff, grace periods) run in real time; order and fill times are the simulator's.
  const { routing, gateway, close } = await openOrderSession({
    config,
    liveFlag: options.liveFlag ?? false,
    scheduler: new SystemScheduler(),
    clock: simTime(sim),
    logger: logs.logger,
    onEvent: (event) => events.push(event),
    seed: 3,
  });
  // The daemon marks the ledger from bars; here from the simulator's quotes, so risk checks have prices.
  for (const symbol of config.symbols) {
    routing.portfolio.markPrice(symbol, sim.model.quote(symbol, sim.clock.nowMs()).ask);
  }
  return {
    routing,
    gateway,
    events,
    logs,
    dataDir,
    stop: () => close({ cancelOpenOrders: false, timeoutMs: 0 }),
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
