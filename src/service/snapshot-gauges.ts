import { Counter, Gauge, type Registry } from "prom-client";
import type { OrderStatus } from "../model/order.js";
import type { MetricsSnapshot, PnlFigures } from "./metrics-snapshot.js";

/** One series of a gauge: its labels and value; an undefined or non-finite value leaves the series out. */
type Sample<Label extends string> = readonly [
  labels: Partial<Record<Label, string>>,
  value: number | undefined,
];

const OPEN_ORDER_STATUSES = [
  "PendingSubmit",
  "Accepted",
  "PartiallyFilled",
  "PendingCancel",
] as const satisfies readonly OrderStatus[];
const PNL_KINDS = ["daily", "unrealized", "realized"] as const satisfies readonly (keyof PnlFigures)[];

/**
 * Registers the gauges computed from a MetricsSnapshot at scrape time (open orders, positions, P&L ours and
 * IB's, equity, divergences). Each is rebuilt on every scrape, so a closed position or a filled order's
 * status disappears instead of lingering; with no snapshot the series are left out.
 */
export function registerSnapshotGauges(registry: Registry, read: () => MetricsSnapshot | undefined): void {
  const gauge = <Label extends string>(
    name: string,
    help: string,
    labelNames: Label[],
    samples: (snapshot: MetricsSnapshot) => readonly Sample<Label>[],
  ): void => {
    const metric = new Gauge<Label>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect: () => {
        metric.reset();
        // An unlabelled gauge comes back from reset() as 0; a figure we do not have is left out instead.
        if (labelNames.length === 0) metric.remove({});
        const snapshot = read();
        if (snapshot === undefined) return;
        for (const [labels, value] of samples(snapshot)) {
          if (value !== undefined && Number.isFinite(value)) metric.set(labels, value);
        }
      },
    });
  };

  gauge("ibkr_orders", "Open orders by status.", ["state"], (snapshot) => [
    ...OPEN_ORDER_STATUSES.filter((state) => !(state in snapshot.openOrdersByState)).map(
      (state): Sample<"state"> => [{ state }, 0],
    ),
    ...Object.entries(snapshot.openOrdersByState).map(([state, count]): Sample<"state"> => [
      { state },
      count,
    ]),
  ]);
  gauge("ibkr_position", "Position quantity by symbol, ours and IB's.", ["symbol", "source"], (snapshot) =>
    snapshot.positions.flatMap(({ symbol, quantity, ib }): Sample<"symbol" | "source">[] => [
      [{ symbol, source: "ours" }, quantity],
      [{ symbol, source: "ib" }, ib?.quantity],
    ]),
  );
  gauge(
    "ibkr_position_pnl",
    "Position P&L in USD by symbol, ours beside IB's.",
    ["symbol", "source", "kind"],
    (snapshot) =>
      snapshot.positions.flatMap(({ symbol, unrealizedPnl, realizedPnl, ib }) => [
        [{ symbol, source: "ours", kind: "unrealized" }, unrealizedPnl] as const,
        [{ symbol, source: "ours", kind: "realized" }, realizedPnl] as const,
        ...PNL_KINDS.map((kind) => [{ symbol, source: "ib", kind }, ib?.[kind]] as const),
      ]),
  );
  gauge("ibkr_pnl", "Account P&L in USD, ours beside IB's.", ["source", "kind"], (snapshot) =>
    PNL_KINDS.flatMap((kind) => [
      [{ source: "ours", kind }, snapshot.pnl.ours[kind]] as const,
      [{ source: "ib", kind }, snapshot.pnl.ib?.[kind]] as const,
    ]),
  );
  gauge("ibkr_equity", "Our ledger's equity in USD.", [], (snapshot) => [[{}, snapshot.equity]]);
  gauge("ibkr_cash", "Our ledger's cash in USD.", [], (snapshot) => [[{}, snapshot.cash]]);
  gauge("ibkr_ib_net_liquidation", "IB's NetLiquidation in USD.", [], (snapshot) => [
    [{}, snapshot.ibNetLiquidation],
  ]);
  gauge("ibkr_account_divergences_open", "Ledger-vs-IB divergences open now.", [], (snapshot) => [
    [{}, snapshot.divergences?.open],
  ]);

  const divergences: Counter = new Counter({
    name: "ibkr_account_divergences_total",
    help: "Ledger-vs-IB divergences reported (each counted once).",
    registers: [registry],
    // The account monitor keeps the total; it is copied at scrape time.
    collect: () => {
      const total = read()?.divergences?.total;
      divergences.reset();
      if (total !== undefined && Number.isFinite(total) && total >= 0) divergences.inc(total);
      else divergences.remove({});
    },
  });
}
