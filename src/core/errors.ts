/**
 * Stable error codes. Each code is listed in the README's error table; never rename one, only add.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: "A configuration value (env, profile or flag) is invalid.",
  USAGE_INVALID: "The command line is invalid (unknown flag, missing argument).",
  DATA_INVALID: "Input market data is malformed (CSV row, bar values).",
  DATA_NOT_FOUND: "An input file or data set does not exist or is empty.",
  STRATEGY_UNKNOWN: "No strategy with the requested name exists.",
  STRATEGY_PARAMS_INVALID: "A strategy parameter is missing or out of range.",
  INVARIANT_BROKEN: "An internal invariant was broken (a bug).",
  IO_FAILED: "Reading or writing a file failed.",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base of every error we throw on purpose: a stable `code`, a one-line message and an optional cause. */
export class TraderError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /** True when the user can fix it by changing their input: such errors exit with code 2 and no stack. */
  get isUserError(): boolean {
    return this.code !== "INVARIANT_BROKEN" && this.code !== "IO_FAILED";
  }
}

/** A configuration value is invalid: names the key, the value and what is allowed. */
export class ConfigError extends TraderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONFIG_INVALID", message, options);
  }
}

/** The command line is invalid. */
export class UsageError extends TraderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("USAGE_INVALID", message, options);
  }
}

/** Market data is malformed: names the source (file and line) and the reason. */
export class DataIntegrityError extends TraderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("DATA_INVALID", message, options);
  }
}

/** An input data file or set is missing or empty. */
export class DataNotFoundError extends TraderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("DATA_NOT_FOUND", message, options);
  }
}

/** A strategy name or its parameters are invalid. */
export class StrategyError extends TraderError {}

/** A broken internal invariant: a bug, never a user mistake. */
export class InvariantError extends TraderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("INVARIANT_BROKEN", message, options);
  }
}
