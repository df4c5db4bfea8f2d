import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { IbConnectionState } from "../adapters/ib/ib-connection-state.js";
import type { TradingState } from "../config/config.js";
import type { Clock } from "../core/clock.js";
import type { FeedEvent } from "../data/feed-event.js";
import type { OrderEventType } from "../model/order-event.js";
import type { RiskRule } from "../risk/risk-decision.js";
import type { MetricsSnapshot, MetricsSnapshotSource } from "./metrics-snapshot.js";
import { registerSnapshotGauges } from "./snapshot-gauges.js";

/** The gateway connection's status, as IbConnection reports it. */
export type ConnectionStatus = IbConnectionState["status"];

const CONNECTION_STATUSES = members<ConnectionStatus>({
  idle: true,
  connecting: true,
  ready: true,
  "waiting-to-reconnect": true,
  stopped: true,
});
const TRADING_STATES = members<TradingState>({ active: true, "reducing-only": true, halted: true });
const RISK_RULES = members<RiskRule>({
  "trading-state": true,
  "position-limit": true,
  "order-notional": true,
  "order-rate": true,
  "daily-loss": true,
});
const ORDER_EVENT_TYPES = members<OrderEventType>({
  OrderAccepted: true,
  OrderFilled: true,
  OrderCancelled: true,
  OrderRejected: true,
  OrderDenied: true,
});

/** Seconds: from half a millisecond (in-process simulator) to ten seconds (a slow Gateway or a queued fill). */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** The historical pacer's counters the metrics read at each scrape (PacerStats is one). */
export type PacingSource = () => { readonly queued: number; readonly pacingViolations: number };

/** What DaemonMetrics reads time and the ledger from. */
export interface DaemonMetricsOptions {
  /** Bar ages are measured against it at scrape time. */
  readonly clock: Clock;
  /** Read once per scrape; can also be given later with useSnapshotSource. */
  readonly snapshot?: MetricsSnapshotSource | undefined;
  /** Node's process metrics (event-loop lag, RSS, heap, GC); default true. */
  readonly defaultMetrics?: boolean | undefined;
  /** Told when the snapshot source throws; the scrape goes on without the snapshot's series. */
  readonly onSnapshotError?: ((error: unknown) => void) | undefined;
}

/**
 * The daemon's Prometheus metrics on a registry of its own (never prom-client's global one): event counters
 * and latency histograms the daemon updates as things happen, and gauges (bar ages, open orders, positions,
 * P&L, equity) computed when scraped, from the injected clock and snapshot source.
 */
export class DaemonMetrics {
  /** Its own registry, so two daemons (or tests) in one process never share series. */
  readonly registry = new Registry();
  private snapshotSource: MetricsSnapshotSource | undefined;
  /** Set for the length of one text() call, so every gauge of a scrape sees the same snapshot. */
  private scrape: { readonly snapshot: MetricsSnapshot | undefined } | undefined;
  private readonly lastBarCloseMs = new Map<string, number>();

  private readonly connectionStateGauge = this.gauge("ibkr_connection_state", "1 for the current status.", [
    "state",
  ]);
  private readonly connectedGauge = this.gauge("ibkr_connected", "1 while the gateway connection is ready.");
  private readonly reconnects = this.counter("ibkr_reconnects_total", "Connections made again after a loss.");
  private readonly ibErrors = this.counter("ibkr_ib_errors_total", "IB errors and notices by code.", [
    "code",
  ]);
  private pacingSource: PacingSource | undefined;
  private sendQueueSource: (() => number) | undefined;
  private readonly tradingStateGauge = this.gauge("ibkr_trading_state", "1 for the current state.", [
    "state",
  ]);
  private readonly bars = this.counter("ibkr_bars_total", "Timeframe bars closed.", ["symbol"]);
  private readonly barsDropped = this.counter("ibkr_bars_dropped_total", "Bars refused by validation.", [
    "symbol",
  ]);
  private readonly feedStalls = this.counter("ibkr_feed_stalls_total", "Feeds silent past the stall limit.", [
    "symbol",
  ]);
  private readonly feedResubscribes = this.counter("ibkr_feed_resubscribes_total", "Feeds resubscribed.", [
    "symbol",
  ]);
  private readonly feedFailures = this.counter("ibkr_feed_failures_total", "Feed failures.", [
    "symbol",
    "stage",
  ]);
  private readonly orderEvents = this.counter("ibkr_order_events_total", "Order events by type.", ["type"]);
  private readonly ordersDenied = this.counter("ibkr_orders_denied_total", "Risk denials by rule.", ["rule"]);
  private readonly fills = this.counter("ibkr_fills_total", "Executions booked.", ["symbol"]);
  private readonly barToOrder = this.histogram("ibkr_bar_to_order_seconds", "Bar close to order sent.");
  private readonly orderToAck = this.histogram("ibkr_order_to_ack_seconds", "Order sent to acknowledged.");
  private readonly orderToFill = this.histogram("ibkr_order_to_fill_seconds", "Order sent to first fill.");
  private readonly snapshotErrors = this.counter(
    "ibkr_metrics_snapshot_errors_total",
    "Snapshot reads that threw.",
  );

  constructor(private readonly options: DaemonMetricsOptions) {
    this.snapshotSource = options.snapshot;
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.connectionState("idle");
    this.registerPacingSeries();
    for (const rule of RISK_RULES) this.ordersDenied.inc({ rule }, 0);
    for (const type of ORDER_EVENT_TYPES) this.orderEvents.inc({ type }, 0);
    registerSnapshotGauges(this.registry, () =>
      this.scrape === undefined ? this.readSnapshot() : this.scrape.snapshot,
    );
    this.registerBarAgeGauge();
  }

  /** The Content-Type of text(). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Where positions, orders, P&L and equity are read from at each scrape. */
  useSnapshotSource(source: MetricsSnapshotSource): void {
    this.snapshotSource = source;
  }

  /** The exposition text for GET /metrics; the snapshot source is read once for the whole scrape. */
  async text(): Promise<string> {
    this.scrape = { snapshot: this.readSnapshot() };
    try {
      return await this.registry.metrics();
    } finally {
      this.scrape = undefined;
    }
  }

  /** Starts per-symbol series at zero, so a symbol that never fills or stalls still shows (and rates work). */
  trackSymbols(symbols: readonly string[]): void {
    for (const symbol of symbols) {
      for (const counter of this.perSymbolCounters()) counter.inc({ symbol }, 0);
    }
  }

  /** Call on every IbConnection state change. */
  connectionState(status: ConnectionStatus): void {
    for (const state of CONNECTION_STATUSES)
      this.connectionStateGauge.set({ state }, state === status ? 1 : 0);
    this.connectedGauge.set(status === "ready" ? 1 : 0);
  }

  /** A connection became ready again after a loss. */
  reconnected(): void {
    this.reconnects.inc();
  }

  /** Any IB error or notice (1100, 2104, 162, …), whatever its action. */
  ibError(code: number): void {
    this.ibErrors.inc({ code: String(code) });
  }

  /** Where the pacer's queue length and 162 count are read from at each scrape. */
  usePacingSource(source: PacingSource): void {
    this.pacingSource = source;
  }

  /** Where the connection's send queue depth (messages held back for IB's message rate) is read at each scrape. */
  useSendQueueSource(source: () => number): void {
    this.sendQueueSource = source;
  }

  /** Call at start and on every switch (pause, resume, daily-loss halt). */
  tradingState(current: TradingState): void {
    for (const state of TRADING_STATES) this.tradingStateGauge.set({ state }, state === current ? 1 : 0);
  }

  /** A timeframe bar for `symbol` closed at `closeTimeMs`; its age is measured at each scrape. */
  barClosed(symbol: string, closeTimeMs: number): void {
    this.bars.inc({ symbol });
    const previous = this.lastBarCloseMs.get(symbol);
    if (previous === undefined || closeTimeMs > previous) this.lastBarCloseMs.set(symbol, closeTimeMs);
  }

  feedStalled(symbol: string): void {
    this.feedStalls.inc({ symbol });
  }

  feedResubscribed(symbol: string): void {
    this.feedResubscribes.inc({ symbol });
  }

  /** Counts one feed event: the whole FeedEvent stream can be piped here. */
  feedEvent(event: FeedEvent): void {
    switch (event.type) {
      case "FeedBarClosed":
        this.barClosed(event.bar.symbol, event.bar.closeTime);
        return;
      case "FeedBarDropped":
        this.barsDropped.inc({ symbol: event.symbol });
        return;
      case "FeedStalled":
        this.feedStalled(event.symbol);
        return;
      case "FeedResumed":
        return;
      case "FeedResubscribed":
        this.feedResubscribed(event.symbol);
        return;
      case "FeedFailed":
        this.feedFailures.inc({ symbol: event.symbol, stage: event.stage });
        return;
    }
  }

  /** Every OrderEvent the order manager or risk gate emits. */
  orderEvent(type: OrderEventType): void {
    this.orderEvents.inc({ type });
  }

  /** The rule a RiskGate denial names (its onDenied callback). */
  orderDenied(rule: RiskRule): void {
    this.ordersDenied.inc({ rule });
  }

  /** One execution booked by the ledger. */
  filled(symbol: string): void {
    this.fills.inc({ symbol });
  }

  /** Bar close → order sent, in milliseconds; negative or non-finite values (clock skew) are ignored. */
  observeBarToOrder(latencyMs: number): void {
    observeMs(this.barToOrder, latencyMs);
  }

  /** Order sent → acknowledged by the venue, in milliseconds. */
  observeOrderToAck(latencyMs: number): void {
    observeMs(this.orderToAck, latencyMs);
  }

  /** Order sent → first fill, in milliseconds. */
  observeOrderToFill(latencyMs: number): void {
    observeMs(this.orderToFill, latencyMs);
  }

  private perSymbolCounters(): readonly Counter<"symbol">[] {
    return [this.bars, this.barsDropped, this.feedStalls, this.feedResubscribes, this.fills];
  }

  private readSnapshot(): MetricsSnapshot | undefined {
    if (this.snapshotSource === undefined) return undefined;
    try {
      return this.snapshotSource();
    } catch (error: unknown) {
      this.snapshotErrors.inc();
      this.options.onSnapshotError?.(error);
      return undefined;
    }
  }

  private registerBarAgeGauge(): void {
    const lastBarAge = new Gauge<"symbol">({
      name: "ibkr_last_bar_age_seconds",
      help: "Seconds since the last bar's close, by symbol (measured when scraped).",
      labelNames: ["symbol"],
      registers: [this.registry],
      collect: () => {
        const nowMs = this.options.clock.nowMs();
        for (const [symbol, closeMs] of this.lastBarCloseMs) {
          lastBarAge.set({ symbol }, Math.max(0, nowMs - closeMs) / 1000);
        }
      },
    });
  }

  /** The pacer's series, read from the pacing source at scrape time (0 until there is one). */
  private registerPacingSeries(): void {
    const queue: Gauge = new Gauge({
      name: "ibkr_pacing_queue",
      help: "Historical requests waiting in the pacer.",
      registers: [this.registry],
      collect: () => {
        queue.set(this.pacingSource?.().queued ?? 0);
      },
    });
    const sendQueue: Gauge = new Gauge({
      name: "ibkr_send_queue_depth",
      help: "Messages waiting in the connection's send queue for IB's message rate (dropped when a session ends).",
      registers: [this.registry],
      collect: () => {
        sendQueue.set(this.sendQueueSource?.() ?? 0);
      },
    });
    const violations: Counter = new Counter({
      name: "ibkr_pacing_violations_total",
      help: "Historical requests IB refused for pacing (162), each retried by the pacer.",
      registers: [this.registry],
      // The pacer keeps the total; it is copied at scrape time.
      collect: () => {
        violations.reset();
        violations.inc(this.pacingSource?.().pacingViolations ?? 0);
      },
    });
  }

  private gauge<Label extends string = never>(
    name: string,
    help: string,
    labelNames: Label[] = [],
  ): Gauge<Label> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private counter<Label extends string = never>(
    name: string,
    help: string,
    labelNames: Label[] = [],
  ): Counter<Label> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram(name: string, help: string): Histogram {
    return new Histogram({ name, help, buckets: [...LATENCY_BUCKETS_SECONDS], registers: [this.registry] });
  }
}

function observeMs(histogram: Histogram, latencyMs: number): void {
  if (Number.isFinite(latencyMs) && latencyMs >= 0) histogram.observe(latencyMs / 1000);
}

/** The members of a string union; a Record keyed by the union makes the compiler flag a member left out. */
function members<Member extends string>(record: Record<Member, true>): Member[] {
  return Object.keys(record) as Member[];
}
