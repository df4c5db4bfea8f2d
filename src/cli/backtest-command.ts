import { statSync } from "node:fs";
import { basename, join } from "node:path";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { BacktestRunner } from "../app/backtest-runner.js";
import { feeModelFromConfig } from "../app/fee-model-from-config.js";
import { createLogger } from "../app/logger.js";
import type { Config } from "../config/config.js";
import { loadConfig } from "../config/load-config.js";
import { DataNotFoundError, UsageError } from "../core/errors.js";
import { aggregateBars } from "../data/aggregate-bars.js";
import type { NaiveTimeZone } from "../data/ascii-timestamp.js";
import { inspectCsv, readCsvBars } from "../data/csv-bar-reader.js";
import { mergeBarStreams } from "../data/merge-bar-streams.js";
import { generateSyntheticBars } from "../data/synthetic-bar-source.js";
import type { Bar } from "../model/bar.js";
import { parseSymbol } from "../model/instrument.js";
import { timeframeOfSeconds, type Timeframe } from "../model/timeframe.js";
import { buildBacktestReport } from "../report/backtest-report.js";
import { writeBacktestReport } from "../report/report-writer.js";
import { formatReportTable } from "../report/report-table.js";
import { StrategyRegistry } from "../strategy/strategy-registry.js";
import type { CliIo } from "./cli-io.js";
import {
  addCommonOptions,
  commonFlagsToConfig,
  strategyParamsFrom,
  type CommonFlags,
} from "./common-options.js";
import { parseTimeFlag } from "./time-flag.js";

interface BacktestFlags extends CommonFlags {
  readonly data?: string[];
  readonly synthetic?: string;
  readonly seed: string;
  readonly from?: string;
  readonly to?: string;
  readonly csvTimezone: string;
  readonly progress: boolean;
  readonly report: boolean;
}

interface BarPlan {
  readonly bars: Iterable<Bar>;
  readonly timeframe: Timeframe;
  /** Expected number of input bars, for the progress bar (an estimate for CSV). */
  readonly expectedBars: number;
  readonly description: string;
}

const SYNTHETIC_START = "2024-01-02";

/** Registers `ibkr-trader backtest`. */
export function registerBacktestCommand(program: Command, io: CliIo): void {
  const command = program
    .command("backtest")
    .description("run a strategy over historical bars (CSV or synthetic) and write a report");
  addCommonOptions(command)
    .option("--data <files...>", "CSV file(s): FILE for one symbol, or SYMBOL=FILE for each symbol")
    .option("--synthetic <bars>", "generate N seeded one-minute bars per symbol instead of reading files")
    .option("--seed <n>", "seed of the synthetic generator", "1")
    .option("--from <date>", "first bar to use (YYYY-MM-DD or ISO date-time, UTC)")
    .option("--to <date>", "end of the period, exclusive (YYYY-MM-DD or ISO date-time, UTC)")
    .option("--csv-timezone <zone>", "time zone of naive CSV timestamps: UTC or America/New_York", "UTC")
    .option("--no-progress", "never show the progress bar")
    .option("--no-report", "print the summary only; write no report files")
    .action(async (flags: BacktestFlags) => {
      await runBacktest(flags, flags.profile, io);
    });
}

async function runBacktest(flags: BacktestFlags, profile: string | undefined, io: CliIo): Promise<void> {
  const config = loadConfig({ flags: commonFlagsToConfig(flags), env: io.env, directory: io.cwd, profile });
  const logger = createLogger({ level: config.logLevel, pretty: io.stderr.isTTY === true });
  const plan = planBars(flags, config);
  const params = strategyParamsFrom(config.strategyParams, flags);
  const loaded = await new StrategyRegistry().load(config.strategyName, params, { symbols: config.symbols });
  const feeModel = feeModelFromConfig(config.fees);

  logger.info(
    {
      event: "BacktestStarted",
      strategy: loaded.definition.name,
      params: loaded.params,
      symbols: config.symbols,
      timeframe: plan.timeframe.label,
      data: plan.description,
      fees: feeModel.name,
      slippageBps: config.slippageBps,
      initialCapital: config.initialCapital.toString(),
    },
    "backtest started",
  );

  const progress =
    flags.progress && io.stderr.isTTY === true && plan.expectedBars >= 50_000
      ? new SingleBar({
          stream: io.stderr,
          format: "backtest [{bar}] {percentage}% | {value}/{total} bars | eta {eta}s",
          hideCursor: true,
        })
      : undefined;
  progress?.start(plan.expectedBars, 0);
  const startedAt = performance.now();
  const result = new BacktestRunner().run({
    bars: plan.bars,
    strategy: loaded,
    initialCapital: config.initialCapital,
    feeModel,
    slippageBps: config.slippageBps,
    progressEveryBars: progress === undefined ? 0 : 10_000,
    onProgress: (count) => {
      if (progress === undefined) return;
      if (count > plan.expectedBars) progress.setTotal(count);
      progress.update(count);
    },
    onOrderEvent: (event) => {
      logger.debug({
        event: event.type,
        orderId: event.order.orderId,
        symbol: event.order.intent.symbol,
        side: event.order.intent.side,
        quantity: event.order.intent.quantity.toString(),
        status: event.order.status,
        ...(event.type === "OrderFilled"
          ? { price: event.fill.price.toString(), commission: event.fill.commission.toString() }
          : {}),
        ...(event.type === "OrderRejected" || event.type === "OrderCancelled"
          ? { reason: event.reason }
          : {}),
        time: new Date(event.time).toISOString(),
      });
    },
  });
  progress?.stop();
  const elapsedMs = performance.now() - startedAt;
  if (result.stats.bars === 0) {
    throw new DataNotFoundError(`no bars to backtest in ${plan.description}: check --from/--to and the data`);
  }

  const report = buildBacktestReport({
    meta: {
      strategy: loaded.definition.name,
      params: loaded.params,
      symbols: config.symbols,
      timeframe: plan.timeframe.label,
      feeModel: feeModel.name,
    },
    fills: result.fills,
    equityCurve: result.equityCurve.toArrays(),
    initialCapital: config.initialCapital,
    finalEquity: result.portfolio.equity(),
    totalCommissions: result.portfolio.totalCommissions(),
    barsWithPosition: result.stats.timestampsWithPosition,
    totalBars: result.stats.timestamps,
  });
  io.stdout.write(`${formatReportTable(report.metrics, report.meta)}\n`);
  if (result.ordersRejected > 0) {
    io.stdout.write(
      `note: ${result.ordersRejected} order(s) were rejected (run with --log-level debug to see why)\n`,
    );
  }
  if (flags.report) {
    const directory =
      flags.reportDir ??
      join(
        config.reportDir,
        `backtest-${loaded.definition.name}-${config.symbols.join("_")}-${plan.timeframe.label}`,
      );
    const paths = writeBacktestReport(directory, report);
    io.stdout.write(`report: ${paths.join(" ")}\n`);
  }
  logger.info(
    {
      event: "BacktestFinished",
      bars: result.stats.bars,
      fills: result.fills.length,
      ordersRejected: result.ordersRejected,
      elapsedMs: Math.round(elapsedMs),
      barsPerSecond: Math.round(result.stats.bars / (elapsedMs / 1000)),
      finalEquity: result.portfolio.equity().toFixed(2),
    },
    "backtest finished",
  );
}

function planBars(flags: BacktestFlags, config: Config): BarPlan {
  if (flags.data !== undefined && flags.synthetic !== undefined) {
    throw new UsageError("give either --data FILE or --synthetic N, not both");
  }
  const fromMs = flags.from === undefined ? undefined : parseTimeFlag("--from", flags.from);
  const toMs = flags.to === undefined ? undefined : parseTimeFlag("--to", flags.to);
  if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) {
    throw new UsageError(`--from ${flags.from ?? ""} is not before --to ${flags.to ?? ""}: swap them`);
  }
  const timeZone = parseTimeZone(flags.csvTimezone);
  if (flags.data === undefined) return planSynthetic(flags, config, fromMs, toMs);

  const sources = pairFilesWithSymbols(flags.data, config.symbols);
  let nativeSeconds: number | undefined;
  let expectedBars = 0;
  for (const { path } of sources) {
    const inspection = inspectCsv(path, { timeZone });
    const seconds = inspection.barSeconds;
    if (seconds === undefined) {
      throw new UsageError(`cannot tell the bar size of ${path} from its first rows: pass --timeframe`);
    }
    if (nativeSeconds !== undefined && seconds !== nativeSeconds) {
      throw new UsageError(
        `${path} has ${seconds}s bars but the other files have ${nativeSeconds}s bars: use files of one bar size`,
      );
    }
    nativeSeconds = seconds;
    expectedBars += Math.round(statSync(path).size / 48);
  }
  const native = nativeSeconds ?? 86_400;
  const timeframe = chooseTimeframe(config, native, sources.map((source) => source.path).join(", "));
  const streams = sources.map(({ symbol, path }) =>
    readCsvBars({
      path,
      symbol,
      timeZone,
      barSeconds: native,
      ...(fromMs === undefined ? {} : { fromMs }),
      ...(toMs === undefined ? {} : { toMs }),
    }),
  );
  const merged = mergeBarStreams(streams);
  return {
    bars: timeframe.seconds === native ? merged : aggregateBars(merged, timeframe),
    timeframe,
    expectedBars,
    description: sources.map((source) => `${source.symbol}=${basename(source.path)}`).join(" "),
  };
}

function planSynthetic(
  flags: BacktestFlags,
  config: Config,
  fromMs: number | undefined,
  toMs: number | undefined,
): BarPlan {
  const countText = flags.synthetic ?? "50000";
  const count = Number(countText);
  if (!Number.isInteger(count) || count < 1 || count > 100_000_000) {
    throw new UsageError(`bad --synthetic "${countText}": use a whole number of bars from 1 to 100000000`);
  }
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 4_294_967_295) {
    throw new UsageError(`bad --seed "${flags.seed}": use a whole number from 0 to 4294967295`);
  }
  const startMs = fromMs ?? parseTimeFlag("--from", SYNTHETIC_START);
  const generated = generateSyntheticBars({ symbols: config.symbols, seed, startMs, count });
  const bounded = toMs === undefined ? generated : takeUntil(generated, toMs);
  const timeframe = chooseTimeframe(config, 60, "synthetic one-minute bars");
  return {
    bars: timeframe.seconds === 60 ? bounded : aggregateBars(bounded, timeframe),
    timeframe,
    expectedBars: count * config.symbols.length,
    description: `synthetic ${count} x ${config.symbols.join(",")} seed ${seed}`,
  };
}

function* takeUntil(bars: Iterable<Bar>, toMs: number): Generator<Bar> {
  for (const bar of bars) {
    if (bar.openTime >= toMs) return;
    yield bar;
  }
}

/** The data's own bar size unless --timeframe (or TIMEFRAME in the environment or .env) asks for a longer one. */
function chooseTimeframe(config: Config, nativeSeconds: number, what: string): Timeframe {
  const native = timeframeOfSeconds(nativeSeconds);
  // A profile's TIMEFRAME is the daemon's bar size; a backtest only follows a timeframe the user asked
  // for on this run (flag, environment or .env) and otherwise keeps the data's own bars.
  const source = config.sources.TIMEFRAME;
  if (source === "default" || source === "profile") {
    if (native === undefined) {
      throw new UsageError(
        `${what} has ${nativeSeconds}s bars, which is no supported timeframe: pass --timeframe`,
      );
    }
    return native;
  }
  const wanted = config.timeframe;
  if (wanted.seconds < nativeSeconds) {
    throw new UsageError(
      `--timeframe ${wanted.label} is shorter than the ${native?.label ?? `${nativeSeconds}s`} bars in ${what}: use ${native?.label ?? "a longer timeframe"} or longer`,
    );
  }
  return wanted;
}

function pairFilesWithSymbols(
  items: readonly string[],
  symbols: readonly string[],
): { symbol: string; path: string }[] {
  const pairs = items.map((item) => {
    const match = /^([A-Za-z][A-Za-z0-9.]{0,7})=(.+)$/.exec(item);
    return match?.[1] !== undefined && match[2] !== undefined
      ? { symbol: parseSymbol(match[1]), path: match[2] }
      : { symbol: undefined, path: item };
  });
  const unnamed = pairs.filter((pair) => pair.symbol === undefined);
  if (unnamed.length > 0 && (pairs.length > 1 || symbols.length !== 1)) {
    throw new UsageError(
      `--data ${unnamed[0]?.path ?? ""} does not say which symbol it holds: with several files or symbols use SYMBOL=FILE (e.g. --data SPY=spy.csv AAPL=aapl.csv)`,
    );
  }
  return pairs.map((pair) => ({ symbol: pair.symbol ?? symbols[0] ?? "SPY", path: pair.path }));
}

function parseTimeZone(text: string): NaiveTimeZone {
  if (text === "UTC" || text === "America/New_York") return text;
  throw new UsageError(`bad --csv-timezone "${text}": use UTC or America/New_York`);
}
