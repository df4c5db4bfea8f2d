import type { Logger } from "pino";
import type { Subscription } from "rxjs";
import { maskAccountId } from "../core/account-id.js";
import type { Clock } from "../core/clock.js";
import type { FeedEvent } from "../data/feed-event.js";
import type { OrderEvent } from "../model/order-event.js";
import type { DaemonMetrics } from "../service/daemon-metrics.js";
import type { DaemonStatus, StatusFeed } from "../service/daemon-status.js";
import { startHttpServer, type HttpServer } from "../service/http-server.js";
import { readinessOf, type Readiness } from "../service/readiness.js";
import type { Daemon, DaemonObserver } from "./daemon.js";

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
    ib: account === undefined ? undefined : { openDivergences: account.divergences.length },
    startedAt: new Date(daemon.startedAtMs).toISOString(),
    uptimeSeconds: (now - daemon.startedAtMs) / 1000,
  };
}

/** Starts the HTTP endpoints and the metrics feeds for a running daemon; close() stops both. */
export async function serveDaemon(options: {
  readonly daemon: Daemon;
  readonly metrics: DaemonMetrics;
  readonly feeds: FeedBook;
  readonly host: string;
  readonly port: number;
  readonly controlToken: string | undefined;
  readonly logger: Logger;
}): Promise<{ readonly server: HttpServer; close(): Promise<void> }> {
  const { daemon, metrics, feeds, logger } = options;
  metrics.trackSymbols([...daemon.contracts.keys()]);
  const subscriptions: Subscription[] = [
    daemon.gateway.connection.state$.subscribe((state) => {
      metrics.connectionState(state.status);
    }),
    daemon.gateway.connection.notices$.subscribe((notice) => {
      metrics.ibError(notice.code);
    }),
  ];
  let generation = 0;
  subscriptions.push(
    daemon.gateway.connection.state$.subscribe((state) => {
      if (state.status !== "ready") return;
      if (generation > 0 && state.session.generation > generation) metrics.reconnected();
      generation = state.session.generation;
    }),
  );
  metrics.useSnapshotSource(() => {
    const portfolio = daemon.portfolio;
    const openOrders = daemon.orders?.orders.openOrders() ?? [];
    const byState: Partial<Record<(typeof openOrders)[number]["status"], number>> = {};
    for (const order of openOrders) byState[order.status] = (byState[order.status] ?? 0) + 1;
    return {
      equity: portfolio.equity().toNumber(),
      cash: portfolio.cash().toNumber(),
      positions: portfolio.positions().map((position) => ({
        symbol: position.symbol,
        quantity: position.quantity.toNumber(),
        unrealizedPnl: portfolio.unrealizedPnl(position.symbol).toNumber(),
        realizedPnl: position.realizedPnl.toNumber(),
      })),
      openOrdersByState: byState,
      pnl: {
        ours: {
          unrealized: portfolio.unrealizedPnl().toNumber(),
          realized: portfolio.realizedPnl().toNumber(),
        },
      },
    };
  });
  const routing = daemon.orders;
  const server = await startHttpServer({
    host: options.host,
    port: options.port,
    logger,
    metrics,
    readiness: () => daemonReadiness(daemon, feeds),
    status: () => daemonStatus(daemon, feeds, daemon.clock),
    ...(routing === undefined
      ? {}
      : {
          control: {
            token: options.controlToken,
            pause: (reason: string) => {
              routing.riskChecks.tradingState.set("halted", `paused over HTTP: ${reason}`);
            },
            resume: (reason: string) => {
              routing.riskChecks.tradingState.set("active", `resumed over HTTP: ${reason}`);
            },
            flatten: (reason: string) => Promise.resolve({ orders: daemon.flatten(reason) }),
          },
        }),
  });
  return {
    server,
    close: async () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
      await server.close();
    },
  };
}

export { FeedBook };
