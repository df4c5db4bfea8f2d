import { z } from "zod";
import { TIMEFRAME_LABELS } from "../model/timeframe.js";

/** One configuration key: its env name, default (as text, like a user would write it) and meaning. */
export interface ConfigKeySpec {
  readonly key: string;
  readonly defaultValue: string | undefined;
  readonly allowed: string;
  readonly meaning: string;
}

const bool = z.stringbool({ truthy: ["true", "1", "yes", "on"], falsy: ["false", "0", "no", "off"] });
const positiveInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const decimalText = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/);
const rateText = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?([eE]-?\d+)?$/);

/**
 * Every configuration key, in the order of the README's reference table. Values come in as text
 * (flags, env, profile files) and are parsed by `CONFIG_SCHEMA`.
 */
export const CONFIG_KEYS: readonly ConfigKeySpec[] = [
  {
    key: "IBKR_HOST",
    defaultValue: "127.0.0.1",
    allowed: "host name or IP",
    meaning: "TWS / IB Gateway host. Never probed: only this host:port is used.",
  },
  {
    key: "IBKR_PORT",
    defaultValue: "7497",
    allowed: "1-65535",
    meaning: "API port: TWS paper 7497, TWS live 7496, Gateway paper 4002, Gateway live 4001.",
  },
  {
    key: "IBKR_CLIENT_ID",
    defaultValue: "1",
    allowed: "0-2147483647",
    meaning: "Fixed API client id (orders are bound to it; never auto-incremented).",
  },
  {
    key: "IBKR_ACCOUNT_TYPE",
    defaultValue: "paper",
    allowed: "paper | live",
    meaning: "Which kind of account this profile expects (paper ids start with DU).",
  },
  {
    key: "IBKR_ACCOUNT_ID",
    defaultValue: undefined,
    allowed: "IB account id, e.g. DU1234567",
    meaning:
      "Account to trade; must be among the gateway's managed accounts. Empty: the single managed account.",
  },
  {
    key: "IBKR_MARKET_DATA_TYPE",
    defaultValue: "3",
    allowed: "1 live | 2 frozen | 3 delayed | 4 delayed-frozen",
    meaning: "Market data type requested with reqMarketDataType.",
  },
  {
    key: "IBKR_CONNECT_TIMEOUT",
    defaultValue: "10",
    allowed: "1-600 (seconds)",
    meaning: "Time allowed for the handshake and nextValidId.",
  },
  {
    key: "IBKR_AUTO_RECONNECT",
    defaultValue: "true",
    allowed: "true | false",
    meaning: "Reconnect with exponential backoff and jitter after a disconnect.",
  },
  {
    key: "IBKR_MAX_RECONNECT_ATTEMPTS",
    defaultValue: "0",
    allowed: "0-1000000 (0 = unlimited)",
    meaning: "Give up after this many consecutive failed reconnects.",
  },
  {
    key: "IBKR_RECONNECT_DELAY",
    defaultValue: "5",
    allowed: "1-3600 (seconds)",
    meaning: "First reconnect delay; doubles per attempt.",
  },
  {
    key: "IBKR_MAX_RECONNECT_DELAY",
    defaultValue: "120",
    allowed: "1-3600 (seconds)",
    meaning: "Cap on the reconnect delay.",
  },
  {
    key: "IBKR_MAX_REQUESTS_PER_SECOND",
    defaultValue: "40",
    allowed: "1-50",
    meaning: "Cap on messages sent to the gateway per second (IB disconnects past 50).",
  },
  {
    key: "IBKR_HISTORICAL_DATA_TIMEOUT",
    defaultValue: "60",
    allowed: "1-3600 (seconds)",
    meaning: "Time allowed for one historical data request.",
  },
  {
    key: "IBKR_TIMEZONE",
    defaultValue: "America/New_York",
    allowed: "IANA time zone",
    meaning: "Time zone TWS / Gateway is logged in with: execution times without a zone are read in it.",
  },
  {
    key: "IBKR_LIVE_CONFIRM",
    defaultValue: undefined,
    allowed: "the live account id, e.g. U1234567",
    meaning:
      "Live interlock: orders reach a live account only when this names that very account (plus the live profile and --live).",
  },
  {
    key: "DATA_SOURCE",
    defaultValue: "sim",
    allowed: "sim | ibkr | csv",
    meaning:
      "Where bars come from: the built-in gateway simulator, a real gateway, or a CSV file (backtests).",
  },
  {
    key: "BROKER",
    defaultValue: "sim",
    allowed: "sim | ibkr",
    meaning: "Who fills orders: the internal simulator or the connected IB account.",
  },
  {
    key: "SYMBOLS",
    defaultValue: "SPY",
    allowed: "comma or space separated tickers",
    meaning: "Instruments to trade.",
  },
  {
    key: "TIMEFRAME",
    defaultValue: "1h",
    allowed: TIMEFRAME_LABELS.filter((label) => label !== "5s").join(" "),
    meaning: "Bar size the strategy sees.",
  },
  {
    key: "STRATEGY_NAME",
    defaultValue: "sma",
    allowed: "a file name in strategies/ (sma, buy-and-hold)",
    meaning: "Strategy to run.",
  },
  {
    key: "STRATEGY_PARAMS",
    defaultValue: "",
    allowed: "name=value pairs, comma separated",
    meaning: "Strategy parameters, e.g. fast=10,slow=30 (--param overrides one).",
  },
  {
    key: "INITIAL_CAPITAL",
    defaultValue: "100000",
    allowed: "positive number (USD)",
    meaning: "Starting cash of the simulated portfolio.",
  },
  {
    key: "FEE_MODEL",
    defaultValue: "fixed",
    allowed: "fixed | tiered | none",
    meaning: "IBKR Pro commission plan used by the simulator.",
  },
  {
    key: "SLIPPAGE_BPS",
    defaultValue: "0",
    allowed: "0-1000 (basis points)",
    meaning: "Adverse slippage applied to simulated market and stop fills.",
  },
  {
    key: "FEE_FIXED_PER_SHARE",
    defaultValue: "0.005",
    allowed: "USD per share",
    meaning: "IBKR Pro Fixed rate.",
  },
  {
    key: "FEE_FIXED_MIN",
    defaultValue: "1.00",
    allowed: "USD",
    meaning: "IBKR Pro Fixed minimum per order.",
  },
  {
    key: "FEE_FIXED_MAX_PERCENT",
    defaultValue: "1",
    allowed: "percent of trade value",
    meaning: "IBKR Pro Fixed maximum per order.",
  },
  {
    key: "FEE_TIERED_TIERS",
    defaultValue: "300000:0.0035,3000000:0.002,20000000:0.0015,100000000:0.001,inf:0.0005",
    allowed: "monthlyShares:usdPerShare,…",
    meaning: "IBKR Pro Tiered rates by month-to-date share volume.",
  },
  {
    key: "FEE_TIERED_MIN",
    defaultValue: "0.35",
    allowed: "USD",
    meaning: "IBKR Pro Tiered minimum per order.",
  },
  {
    key: "FEE_TIERED_MAX_PERCENT",
    defaultValue: "1",
    allowed: "percent of trade value",
    meaning: "IBKR Pro Tiered maximum commission per order.",
  },
  {
    key: "FEE_EXCHANGE_PER_SHARE",
    defaultValue: "0.003",
    allowed: "USD per share",
    meaning: "Exchange fee (Tiered only).",
  },
  {
    key: "FEE_CLEARING_PER_SHARE",
    defaultValue: "0.0002",
    allowed: "USD per share",
    meaning: "NSCC/DTC clearing fee (Tiered only).",
  },
  {
    key: "FEE_SEC_RATE",
    defaultValue: "0.0000278",
    allowed: "fraction of sell value",
    meaning: "SEC transaction fee, sells only (changes yearly; check IB's page).",
  },
  {
    key: "FEE_FINRA_TAF_PER_SHARE",
    defaultValue: "0.000166",
    allowed: "USD per share",
    meaning: "FINRA Trading Activity Fee, sells only.",
  },
  { key: "FEE_FINRA_TAF_MAX", defaultValue: "8.30", allowed: "USD", meaning: "FINRA TAF cap per trade." },
  {
    key: "RISK_MAX_POSITION_NOTIONAL",
    defaultValue: "50000",
    allowed: "USD, 0 = no limit",
    meaning: "Largest position per symbol, at the last price, an order may lead to.",
  },
  {
    key: "RISK_MAX_ORDER_NOTIONAL",
    defaultValue: "25000",
    allowed: "USD, 0 = no limit",
    meaning: "Largest single order, quantity times the last (or limit) price.",
  },
  {
    key: "RISK_MAX_ORDERS_PER_MINUTE",
    defaultValue: "20",
    allowed: "0-10000 (0 = no limit)",
    meaning: "Orders allowed in any 60 seconds.",
  },
  {
    key: "RISK_MAX_DAILY_LOSS",
    defaultValue: "1000",
    allowed: "USD, 0 = no limit",
    meaning:
      "Loss from the day's opening equity (New York day) that switches trading to reducing-only: exits only.",
  },
  {
    key: "RISK_TRADING_STATE",
    defaultValue: "active",
    allowed: "active | reducing-only | halted",
    meaning: "Trading state at start: all orders, only orders that shrink a position, or none.",
  },
  {
    key: "ORDER_ACK_TIMEOUT",
    defaultValue: "10",
    allowed: "1-600 seconds",
    meaning:
      "An order IB has not acknowledged after this long is looked up at IB (open orders, executions); never resent.",
  },
  {
    key: "ORDER_RESEND_WINDOW",
    defaultValue: "120",
    allowed: "0-86400 seconds",
    meaning:
      "At start, an intent that never reached IB is sent once more if it is younger than this; older ones expire.",
  },
  {
    key: "RECONCILE_POSITION_POLICY",
    defaultValue: "halt",
    allowed: "halt | adopt",
    meaning:
      "When IB's position in a traded symbol differs from the ledger: halt trading, or adopt IB's position.",
  },
  {
    key: "STOP_CANCEL_ORDERS",
    defaultValue: "false",
    allowed: "true | false",
    meaning: "On SIGTERM, cancel our open orders at IB before disconnecting (else they stay working).",
  },
  {
    key: "PNL_DIVERGENCE_TOLERANCE",
    defaultValue: "5",
    allowed: "USD",
    meaning: "Largest difference between IB's P&L for a position and the ledger's before it is logged.",
  },
  {
    key: "IB_RESET_WINDOW",
    defaultValue: "23:45-00:45 America/New_York",
    allowed: "HH:MM-HH:MM <zone> [days], comma list, or none",
    meaning:
      "IB's nightly reset: no new orders around it, and outages inside it are expected (info, not alarm).",
  },
  {
    key: "GATEWAY_RESTART_TIME",
    defaultValue: "",
    allowed: "HH:MM in IBKR_TIMEZONE, or empty",
    meaning: "The Gateway's configured auto-restart time, treated like the reset window.",
  },
  {
    key: "ORDER_QUIET_MINUTES",
    defaultValue: "10",
    allowed: "0-120 minutes",
    meaning: "Margin before and after the reset window and the restart time with no new orders.",
  },
  {
    key: "HTTP_HOST",
    defaultValue: "127.0.0.1",
    allowed: "IP address to bind",
    meaning: "Where run serves /healthz, /readyz, /metrics, /status (loopback only by default).",
  },
  {
    key: "HTTP_PORT",
    defaultValue: "8787",
    allowed: "0-65535 (0: a free port, logged)",
    meaning:
      "Port of run's HTTP endpoints. Control endpoints also need IBKR_CONTROL_TOKEN in the environment.",
  },
  {
    key: "LOG_LEVEL",
    defaultValue: "info",
    allowed: "fatal error warn info debug trace silent",
    meaning: "Log level (pino JSON on stdout; pretty on a terminal).",
  },
  {
    key: "DATA_DIR",
    defaultValue: "./data",
    allowed: "directory",
    meaning: "Where state and caches live (one file per mode and account).",
  },
  {
    key: "REPORT_DIR",
    defaultValue: "./reports",
    allowed: "directory",
    meaning: "Where backtest reports are written.",
  },
];

/** Parses the raw text of every key into typed values; unknown keys are ignored (the environment has many). */
export const CONFIG_SCHEMA = z.object({
  IBKR_HOST: z.string().trim().min(1),
  IBKR_PORT: positiveInt(1, 65_535),
  IBKR_CLIENT_ID: positiveInt(0, 2_147_483_647),
  IBKR_ACCOUNT_TYPE: z.enum(["paper", "live"]),
  IBKR_ACCOUNT_ID: z
    .string()
    .trim()
    .regex(/^[A-Z]{1,3}\d{3,10}$/)
    .optional(),
  IBKR_MARKET_DATA_TYPE: positiveInt(1, 4),
  IBKR_CONNECT_TIMEOUT: positiveInt(1, 600),
  IBKR_AUTO_RECONNECT: bool,
  IBKR_MAX_RECONNECT_ATTEMPTS: positiveInt(0, 1_000_000),
  IBKR_RECONNECT_DELAY: positiveInt(1, 3600),
  IBKR_MAX_RECONNECT_DELAY: positiveInt(1, 3600),
  IBKR_MAX_REQUESTS_PER_SECOND: positiveInt(1, 50),
  IBKR_HISTORICAL_DATA_TIMEOUT: positiveInt(1, 3600),
  IBKR_TIMEZONE: z
    .string()
    .trim()
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }),
  IBKR_LIVE_CONFIRM: z
    .string()
    .trim()
    .regex(/^[A-Z]{1,3}\d{3,10}$/)
    .optional(),
  DATA_SOURCE: z.enum(["sim", "ibkr", "csv"]),
  BROKER: z.enum(["sim", "ibkr"]),
  SYMBOLS: z.string().trim().min(1),
  TIMEFRAME: z.string().trim().min(1),
  STRATEGY_NAME: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]*$/),
  STRATEGY_PARAMS: z.string().trim(),
  INITIAL_CAPITAL: decimalText.refine((text) => Number(text) > 0),
  FEE_MODEL: z.enum(["fixed", "tiered", "none"]),
  SLIPPAGE_BPS: z.coerce.number().min(0).max(1000),
  FEE_FIXED_PER_SHARE: rateText,
  FEE_FIXED_MIN: rateText,
  FEE_FIXED_MAX_PERCENT: rateText,
  FEE_TIERED_TIERS: z.string().trim().min(1),
  FEE_TIERED_MIN: rateText,
  FEE_TIERED_MAX_PERCENT: rateText,
  FEE_EXCHANGE_PER_SHARE: rateText,
  FEE_CLEARING_PER_SHARE: rateText,
  FEE_SEC_RATE: rateText,
  FEE_FINRA_TAF_PER_SHARE: rateText,
  FEE_FINRA_TAF_MAX: rateText,
  RISK_MAX_POSITION_NOTIONAL: decimalText,
  RISK_MAX_ORDER_NOTIONAL: decimalText,
  RISK_MAX_ORDERS_PER_MINUTE: positiveInt(0, 10_000),
  RISK_MAX_DAILY_LOSS: decimalText,
  RISK_TRADING_STATE: z.enum(["active", "reducing-only", "halted"]),
  ORDER_ACK_TIMEOUT: positiveInt(1, 600),
  ORDER_RESEND_WINDOW: positiveInt(0, 86_400),
  RECONCILE_POSITION_POLICY: z.enum(["halt", "adopt"]),
  STOP_CANCEL_ORDERS: bool,
  PNL_DIVERGENCE_TOLERANCE: decimalText,
  IB_RESET_WINDOW: z.string().trim(),
  GATEWAY_RESTART_TIME: z.string().trim(),
  ORDER_QUIET_MINUTES: positiveInt(0, 120),
  HTTP_HOST: z.string().trim().min(1),
  HTTP_PORT: positiveInt(0, 65_535),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  DATA_DIR: z.string().trim().min(1),
  REPORT_DIR: z.string().trim().min(1),
});

/** Raw parsed settings, before symbols, timeframe and fees are turned into domain values. */
export type RawConfig = z.infer<typeof CONFIG_SCHEMA>;
