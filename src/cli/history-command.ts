import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { SingleBar } from "cli-progress";
import { Option, type Command } from "commander";
import { IbGateway } from "../adapters/ib/ib-gateway.js";
import { createIbMarketData } from "../app/ib-market-data.js";
import { createLogger } from "../app/logger.js";
import type { Config } from "../config/config.js";
import { loadConfig } from "../config/load-config.js";
import { TraderError, UsageError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import { SystemScheduler } from "../core/system-scheduler.js";
import { writeCsvBars } from "../data/csv-bar-writer.js";
import type { HistoricalWhatToShow } from "../data/historical-request.js";
import type { HistoryResult } from "../data/history-service.js";
import { MarketDataStore } from "../store/market-data-store.js";
import type { CliIo } from "./cli-io.js";
import {
  addGatewayOptions,
  gatewayFlagsToConfig,
  withGateway,
  type GatewayFlags,
} from "./gateway-options.js";
import { parseTimeFlag } from "./time-flag.js";

interface HistoryFlags extends GatewayFlags {
  readonly timeframe?: string;
  readonly from?: string;
  readonly to?: string;
  readonly whatToShow: HistoricalWhatToShow;
  readonly rth: boolean;
  readonly csv?: string;
  readonly progress: boolean;
}

/** Registers `ibkr-trader history`. */
export function registerHistoryCommand(program: Command, io: CliIo): void {
  const command = program.command("history");
  addGatewayOptions(command, "symbols, e.g. --symbols SPY AAPL (or SPY,AAPL)");
  command
    .description(
      "download historical bars through IB's pacing rules into the local bar cache (DATA_DIR/market-data.sqlite)",
    )
    .option("--timeframe <timeframe>", "bar size: 5s 1m 5m 15m 30m 1h 2h 4h 1d 1w")
    .option("--from <time>", "start, a date (UTC midnight) or ISO date-time (required)")
    .option("--to <time>", "end (exclusive), a date or ISO date-time (default: now)")
    .addOption(
      new Option("--what-to-show <kind>", "IB's whatToShow")
        .choices(["TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK"])
        .default("TRADES"),
    )
    .option("--no-rth", "include bars outside regular trading hours")
    .option("--csv <dir>", "also write one CSV per symbol into DIR (readable by backtest --data)")
    .option("--no-progress", "never show the progress bar")
    .action(async (flags: HistoryFlags) => {
      await runHistory(flags, io);
    });
}

async function runHistory(flags: HistoryFlags, io: CliIo): Promise<void> {
  const configFlags = { ...gatewayFlagsToConfig(flags), TIMEFRAME: flags.timeframe };
  const inputs = { flags: configFlags, env: io.env, directory: io.cwd, profile: flags.profile };
  const config = loadConfig(inputs);
  if (flags.from === undefined) throw new UsageError("history needs --from (fix: e.g. --from 2024-01-02)");
  const scheduler = new SystemScheduler();
  const fromMs = parseTimeFlag("--from", flags.from);
  const toMs = flags.to === undefined ? scheduler.nowMs() : parseTimeFlag("--to", flags.to);
  if (toMs <= fromMs)
    throw new UsageError(`--to must be after --from (got ${flags.from} .. ${flags.to ?? "now"})`);
  const logger = createLogger({ level: config.logLevel });
  const storePath = join(resolve(io.cwd, config.dataDir), "market-data.sqlite");
  const store = MarketDataStore.open(storePath);
  try {
    await withGateway(flags.source, inputs, logger, (gatewayConfig) =>
      download(gatewayConfig, { flags, io, fromMs, toMs, store, scheduler, logger }),
    );
  } finally {
    store.close();
  }
}

async function download(
  config: Config,
  context: {
    readonly flags: HistoryFlags;
    readonly io: CliIo;
    readonly fromMs: number;
    readonly toMs: number;
    readonly store: MarketDataStore;
    readonly scheduler: SystemScheduler;
    readonly logger: ReturnType<typeof createLogger>;
  },
): Promise<void> {
  const { flags, io, fromMs, toMs, store, scheduler, logger } = context;
  const startedAt = performance.now();
  const gateway = new IbGateway(config.ibkr, { scheduler, rng: new Rng(config.ibkr.clientId), logger });
  const data = createIbMarketData({
    gateway,
    scheduler,
    barCache: store.bars,
    contractCache: store.contracts,
    maxRequestsPerSecond: config.ibkr.maxRequestsPerSecond,
  });
  try {
    await gateway.connection.start({ retry: false });
    const { contracts, failures } = await data.contracts.resolveAll(config.symbols);
    for (const failure of failures)
      io.stderr.write(`ibkr-trader: ${failure.symbol}: ${failure.error.message}\n`);
    const progress =
      flags.progress && io.stderr.isTTY === true
        ? new SingleBar({
            stream: io.stderr,
            format: "history [{bar}] {percentage}% | {value}/{total} requests | eta {eta}s",
            hideCursor: true,
          })
        : undefined;
    const done = new Map<string, { done: number; total: number }>();
    const report = (): void => {
      let sumDone = 0;
      let sumTotal = 0;
      for (const entry of done.values()) {
        sumDone += entry.done;
        sumTotal += entry.total;
      }
      progress?.setTotal(sumTotal);
      progress?.update(sumDone);
    };
    progress?.start(1, 0);
    const results = await Promise.all(
      contracts.map(async (contract): Promise<[string, HistoryResult]> => {
        const result = await data.history.fetchTimeframe(
          contract,
          config.timeframe,
          fromMs,
          toMs,
          "backfill",
          (count, total) => {
            done.set(contract.symbol, { done: count, total });
            report();
          },
          { whatToShow: flags.whatToShow, useRth: flags.rth },
        );
        return [contract.symbol, result];
      }),
    );
    progress?.stop();
    for (const [symbol, result] of results) {
      for (const dropped of result.dropped) {
        logger.warn(
          { event: "history.bar_dropped", symbol, reason: dropped.reason },
          "invalid bar from IB dropped",
        );
      }
      if (flags.csv !== undefined) {
        mkdirSync(flags.csv, { recursive: true });
        writeCsvBars(join(flags.csv, `${symbol}.csv`), result.bars);
      }
    }
    const seconds = (performance.now() - startedAt) / 1000;
    io.stdout.write(
      formatSummary(results, data.pacer.stats.pacingViolations, seconds, config.timeframe.label),
    );
    if (failures.length > 0) {
      throw new TraderError(
        "CONTRACT_UNKNOWN",
        `history: ${failures.length} of ${config.symbols.length} symbols could not be resolved (${failures.map((failure) => failure.symbol).join(", ")})`,
      );
    }
  } finally {
    data.dispose();
    gateway.connection.stop("history finished");
  }
}

/** The summary table: one line per symbol, then the totals. */
export function formatSummary(
  results: readonly (readonly [string, HistoryResult])[],
  pacingViolations: number,
  seconds: number,
  timeframe: string,
): string {
  const lines = results.map(
    ([symbol, result]) =>
      `${symbol.padEnd(8)} ${String(result.bars.length).padStart(9)} ${timeframe} bars  ${String(result.requests).padStart(5)} requests  ${String(result.cacheHits).padStart(5)} cache hits${result.dropped.length > 0 ? `  ${result.dropped.length} invalid bars dropped` : ""}`,
  );
  const total = (pick: (result: HistoryResult) => number): number =>
    results.reduce((sum, [, result]) => sum + pick(result), 0);
  lines.push(
    `history: ${total((result) => result.bars.length)} bars, ${total((result) => result.requests)} requests, ${total((result) => result.cacheHits)} cache hits, ${pacingViolations} pacing violations, ${seconds.toFixed(1)} s`,
  );
  return `${lines.join("\n")}\n`;
}
