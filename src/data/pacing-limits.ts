import { ConfigError } from "../core/errors.js";
import type { HistoricalRequest } from "./historical-request.js";

/**
 * IB's historical data pacing limits (ibkr-facts.md §3.1); a window of W ms holds the requests sent less
 * than W ms before. The names match the gateway simulator's `HistoricalPacingSettings`.
 */
export interface HistoricalPacingLimits {
  /** An identical request (same `historicalIdentityKey`) less than this after the previous one is refused. */
  readonly identicalRequestWindowMs: number;
  /** Window of the same contract + exchange + whatToShow rule. */
  readonly sameSeriesWindowMs: number;
  /** Most requests (BID_ASK weighted) for one `historicalSeriesKey` inside that window: the 6th is refused. */
  readonly maxSameSeriesRequests: number;
  /** The long window. */
  readonly longWindowMs: number;
  /** Most requests (BID_ASK weighted) inside any long window: the 61st is refused. */
  readonly maxRequestsPerLongWindow: number;
  /** Most requests open (sent and not yet answered) at once. */
  readonly maxOpenRequests: number;
  /** How many requests one BID_ASK request counts as. */
  readonly bidAskWeight: number;
}

/** IB's limits: 15 s identical, 5 per series in 2 s, 60 per 10 min, 50 open, BID_ASK counts 2. */
export const IB_HISTORICAL_PACING_LIMITS: HistoricalPacingLimits = Object.freeze({
  identicalRequestWindowMs: 15_000,
  sameSeriesWindowMs: 2_000,
  maxSameSeriesRequests: 5,
  longWindowMs: 600_000,
  maxRequestsPerLongWindow: 60,
  maxOpenRequests: 50,
  bidAskWeight: 2,
});

/** IB's limits with some replaced; throws a ConfigError when a value is not a usable integer. */
export function historicalPacingLimits(
  overrides: Partial<HistoricalPacingLimits> = {},
): HistoricalPacingLimits {
  const limits: HistoricalPacingLimits = { ...IB_HISTORICAL_PACING_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || (value as number) < 1) {
      throw new ConfigError(`historical pacing limit ${key} is ${String(value)}; use an integer ≥ 1`);
    }
  }
  if (limits.bidAskWeight > Math.min(limits.maxSameSeriesRequests, limits.maxRequestsPerLongWindow)) {
    throw new ConfigError(
      `historical pacing limit bidAskWeight ${limits.bidAskWeight} exceeds a request cap; a BID_ASK request could never be sent`,
    );
  }
  return Object.freeze(limits);
}

/** How many requests `request` counts as for the series and long-window rules. */
export function pacingWeightOf(request: HistoricalRequest, limits: HistoricalPacingLimits): number {
  return request.whatToShow === "BID_ASK" ? limits.bidAskWeight : 1;
}
