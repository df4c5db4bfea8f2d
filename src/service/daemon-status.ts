import type { TradingState } from "../config/config.js";
import type { OrderSide, OrderStatus, OrderType } from "../model/order.js";
import type { ConnectionStatus } from "./daemon-metrics.js";

/**
 * The JSON body of GET /status: what a person checking on the daemon wants at a glance. Money and
 * quantities are decimal strings (the ledger's Decimals, exact); ages and times are numbers.
 */
export interface DaemonStatus {
  /** The profile and routing, e.g. "paper" or "live". */
  readonly mode: string;
  /** Masked (`DU***567`): never the full account id. */
  readonly account: string;
  readonly source: "sim" | "ibkr" | "csv";
  readonly broker: "sim" | "ibkr";
  readonly symbols: readonly string[];
  readonly timeframe: string;
  readonly strategy: string;
  readonly tradingState: TradingState;
  readonly connection: ConnectionStatus;
  readonly positions: readonly StatusPosition[];
  readonly openOrders: readonly StatusOrder[];
  readonly equity: string;
  readonly cash: string;
  readonly feeds: readonly StatusFeed[];
  /** IB's own figures beside ours; absent when the broker is the internal simulator. */
  readonly ib?: StatusIbAccount | undefined;
  /** ISO 8601, UTC. */
  readonly startedAt: string;
  readonly uptimeSeconds: number;
}

/** One position in /status. */
export interface StatusPosition {
  readonly symbol: string;
  /** Signed: negative is short. */
  readonly quantity: string;
  readonly averageCost: string;
  readonly unrealizedPnl: string;
  readonly realizedPnl: string;
}

/** One open order in /status. */
export interface StatusOrder {
  readonly orderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: string;
  readonly filledQuantity: string;
  readonly limitPrice?: string | undefined;
  readonly stopPrice?: string | undefined;
  readonly status: OrderStatus;
  /** ISO 8601, UTC. */
  readonly updatedAt: string;
}

/** One bar feed in /status. */
export interface StatusFeed {
  readonly symbol: string;
  /** Undefined until the first bar. */
  readonly lastBarAgeSeconds: number | undefined;
  readonly state: "warming-up" | "live" | "stalled" | "resubscribing" | "stopped";
}

/** IB's account figures; a field is absent while IB has not sent it. */
export interface StatusIbAccount {
  readonly netLiquidation?: string | undefined;
  readonly totalCash?: string | undefined;
  readonly buyingPower?: string | undefined;
  readonly currency?: string | undefined;
  readonly pnl?:
    | {
        readonly daily?: string | undefined;
        readonly unrealized?: string | undefined;
        readonly realized?: string | undefined;
      }
    | undefined;
  /** Ledger-vs-IB divergences open now. */
  readonly openDivergences?: number | undefined;
}
