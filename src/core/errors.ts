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
  GATEWAY_UNREACHABLE: "TWS / IB Gateway could not be reached or refused the API connection.",
  GATEWAY_DISCONNECTED: "A request was made, or was in flight, while the gateway connection was down.",
  CLIENT_ID_IN_USE: "The API client id is already in use on the gateway (IB error 326).",
  GATEWAY_TIMEOUT: "The gateway did not answer a request in time.",
  PACING_VIOLATION: "IB refused a historical data request for pacing (IB error 162); it is retried.",
  IB_REQUEST_REJECTED: "IB rejected a request (the IB code and text are in the message).",
  CONTRACT_UNKNOWN: "IB knows no contract for a symbol (IB error 200).",
  CONTRACT_AMBIGUOUS: "A symbol matches more than one contract; name the primary exchange.",
  STORE_FAILED: "The local SQLite store could not be opened or written.",
  CHECK_FAILED: "At least one step of `ibkr-trader check` failed (each failure is printed with its fix).",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Codes a user fixes by changing their input (flags, config, data files): exit code 2. */
const USER_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "CONFIG_INVALID",
  "USAGE_INVALID",
  "DATA_INVALID",
  "DATA_NOT_FOUND",
  "STRATEGY_UNKNOWN",
  "STRATEGY_PARAMS_INVALID",
]);

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
    return USER_ERROR_CODES.has(this.code);
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

/**
 * Something went wrong between us and TWS / IB Gateway: unreachable, dropped, timed out, client id clash, or a
 * request IB refused. `ibCode` is IB's error code when IB sent one.
 */
export class GatewayError extends TraderError {
  readonly ibCode: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; ibCode?: number }) {
    super(code, message, options);
    this.ibCode = options?.ibCode;
  }
}

/** IB answered a historical data request with a pacing violation (162); the pacer retries it. */
export class PacingViolationError extends GatewayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("PACING_VIOLATION", message, { ...options, ibCode: 162 });
  }
}
