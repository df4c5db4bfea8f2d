import { ConfigError, InvariantError } from "../core/errors.js";
import { FaultSchedule } from "./faults/fault-schedule.js";
import { isEmptyFaultPlan, resolveFaultPlan, type FaultPlan } from "./faults/fault-plan.js";
import { GatewayFaults } from "./faults/gateway-faults.js";
import {
  HistoricalPacingRules,
  type HistoricalPacingSettings,
} from "./market-data/historical-pacing-rules.js";
import { createMarketDataHandlers } from "./market-data/market-data-handlers.js";
import { BUILT_IN_INSTRUMENTS, InstrumentUniverse } from "./market/instrument-universe.js";
import { MarketModel } from "./market/market-model.js";
import { SimClock, type SimClockOptions } from "./market/sim-clock.js";
import { SimScheduler } from "./market/sim-scheduler.js";
import { syntheticInstruments } from "./market/synthetic-instruments.js";
import { AccountBook } from "./orders/account-book.js";
import { OrderFaults } from "./orders/order-faults.js";
import { createOrderSimulator } from "./orders/order-handlers.js";
import type { OrderSimOptions } from "./orders/order-sim-options.js";
import { INT32_MAX } from "./protocol/unset-values.js";
import { silentLogger, type GatewaySimLogger } from "./server/gateway-sim-logger.js";
import { GatewaySimServer } from "./server/gateway-sim-server.js";

/** How simulated time runs: the wall clock, `speed` times faster from `startMs`, or only when a test advances it. */
export type GatewaySimClockOptions =
  | { readonly mode: "real-time" }
  | { readonly mode: "accelerated"; readonly speed: number; readonly startMs: number }
  | { readonly mode: "manual"; readonly startMs: number };

/** Everything a GatewaySim is built from; every field has a default. */
export interface GatewaySimOptions {
  /** Default real time. */
  readonly clock?: GatewaySimClockOptions;
  /** Seed of the market model: every price is a pure function of it, the symbol and the time; default 1. */
  readonly seed?: number;
  /** Synthetic instruments SIM001… added to the built-in ones; default 0. */
  readonly syntheticInstruments?: number;
  /** Accounts announced and traded in; default ["DU1234567"]. */
  readonly accounts?: readonly string[];
  /** Cash of every account at its first use, in USD; default 1,000,000. */
  readonly startingCash?: number;
  /** First NEXT_VALID_ID of every client id; default 1. */
  readonly firstOrderId?: number;
  /** Whether the accounts have live market data subscriptions (else delayed only, no real-time bars); default false. */
  readonly liveData?: boolean;
  /** Historical pacing limits; unset ones are IB's. */
  readonly pacing?: Partial<HistoricalPacingSettings>;
  /** Market data lines (top of book plus real-time bars); default IB's 100. */
  readonly maxMarketDataLines?: number;
  /** How orders fill (fault hooks are on `faults`). */
  readonly orders?: Omit<OrderSimOptions, "faults">;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: any free port, reported by start(). */
  readonly port?: number;
  /** Highest server version negotiated, 176..193; default 193. */
  readonly maxServerVersion?: number;
  readonly logger?: GatewaySimLogger;
  /** Faults applied by themselves on a wall-clock schedule while the simulator runs; default none. */
  readonly faultPlan?: FaultPlan;
}

/**
 * The whole TWS / IB Gateway simulator behind one object: simulated clock and scheduler, market model and
 * instruments, accounts, the market data and order simulators, the TCP server, and fault injection. Tests
 * use it in-process; the `gateway-sim` command runs one as a process.
 */
export class GatewaySim {
  /** Simulated time (the server's clock too). */
  readonly clock: SimClock;
  readonly scheduler: SimScheduler;
  readonly model: MarketModel;
  readonly universe: InstrumentUniverse;
  /** Accounts, orders, executions and order ids, shared by every session. */
  readonly accounts: AccountBook;
  readonly server: GatewaySimServer;
  /** Fault injection, usable at any time while the simulator runs. */
  readonly faults: GatewayFaults;
  private readonly schedule: FaultSchedule | undefined;
  private state: "created" | "starting" | "running" | "stopped" = "created";

  private constructor(options: GatewaySimOptions) {
    const logger = options.logger ?? silentLogger;
    const seed = options.seed ?? 1;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
      throw new ConfigError(`seed ${seed} must be a whole number from 0 to 4294967295`);
    }
    const { startingCash, firstOrderId } = options;
    if (startingCash !== undefined && !(startingCash >= 0 && Number.isFinite(startingCash))) {
      throw new ConfigError(`startingCash ${startingCash} must be a finite number of USD >= 0`);
    }
    if (
      firstOrderId !== undefined &&
      !(Number.isInteger(firstOrderId) && firstOrderId >= 0 && firstOrderId <= INT32_MAX)
    ) {
      throw new ConfigError(`firstOrderId ${firstOrderId} must be a whole number from 0 to ${INT32_MAX}`);
    }
    const faultPlan = resolveFaultPlan(options.faultPlan);
    this.clock = new SimClock(clockOptions(options.clock ?? { mode: "real-time" }));
    this.scheduler = new SimScheduler(this.clock, (error: unknown) => {
      const detail = error instanceof Error ? error.message : String(error);
      logger.warn({ error: detail }, "simulated task failed; continuing");
    });
    const instruments = [...BUILT_IN_INSTRUMENTS, ...instrumentsOf(options.syntheticInstruments ?? 0)];
    this.universe = new InstrumentUniverse(instruments);
    // Two session paths per instrument: today's and the next session's, which streams warm ahead of time.
    this.model = new MarketModel({ seed, instruments, cachedPaths: Math.max(256, 2 * instruments.length) });
    this.accounts = new AccountBook({
      ...(startingCash === undefined ? {} : { startingCash }),
      ...(firstOrderId === undefined ? {} : { firstOrderId }),
    });
    const pacing = new HistoricalPacingRules(options.pacing);
    const orderFaults = new OrderFaults();
    const marketData = createMarketDataHandlers({
      universe: this.universe,
      model: this.model,
      scheduler: this.scheduler,
      options: {
        liveDataAccounts: options.liveData ?? false,
        ...(options.maxMarketDataLines === undefined
          ? {}
          : { maxMarketDataLines: options.maxMarketDataLines }),
      },
      historicalPacing: pacing,
    });
    const orders = createOrderSimulator({
      universe: this.universe,
      model: this.model,
      scheduler: this.scheduler,
      accounts: this.accounts,
      options: { ...options.orders, faults: orderFaults },
    });
    this.server = new GatewaySimServer({
      clock: this.clock,
      logger,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.maxServerVersion === undefined ? {} : { maxServerVersion: options.maxServerVersion }),
      ...(options.accounts === undefined ? {} : { accounts: options.accounts }),
      orderIds: this.accounts.orderIds,
      requestHandlers: new Map([...marketData, ...orders.handlers]),
      sessionStartListeners: [orders.sessionStarted],
    });
    this.faults = new GatewayFaults({
      server: this.server,
      orderIds: this.accounts.orderIds,
      pacing,
      orders: orderFaults,
      logger,
    });
    this.schedule = isEmptyFaultPlan(faultPlan)
      ? undefined
      : new FaultSchedule(this.faults, faultPlan, logger);
  }

  /** Builds a simulator; nothing listens until start(). A ConfigError names the first bad option. */
  static create(options: GatewaySimOptions = {}): GatewaySim {
    return new GatewaySim(options);
  }

  /** Starts listening and the fault plan; resolves with the bound port once clients can connect. */
  async start(): Promise<{ port: number }> {
    if (this.state !== "created") throw new InvariantError(`a ${this.state} gateway-sim cannot start`);
    this.state = "starting";
    try {
      const started = await this.server.start();
      this.state = "running";
      this.schedule?.start();
      return started;
    } catch (error: unknown) {
      this.state = "created";
      throw error;
    }
  }

  /** The bound port once started (the same across restarts). */
  get port(): number | undefined {
    return this.server.port;
  }

  /** Stops faults, simulated streams and the server; resolves once every connection is closed and the port free. */
  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    this.state = "stopped";
    this.faults.dispose();
    await this.schedule?.stop();
    this.scheduler.stop();
    await this.server.stop();
  }
}

function clockOptions(clock: GatewaySimClockOptions): SimClockOptions {
  switch (clock.mode) {
    case "real-time":
      return { mode: "real-time" };
    case "accelerated":
      if (!(clock.speed > 0 && Number.isFinite(clock.speed))) {
        throw new ConfigError(`clock speed ${clock.speed} must be a finite number > 0`);
      }
      if (!Number.isFinite(clock.startMs))
        throw new ConfigError(`clock start ${clock.startMs} is not a time`);
      return { mode: "accelerated", speed: clock.speed, startMs: clock.startMs };
    case "manual":
      if (!Number.isFinite(clock.startMs))
        throw new ConfigError(`clock start ${clock.startMs} is not a time`);
      return { mode: "manual", startMs: clock.startMs };
  }
}

function instrumentsOf(count: number): ReturnType<typeof syntheticInstruments> {
  try {
    return syntheticInstruments(count);
  } catch (error: unknown) {
    if (error instanceof RangeError) throw new ConfigError(error.message, { cause: error });
    throw error;
  }
}
