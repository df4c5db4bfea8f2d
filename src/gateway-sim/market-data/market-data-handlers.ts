import { ConfigError } from "../../core/errors.js";
import type { InstrumentUniverse } from "../market/instrument-universe.js";
import type { MarketModel } from "../market/market-model.js";
import type { SimScheduler } from "../market/sim-scheduler.js";
import { OutgoingMessageId } from "../protocol/message-ids.js";
import type { RequestHandler } from "../server/request-handler.js";
import { createContractDetailsHandler } from "./contract-details-handler.js";
import { createHistoricalDataHandlers } from "./historical-data-handlers.js";
import { HistoricalPacingRules } from "./historical-pacing-rules.js";
import type { MarketDataContext } from "./market-data-context.js";
import { MarketDataLines } from "./market-data-lines.js";
import { resolveMarketDataOptions, type MarketDataOptions } from "./market-data-options.js";
import { MarketDataSessions } from "./market-data-sessions.js";
import { createMarketDataTypeHandler } from "./market-data-type-handler.js";
import { createRealTimeBarsHandlers } from "./real-time-bars-handlers.js";
import { createTopOfBookHandlers } from "./top-of-book-handlers.js";

/** What the market data handlers are built from. */
export interface MarketDataDependencies {
  readonly universe: InstrumentUniverse;
  readonly model: MarketModel;
  /** Runs the streams; its clock is the time of every market data answer and of historical pacing. */
  readonly scheduler: SimScheduler;
  readonly options: MarketDataOptions;
  /**
   * The pacing rule engine, for callers that want its fault-injection hook (forcePacingViolations); by
   * default one is built from options.pacing. Giving both is a configuration error.
   */
  readonly historicalPacing?: HistoricalPacingRules;
}

/**
 * The request handlers for contract details and market data — top of book, real-time bars, historical
 * bars — keyed by message id, for GatewaySimServer's `requestHandlers`. One set serves every connection
 * of a server and keeps what spans them: the account's market data lines and historical pacing.
 */
export function createMarketDataHandlers(deps: MarketDataDependencies): Map<number, RequestHandler> {
  const options = resolveMarketDataOptions(deps.options);
  if (deps.historicalPacing !== undefined && deps.options.pacing !== undefined) {
    throw new ConfigError("give either options.pacing or historicalPacing, not both");
  }
  const context: MarketDataContext = {
    universe: deps.universe,
    model: deps.model,
    scheduler: deps.scheduler,
    options,
    sessions: new MarketDataSessions(),
    lines: new MarketDataLines(options.maxMarketDataLines),
    pacing: deps.historicalPacing ?? new HistoricalPacingRules(options.pacing),
  };
  const topOfBook = createTopOfBookHandlers(context);
  const realTimeBars = createRealTimeBarsHandlers(context);
  const historical = createHistoricalDataHandlers(context);
  return new Map<number, RequestHandler>([
    [OutgoingMessageId.REQ_CONTRACT_DATA, createContractDetailsHandler(context)],
    [OutgoingMessageId.REQ_MARKET_DATA_TYPE, createMarketDataTypeHandler(context)],
    [OutgoingMessageId.REQ_MKT_DATA, topOfBook.request],
    [OutgoingMessageId.CANCEL_MKT_DATA, topOfBook.cancel],
    [OutgoingMessageId.REQ_REAL_TIME_BARS, realTimeBars.request],
    [OutgoingMessageId.CANCEL_REAL_TIME_BARS, realTimeBars.cancel],
    [OutgoingMessageId.REQ_HISTORICAL_DATA, historical.request],
    [OutgoingMessageId.CANCEL_HISTORICAL_DATA, historical.cancel],
  ]);
}
