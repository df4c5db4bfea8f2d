import {
  encodeMarketDataType,
  encodeTickPrice,
  encodeTickRequestParameters,
  encodeTickSize,
  encodeTickSnapshotEnd,
  encodeTickString,
} from "../protocol/market-data-messages.js";
import { decodeCancelRequest, decodeMarketDataRequest } from "../protocol/market-data-requests.js";
import { MarketDataType } from "../protocol/market-data-tick-types.js";
import type { RequestHandler, SessionContext } from "../server/request-handler.js";
import { resolveContract } from "./contract-resolver.js";
import * as errors from "./market-data-errors.js";
import { startPeriodicStream } from "./periodic-stream.js";
import type { MarketDataContext } from "./market-data-context.js";
import { QuoteTicks, type QuoteTick } from "./quote-ticks.js";
import { timedQuote } from "./timed-quote.js";

/** How often a stream looks at the quote for changes, in simulated time. */
export const TICK_INTERVAL_MS = 250;

/** How far delayed data lags: IB's delayed data is 15–20 minutes old (ibkr-facts.md §3.4); the simulator uses 15. */
export const DELAYED_DATA_DELAY_MS = 15 * 60_000;

/** TICK_REQ_PARAMS as TWS sends it for a US stock (real example `81|9000|0.01|9c0001|3`, ibkr-facts.md §2.2). */
const MIN_TICK = 0.01;
const BBO_EXCHANGE = "9c0001";
const SNAPSHOT_PERMISSIONS = 3;

/** Which feed a request gets: live, delayed, or refused with 354. */
type Feed = "live" | "delayed" | "refused";

/**
 * ibkr-facts.md §3.4: with a live subscription every request is live (TWS falls back to delayed data only
 * when live is not available); without one, market data type 3 or 4 gets delayed data after a 10167
 * warning, and 1 or 2 is refused with 354. Frozen data (2, 4) is not modelled beyond that.
 */
function feedFor(liveDataAccounts: boolean, marketDataType: MarketDataType): Feed {
  if (liveDataAccounts) return "live";
  return marketDataType === MarketDataType.DELAYED || marketDataType === MarketDataType.DELAYED_FROZEN
    ? "delayed"
    : "refused";
}

function encodeTick(session: SessionContext, reqId: number, tick: QuoteTick): Buffer {
  switch (tick.kind) {
    case "price":
      return encodeTickPrice(session.serverVersion, { reqId, ...tick });
    case "size":
      return encodeTickSize(session.serverVersion, { reqId, ...tick });
    case "string":
      return encodeTickString(session.serverVersion, { reqId, ...tick });
  }
}

/**
 * REQ_MKT_DATA and CANCEL_MKT_DATA: top of book from MarketModel.quote, live or 15 minutes delayed. A
 * stream holds a market data line (101 when none is free) and sends, every 250 simulated milliseconds,
 * the ticks that changed; a snapshot sends every tick once, then TICK_SNAPSHOT_END, and holds no line.
 */
export function createTopOfBookHandlers(context: MarketDataContext): {
  request: RequestHandler;
  cancel: RequestHandler;
} {
  const { sessions, scheduler, model, lines } = context;

  const request: RequestHandler = (fields, session) => {
    const { reqId, contract, snapshot, regulatorySnapshot } = decodeMarketDataRequest(fields);
    const state = sessions.of(session);
    const isSnapshot = snapshot || regulatorySnapshot;
    if (state.topOfBook.has(reqId)) {
      session.sendError(errors.duplicateTickerId(reqId));
      return;
    }
    const instrument = resolveContract(context.universe, contract);
    if (instrument === undefined) {
      session.sendError(errors.noSecurityDefinition(reqId));
      return;
    }
    const feed = feedFor(context.options.liveDataAccounts, state.marketDataType);
    if (feed === "refused") {
      session.sendError(errors.marketDataNotSubscribed(reqId));
      return;
    }
    const releaseLine = isSnapshot ? () => undefined : lines.acquire();
    if (releaseLine === undefined) {
      session.sendError(errors.maxTickersReached(reqId));
      return;
    }
    const delayed = feed === "delayed";
    if (delayed) session.sendError(errors.displayingDelayedData(reqId));
    session.send(
      encodeMarketDataType(
        session.serverVersion,
        reqId,
        delayed ? MarketDataType.DELAYED : MarketDataType.LIVE,
      ),
    );
    if (!delayed) {
      session.send(
        encodeTickRequestParameters(session.serverVersion, {
          reqId,
          minTick: MIN_TICK,
          bboExchange: BBO_EXCHANGE,
          snapshotPermissions: SNAPSHOT_PERMISSIONS,
        }),
      );
    }
    const ticks = new QuoteTicks(delayed);
    const sendChanges = (atMs: number): void => {
      const quoteMs = delayed ? atMs - DELAYED_DATA_DELAY_MS : atMs;
      for (const tick of ticks.next(timedQuote(model, instrument.symbol, quoteMs))) {
        session.send(encodeTick(session, reqId, tick));
      }
    };
    sendChanges(scheduler.clock.nowMs());
    if (isSnapshot) {
      // Snapshots gather up to 11 s of data (§3.3); the model's quote is complete at once.
      session.send(encodeTickSnapshotEnd(session.serverVersion, reqId));
      return;
    }
    startPeriodicStream({
      scheduler,
      session,
      streams: state.topOfBook,
      reqId,
      intervalMs: TICK_INTERVAL_MS,
      name: "market data",
      tick: sendChanges,
      release: releaseLine,
    });
  };

  const cancel: RequestHandler = (fields, session) => {
    const reqId = decodeCancelRequest(fields);
    // Cancelling an unknown id (or a finished snapshot) is answered with 300, as real TWS does.
    if (!sessions.of(session).topOfBook.stop(reqId)) session.sendError(errors.tickerNotFound(reqId));
  };

  return { request, cancel };
}
