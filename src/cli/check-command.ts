import type { Command } from "commander";
import { checkGateway, type CheckResult } from "../app/gateway-check.js";
import { createLogger } from "../app/logger.js";
import { loadConfig } from "../config/load-config.js";
import { TraderError } from "../core/errors.js";
import { SystemScheduler } from "../core/system-scheduler.js";
import type { CliIo } from "./cli-io.js";
import {
  addGatewayOptions,
  gatewayFlagsToConfig,
  withGateway,
  type GatewayFlags,
} from "./gateway-options.js";

type CheckFlags = GatewayFlags;

const STATUS_LABEL: Readonly<Record<CheckResult["status"], string>> = {
  pass: "PASS",
  fail: "FAIL",
  skip: "SKIP",
};

/** One aligned line per check: `PASS  connect      127.0.0.1:7497 as client id 1, server version 193`. */
export function formatCheckLine(result: CheckResult): string {
  return `${STATUS_LABEL[result.status].padEnd(5)} ${result.name.padEnd(12)} ${result.detail}`;
}

/** Registers `ibkr-trader check`. */
export function registerCheckCommand(program: Command, io: CliIo): void {
  const command = program.command("check");
  addGatewayOptions(command, "symbol to look up (the first one is used)");
  command
    .description(
      "check the connection to TWS / IB Gateway with the profile's settings: accounts, a contract, market data, history",
    )
    .action(async (flags: CheckFlags) => {
      await runCheck(flags, io);
    });
}

async function runCheck(flags: CheckFlags, io: CliIo): Promise<void> {
  const configFlags = gatewayFlagsToConfig(flags);
  const inputs = { flags: configFlags, env: io.env, directory: io.cwd, profile: flags.profile };
  // Validate the configuration before starting anything, so a bad value is a usage error (exit 2).
  const logger = createLogger({ level: loadConfig(inputs).logLevel });
  await withGateway(flags.source, inputs, logger, async (config, embedded) => {
    io.stdout.write(
      embedded === undefined
        ? `checking ${config.ibkr.host}:${config.ibkr.port} with the ${config.profile} profile (client id ${config.ibkr.clientId})\n`
        : `checking the built-in gateway-sim on ${embedded.host}:${embedded.port}\n`,
    );
    const results = await checkGateway({
      config,
      scheduler: new SystemScheduler(),
      logger,
      onResult: (result) => io.stdout.write(`${formatCheckLine(result)}\n`),
    });
    const failed = results.filter((result) => result.status !== "pass").length;
    if (failed > 0) {
      throw new TraderError("CHECK_FAILED", `check: ${failed} of ${results.length} checks did not pass`);
    }
    io.stdout.write(`check: all ${results.length} checks passed\n`);
  });
}
