import { describe, expect, it, vi } from "vitest";
import { ManualClock } from "../core/manual-clock.js";
import { DaemonMetrics } from "./daemon-metrics.js";
import type { MetricsSnapshot } from "./metrics-snapshot.js";

const T0 = Date.UTC(2026, 0, 5, 15, 0, 0);

/** The value of one exact series (`name{labels}`) in exposition text, or undefined when absent. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function aSnapshot(fields: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  return {
    equity: 100_250.5,
    cash: 90_000,
    positions: [],
    openOrdersByState: {},
    pnl: { ours: { daily: 12.5, unrealized: 250.5, realized: 0 } },
    ...fields,
  };
}

function metricsAt(clock = new ManualClock(T0), snapshot?: () => MetricsSnapshot): DaemonMetrics {
  return new DaemonMetrics({
    clock,
    defaultMetrics: false,
    ...(snapshot === undefined ? {} : { snapshot }),
  });
}

describe("DaemonMetrics", () => {
  it("reports the connection as idle and not connected until told otherwise", async () => {
    const text = await metricsAt().text();

    expect(valueOf(text, "ibkr_connected")).toBe(0);
    expect(valueOf(text, 'ibkr_connection_state{state="idle"}')).toBe(1);
    expect(valueOf(text, 'ibkr_connection_state{state="ready"}')).toBe(0);
  });

  it("marks exactly the current connection status and connected only while ready", async () => {
    const metrics = metricsAt();

    metrics.connectionState("ready");
    const ready = await metrics.text();
    metrics.connectionState("waiting-to-reconnect");
    const waiting = await metrics.text();

    expect(valueOf(ready, "ibkr_connected")).toBe(1);
    expect(valueOf(ready, 'ibkr_connection_state{state="ready"}')).toBe(1);
    expect(valueOf(ready, 'ibkr_connection_state{state="idle"}')).toBe(0);
    expect(valueOf(waiting, "ibkr_connected")).toBe(0);
    expect(valueOf(waiting, 'ibkr_connection_state{state="waiting-to-reconnect"}')).toBe(1);
    expect(valueOf(waiting, 'ibkr_connection_state{state="ready"}')).toBe(0);
  });

  it("counts reconnects and IB errors by code", async () => {
    const metrics = metricsAt();

    metrics.reconnected();
    metrics.ibError(1100);
    metrics.ibError(1100);
    metrics.ibError(2104);
    const text = await metrics.text();

    expect(valueOf(text, "ibkr_reconnects_total")).toBe(1);
    expect(valueOf(text, 'ibkr_ib_errors_total{code="1100"}')).toBe(2);
    expect(valueOf(text, 'ibkr_ib_errors_total{code="2104"}')).toBe(1);
  });

  it("reads the pacing queue length and the pacer's 162 count at each scrape", async () => {
    const metrics = metricsAt();
    expect(valueOf(await metrics.text(), "ibkr_pacing_queue")).toBe(0);
    expect(valueOf(await metrics.text(), "ibkr_pacing_violations_total")).toBe(0);
    const pacer = { queued: 3, pacingViolations: 1 };
    metrics.usePacingSource(() => pacer);

    const first = await metrics.text();
    pacer.queued = 0;
    pacer.pacingViolations = 4;
    const second = await metrics.text();

    expect(valueOf(first, "ibkr_pacing_queue")).toBe(3);
    expect(valueOf(first, "ibkr_pacing_violations_total")).toBe(1);
    expect(valueOf(second, "ibkr_pacing_queue")).toBe(0);
    expect(valueOf(second, "ibkr_pacing_violations_total")).toBe(4);
  });

  it("reads the send queue's depth at each scrape", async () => {
    const metrics = metricsAt();
    expect(valueOf(await metrics.text(), "ibkr_send_queue_depth")).toBe(0);
    let depth = 120;
    metrics.useSendQueueSource(() => depth);
    const first = await metrics.text();
    depth = 0;

    expect(valueOf(first, "ibkr_send_queue_depth")).toBe(120);
    expect(valueOf(await metrics.text(), "ibkr_send_queue_depth")).toBe(0);
  });

  it("measures the last bar's age against the injected clock at each scrape", async () => {
    const clock = new ManualClock(T0);
    const metrics = metricsAt(clock);
    metrics.barClosed("SPY", T0 - 60_000);

    clock.advanceMs(30_000);
    const first = await metrics.text();
    clock.advanceMs(60_000);
    const second = await metrics.text();

    expect(valueOf(first, 'ibkr_last_bar_age_seconds{symbol="SPY"}')).toBe(90);
    expect(valueOf(second, 'ibkr_last_bar_age_seconds{symbol="SPY"}')).toBe(150);
  });

  it("keeps the newest close when a late warm-up bar arrives after a live one", async () => {
    const metrics = metricsAt();

    metrics.barClosed("SPY", T0 - 60_000);
    metrics.barClosed("SPY", T0 - 3_600_000);
    const text = await metrics.text();

    expect(valueOf(text, 'ibkr_last_bar_age_seconds{symbol="SPY"}')).toBe(60);
    expect(valueOf(text, 'ibkr_bars_total{symbol="SPY"}')).toBe(2);
  });

  it("leaves out the bar age of a symbol that has had no bar yet", async () => {
    const metrics = metricsAt();
    metrics.trackSymbols(["QQQ"]);

    const text = await metrics.text();

    expect(text).not.toContain('ibkr_last_bar_age_seconds{symbol="QQQ"}');
    expect(valueOf(text, 'ibkr_bars_total{symbol="QQQ"}')).toBe(0);
    expect(valueOf(text, 'ibkr_fills_total{symbol="QQQ"}')).toBe(0);
    expect(valueOf(text, 'ibkr_feed_stalls_total{symbol="QQQ"}')).toBe(0);
  });

  it("counts feed events piped from the feed stream", async () => {
    const metrics = metricsAt();
    const bar = {
      symbol: "SPY",
      openTime: T0 - 60_000,
      closeTime: T0,
      open: 1,
      high: 1,
      low: 1,
      close: 1,
      volume: 1,
    };

    metrics.feedEvent({ type: "FeedBarClosed", bar, source: "live" });
    metrics.feedEvent({ type: "FeedBarDropped", symbol: "SPY", reason: "duplicate", bar });
    metrics.feedEvent({ type: "FeedStalled", symbol: "SPY", sinceMs: T0, silentForMs: 180_000 });
    metrics.feedEvent({ type: "FeedResumed", symbol: "SPY", stalledForMs: 200_000 });
    metrics.feedEvent({ type: "FeedResubscribed", symbol: "SPY", reason: "stalled", backfilledBars: 3 });
    metrics.feedEvent({ type: "FeedFailed", symbol: "SPY", stage: "backfill", error: new Error("162") });
    const text = await metrics.text();

    expect(valueOf(text, 'ibkr_bars_total{symbol="SPY"}')).toBe(1);
    expect(valueOf(text, 'ibkr_bars_dropped_total{symbol="SPY"}')).toBe(1);
    expect(valueOf(text, 'ibkr_feed_stalls_total{symbol="SPY"}')).toBe(1);
    expect(valueOf(text, 'ibkr_feed_resubscribes_total{symbol="SPY"}')).toBe(1);
    expect(valueOf(text, 'ibkr_feed_failures_total{symbol="SPY",stage="backfill"}')).toBe(1);
  });

  it("counts order events by type, denials by rule and fills by symbol, from zero", async () => {
    const metrics = metricsAt();
    const before = await metrics.text();

    metrics.orderEvent("OrderAccepted");
    metrics.orderEvent("OrderFilled");
    metrics.orderDenied("order-rate");
    metrics.filled("SPY");
    const after = await metrics.text();

    expect(valueOf(before, 'ibkr_orders_denied_total{rule="daily-loss"}')).toBe(0);
    expect(valueOf(before, 'ibkr_order_events_total{type="OrderRejected"}')).toBe(0);
    expect(valueOf(after, 'ibkr_order_events_total{type="OrderAccepted"}')).toBe(1);
    expect(valueOf(after, 'ibkr_order_events_total{type="OrderFilled"}')).toBe(1);
    expect(valueOf(after, 'ibkr_orders_denied_total{rule="order-rate"}')).toBe(1);
    expect(valueOf(after, 'ibkr_fills_total{symbol="SPY"}')).toBe(1);
  });

  it("marks the current trading state", async () => {
    const metrics = metricsAt();

    metrics.tradingState("halted");
    const text = await metrics.text();

    expect(valueOf(text, 'ibkr_trading_state{state="halted"}')).toBe(1);
    expect(valueOf(text, 'ibkr_trading_state{state="active"}')).toBe(0);
  });

  it("observes latencies given in milliseconds as seconds in their buckets", async () => {
    const metrics = metricsAt();

    metrics.observeBarToOrder(3);
    metrics.observeOrderToAck(0.4);
    metrics.observeOrderToFill(2_000);
    const text = await metrics.text();

    expect(valueOf(text, 'ibkr_bar_to_order_seconds_bucket{le="0.0025"}')).toBe(0);
    expect(valueOf(text, 'ibkr_bar_to_order_seconds_bucket{le="0.005"}')).toBe(1);
    expect(valueOf(text, "ibkr_bar_to_order_seconds_sum")).toBeCloseTo(0.003, 9);
    expect(valueOf(text, 'ibkr_order_to_ack_seconds_bucket{le="0.0005"}')).toBe(1);
    expect(valueOf(text, 'ibkr_order_to_fill_seconds_bucket{le="1"}')).toBe(0);
    expect(valueOf(text, 'ibkr_order_to_fill_seconds_bucket{le="2.5"}')).toBe(1);
    expect(valueOf(text, 'ibkr_order_to_fill_seconds_bucket{le="10"}')).toBe(1);
  });

  it("ignores negative and non-finite latencies instead of skewing the histogram", async () => {
    const metrics = metricsAt();

    metrics.observeBarToOrder(-5);
    metrics.observeBarToOrder(Number.NaN);
    const text = await metrics.text();

    expect(valueOf(text, "ibkr_bar_to_order_seconds_count")).toBe(0);
  });

  it("reads positions, P&L ours beside IB's, equity and open orders from the snapshot at scrape time", async () => {
    const snapshot = aSnapshot({
      positions: [
        {
          symbol: "SPY",
          quantity: 10,
          unrealizedPnl: 250.5,
          realizedPnl: -3,
          ib: { quantity: 10, unrealized: 249, daily: 40 },
        },
      ],
      openOrdersByState: { Accepted: 2 },
      pnl: { ours: { daily: 12.5, unrealized: 250.5, realized: 0 }, ib: { daily: 11, unrealized: 249 } },
      ibNetLiquidation: 100_249,
      divergences: { total: 4, open: 1 },
    });
    const text = await metricsAt(undefined, () => snapshot).text();

    expect(valueOf(text, 'ibkr_position{symbol="SPY",source="ours"}')).toBe(10);
    expect(valueOf(text, 'ibkr_position{symbol="SPY",source="ib"}')).toBe(10);
    expect(valueOf(text, 'ibkr_position_pnl{symbol="SPY",source="ours",kind="unrealized"}')).toBe(250.5);
    expect(valueOf(text, 'ibkr_position_pnl{symbol="SPY",source="ours",kind="realized"}')).toBe(-3);
    expect(valueOf(text, 'ibkr_position_pnl{symbol="SPY",source="ib",kind="unrealized"}')).toBe(249);
    expect(text).not.toContain('ibkr_position_pnl{symbol="SPY",source="ib",kind="realized"}');
    expect(valueOf(text, 'ibkr_pnl{source="ours",kind="daily"}')).toBe(12.5);
    expect(valueOf(text, 'ibkr_pnl{source="ib",kind="daily"}')).toBe(11);
    expect(text).not.toContain('ibkr_pnl{source="ib",kind="realized"}');
    expect(valueOf(text, "ibkr_equity")).toBe(100_250.5);
    expect(valueOf(text, "ibkr_cash")).toBe(90_000);
    expect(valueOf(text, "ibkr_ib_net_liquidation")).toBe(100_249);
    expect(valueOf(text, 'ibkr_orders{state="Accepted"}')).toBe(2);
    expect(valueOf(text, 'ibkr_orders{state="PendingSubmit"}')).toBe(0);
    expect(valueOf(text, "ibkr_account_divergences_total")).toBe(4);
    expect(valueOf(text, "ibkr_account_divergences_open")).toBe(1);
  });

  it("drops a position's series once the snapshot no longer lists it", async () => {
    let positions: MetricsSnapshot["positions"] = [
      { symbol: "SPY", quantity: 5, unrealizedPnl: 1, realizedPnl: 0 },
    ];
    const metrics = metricsAt(undefined, () => aSnapshot({ positions }));
    const before = await metrics.text();

    positions = [];
    const after = await metrics.text();

    expect(valueOf(before, 'ibkr_position{symbol="SPY",source="ours"}')).toBe(5);
    expect(after).not.toContain('ibkr_position{symbol="SPY"');
  });

  it("reads the snapshot source once per scrape", async () => {
    const source = vi.fn(() => aSnapshot());
    const metrics = metricsAt(undefined, source);

    await metrics.text();

    expect(source).toHaveBeenCalledTimes(1);
  });

  it("uses a snapshot source given after construction", async () => {
    const metrics = metricsAt();
    expect(await metrics.text()).not.toMatch(/^ibkr_equity /m);

    metrics.useSnapshotSource(() => aSnapshot({ equity: 5 }));

    expect(valueOf(await metrics.text(), "ibkr_equity")).toBe(5);
  });

  it("still serves the other series when the snapshot source throws, and counts the failure", async () => {
    const onSnapshotError = vi.fn();
    const metrics = new DaemonMetrics({
      clock: new ManualClock(T0),
      defaultMetrics: false,
      snapshot: () => {
        throw new Error("ledger busy");
      },
      onSnapshotError,
    });
    metrics.reconnected();

    const text = await metrics.text();

    expect(valueOf(text, "ibkr_reconnects_total")).toBe(1);
    expect(valueOf(text, "ibkr_metrics_snapshot_errors_total")).toBe(1);
    expect(text).not.toMatch(/^ibkr_equity /m);
    expect(onSnapshotError).toHaveBeenCalledWith(expect.objectContaining({ message: "ledger busy" }));
  });

  it("includes Node's process metrics such as event-loop lag and resident memory by default", async () => {
    const text = await new DaemonMetrics({ clock: new ManualClock(T0) }).text();

    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
  });

  it("keeps its series in its own registry so two instances never collide", async () => {
    const first = new DaemonMetrics({ clock: new ManualClock(T0) });
    const second = new DaemonMetrics({ clock: new ManualClock(T0) });

    first.reconnected();

    expect(valueOf(await first.text(), "ibkr_reconnects_total")).toBe(1);
    expect(valueOf(await second.text(), "ibkr_reconnects_total")).toBe(0);
    expect(first.contentType).toContain("text/plain");
  });
});
