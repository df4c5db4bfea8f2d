import type { InstrumentUniverse } from "../market/instrument-universe.js";
import type { MarketModel } from "../market/market-model.js";
import type { SimScheduler } from "../market/sim-scheduler.js";
import type { HistoricalPacingRules } from "./historical-pacing-rules.js";
import type { MarketDataLines } from "./market-data-lines.js";
import type { ResolvedMarketDataOptions } from "./market-data-options.js";
import type { MarketDataSessions } from "./market-data-sessions.js";

/**
 * What every market data handler shares: the instruments, the market, simulated time, the options and the
 * state that spans connections (lines, pacing). Time for market data is always the scheduler's clock.
 */
export interface MarketDataContext {
  readonly universe: InstrumentUniverse;
  readonly model: MarketModel;
  readonly scheduler: SimScheduler;
  readonly options: ResolvedMarketDataOptions;
  readonly sessions: MarketDataSessions;
  readonly lines: MarketDataLines;
  readonly pacing: HistoricalPacingRules;
}
