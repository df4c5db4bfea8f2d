import { existsSync, readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { TraderError } from "../core/errors.js";
import { registerBacktestCommand } from "./backtest-command.js";
import { registerCheckCommand } from "./check-command.js";
import { registerHistoryCommand } from "./history-command.js";
import type { CliIo } from "./cli-io.js";
import { registerGatewaySimCommand } from "./gateway-sim-command.js";
import { registerRunCommand } from "./run-command.js";

/** Exit codes: 0 success, 1 runtime failure, 2 bad invocation (flags, config, input data). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Reads our version from the nearest package.json above this file (works from src/ and from dist/). */
function readVersion(): string {
  let directory = new URL("./", import.meta.url);
  for (let depth = 0; depth < 5; depth++) {
    const candidate = new URL("package.json", directory);
    if (existsSync(candidate)) {
      const packageJson = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (packageJson.name === "ibkr-trader") return packageJson.version ?? "0.0.0";
    }
    directory = new URL("../", directory);
  }
  return "0.0.0";
}

/** Builds the `ibkr-trader` commander program. */
export function buildProgram(io: CliIo): Command {
  const program = new Command("ibkr-trader")
    .description("Headless trading daemon and paper-trading engine for Interactive Brokers")
    .version(readVersion(), "-V, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();
  registerBacktestCommand(program, io);
  registerGatewaySimCommand(program, io);
  registerCheckCommand(program, io);
  registerHistoryCommand(program, io);
  registerRunCommand(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI with `args` (without node and script) and returns the process exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...args], { from: "user" });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT_OK;
      if (error.code === "commander.help") return EXIT_OK;
      // commander has already printed its one-line message.
      return EXIT_USAGE;
    }
    if (error instanceof TraderError) {
      io.stderr.write(`ibkr-trader: ${error.message}\n`);
      return error.isUserError ? EXIT_USAGE : EXIT_FAILURE;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`ibkr-trader: unexpected error (a bug, please report it): ${message}\n`);
    return EXIT_FAILURE;
  }
}
