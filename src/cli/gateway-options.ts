import { Option, type Command } from "commander";

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
    .addOption(
      new Option("--log-level <level>", "log level (JSON lines on stderr)").choices([
        "fatal",
        "error",
        "warn",
        "info",
        "debug",
        "trace",
        "silent",
      ]),
    );
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
