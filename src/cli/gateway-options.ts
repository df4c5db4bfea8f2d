import { Option, type Command } from "commander";
import type { Logger } from "pino";
import { startEmbeddedGateway, type EmbeddedGateway } from "../app/embedded-gateway.js";
import type { Config } from "../config/config.js";
import { loadConfig, type ConfigInputs } from "../config/load-config.js";
import { LOG_LEVELS } from "./common-options.js";

/** Flags of every command that talks to a gateway (check, history; later run). */
export interface GatewayFlags {
  readonly profile?: string;
  readonly source: "ibkr" | "sim";
  readonly symbols?: string[];
  readonly host?: string;
  readonly port?: string;
  readonly clientId?: string;
  readonly logLevel?: string;
}

/** Adds the gateway flags to `command`; `symbolsHelp` says what the symbols are for. */
export function addGatewayOptions(command: Command, symbolsHelp: string): Command {
  return command
    .addOption(
      new Option("--profile <name>", "connection profile: .env.ibkr.<name>").choices(["paper", "live"]),
    )
    .addOption(
      new Option("--source <source>", "ibkr: the configured TWS / Gateway; sim: a built-in gateway-sim")
        .choices(["ibkr", "sim"])
        .default("ibkr"),
    )
    .option("--symbols <symbols...>", symbolsHelp)
    .option("--host <host>", "TWS / Gateway host (IBKR_HOST)")
    .option("--port <port>", "TWS / Gateway API port (IBKR_PORT)")
    .option("--client-id <id>", "API client id (IBKR_CLIENT_ID)")
    .addOption(new Option("--log-level <level>", "log level (JSON lines on stderr)").choices(LOG_LEVELS));
}

/** Maps the gateway flags onto configuration keys; the log level defaults to warn for these commands. */
export function gatewayFlagsToConfig(flags: GatewayFlags): Record<string, string | undefined> {
  return {
    SYMBOLS: flags.symbols?.join(","),
    IBKR_HOST: flags.host,
    IBKR_PORT: flags.port,
    IBKR_CLIENT_ID: flags.clientId,
    LOG_LEVEL: flags.logLevel ?? "warn",
  };
}

/**
 * Runs `use` with the configuration to connect with: as loaded, or — with `--source sim` — pointed at a
 * gateway-sim started in this process for the duration, and stopped afterwards whatever happens.
 */
export async function withGateway<T>(
  source: GatewayFlags["source"],
  inputs: ConfigInputs,
  logger: Logger,
  use: (config: Config, embedded: EmbeddedGateway | undefined) => Promise<T>,
): Promise<T> {
  if (source !== "sim") return use(loadConfig(inputs), undefined);
  const embedded = await startEmbeddedGateway({ logger });
  try {
    const config = loadConfig({
      ...inputs,
      // The simulator's TWS runs in UTC (its execution times carry no zone).
      flags: {
        ...inputs.flags,
        IBKR_HOST: embedded.host,
        IBKR_PORT: String(embedded.port),
        IBKR_TIMEZONE: "UTC",
      },
    });
    return await use(config, embedded);
  } finally {
    await embedded.stop();
  }
}
