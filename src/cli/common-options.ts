import { Option, type Command } from "commander";
import { parseStrategyParams } from "../config/strategy-params.js";

/** Flags shared by every trading command, named alike everywhere. */
export interface CommonFlags {
  readonly profile?: string;
  readonly symbols?: string[];
  readonly timeframe?: string;
  readonly strategy?: string;
  readonly param?: string[];
  readonly initialCapital?: string;
  readonly fees?: string;
  readonly slippageBps?: string;
  readonly logLevel?: string;
  readonly reportDir?: string;
}

/** The log levels every command accepts for --log-level (pino's, plus silent). */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Adds the shared trading flags to `command`. */
export function addCommonOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--profile <name>", "connection profile: .env.ibkr.<name>").choices(["paper", "live"]),
    )
    .option("--symbols <symbols...>", "symbols to trade, e.g. --symbols SPY AAPL (or SPY,AAPL)")
    .option("--timeframe <timeframe>", "bar size: 1m 5m 15m 30m 1h 2h 4h 1d 1w")
    .option("--strategy <name>", "strategy file name in strategies/ (sma, buy-and-hold)")
    .option(
      "--param <name=value>",
      "strategy parameter, repeatable: --param fast=10 --param slow=30",
      collect,
    )
    .option("--initial-capital <usd>", "starting cash in USD")
    .addOption(new Option("--fees <model>", "IBKR Pro commission plan").choices(["fixed", "tiered", "none"]))
    .option("--slippage-bps <bps>", "adverse slippage on market and stop fills, in basis points")
    .addOption(new Option("--log-level <level>", "log level").choices(LOG_LEVELS))
    .option("--report-dir <dir>", "directory for reports");
}

/** Maps the shared flags onto configuration keys (flags have the highest precedence). */
export function commonFlagsToConfig(flags: CommonFlags): Record<string, string | undefined> {
  return {
    SYMBOLS: flags.symbols?.join(","),
    TIMEFRAME: flags.timeframe,
    STRATEGY_NAME: flags.strategy,
    INITIAL_CAPITAL: flags.initialCapital,
    FEE_MODEL: flags.fees,
    SLIPPAGE_BPS: flags.slippageBps,
    LOG_LEVEL: flags.logLevel,
    REPORT_DIR: flags.reportDir,
  };
}

/** Strategy parameters: STRATEGY_PARAMS from the configuration, each `--param` overriding one. */
export function strategyParamsFrom(
  configured: Readonly<Record<string, string>>,
  flags: CommonFlags,
): Readonly<Record<string, string>> {
  return Object.freeze({ ...configured, ...parseStrategyParams(flags.param ?? []) });
}
