import pino, { type DestinationStream, type Logger } from "pino";

/** Options of the process logger. */
export interface LoggerOptions {
  readonly level: string;
  /** Defaults to stderr; tests pass a stream to capture lines. */
  readonly destination?: DestinationStream;
  /** Pretty output for a person at a terminal; JSON lines otherwise. Defaults to whether stderr is a TTY. */
  readonly pretty?: boolean;
}

/**
 * The process logger: pino JSON, one event per line with fields, on stderr by default (stdout carries
 * command output), pretty only on a terminal. Account ids and secrets are redacted.
 */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty ?? (options.destination === undefined && process.stderr.isTTY);
  const base = {
    level: options.level,
    base: { pid: process.pid },
    redact: {
      paths: ["token", "*.token", "password", "*.password", "authorization", "*.authorization"],
      censor: "[redacted]",
    },
  };
  if (options.destination !== undefined) return pino(base, options.destination);
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: "pino-pretty",
        options: { destination: 2, colorize: true, translateTime: "SYS:standard" },
      },
    });
  }
  return pino(base, pino.destination({ dest: 2, sync: true }));
}
