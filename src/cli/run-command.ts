import { Option, type Command } from "commander";
import pino, { type Logger } from "pino";
import { DEFAULT_SIM_START_MS, Daemon, type StartPhase } from "../app/daemon.js";
import { observeDaemon, startDaemonService } from "../app/daemon-service.js";
import { maskAccountId } from "../core/account-id.js";
import { createLogger } from "../app/logger.js";
import type { Clock } from "../core/clock.js";
import { SystemScheduler } from "../core/system-scheduler.js";
import { DaemonMetrics } from "../service/daemon-metrics.js";
import type { Config } from "../config/config.js";
import { loadConfig } from "../config/load-config.js";
import { UsageError } from "../core/errors.js";
import {
  addCommonOptions,
  commonFlagsToConfig,
  strategyParamsFrom,
  type CommonFlags,
} from "./common-options.js";
import { parseTimeFlag } from "./time-flag.js";

/** Flags of `ibkr-trader run`. */
export interface RunFlags extends CommonFlags {
  readonly source?: "ibkr" | "sim";
  readonly broker?: "ibkr" | "sim";
  readonly live: boolean;
  readonly readOnly: boolean;
  readonly host?: string;
  readonly port?: string;
  readonly clientId?: string;
  readonly warmup: string;
  readonly simSpeed: string;
  readonly simStart?: string;
  readonly stopTimeout: string;
}

/** Registers `run`: the long-running daemon. */
export function registerRunCommand(program: Command): void {
  const command = program
    .command("run")
    .description("run the trading daemon: live bars, the strategy, risk checks and orders, until SIGTERM");
  addCommonOptions(command)
    .addOption(
      new Option(
        "--source <source>",
        "bars and account: ibkr (TWS / Gateway) or sim (built-in gateway-sim)",
      ).choices(["ibkr", "sim"]),
    )
    .addOption(
      new Option(
        "--broker <broker>",
        "who fills orders: sim (in-process) or ibkr (the connected account)",
      ).choices(["sim", "ibkr"]),
    )
    .option("--live", "trade a live account (also needs --profile live and IBKR_LIVE_CONFIRM)", false)
    .option("--read-only", "connect and stream, never send an order", false)
    .option("--host <host>", "TWS / Gateway host (IBKR_HOST)")
    .option("--port <port>", "TWS / Gateway API port (IBKR_PORT)")
    .option("--client-id <id>", "API client id (IBKR_CLIENT_ID)")
    .option("--warmup <bars>", "bars of history the strategy sees before live bars", "100")
    .option("--sim-speed <x>", "--source sim: speed of the simulator's clock (x real time)", "60")
    .option("--sim-start <time>", "--source sim: simulated start (ISO date-time, UTC)")
    .option("--stop-timeout <seconds>", "longest graceful stop on SIGTERM before exiting anyway", "30")
    .action(async (flags: RunFlags) => {
      await runDaemon(flags);
    });
}

function positiveNumber(text: string, flag: string, max: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > max) {
    throw new UsageError(
      `${flag} ${JSON.stringify(text)} is invalid: use a number above 0 and at most ${max}`,
    );
  }
  return value;
}

/** The configuration a run uses: flags over environment over profile over defaults. */
function runConfig(flags: RunFlags): Config {
  const loaded = loadConfig({
    flags: {
      ...commonFlagsToConfig(flags),
      DATA_SOURCE: flags.source,
      BROKER: flags.broker,
      IBKR_HOST: flags.host,
      IBKR_PORT: flags.port,
      IBKR_CLIENT_ID: flags.clientId,
    },
    env: process.env,
    directory: process.cwd(),
    profile: flags.profile,
  });
  if (loaded.dataSource === "csv") {
    throw new UsageError("run needs live bars: use --source ibkr or --source sim (csv is for backtest)");
  }
  return Object.freeze({ ...loaded, strategyParams: strategyParamsFrom(loaded.strategyParams, flags) });
}

/** The daemon's logger: pino JSON lines on stdout (journald and pm2 collect it), pretty on a terminal. */
function daemonLogger(level: string): Logger {
  if (process.stdout.isTTY) return createLogger({ level, pretty: true });
  return createLogger({ level, destination: pino.destination({ dest: 1, sync: true }), pretty: false });
}

async function runDaemon(flags: RunFlags): Promise<void> {
  const config = runConfig(flags);
  const warmupBars = positiveNumber(flags.warmup, "--warmup", 100_000);
  const simSpeed = positiveNumber(flags.simSpeed, "--sim-speed", 10_000);
  const stopTimeoutMs = positiveNumber(flags.stopTimeout, "--stop-timeout", 3_600) * 1000;
  const simStartMs =
    flags.simStart === undefined ? DEFAULT_SIM_START_MS : parseTimeFlag("--sim-start", flags.simStart);
  const logger = daemonLogger(config.logLevel);
  // What the crash line says beside the error: how far the start got, or the running daemon's state.
  let phase: StartPhase | "running" = "connecting";
  const current: { daemon: Daemon | undefined } = { daemon: undefined };
  const crash = (error: unknown, origin: string): void => {
    logger.fatal(
      {
        event: "daemon.crashed",
        origin,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        phase,
        ...(current.daemon === undefined ? {} : crashContext(current.daemon)),
      },
      "uncaught error: exiting so the supervisor restarts the daemon (the restart reconciles)",
    );
    process.exit(1);
  };
  process.on("uncaughtException", (error) => {
    crash(error, "uncaughtException");
  });
  process.on("unhandledRejection", (error) => {
    crash(error, "unhandledRejection");
  });
  // Listen from the start: a stop during the start aborts it (nothing is half-written: every state change is
  // one SQLite transaction), and a stop after it takes the graceful path.
  const abortStart = new AbortController();
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      resolve(signal);
      if (current.daemon === undefined) abortStart.abort(signal);
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
  // Bar ages are measured on the daemon's clock (the simulator's with --source sim) once it runs.
  let metricsClock: Clock = new SystemScheduler();
  const metrics = new DaemonMetrics({ clock: { nowMs: () => metricsClock.nowMs() } });
  const observer = observeDaemon(metrics);
  // HTTP first: /healthz answers and /readyz says why not ready while the start waits for TWS.
  const service = await startDaemonService({
    metrics,
    feeds: observer.feeds,
    host: config.http.host,
    port: config.http.port,
    controlToken: process.env.IBKR_CONTROL_TOKEN,
    logger: logger.child({ component: "http" }),
  });
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({
      config,
      liveFlag: flags.live,
      readOnly: flags.readOnly,
      logger,
      warmupBars,
      simSpeed,
      simStartMs,
      observer,
      signal: abortStart.signal,
      onStartPhase: (next) => {
        phase = next;
        service.starting(next);
      },
    });
  } catch (error) {
    await service.close();
    if (!abortStart.signal.aborted) throw error;
    const reason = `${String(abortStart.signal.reason)} during the start (${phase})`;
    logger.info({ event: "daemon.stopped", reason }, "daemon stopped before it ran");
    return;
  }
  current.daemon = daemon;
  phase = "running";
  metricsClock = daemon.clock;
  service.attach(daemon);
  // pm2 (wait_ready) and scripts wait for this: the order path is reconciled and the feeds are started.
  process.send?.("ready");
  logger.info({ event: "daemon.ready", url: service.server.url }, "daemon ready");
  const signal = await stopSignal;
  const timer = setTimeout(() => {
    logger.error(
      { event: "daemon.stop_timeout", stopTimeoutMs },
      "graceful stop took longer than --stop-timeout: exiting now (the next start reconciles)",
    );
    process.exit(1);
  }, stopTimeoutMs);
  timer.unref();
  await daemon.stop(signal, Math.max(1_000, stopTimeoutMs - 5_000));
  await service.close();
  clearTimeout(timer);
}

/** The running daemon's state for the crash line: no secrets, the account masked. */
function crashContext(daemon: Daemon): Record<string, unknown> {
  return {
    mode: daemon.tradingMode.mode,
    account: maskAccountId(daemon.tradingMode.account),
    connection: daemon.gateway.connection.state.status,
    tradingState: daemon.orders?.riskChecks.tradingState.state(),
    openOrders: daemon.orders?.orders.openOrders().length,
    positions: daemon.portfolio.positions().length,
    uptimeSeconds: Math.round((daemon.clock.nowMs() - daemon.startedAtMs) / 1000),
  };
}
