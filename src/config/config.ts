import type { Decimal } from "decimal.js";
import type { Timeframe } from "../model/timeframe.js";

/** Where a configuration value came from, for error messages and the startup log. */
export type ConfigSource = "flag" | "environment" | ".env" | "profile" | "default";

export type ProfileName = "paper" | "live";

/** Connection settings for TWS / IB Gateway. Times are in milliseconds. */
export interface IbkrConfig {
  readonly host: string;
  readonly port: number;
  readonly clientId: number;
  readonly accountType: "paper" | "live";
  readonly accountId: string | undefined;
  readonly marketDataType: 1 | 2 | 3 | 4;
  readonly connectTimeoutMs: number;
  readonly autoReconnect: boolean;
  /** 0 means unlimited. */
  readonly maxReconnectAttempts: number;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly maxRequestsPerSecond: number;
  readonly historicalDataTimeoutMs: number;
  /** TWS's login time zone: execution times without a zone are in it. */
  readonly timeZone: string;
  /** The live account the user confirmed (IBKR_LIVE_CONFIRM), one of the live interlock's signals. */
  readonly liveConfirm: string | undefined;
}

/** Whether new orders may open, only shrink, or not touch positions. */
export type TradingState = "active" | "reducing-only" | "halted";

/** Pre-trade limits; a zero Decimal or 0 means no limit. */
export interface RiskConfig {
  readonly maxPositionNotional: Decimal;
  readonly maxOrderNotional: Decimal;
  readonly maxOrdersPerMinute: number;
  readonly maxDailyLoss: Decimal;
  readonly tradingState: TradingState;
}

/** How orders are followed up, reconciled and left at a stop. Times are in milliseconds. */
export interface OrdersConfig {
  readonly ackTimeoutMs: number;
  /** At start, an intent that never reached IB is sent again only when younger than this. */
  readonly resendWindowMs: number;
  /** What a difference between IB's position and the ledger's does: halt trading or adopt IB's. */
  readonly positionPolicy: "halt" | "adopt";
  readonly cancelOnStop: boolean;
  /** USD difference between IB's P&L for a position and ours that is logged as a divergence. */
  readonly pnlTolerance: Decimal;
  /** IB_RESET_WINDOW as written (parsed by the daily-cycle guard). */
  readonly resetWindow: string;
  /** GATEWAY_RESTART_TIME as written; empty for none. */
  readonly gatewayRestartTime: string;
  readonly quietMinutes: number;
}

/** Commission plan and its rates, all in USD. */
export interface FeeConfig {
  readonly model: "fixed" | "tiered" | "none";
  readonly fixedPerShare: Decimal;
  readonly fixedMin: Decimal;
  readonly fixedMaxPercent: Decimal;
  readonly tieredTiers: string;
  readonly tieredMin: Decimal;
  readonly tieredMaxPercent: Decimal;
  readonly exchangePerShare: Decimal;
  readonly clearingPerShare: Decimal;
  readonly secFeeRate: Decimal;
  readonly finraTafPerShare: Decimal;
  readonly finraTafMax: Decimal;
}

/** The validated, frozen configuration every command runs on. */
export interface Config {
  readonly profile: ProfileName;
  readonly ibkr: IbkrConfig;
  readonly dataSource: "sim" | "ibkr" | "csv";
  readonly broker: "sim" | "ibkr";
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  readonly strategyName: string;
  /** Strategy parameters as text; each strategy validates its own. */
  readonly strategyParams: Readonly<Record<string, string>>;
  readonly initialCapital: Decimal;
  readonly fees: FeeConfig;
  readonly slippageBps: number;
  readonly risk: RiskConfig;
  readonly orders: OrdersConfig;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  readonly dataDir: string;
  /** run's HTTP endpoints. */
  readonly http: { readonly host: string; readonly port: number };
  readonly reportDir: string;
  /** Where each key's value came from. */
  readonly sources: Readonly<Record<string, ConfigSource>>;
}
