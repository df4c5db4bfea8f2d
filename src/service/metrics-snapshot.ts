/**
 * What the daemon's ledger, order book and IB account look like at one scrape, in plain numbers: the metrics
 * read it when Prometheus asks instead of being pushed on every change, so a gauge can never go stale.
 * Decimals become numbers at this edge (metrics are doubles anyway); the ledger itself stays exact.
 */
import type { OrderStatus } from "../model/order.js";

/** P&L figures in USD; a field left out is one the source does not know (IB sent its unset value). */
export interface PnlFigures {
  readonly daily?: number | undefined;
  readonly unrealized?: number | undefined;
  readonly realized?: number | undefined;
}

/** One position as our ledger sees it, with IB's own figures beside it when IB reported them. */
export interface PositionFigures {
  readonly symbol: string;
  /** Signed: negative is short. */
  readonly quantity: number;
  /** At our last price, commissions excluded. */
  readonly unrealizedPnl: number;
  /** Lifetime, before commissions. */
  readonly realizedPnl: number;
  /** IB's figures for the same position (reqPnLSingle). */
  readonly ib?: (PnlFigures & { readonly quantity?: number | undefined }) | undefined;
}

/** Everything the metrics read at scrape time. */
export interface MetricsSnapshot {
  /** Our ledger's equity (cash + positions at our last prices), USD. */
  readonly equity: number;
  readonly cash: number;
  readonly positions: readonly PositionFigures[];
  /** Open orders counted by status; statuses left out count as zero. */
  readonly openOrdersByState: Readonly<Partial<Record<OrderStatus, number>>>;
  /** Account-wide P&L: ours, and IB's (reqPnL) when it has sent one. */
  readonly pnl: { readonly ours: PnlFigures; readonly ib?: PnlFigures | undefined };
  /** IB's NetLiquidation from the account summary, USD. */
  readonly ibNetLiquidation?: number | undefined;
  /** The account monitor's ledger-vs-IB divergences: reported so far, and still open now. */
  readonly divergences?: { readonly total: number; readonly open: number } | undefined;
}

/** Called once per scrape; must be cheap and synchronous (it runs on the event loop the daemon trades on). */
export type MetricsSnapshotSource = () => MetricsSnapshot;
