import { Option, type Command } from "commander";
import { createLogger } from "../app/logger.js";
import { UsageError } from "../core/errors.js";
import type { FaultPlan } from "../gateway-sim/faults/fault-plan.js";
import {
  GatewaySim,
  type GatewaySimClockOptions,
  type GatewaySimOptions,
} from "../gateway-sim/gateway-sim.js";
import { MAX_SYNTHETIC_INSTRUMENTS } from "../gateway-sim/market/synthetic-instruments.js";
import {
  MAX_SUPPORTED_SERVER_VERSION,
  MIN_SUPPORTED_SERVER_VERSION,
} from "../gateway-sim/protocol/server-versions.js";
import type { CliIo } from "./cli-io.js";
import { LOG_LEVELS } from "./common-options.js";
import { parseTimeFlag } from "./time-flag.js";

/** The flags of `ibkr-trader gateway-sim`, as commander hands them over (text until parsed). */
export interface GatewaySimFlags {
  readonly port: string;
  readonly host: string;
  readonly seed: string;
  readonly speed: string;
  readonly start?: string;
  readonly accounts: string[];
  readonly serverVersion: string;
  readonly liveData?: boolean;
  readonly syntheticInstruments: string;
  readonly logLevel: string;
  readonly faultRestartEvery?: string;
  readonly faultDownFor?: string;
  readonly faultOrderIdRollback?: string;
  readonly faultLatencyMs?: string;
  readonly faultPacingViolations?: string;
}

/** Simulated start of an accelerated clock when --start is not given: the 2024-01-02 regular session open. */
export const DEFAULT_SIM_START = "2024-01-02T14:30:00Z";

/** Downtime of a scheduled restart when --fault-down-for is not given, in seconds. */
const DEFAULT_DOWN_FOR_SECONDS = 10;

/** Registers `ibkr-trader gateway-sim`. */
export function registerGatewaySimCommand(program: Command, io: CliIo): void {
  program
    .command("gateway-sim")
    .description(
      "run the TWS / IB Gateway simulator: a deterministic market, accounts and order fills over the real API protocol",
    )
    .option("--port <port>", "TCP port to listen on (0 = any free port)", "4002")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--seed <n>", "seed of the market model: same seed, same prices", "1")
    .option(
      "--speed <factor>",
      "simulated seconds per wall second; 0 or 1 = real time (the wall clock)",
      "60",
    )
    .option(
      "--start <time>",
      `simulated start of an accelerated clock, ISO date-time in UTC (default ${DEFAULT_SIM_START}, a session open)`,
    )
    .option("--accounts <ids...>", "account ids announced to clients, separated by spaces", ["DU1234567"])
    .option(
      "--server-version <n>",
      `highest API server version to negotiate (${MIN_SUPPORTED_SERVER_VERSION}..${MAX_SUPPORTED_SERVER_VERSION})`,
      String(MAX_SUPPORTED_SERVER_VERSION),
    )
    .option(
      "--live-data",
      "the accounts have live market data subscriptions (without it: delayed top of book only, no real-time bars)",
    )
    .option(
      "--synthetic-instruments <n>",
      `add N synthetic stocks SIM001, SIM002, ... to the built-in ones (0..${MAX_SYNTHETIC_INSTRUMENTS})`,
      "0",
    )
    .addOption(
      new Option("--log-level <level>", "log level (JSON lines on stderr)")
        .choices(LOG_LEVELS)
        .default("info"),
    )
    .option(
      "--fault-restart-every <minutes>",
      "fault: restart the gateway every MINUTES of wall time (drops every connection, refuses connects while down)",
    )
    .option(
      "--fault-down-for <seconds>",
      `fault: how long each restart refuses connections, in wall seconds (default ${DEFAULT_DOWN_FOR_SECONDS}; needs --fault-restart-every)`,
    )
    .option(
      "--fault-order-id-rollback <n>",
      "fault: each restart rolls every client's nextValidId back by N (default 0; needs --fault-restart-every)",
    )
    .option(
      "--fault-latency-ms <ms>",
      "fault: hold every message to clients back by MS wall milliseconds, in order",
    )
    .option(
      "--fault-pacing-violations <n>",
      "fault: the first N historical data requests get error 162 (pacing violation), and N more after each restart",
    )
    .action(async (flags: GatewaySimFlags) => {
      await runGatewaySim(flags, io);
    });
}

/** Turns the command's flags into simulator options; a UsageError names the first bad flag. */
export function gatewaySimOptionsFromFlags(flags: GatewaySimFlags): Omit<GatewaySimOptions, "logger"> {
  const port = wholeNumber("--port", flags.port, 0, 65_535);
  const seed = wholeNumber("--seed", flags.seed, 0, 0xffff_ffff);
  const maxServerVersion = wholeNumber(
    "--server-version",
    flags.serverVersion,
    MIN_SUPPORTED_SERVER_VERSION,
    MAX_SUPPORTED_SERVER_VERSION,
  );
  const syntheticInstruments = wholeNumber(
    "--synthetic-instruments",
    flags.syntheticInstruments,
    0,
    MAX_SYNTHETIC_INSTRUMENTS,
  );
  const host = flags.host.trim();
  if (host === "") throw new UsageError('bad --host "": give an interface such as 127.0.0.1 or 0.0.0.0');
  return {
    clock: clockFromFlags(flags),
    seed,
    syntheticInstruments,
    accounts: flags.accounts.map(parseAccount),
    liveData: flags.liveData === true,
    host,
    port,
    maxServerVersion,
    faultPlan: faultPlanFromFlags(flags),
  };
}

async function runGatewaySim(flags: GatewaySimFlags, io: CliIo): Promise<void> {
  const options = gatewaySimOptionsFromFlags(flags);
  const logger = createLogger({ level: flags.logLevel, pretty: io.stderr.isTTY === true });
  const sim = GatewaySim.create({ ...options, logger });
  const { port } = await startListening(sim, options);
  const shutdown = (io.untilShutdown ?? untilSignal)();
  io.stdout.write(
    `gateway-sim listening on ${hostPort(options.host ?? "127.0.0.1", port)} (${summary(options)})\n`,
  );
  const signal = await shutdown;
  logger.info({ signal }, "gateway-sim shutting down");
  await sim.stop();
  logger.flush();
}

/** Starts the simulator; a port that is taken or not allowed is the user's to fix (exit 2). */
async function startListening(
  sim: GatewaySim,
  options: Omit<GatewaySimOptions, "logger">,
): Promise<{ port: number }> {
  try {
    return await sim.start();
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const where = hostPort(options.host ?? "127.0.0.1", options.port ?? 0);
    if (code === "EADDRINUSE") {
      throw new UsageError(
        `cannot listen on ${where}: the port is in use; pick another --port (0 = any free port)`,
      );
    }
    if (code === "EACCES" || code === "EADDRNOTAVAIL") {
      throw new UsageError(`cannot listen on ${where} (${code}): check --host and --port`);
    }
    throw error;
  }
}

/** The process's first SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

function clockFromFlags(flags: GatewaySimFlags): GatewaySimClockOptions {
  const speed = Number(flags.speed);
  if (flags.speed.trim() === "" || !Number.isFinite(speed) || speed < 0) {
    throw new UsageError(
      `bad --speed "${flags.speed}": use a number >= 0 (0 or 1 = real time, 60 = a minute a second)`,
    );
  }
  if (speed === 0 || speed === 1) {
    if (flags.start !== undefined) {
      throw new UsageError(
        "--start sets the start of an accelerated clock: give --speed other than 0 or 1, or drop --start",
      );
    }
    return { mode: "real-time" };
  }
  return { mode: "accelerated", speed, startMs: parseTimeFlag("--start", flags.start ?? DEFAULT_SIM_START) };
}

function faultPlanFromFlags(flags: GatewaySimFlags): FaultPlan {
  const restartEveryMinutes =
    flags.faultRestartEvery === undefined
      ? undefined
      : positive("--fault-restart-every", flags.faultRestartEvery);
  if (restartEveryMinutes === undefined) {
    for (const [flag, value] of [
      ["--fault-down-for", flags.faultDownFor],
      ["--fault-order-id-rollback", flags.faultOrderIdRollback],
    ] as const) {
      if (value !== undefined) throw new UsageError(`${flag} needs --fault-restart-every MINUTES`);
    }
  }
  const downForSeconds =
    flags.faultDownFor === undefined
      ? DEFAULT_DOWN_FOR_SECONDS
      : nonNegative("--fault-down-for", flags.faultDownFor);
  if (restartEveryMinutes !== undefined && downForSeconds >= restartEveryMinutes * 60) {
    throw new UsageError(
      `--fault-down-for ${downForSeconds} s must be shorter than --fault-restart-every ${restartEveryMinutes} min`,
    );
  }
  return {
    ...(restartEveryMinutes === undefined
      ? {}
      : {
          restartEveryMs: restartEveryMinutes * 60_000,
          restartDownForMs: downForSeconds * 1000,
          restartRollBackOrderIdsBy:
            flags.faultOrderIdRollback === undefined
              ? 0
              : wholeNumber("--fault-order-id-rollback", flags.faultOrderIdRollback, 0, 1_000_000),
        }),
    ...(flags.faultLatencyMs === undefined
      ? {}
      : { latencyMs: nonNegative("--fault-latency-ms", flags.faultLatencyMs) }),
    ...(flags.faultPacingViolations === undefined
      ? {}
      : {
          pacingViolations: wholeNumber(
            "--fault-pacing-violations",
            flags.faultPacingViolations,
            0,
            1_000_000,
          ),
        }),
  };
}

/** An account id as IB writes them (DU1234567): printable ASCII, no spaces or commas (MANAGED_ACCTS is comma-separated). */
function parseAccount(text: string): string {
  if (!/^[\x21-\x7e]+$/.test(text) || text.includes(",")) {
    throw new UsageError(
      `bad --accounts "${text}": give account ids such as DU1234567 separated by spaces, without commas`,
    );
  }
  return text;
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`bad ${flag} "${text}": use a whole number from ${min} to ${max}`);
  }
  return value;
}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`bad ${flag} "${text}": use a number above 0`);
  }
  return value;
}

function nonNegative(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`bad ${flag} "${text}": use a number >= 0`);
  }
  return value;
}

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function summary(options: Omit<GatewaySimOptions, "logger">): string {
  const clock = options.clock;
  const time =
    clock === undefined || clock.mode === "real-time"
      ? "real time"
      : clock.mode === "accelerated"
        ? `x${clock.speed} from ${new Date(clock.startMs).toISOString()}`
        : `manual at ${new Date(clock.startMs).toISOString()}`;
  return `server version <= ${options.maxServerVersion ?? MAX_SUPPORTED_SERVER_VERSION}, accounts ${(options.accounts ?? []).join(",")}, clock ${time}`;
}
