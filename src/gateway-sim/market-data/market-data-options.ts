import { ConfigError } from "../../core/errors.js";
import type { HistoricalPacingSettings } from "./historical-pacing-rules.js";

/** How the simulated account's market data behaves. */
export interface MarketDataOptions {
  /**
   * Whether the account has live market data subscriptions. Default false, like a fresh paper account:
   * top of book is then delayed (after reqMarketDataType 3 or 4) or refused with 354, and real-time bars
   * are refused (ibkr-facts.md §3.4).
   */
  readonly liveDataAccounts?: boolean;
  /** Historical pacing limits; unset ones are IB's (see IB_HISTORICAL_PACING). */
  readonly pacing?: Partial<HistoricalPacingSettings>;
  /** Market data lines of the account (top-of-book streams plus real-time bars); default 100 (§3.3). */
  readonly maxMarketDataLines?: number;
}

/** MarketDataOptions with every default applied. */
export interface ResolvedMarketDataOptions {
  readonly liveDataAccounts: boolean;
  readonly pacing: Partial<HistoricalPacingSettings>;
  readonly maxMarketDataLines: number;
}

/** IB's default number of market data lines per account (ibkr-facts.md §3.3). */
export const DEFAULT_MARKET_DATA_LINES = 100;

/** Applies the defaults and refuses values that make no sense. */
export function resolveMarketDataOptions(options: MarketDataOptions): ResolvedMarketDataOptions {
  const maxMarketDataLines = options.maxMarketDataLines ?? DEFAULT_MARKET_DATA_LINES;
  if (!Number.isInteger(maxMarketDataLines) || maxMarketDataLines < 0) {
    throw new ConfigError(`maxMarketDataLines ${maxMarketDataLines} must be an integer ≥ 0`);
  }
  return {
    liveDataAccounts: options.liveDataAccounts ?? false,
    pacing: options.pacing ?? {},
    maxMarketDataLines,
  };
}
