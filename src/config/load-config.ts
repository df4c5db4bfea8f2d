import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import { parse as parseDotenv } from "dotenv";
import type { z } from "zod";
import { ConfigError, TraderError } from "../core/errors.js";
import { parseSymbol } from "../model/instrument.js";
import { parseTimeframe } from "../model/timeframe.js";
import type { Config, ConfigSource, ProfileName } from "./config.js";
import { CONFIG_KEYS, CONFIG_SCHEMA } from "./config-schema.js";
import { parseStrategyParams } from "./strategy-params.js";

/** Everything configuration is read from; passed in so tests never touch the real environment. */
export interface ConfigInputs {
  /** Values from command-line flags, keyed by config key (e.g. `{ SYMBOLS: "SPY,AAPL" }`). */
  readonly flags: Readonly<Record<string, string | undefined>>;
  /** The process environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory holding `.env.ibkr.<profile>` and `.env`. */
  readonly directory: string;
  /** Profile chosen on the command line; otherwise IBKR_PROFILE from the environment; otherwise paper. */
  readonly profile?: string | undefined;
}

function readEnvFile(path: string): Record<string, string> {
  try {
    return parseDotenv(readFileSync(path));
  } catch (error) {
    throw new ConfigError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function chooseProfile(inputs: ConfigInputs): { profile: ProfileName; explicit: boolean } {
  const requested = inputs.profile ?? inputs.env.IBKR_PROFILE;
  if (requested === undefined || requested === "") return { profile: "paper", explicit: false };
  const profile = requested.trim().toLowerCase();
  if (profile !== "paper" && profile !== "live") {
    throw new ConfigError(`profile "${requested}" is invalid: use --profile paper or --profile live`);
  }
  return { profile, explicit: true };
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return "invalid value";
  return issue.message.replace(/^Invalid input: /, "");
}

/**
 * Merges flags > environment > `.env` > profile file > defaults, validates everything with one zod
 * schema and returns a deep-frozen Config. Any bad value throws a one-line ConfigError naming the key,
 * the value, where it came from and what is allowed.
 */
export function loadConfig(inputs: ConfigInputs): Config {
  const { profile, explicit } = chooseProfile(inputs);
  const profilePath = join(inputs.directory, `.env.ibkr.${profile}`);
  let profileValues: Record<string, string> = {};
  if (existsSync(profilePath)) profileValues = readEnvFile(profilePath);
  else if (explicit) {
    throw new ConfigError(
      `profile file ${profilePath} not found: copy it from the repository or run from the project directory`,
    );
  }
  const localPath = join(inputs.directory, ".env");
  const localValues = existsSync(localPath) ? readEnvFile(localPath) : {};

  const raw: Record<string, string | undefined> = {};
  const sources: Record<string, ConfigSource> = {};
  const layers: readonly [ConfigSource, Readonly<Record<string, string | undefined>>][] = [
    ["flag", inputs.flags],
    ["environment", inputs.env],
    [".env", localValues],
    ["profile", profileValues],
  ];
  for (const spec of CONFIG_KEYS) {
    let value: string | undefined;
    let source: ConfigSource = "default";
    for (const [layerName, layer] of layers) {
      const candidate = layer[spec.key];
      if (candidate !== undefined && candidate !== "") {
        value = candidate;
        source = layerName;
        break;
      }
    }
    value ??= spec.defaultValue;
    raw[spec.key] = value;
    sources[spec.key] = source;
  }

  const parsed = CONFIG_SCHEMA.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? "config");
    const spec = CONFIG_KEYS.find((candidate) => candidate.key === key);
    throw new ConfigError(
      `${key}=${JSON.stringify(raw[key] ?? "")} (from ${sources[key] ?? "default"}) is invalid: ${describeIssue(issue)}; allowed: ${spec?.allowed ?? "see README"}`,
    );
  }
  const values = parsed.data;

  const withKey = <T>(key: string, build: () => T): T => {
    try {
      return build();
    } catch (error) {
      if (error instanceof TraderError) {
        throw new ConfigError(`${key}=${JSON.stringify(raw[key])} (from ${sources[key]}): ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  };

  const symbols = withKey("SYMBOLS", () => [
    ...new Set(
      values.SYMBOLS.split(/[\s,]+/)
        .filter((text) => text !== "")
        .map(parseSymbol),
    ),
  ]);
  const timeframe = withKey("TIMEFRAME", () => parseTimeframe(values.TIMEFRAME));
  const strategyParams = withKey("STRATEGY_PARAMS", () => parseStrategyParams(values.STRATEGY_PARAMS));
  if (values.IBKR_RECONNECT_DELAY > values.IBKR_MAX_RECONNECT_DELAY) {
    throw new ConfigError(
      `IBKR_RECONNECT_DELAY=${values.IBKR_RECONNECT_DELAY} is above IBKR_MAX_RECONNECT_DELAY=${values.IBKR_MAX_RECONNECT_DELAY}: make the first delay no larger than the cap`,
    );
  }

  const config: Config = {
    profile,
    ibkr: {
      host: values.IBKR_HOST,
      port: values.IBKR_PORT,
      clientId: values.IBKR_CLIENT_ID,
      accountType: values.IBKR_ACCOUNT_TYPE,
      accountId: values.IBKR_ACCOUNT_ID,
      marketDataType: values.IBKR_MARKET_DATA_TYPE as 1 | 2 | 3 | 4,
      connectTimeoutMs: values.IBKR_CONNECT_TIMEOUT * 1000,
      autoReconnect: values.IBKR_AUTO_RECONNECT,
      maxReconnectAttempts: values.IBKR_MAX_RECONNECT_ATTEMPTS,
      reconnectDelayMs: values.IBKR_RECONNECT_DELAY * 1000,
      maxReconnectDelayMs: values.IBKR_MAX_RECONNECT_DELAY * 1000,
      maxRequestsPerSecond: values.IBKR_MAX_REQUESTS_PER_SECOND,
      historicalDataTimeoutMs: values.IBKR_HISTORICAL_DATA_TIMEOUT * 1000,
      timeZone: values.IBKR_TIMEZONE,
      liveConfirm: values.IBKR_LIVE_CONFIRM,
    },
    dataSource: values.DATA_SOURCE,
    broker: values.BROKER,
    symbols,
    timeframe,
    strategyName: values.STRATEGY_NAME,
    strategyParams,
    initialCapital: new Decimal(values.INITIAL_CAPITAL),
    fees: {
      model: values.FEE_MODEL,
      fixedPerShare: new Decimal(values.FEE_FIXED_PER_SHARE),
      fixedMin: new Decimal(values.FEE_FIXED_MIN),
      fixedMaxPercent: new Decimal(values.FEE_FIXED_MAX_PERCENT),
      tieredTiers: values.FEE_TIERED_TIERS,
      tieredMin: new Decimal(values.FEE_TIERED_MIN),
      tieredMaxPercent: new Decimal(values.FEE_TIERED_MAX_PERCENT),
      exchangePerShare: new Decimal(values.FEE_EXCHANGE_PER_SHARE),
      clearingPerShare: new Decimal(values.FEE_CLEARING_PER_SHARE),
      secFeeRate: new Decimal(values.FEE_SEC_RATE),
      finraTafPerShare: new Decimal(values.FEE_FINRA_TAF_PER_SHARE),
      finraTafMax: new Decimal(values.FEE_FINRA_TAF_MAX),
    },
    slippageBps: values.SLIPPAGE_BPS,
    risk: {
      maxPositionNotional: new Decimal(values.RISK_MAX_POSITION_NOTIONAL),
      maxOrderNotional: new Decimal(values.RISK_MAX_ORDER_NOTIONAL),
      maxOrdersPerMinute: values.RISK_MAX_ORDERS_PER_MINUTE,
      maxDailyLoss: new Decimal(values.RISK_MAX_DAILY_LOSS),
      tradingState: values.RISK_TRADING_STATE,
    },
    orders: {
      ackTimeoutMs: values.ORDER_ACK_TIMEOUT * 1000,
      resendWindowMs: values.ORDER_RESEND_WINDOW * 1000,
      positionPolicy: values.RECONCILE_POSITION_POLICY,
      cancelOnStop: values.STOP_CANCEL_ORDERS,
      pnlTolerance: new Decimal(values.PNL_DIVERGENCE_TOLERANCE),
      resetWindow: values.IB_RESET_WINDOW,
      gatewayRestartTime: values.GATEWAY_RESTART_TIME,
      quietMinutes: values.ORDER_QUIET_MINUTES,
    },
    logLevel: values.LOG_LEVEL,
    dataDir: values.DATA_DIR,
    http: { host: values.HTTP_HOST, port: values.HTTP_PORT },
    reportDir: values.REPORT_DIR,
    sources,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !(value instanceof Decimal) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
