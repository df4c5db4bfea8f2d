import { join } from "node:path";
import type { Logger } from "pino";
import { CONNECTION_DEFAULTS } from "../adapters/ib/ib-connection.js";
import { IbGateway } from "../adapters/ib/ib-gateway.js";
import type { Config } from "../config/config.js";
import { decideTradingMode, type TradingMode } from "../config/live-interlock.js";
import { maskAccountId } from "../core/account-id.js";
import { ConfigError, InvariantError } from "../core/errors.js";
import type { Clock } from "../core/clock.js";
import type { GatewaySim } from "../gateway-sim/gateway-sim.js";
import { IdGenerator } from "../core/id-generator.js";
import { Rng } from "../core/rng.js";
import type { Scheduler } from "../core/scheduler.js";
import { ScaledScheduler, SystemScheduler } from "../core/system-scheduler.js";
import type { FeedEvent } from "../data/feed-event.js";
import { newOrder } from "../execution/new-order.js";
import type { Bar } from "../model/bar.js";
import type { OrderEvent } from "../model/order-event.js";
import type { OrderRequest } from "../model/order.js";
import type { QualifiedContract } from "../model/qualified-contract.js";
import { Portfolio } from "../portfolio/portfolio.js";
import { MarketDataStore } from "../store/market-data-store.js";
import { StrategyRegistry, type LoadedStrategy } from "../strategy/strategy-registry.js";
import { startEmbeddedGateway, type EmbeddedGateway } from "./embedded-gateway.js";
import { createIbMarketData, type IbMarketData } from "./ib-market-data.js";
import type { DailyCycleGuard } from "../data/daily-cycle.js";
import type { PacerStats } from "../data/historical-pacer.js";
import type { RiskRule } from "../risk/risk-decision.js";
import { daemonMarketGate, dailyCycleFromConfig } from "./daemon-market-gate.js";
import { LiveFeeds } from "./live-feeds.js";
import { BROKER_QUERY_TIMEOUT_MS, type OrderRouting } from "./order-routing.js";
import { openOrderSession, type OrderSession } from "./order-session.js";
import { TradingEngine } from "./trading-engine.js";

/** Market hours and IB's daily cycle, as the daemon asks them (undefined = allowed, else the reason). */
export interface MarketGate {
  barRefused(bar: Bar): string | undefined;
  orderRefused(symbol: string, timeMs: number): string | undefined;
}

/** What the daemon reports as it runs, for metrics and status. */
export interface DaemonObserver {
  /** An order left for the broker (after risk checks); its events follow. */
  onOrderSent?(orderId: string): void;
  onOrderEvent?(event: OrderEvent): void;
  onFeedEvent?(event: FeedEvent): void;
  /** A risk check denied an order, by this rule. */
  onOrderDenied?(rule: RiskRule): void;
}

/** What a starting daemon is doing (for /readyz before it runs). */
export type StartPhase = "connecting" | "resolving-contracts" | "reconciling";

/** How `ibkr-trader run` starts. */
export interface DaemonOptions {
  readonly config: Config;
  /** `--live`: one of the live interlock's signals. */
  readonly liveFlag: boolean;
  /** `--read-only`: connect and stream, never send an order. */
  readonly readOnly: boolean;
  readonly logger: Logger;
  /** Timeframe bars of history the strategy sees before live bars (no orders come from them). */
  readonly warmupBars: number;
  /** `--source sim`: how much faster than real time the embedded simulator's clock runs. */
  readonly simSpeed: number;
  /** `--source sim`: the simulated instant the run starts at. */
  readonly simStartMs: number;
  /** `--source sim`: synthetic stocks SIM001, SIM002, … the simulator lists beside its built-in ones; default 0. */
  readonly simSyntheticInstruments?: number;
  readonly observer?: DaemonObserver;
  /** A stop signal during the start: the connection stops and start() rejects. */
  readonly signal?: AbortSignal;
  /** Told as the start moves on: connecting, resolving contracts, reconciling (not in read-only runs). */
  readonly onStartPhase?: (phase: StartPhase) => void;
}

/** The parts a running daemon is made of. */
interface DaemonParts {
  readonly config: Config;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly embedded: EmbeddedGateway | undefined;
  readonly store: MarketDataStore;
  readonly strategy: LoadedStrategy;
  /** IB's nightly reset and the Gateway restart, read in the zone the run's gateway uses. */
  readonly dailyCycle: DailyCycleGuard;
  /** The connection's heartbeat and the broker queries' timeout, on the run's scheduler. */
  readonly network: NetworkTimeouts;
}

/** Timeouts that guard the network, not the market: wall time, whatever the run's clock. */
interface NetworkTimeouts {
  readonly connection: { readonly heartbeatIntervalMs: number; readonly heartbeatTimeoutMs: number };
  readonly brokerQueryTimeoutMs: number;
}

/**
 * The long-running process: config → (the embedded simulator) → connection → live interlock → contracts →
 * a reconciled order path → warm-up → live bars → the TradingEngine a backtest uses → risk → orders →
 * ledger → state. Orders come only from live bars inside trading hours, while the order path is ready.
 */
export class Daemon {
  readonly startedAtMs: number;
  private barSource: "history" | "live" | undefined;
  private readonly deniedIds: IdGenerator;
  private gate: MarketGate | undefined;
  private engineRef: TradingEngine | undefined;
  private feedsRef: LiveFeeds | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly options: DaemonOptions,
    private readonly parts: DaemonParts,
    readonly gateway: IbGateway,
    readonly tradingMode: TradingMode,
    readonly contracts: ReadonlyMap<string, QualifiedContract>,
    private readonly session: OrderSession | undefined,
    private readonly marketData: IbMarketData,
    readonly portfolio: Portfolio,
  ) {
    this.startedAtMs = parts.clock.nowMs();
    this.deniedIds = new IdGenerator(parts.clock, "held");
  }

  get config(): Config {
    return this.parts.config;
  }

  get clock(): Clock {
    return this.parts.clock;
  }

  /** The order path; absent in read-only runs. */
  get orders(): OrderRouting | undefined {
    return this.session?.routing;
  }

  get strategy(): LoadedStrategy {
    return this.parts.strategy;
  }

  /** The historical pacer's counters (queue, 162 refusals), for metrics. */
  get pacerStats(): PacerStats {
    return this.marketData.pacer.stats;
  }

  /** Messages waiting in the connection's send queue for IB's message rate. */
  get sendQueueDepth(): number {
    return this.gateway.connection.sendQueueDepth;
  }

  /** The embedded gateway simulator (`--source sim`), for fault injection by benchmarks; else undefined. */
  get embeddedSimulator(): GatewaySim | undefined {
    return this.parts.embedded?.sim;
  }

  /** Starts everything; resolves once the order path is reconciled and the feeds are warming up. */
  static async start(options: DaemonOptions): Promise<Daemon> {
    const parts = await Daemon.prepare(options);
    const { config, scheduler, clock, dailyCycle } = parts;
    let daemon: Daemon | undefined;
    let marketData: IbMarketData | undefined;
    const resolveContracts = async (
      gateway: IbGateway,
      symbols: readonly string[],
    ): Promise<ReadonlyMap<string, QualifiedContract>> => {
      options.onStartPhase?.("resolving-contracts");
      marketData = createIbMarketData({
        gateway,
        scheduler,
        barCache: parts.store.bars,
        contractCache: parts.store.contracts,
        maxRequestsPerSecond: config.ibkr.maxRequestsPerSecond,
      });
      const { contracts, failures } = await marketData.contracts.resolveAll(symbols);
      for (const failure of failures) {
        options.logger.error(
          { event: "contract.failed", symbol: failure.symbol, error: failure.error.message },
          "symbol left out: its contract could not be resolved",
        );
      }
      if (contracts.length === 0) {
        throw new ConfigError(
          `none of the symbols (${symbols.join(", ")}) could be resolved at IB: check SYMBOLS / --symbols`,
        );
      }
      // The order path reconciles next (a read-only run has none).
      if (!options.readOnly) options.onStartPhase?.("reconciling");
      return new Map(contracts.map((contract) => [contract.symbol, contract]));
    };
    try {
      options.onStartPhase?.("connecting");
      if (options.readOnly) {
        const gateway = new IbGateway(config.ibkr, {
          scheduler,
          rng: new Rng(1),
          logger: options.logger,
          connection: parts.network.connection,
          classifyOutage: dailyCycle.classifyOutage,
        });
        const abort = (): void => {
          gateway.connection.stop(`stopped during the start (${String(options.signal?.reason)})`);
        };
        options.signal?.addEventListener("abort", abort, { once: true });
        if (options.signal?.aborted === true) abort();
        const ibSession = await gateway.connection.start().finally(() => {
          options.signal?.removeEventListener("abort", abort);
        });
        const tradingMode = decideTradingMode({
          config,
          liveFlag: options.liveFlag,
          readOnly: true,
          managedAccounts: ibSession.accounts,
        });
        const contracts = await resolveContracts(gateway, config.symbols);
        const portfolio = new Portfolio({ initialCash: config.initialCapital });
        daemon = new Daemon(
          options,
          parts,
          gateway,
          tradingMode,
          contracts,
          undefined,
          requireMarketData(marketData),
          portfolio,
        );
      } else {
        const session = await openOrderSession({
          config,
          liveFlag: options.liveFlag,
          scheduler,
          clock,
          logger: options.logger,
          onEvent: (event) => {
            daemon?.onOrderEvent(event);
          },
          resolveContracts,
          connection: parts.network.connection,
          brokerQueryTimeoutMs: parts.network.brokerQueryTimeoutMs,
          onDenied: (rule) => {
            options.observer?.onOrderDenied?.(rule);
          },
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          classifyOutage: dailyCycle.classifyOutage,
        });
        daemon = new Daemon(
          options,
          parts,
          session.gateway,
          session.tradingMode,
          session.contracts,
          session,
          requireMarketData(marketData),
          session.routing.portfolio,
        );
      }
    } catch (error) {
      marketData?.dispose();
      parts.store.close();
      await parts.embedded?.stop();
      throw error;
    }
    daemon.run();
    return daemon;
  }

  /** The embedded simulator (source sim), the clock, the caches and the strategy. */
  private static async prepare(options: DaemonOptions): Promise<DaemonParts> {
    let config = options.config;
    dailyCycleFromConfig(config); // a bad IB_RESET_WINDOW or GATEWAY_RESTART_TIME fails before connecting
    let embedded: EmbeddedGateway | undefined;
    let scheduler: Scheduler = new SystemScheduler();
    let clock: Clock = scheduler;
    // The run's timers tick in simulated time; timeouts that wait on the network are stretched by the
    // speed so they stay as long in wall time: at x240 a 15 s heartbeat timeout would otherwise be 62 ms,
    // and any busy moment of the event loop would drop a healthy connection.
    const wall = config.dataSource === "sim" ? options.simSpeed : 1;
    const strategy = await new StrategyRegistry().load(config.strategyName, config.strategyParams, {
      symbols: config.symbols,
    });
    if (config.dataSource === "sim") {
      embedded = await startEmbeddedGateway({
        logger: options.logger,
        clock: { mode: "accelerated", speed: options.simSpeed, startMs: options.simStartMs },
        liveData: true,
        ...(options.simSyntheticInstruments === undefined
          ? {}
          : { syntheticInstruments: options.simSyntheticInstruments }),
      });
      const sim = embedded.sim;
      clock = { nowMs: () => sim.clock.nowMs() };
      scheduler = new ScaledScheduler(clock, options.simSpeed);
      const runId = new Date(options.simStartMs).toISOString().replace(/[-:.]/g, "");
      config = Object.freeze({
        ...config,
        // The simulator runs in UTC and has live data (real-time bars), whatever the profile says.
        ibkr: Object.freeze({
          ...config.ibkr,
          host: embedded.host,
          port: embedded.port,
          timeZone: "UTC",
          marketDataType: 1,
          connectTimeoutMs: config.ibkr.connectTimeoutMs * wall,
          historicalDataTimeoutMs: config.ibkr.historicalDataTimeoutMs * wall,
        }),
        orders: Object.freeze({ ...config.orders, ackTimeoutMs: config.orders.ackTimeoutMs * wall }),
        // The simulator's account lives as long as this process, so its state gets a directory per run.
        dataDir: join(config.dataDir, "sim-runs", `${runId}-${process.pid}`),
      });
    }
    const store = MarketDataStore.open(join(config.dataDir, "market-data.sqlite"));
    const network: NetworkTimeouts = {
      connection: {
        heartbeatIntervalMs: CONNECTION_DEFAULTS.heartbeatIntervalMs * wall,
        heartbeatTimeoutMs: CONNECTION_DEFAULTS.heartbeatTimeoutMs * wall,
      },
      brokerQueryTimeoutMs: BROKER_QUERY_TIMEOUT_MS * wall,
    };
    const dailyCycle = dailyCycleFromConfig(config);
    return { config, clock, scheduler, embedded, store, strategy, dailyCycle, network };
  }

  /** Wires the engine and the feeds, and starts the warm-up. */
  private run(): void {
    const { config, clock, scheduler } = this.parts;
    const routing = this.session?.routing;
    this.gate = daemonMarketGate(this.contracts, this.parts.dailyCycle, this.options.logger);
    this.engineRef = new TradingEngine({
      clock,
      strategy: this.parts.strategy.strategy,
      portfolio: this.portfolio,
      orders: { submit: (request) => this.submit(request) },
      ...(routing?.simulatedVenue === undefined ? {} : { venue: routing.simulatedVenue }),
    });
    this.engineRef.start();
    this.feedsRef = new LiveFeeds({
      gateway: this.gateway,
      history: this.marketData.history,
      contracts: [...this.contracts.values()],
      timeframe: config.timeframe,
      scheduler,
      logger: this.options.logger.child({ component: "feeds" }),
      marketDataType: config.ibkr.marketDataType,
      onEvent: (event) => {
        this.onFeedEvent(event);
      },
      classifyOutage: this.parts.dailyCycle.classifyOutage,
    });
    this.feedsRef.start(this.options.warmupBars);
    this.options.logger.info(
      {
        event: "daemon.started",
        mode: this.tradingMode.mode,
        account: maskAccountId(this.tradingMode.account),
        source: config.dataSource,
        broker: routing === undefined ? "none" : routing.simulatedVenue === undefined ? "ibkr" : "sim",
        symbols: config.symbols,
        timeframe: config.timeframe.label,
        strategy: this.parts.strategy.definition.name,
        params: this.parts.strategy.params,
        warmupBars: this.options.warmupBars,
        ...(this.parts.embedded === undefined ? {} : { simSpeed: this.options.simSpeed }),
      },
      "daemon started",
    );
  }

  private onFeedEvent(event: FeedEvent): void {
    this.options.observer?.onFeedEvent?.(event);
    if (event.type !== "FeedBarClosed") return;
    const { bar } = event;
    const refused = event.source === "live" ? this.gate?.barRefused(bar) : undefined;
    if (refused !== undefined) {
      this.options.logger.debug(
        { event: "bar.outside_hours", symbol: bar.symbol, reason: refused },
        "bar skipped",
      );
      return;
    }
    this.barSource = event.source;
    try {
      this.engineRef?.onBar(bar);
      this.session?.routing.riskChecks.observeEquity(this.portfolio, this.parts.clock);
    } finally {
      this.barSource = undefined;
    }
  }

  private onOrderEvent(event: OrderEvent): void {
    this.options.observer?.onOrderEvent?.(event);
    this.engineRef?.dispatchOrderEvent(event);
  }

  /** Whether any traded contract is inside its trading hours and outside the quiet period now. */
  marketOpen(): boolean {
    const now = this.parts.clock.nowMs();
    return [...this.contracts.keys()].some((symbol) => this.gate?.orderRefused(symbol, now) === undefined);
  }

  /**
   * Closes every position with a market order (an operator's POST /flatten): trading switches to
   * reducing-only first, so the strategy cannot open new positions meanwhile. Returns the order ids.
   */
  flatten(reason: string): string[] {
    const routing = this.session?.routing;
    if (routing === undefined) return [];
    routing.riskChecks.tradingState.set("reducing-only", `flatten: ${reason}`);
    return this.portfolio.positions().map((position) =>
      routing.submit({
        symbol: position.symbol,
        side: position.quantity.isNegative() ? "BUY" : "SELL",
        quantity: position.quantity.abs(),
        type: "MARKET",
        reason: `flatten: ${reason}`,
      }),
    );
  }

  /** The strategy's way in: refused outside live bars, trading hours or a read-only run; else routed. */
  private submit(request: OrderRequest): string {
    const reason = this.holdReason(request);
    if (reason === undefined && this.session !== undefined) {
      const routing = this.session.routing;
      const orderId = routing.submit(request);
      if (routing.orders.order(orderId) !== undefined) this.options.observer?.onOrderSent?.(orderId);
      return orderId;
    }
    const nowMs = this.parts.clock.nowMs();
    const order = newOrder(request, {
      orderId: this.deniedIds.next(),
      strategy: this.parts.strategy.definition.name,
      nowMs,
      status: "Rejected",
    });
    const denied = reason ?? "read-only run: no order is sent";
    this.options.logger.info(
      { event: "order.held", symbol: request.symbol, side: request.side, reason: denied },
      "order not sent",
    );
    this.onOrderEvent({ type: "OrderDenied", order, reason: denied, time: nowMs });
    return order.orderId;
  }

  private holdReason(request: OrderRequest): string | undefined {
    if (this.stopping !== undefined) return "the daemon is stopping: no new orders";
    if (this.session === undefined) return "read-only run: no order is sent";
    if (this.barSource !== "live") return "a warm-up (history) bar: orders come only from live bars";
    return this.gate?.orderRefused(request.symbol, this.parts.clock.nowMs());
  }

  /**
   * Stops new orders and the feeds, stops the order path (cancelling our open orders when configured),
   * flushes the state and disconnects; then stops the embedded simulator. Idempotent.
   */
  stop(reason: string, timeoutMs: number): Promise<void> {
    this.stopping ??= this.stopNow(reason, timeoutMs);
    return this.stopping;
  }

  private async stopNow(reason: string, timeoutMs: number): Promise<void> {
    const { logger } = this.options;
    logger.info({ event: "daemon.stopping", reason }, "daemon stopping");
    this.feedsRef?.stop();
    this.engineRef?.stop();
    try {
      if (this.session !== undefined) {
        await this.session.close({ cancelOpenOrders: this.config.orders.cancelOnStop, timeoutMs });
      } else {
        this.gateway.connection.stop(reason);
      }
    } finally {
      this.marketData.dispose();
      this.parts.store.close();
      await this.parts.embedded?.stop();
    }
    logger.info(
      {
        event: "daemon.stopped",
        reason,
        equity: this.portfolio.equity().toDecimalPlaces(2).toString(),
        positions: this.portfolio.positions().length,
      },
      "daemon stopped",
    );
  }
}

function requireMarketData(marketData: IbMarketData | undefined): IbMarketData {
  if (marketData === undefined) throw new InvariantError("market data is wired when contracts are resolved");
  return marketData;
}

/** The default start of the embedded simulator: a Tuesday's regular session, a minute after the open. */
export const DEFAULT_SIM_START_MS = Date.UTC(2024, 0, 2, 14, 31);
