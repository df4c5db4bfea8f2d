import { decodeMarketDataTypeRequest } from "../protocol/market-data-requests.js";
import { isMarketDataType } from "../protocol/market-data-tick-types.js";
import type { RequestHandler } from "../server/request-handler.js";
import type { MarketDataContext } from "./market-data-context.js";

/**
 * REQ_MARKET_DATA_TYPE: remembers the connection's market data type (1 live … 4 delayed-frozen) for its
 * later reqMktData; TWS sends nothing back (ibkr-facts.md §3.4). Other values are logged and ignored.
 */
export function createMarketDataTypeHandler(context: MarketDataContext): RequestHandler {
  return (fields, session) => {
    const marketDataType = decodeMarketDataTypeRequest(fields);
    if (!isMarketDataType(marketDataType)) {
      session.logger.warn(
        { sessionId: session.sessionId, marketDataType },
        "ignoring an unknown market data type",
      );
      return;
    }
    context.sessions.of(session).marketDataType = marketDataType;
  };
}
