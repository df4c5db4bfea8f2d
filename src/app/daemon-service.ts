import type { Logger } from "pino";
import { Subscription } from "rxjs";
import { maskAccountId } from "../core/account-id.js";
import type { Clock } from "../core/clock.js";
import type { FeedEvent } from "../data/feed-event.js";
import type { OrderEvent } from "../model/order-event.js";
import type { DaemonMetrics } from "../service/daemon-metrics.js";
import type { DaemonStatus, StatusFeed, StatusIbAccount } from "../service/daemon-status.js";
import type { MetricsSnapshot } from "../service/metrics-snapshot.js";
import type { OrderStatus } from "../model/order.js";
import type { Decimal } from "decimal.js";
import type { AccountView } from "./account-monitor.js";
import { startHttpServer, type HttpServer } from "../service/http-server.js";
import { readinessOf, type Readiness } from "../service/readiness.js";
import type { Daemon, DaemonObserver, StartPhase } from "./daemon.js";

/** Feeds silent for longer than this many timeframe bars, in trading hours, make the daemon not ready. */
const STALE_BARS = 3;

/** Per-symbol feed state the status and readiness read. */
class FeedBook {
  readonly lastBarMs = new Map<string, number>();
  readonly state = new Map<string, StatusFeed["state"]>();

  onEvent(event: FeedEvent): void {
    switch (event.type) {
      case "FeedBarClosed":
        this.lastBarMs.set(event.bar.symbol, event.bar.closeTime);
        if (event.source === "live") this.state.set(event.bar.symbol, "live");
        else if (!this.state.has(event.bar.symbol)) this.state.set(event.bar.symbol, "warming-up");
        return;
      case "FeedStalled":
        this.state.set(event.symbol, "stalled");
        return;
      case "FeedResumed":
      case "FeedResubscribed":
        this.state.set(event.symbol, "live");
        return;
      default:
        return;
    }
  }
}

/** Metrics and feed bookkeeping as a DaemonObserver; order latencies from bar close to send, ack and fill. */
export function observeDaemon(
  metrics: DaemonMetrics,
  feeds: FeedBook = new FeedBook(),
): DaemonObserver & {
  readonly feeds: FeedBook;
} {
  const sentAtMs = new Map<string, number>();
  let lastLiveBarMs: number | undefined;
  return {
    feeds,
    onFeedEvent: (event: FeedEvent) => {
      feeds.onEvent(event);
      metrics.feedEvent(event);
      if (event.type === "FeedBarClosed" && event.source === "live") lastLiveBarMs = Date.now();
    },
    onOrderDenied: (rule) => {
      metrics.orderDenied(rule);
    },
    onOrderSent: (orderId: string) => {
      const now = Date.now();
      sentAtMs.set(orderId, now);
      if (lastLiveBarMs !== undefined) metrics.observeBarToOrder(now - lastLiveBarMs);
    },
    onOrderEvent: (event: OrderEvent) => {
      metrics.orderEvent(event.type);
      const now = Date.now();
      const id = event.order.orderId;
      if (event.type === "OrderAccepted") {
        const sent = sentAtMs.get(id);
        if (sent !== undefined) metrics.observeOrderToAck(now - sent);
      } else if (event.type === "OrderFilled") {
        metrics.filled(event.fill.symbol);
        const sent = sentAtMs.get(id);
        if (sent !== undefined && event.order.status === "Filled") {
          metrics.observeOrderToFill(now - sent);
          sentAtMs.delete(id);
        }
      }
      if (event.type === "OrderCancelled" || event.type === "OrderRejected" || event.type === "OrderDenied") {
        sentAtMs.delete(id);
      }
    },
  };
}

/** Readiness: connected, reconciled (or read-only) and every feed fresh in trading hours. */
export function daemonReadiness(daemon: Daemon, feeds: FeedBook): Readiness {
  const connection = daemon.gateway.connection.state;
  const routing = daemon.orders;
  const timeframeMs = daemon.config.timeframe.seconds * 1000;
  const now = daemon.clock.nowMs();
  const staleSymbols = [...daemon.contracts.keys()].filter((symbol) => {
    const last = feeds.lastBarMs.get(symbol);
    const state = feeds.state.get(symbol);
    return state !== "live" || last === undefined || now - last > STALE_BARS * timeframeMs;
  });
  const check = (name: string, ok: boolean, reason: string) => (ok ? { name, ok } : { name, ok, reason });
  return readinessOf([
    check(
      "connected",
      connection.status === "ready",
      `not connected to TWS / Gateway (${connection.status})`,
    ),
    check(
      "reconciled",
      routing === undefined || routing.readiness.status === "ready",
      routing?.readiness.reason ?? "",
    ),
    check(
      "feeds",
      staleSymbols.length === 0 || !daemon.marketOpen(),
      `no fresh live bar for ${staleSymbols.join(", ")}`,
    ),
  ]);
}

/** The JSON of GET /status. */
export function daemonStatus(daemon: Daemon, feeds: FeedBook, clock: Clock): DaemonStatus {
  const routing = daemon.orders;
  const now = clock.nowMs();
  const portfolio = daemon.portfolio;
  const account = routing?.accountMonitor?.view();
  return {
    mode: daemon.tradingMode.mode,
    account: maskAccountId(daemon.tradingMode.account),
    source: daemon.config.dataSource,
    broker: routing?.simulatedVenue === undefined ? "ibkr" : "sim",
    symbols: [...daemon.contracts.keys()],
    timeframe: daemon.config.timeframe.label,
    strategy: daemon.strategy.definition.name,
    tradingState: routing?.riskChecks.tradingState.state() ?? "halted",
    connection: daemon.gateway.connection.state.status,
    positions: portfolio.positions().map((position) => ({
      symbol: position.symbol,
      quantity: position.quantity.toString(),
      averageCost: position.averageCost.toDecimalPlaces(6).toString(),
      unrealizedPnl: portfolio.unrealizedPnl(position.symbol).toDecimalPlaces(2).toString(),
      realizedPnl: position.realizedPnl.toDecimalPlaces(2).toString(),
    })),
    openOrders: (routing?.orders.openOrders() ?? []).map((order) => ({
      orderId: order.orderId,
      symbol: order.intent.symbol,
      side: order.intent.side,
      type: order.intent.type,
      quantity: order.intent.quantity.toString(),
      filledQuantity: order.filledQuantity.toString(),
      limitPrice: order.intent.limitPrice?.toString(),
      stopPrice: order.intent.stopPrice?.toString(),
      status: order.status,
      updatedAt: new Date(order.updatedAt).toISOString(),
    })),
    equity: portfolio.equity().toDecimalPlaces(2).toString(),
    cash: portfolio.cash().toDecimalPlaces(2).toString(),
    feeds: [...daemon.contracts.keys()].map((symbol) => {
      const last = feeds.lastBarMs.get(symbol);
      return {
        symbol,
        lastBarAgeSeconds: last === undefined ? undefined : Math.max(0, (now - last) / 1000),
        state: feeds.state.get(symbol) ?? "warming-up",
      };
    }),
    ib: account === undefined ? undefined : ibStatus(account),
    startedAt: new Date(daemon.startedAtMs).toISOString(),
    uptimeSeconds: (now - daemon.startedAtMs) / 1000,
  };
}

const PHASE_TEXT: Record<StartPhase, string> = {
  connecting: "starting: connecting to TWS / Gateway",
  "resolving-contracts": "starting: resolving the traded contracts",
  reconciling: "starting: reconciling orders, fills and positions with IB",
};

/** Readiness of a daemon still starting: the phase it is in, as the check it has not passed yet. */
export function startingReadiness(phase: StartPhase): Readiness {
  const connected = phase !== "connecting";
  return readinessOf([
    connected ? { name: "connected", ok: true } : { name: "connected", ok: false, reason: PHASE_TEXT[phase] },
    { name: "reconciled", ok: false, reason: PHASE_TEXT[phase] },
  ]);
}

/** The HTTP endpoints and metrics of one daemon process, up before the daemon is and after it stops. */
export interface DaemonService {
  readonly server: HttpServer;
  /** The start has moved on: /readyz and /status say so. */
  starting(phase: StartPhase): void;
  /** The daemon runs: every endpoint now reads it, and its connection feeds the metrics. */
  attach(daemon: Daemon): void;
  /** Stops the metrics feeds and the server. */
  close(): Promise<void>;
}

/**
 * Starts the HTTP endpoints before the daemon exists, so a supervisor sees the process alive (/healthz) and
 * not ready with the reason (/readyz 503: connecting, reconciling…) during a start that waits for TWS; the
 * daemon is attached once it runs. Control endpoints answer 503 until then.
 */
export async function startDaemonService(options: {
  readonly metrics: DaemonMetrics;
  readonly feeds: FeedBook;
  readonly host: string;
  readonly port: number;
  readonly controlToken: string | undefined;
  readonly logger: Logger;
}): Promise<DaemonService> {
  const { metrics, feeds, logger } = options;
  let phase: StartPhase = "connecting";
  let daemon: Daemon | undefined;
  const subscriptions: Subscription[] = [];
  const orders = () => daemon?.orders;
  const server = await startHttpServer({
    host: options.host,
    port: options.port,
    logger,
    metrics,
    readiness: () => (daemon === undefined ? startingReadiness(phase) : daemonReadiness(daemon, feeds)),
    status: () => (daemon === undefined ? undefined : daemonStatus(daemon, feeds, daemon.clock)),
    control: {
      token: options.controlToken,
      unavailable: () => {
        if (daemon === undefined) return `${PHASE_TEXT[phase]}: try again once /readyz is ready`;
        return daemon.orders === undefined ? "read-only run: there is no order path to control" : undefined;
      },
      pause: (reason: string) => {
        orders()?.riskChecks.tradingState.set("halted", `paused over HTTP: ${reason}`);
      },
      resume: (reason: string) => {
        orders()?.riskChecks.tradingState.set("active", `resumed over HTTP: ${reason}`);
      },
      flatten: (reason: string) => Promise.resolve({ orders: daemon?.flatten(reason) ?? [] }),
    },
  });
  return {
    server,
    starting: (next) => {
      phase = next;
    },
    attach: (running) => {
      daemon = running;
      metrics.trackSymbols([...running.contracts.keys()]);
      metrics.useSnapshotSource(() => metricsSnapshot(running));
      metrics.usePacingSource(() => running.pacerStats);
      metrics.useSendQueueSource(() => running.sendQueueDepth);
      const tradingState = running.orders?.riskChecks.tradingState;
      if (tradingState !== undefined) {
        metrics.tradingState(tradingState.state());
        const stopListening = tradingState.onChange((change) => {
          metrics.tradingState(change.to);
        });
        subscriptions.push(new Subscription(stopListening));
      }
      const connection = running.gateway.connection;
      let generation = 0;
      subscriptions.push(
        connection.state$.subscribe((state) => {
          metrics.connectionState(state.status);
          if (state.status !== "ready") return;
          if (generation > 0 && state.session.generation > generation) metrics.reconnected();
          generation = state.session.generation;
        }),
        connection.notices$.subscribe((notice) => {
          metrics.ibError(notice.code);
        }),
      );
    },
    close: async () => {
      for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
      await server.close();
    },
  };
}

/** A Decimal IB may leave unset, as a number for a gauge. */
function numberOf(value: Decimal | undefined): number | undefined {
  return value?.toNumber();
}

/** A Decimal IB may leave unset, as a string for /status. */
function textOf(value: Decimal | undefined, places = 2): string | undefined {
  return value?.toDecimalPlaces(places).toString();
}

/** IB's account figures (summary, reqPnL) and the open divergences, for /status. */
function ibStatus(account: AccountView): StatusIbAccount {
  const { summary, pnl } = account.ib;
  return {
    netLiquidation: textOf(summary?.netLiquidation),
    totalCash: textOf(summary?.totalCash),
    buyingPower: textOf(summary?.buyingPower),
    currency: summary?.currency === "" ? undefined : summary?.currency,
    pnl:
      pnl === undefined
        ? undefined
        : { daily: textOf(pnl.daily), unrealized: textOf(pnl.unrealized), realized: textOf(pnl.realized) },
    openDivergences: account.divergences.length,
  };
}

/**
 * What /metrics reads at a scrape: our ledger, the open orders, and IB's own figures beside ours (account
 * P&L, NetLiquidation, and per position quantity and P&L) when the account monitor has them.
 */
export function metricsSnapshot(daemon: Daemon): MetricsSnapshot {
  const portfolio = daemon.portfolio;
  const openOrders = daemon.orders?.orders.openOrders() ?? [];
  const byState: Partial<Record<OrderStatus, number>> = {};
  for (const order of openOrders) byState[order.status] = (byState[order.status] ?? 0) + 1;
  const account = daemon.orders?.accountMonitor?.view();
  const ibPositions = new Map(
    (account?.positions ?? []).flatMap((comparison) =>
      comparison.ib === undefined ? [] : [[comparison.symbol, comparison.ib] as const],
    ),
  );
  const ours = portfolio.positions().map((position) => position.symbol);
  // A position IB reports and our ledger does not hold is shown too (ours at 0): that is the difference.
  const symbols = [...new Set([...ours, ...ibPositions.keys()])];
  const ibPnl = account?.ib.pnl;
  return {
    equity: portfolio.equity().toNumber(),
    cash: portfolio.cash().toNumber(),
    positions: symbols.map((symbol) => {
      const position = portfolio.position(symbol);
      const ib = ibPositions.get(symbol);
      return {
        symbol,
        quantity: position?.quantity.toNumber() ?? 0,
        unrealizedPnl: position === undefined ? 0 : portfolio.unrealizedPnl(symbol).toNumber(),
        realizedPnl: position?.realizedPnl.toNumber() ?? 0,
        ib:
          ib === undefined
            ? undefined
            : {
                quantity: numberOf(ib.position),
                daily: numberOf(ib.dailyPnl),
                unrealized: numberOf(ib.unrealizedPnl),
                realized: numberOf(ib.realizedPnl),
              },
      };
    }),
    openOrdersByState: byState,
    pnl: {
      ours: {
        unrealized: portfolio.unrealizedPnl().toNumber(),
        realized: portfolio.realizedPnl().toNumber(),
      },
      ib:
        ibPnl === undefined
          ? undefined
          : {
              daily: numberOf(ibPnl.daily),
              unrealized: numberOf(ibPnl.unrealized),
              realized: numberOf(ibPnl.realized),
            },
    },
    ibNetLiquidation: numberOf(account?.ib.summary?.netLiquidation),
    divergences:
      account === undefined
        ? undefined
        : { total: account.stats.divergences, open: account.divergences.length },
  };
}

export { FeedBook };
